//! Synthetic manufacturing-training text (Chinese with some English), shared by the
//! search benchmarks in this crate and in the app.

// The benchmarks use different subsets of the vocabulary.
#![allow(dead_code)]

/// splitmix64: tiny, seedable, good enough to pick words.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

pub const EQUIPMENT: &[&str] = &[
    "设备",
    "液压系统",
    "气动元件",
    "数控机床",
    "冲压模具",
    "焊接机器人",
    "PLC",
    "变频器",
    "伺服电机",
    "输送线",
    "空压机",
    "注塑机",
    "叉车",
    "行车",
    "检测仪器",
    "减速机",
    "冷却塔",
];
pub const ACTIONS: &[&str] = &[
    "故障排查",
    "日常点检",
    "预防性维护",
    "安全操作",
    "参数设定",
    "调试",
    "保养",
    "质量检验",
    "异常处理",
    "标准作业",
    "换型",
    "润滑管理",
];
pub const TOPICS: &[&str] = &[
    "客户投诉处理",
    "销售谈判",
    "大客户管理",
    "班组管理",
    "团队沟通",
    "精益生产",
    "5S管理",
    "目视化管理",
    "六西格玛",
    "问题分析与解决",
    "时间管理",
    "安全生产",
    "质量管理体系",
    "成本控制",
    "焊接工艺",
    "冲压工艺",
    "新员工入职",
    "现场改善",
    "供应商质量",
    "客户满意度",
];
pub const PROBLEMS: &[&str] = &[
    "压力不稳",
    "异响",
    "漏油",
    "过热",
    "报警停机",
    "尺寸超差",
    "焊缝气孔",
    "毛刺",
    "通讯中断",
    "定位偏差",
    "效率下降",
    "客户退货",
];
pub const CAUSES: &[&str] = &[
    "密封件老化",
    "参数设置不当",
    "润滑不足",
    "操作不规范",
    "来料不良",
    "传感器脏污",
    "接线松动",
    "点检缺失",
    "培训不到位",
    "沟通不畅",
];
pub const STEPS: &[&str] = &[
    "切断电源并挂牌上锁",
    "记录报警代码",
    "检查油位和油温",
    "核对作业指导书",
    "确认防护用品",
    "与班组长确认",
    "填写点检表",
    "隔离不良品",
    "复盘根本原因",
    "更新标准作业",
    "倾听客户诉求",
    "明确谈判底线",
];
pub const SCENES: &[&str] = &[
    "夜班生产",
    "产线换型",
    "新设备导入",
    "客户审核",
    "旺季赶工",
    "来料检验",
    "售后服务",
    "新员工上岗",
    "月度盘点",
];
pub const EN_PHRASES: &[&str] = &[
    "PLC troubleshooting",
    "lean production",
    "welding safety",
    "customer complaint handling",
    "root cause analysis",
    "preventive maintenance",
    "hydraulic system basics",
    "negotiation skills",
    "5S workplace organization",
    "quality inspection",
];
pub const EN_SENTENCES: &[&str] = &[
    "Always lock out and tag out before maintenance.",
    "Check the hydraulic pressure gauge before restarting the line.",
    "Use the 5 Whys to find the root cause.",
    "Record every alarm code in the maintenance log.",
    "Listen to the customer before proposing a solution.",
    "Standard work reduces variation and defects.",
];
pub const KINDS: &[&str] = &[
    "course",
    "micro_course",
    "micro_course",
    "document",
    "document",
    "video",
    "tool",
    "case",
    "exam",
];
pub const TIERS: &[&str] = &["core", "support", "support", "reserve"];
pub const BUSINESS_LINES: &[&str] = &["装备制造", "汽车零部件", "电子电器", "工程机械", "新能源"];
pub const TASK_TYPES: &[&str] = &["设备维护", "质量控制", "客户服务", "销售", "生产管理"];
pub const SCENARIOS: &[&str] = &["故障排查", "新员工入职", "安全生产", "客户投诉", "产线换型"];
pub const POSITIONS: &[&str] = &[
    "设备维修工",
    "焊工",
    "质检员",
    "班组长",
    "销售代表",
    "客服专员",
    "生产主管",
    "工艺工程师",
];
pub const NUMBERS: &[&str] = &["三", "四", "五", "六", "七"];

pub fn sentence(rng: &mut Rng) -> String {
    match rng.below(7) {
        0 => format!(
            "在{}中，{}{}往往由{}引起。",
            rng.pick(SCENES),
            rng.pick(EQUIPMENT),
            rng.pick(PROBLEMS),
            rng.pick(CAUSES)
        ),
        1 => format!(
            "操作人员应当先{}，再{}，最后{}。",
            rng.pick(STEPS),
            rng.pick(STEPS),
            rng.pick(STEPS)
        ),
        2 => format!(
            "本课程结合{}个真实案例，讲解{}的关键要点和常见误区。",
            rng.pick(NUMBERS),
            rng.pick(TOPICS)
        ),
        3 => format!(
            "{}{}时，需要{}，避免再次出现{}。",
            rng.pick(EQUIPMENT),
            rng.pick(ACTIONS),
            rng.pick(STEPS),
            rng.pick(PROBLEMS)
        ),
        4 => format!(
            "学员完成学习后能够独立开展{}，并在{}中应用{}方法。",
            rng.pick(ACTIONS),
            rng.pick(SCENES),
            rng.pick(TOPICS)
        ),
        5 => rng.pick(EN_SENTENCES).to_owned(),
        _ => format!(
            "根据统计，{}导致的{}占全部问题的{}成以上，{}是最有效的对策。",
            rng.pick(CAUSES),
            rng.pick(PROBLEMS),
            rng.pick(NUMBERS),
            rng.pick(STEPS)
        ),
    }
}

pub fn title(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!(
            "{}{}：{}步定位{}{}",
            rng.pick(EQUIPMENT),
            rng.pick(ACTIONS),
            rng.pick(NUMBERS),
            rng.pick(EQUIPMENT),
            rng.pick(PROBLEMS)
        ),
        1 => format!("{}实战", rng.pick(TOPICS)),
        2 => format!("{}入门与进阶", rng.pick(TOPICS)),
        3 => format!("{}{}标准作业指导书", rng.pick(EQUIPMENT), rng.pick(ACTIONS)),
        4 => format!(
            "案例：{}{}的{}个教训",
            rng.pick(EQUIPMENT),
            rng.pick(PROBLEMS),
            rng.pick(NUMBERS)
        ),
        5 => {
            let p = rng.pick(EN_PHRASES);
            format!("{}{} ({p})", p[..1].to_uppercase(), &p[1..])
        }
        6 => format!("{}与{}", rng.pick(TOPICS), rng.pick(TOPICS)),
        _ => format!("{}{}考核", rng.pick(EQUIPMENT), rng.pick(ACTIONS)),
    }
}
