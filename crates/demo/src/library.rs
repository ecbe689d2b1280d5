//! The demo company's resource library (资源库): tag vocabularies, about 320 resources
//! across every kind, micro-courses written by the company's own trainers, ratings,
//! comments, a year of usage and scenario packs.
//!
//! Deliberate gaps, so the reports have something to show: nothing develops 商务谈判
//! (`SA-NEGO`), PLC编程 (`EQ-PLC`) has drafts only, and 统计过程控制 (`QA-SPC`) is
//! covered at level 1 only; about one published resource in ten is rarely opened.

use crate::SplitMix64;
use crate::competency::{REQUIREMENTS, SKILLS};
use crate::decoding::TASKS;
use domain::competency::Tier;
use domain::library::{EventKind, Origin, ResourceKind, ResourceStatus, TagKind};
use time::{Date, Duration, Month, OffsetDateTime, Time};

/// Business lines (业务线).
pub const BUSINESS_LINES: &[&str] = &["工程机械", "液压件", "售后服务", "营销", "职能支持"];

/// Task types (任务类型).
pub const TASK_TYPES: &[&str] = &["操作", "维修", "检验", "销售", "管理", "服务"];

/// Scenarios (业务场景): the steps of the demo's business processes, i.e. the names of
/// the decoded position tasks, in process order.
pub fn scenarios() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for task in TASKS {
        if !out.contains(&task.3) {
            out.push(task.3);
        }
    }
    out
}

/// Every vocabulary entry, by kind.
pub fn vocabulary() -> Vec<(TagKind, &'static str)> {
    let mut out: Vec<(TagKind, &'static str)> = Vec::new();
    out.extend(BUSINESS_LINES.iter().map(|v| (TagKind::BusinessLine, *v)));
    out.extend(TASK_TYPES.iter().map(|v| (TagKind::TaskType, *v)));
    out.extend(scenarios().into_iter().map(|v| (TagKind::Scenario, v)));
    out
}

/// The demo logins that write, review, rate and use resources.
pub const REVIEWER: &str = "reviewer";
/// Owner of the catalogue (courses, documents, videos, …).
pub const CURATOR: &str = "training";
/// Logins that rate, comment and learn (all are employees).
pub const LEARNERS: &[&str] = &[
    "employee",
    "manager",
    "instructor",
    "reviewer",
    "training",
    "executive",
];

/// The headline micro-course (used by tests and the guided tour).
pub const TROUBLESHOOTING_TITLE: &str = "设备故障排查：三步定位液压系统异常";
/// Its code.
pub const TROUBLESHOOTING_CODE: &str = "MC-EQ-001";

/// Skills with no resource at all (商务谈判).
pub const UNCOVERED: &[&str] = &["SA-NEGO"];
/// Skills with resources that never get published (PLC编程: drafts under preparation).
pub const DRAFT_ONLY: &[&str] = &["EQ-PLC"];
/// Skills covered below the required level (统计过程控制: introductions only).
pub const SHALLOW: &[&str] = &["QA-SPC"];

/// The three parts of a micro-course.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoMicro {
    pub problem: String,
    pub case: String,
    pub solution: String,
    /// The main skill.
    pub skill: &'static str,
}

/// One resource and where it ends up.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoResource {
    pub code: String,
    pub kind: ResourceKind,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub tier: Tier,
    pub origin: Origin,
    pub vendor: Option<&'static str>,
    pub minutes: i32,
    pub tags: Vec<(TagKind, &'static str)>,
    pub skills: Vec<(&'static str, i32)>,
    pub positions: Vec<&'static str>,
    pub micro: Option<DemoMicro>,
    /// Login of the author (the owner).
    pub author: &'static str,
    /// The final status; published and retired ones went through review first.
    pub status: ResourceStatus,
    /// When it was (first) published; `None` for drafts and those under review.
    pub published_at: Option<OffsetDateTime>,
    /// Opened only now and then: the lifecycle report should flag it.
    pub rarely_used: bool,
}

/// A learner's stars.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRating {
    pub resource: usize,
    pub user: &'static str,
    pub stars: i32,
}

/// A learner's comment; `pending` ones wait for moderation.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoComment {
    pub resource: usize,
    pub user: &'static str,
    pub body: &'static str,
    pub pending: bool,
}

/// A view or completion; `user` is `None` for learners without a login.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoEvent {
    pub resource: usize,
    pub user: Option<&'static str>,
    pub kind: EventKind,
    pub at: OffsetDateTime,
}

/// A scenario pack, its resources by code in learning order.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPack {
    pub code: &'static str,
    pub name: &'static str,
    pub scenario_step: String,
    pub description: &'static str,
    pub resources: Vec<String>,
}

/// The whole library.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoLibrary {
    pub resources: Vec<DemoResource>,
    pub ratings: Vec<DemoRating>,
    pub comments: Vec<DemoComment>,
    pub events: Vec<DemoEvent>,
    pub packs: Vec<DemoPack>,
}

/// Usage covers the twelve months before this instant (the demo's data end, 2026-10).
pub fn usage_end() -> OffsetDateTime {
    at(2026, Month::November, 1)
}

fn at(year: i32, month: Month, day: u8) -> OffsetDateTime {
    Date::from_calendar_date(year, month, day)
        .expect("valid date")
        .with_time(Time::MIDNIGHT)
        .assume_utc()
}

/// External training providers.
const VENDORS: &[&str] = &[
    "长沙精益管理咨询有限公司",
    "上海海德液压技术培训中心",
    "北京卓越质量培训学院",
    "深圳锐思营销培训有限公司",
    "华安安全生产培训中心",
    "中设协设备管理培训部",
    "智造云课堂（杭州）科技有限公司",
];

/// Topics of each skill, basic to advanced: (title, what it teaches).
const TOPICS: &[(&str, &[(&str, &str)])] = &[
    (
        "OP-EQUIP",
        &[
            (
                "挖掘机结构件焊接工作站操作入门",
                "认识焊接工作站的组成、启停顺序与安全联锁，能在指导下完成常规焊接作业。",
            ),
            (
                "数控折弯机操作规程",
                "讲解折弯机开机、对刀、程序调用与首件确认，避免常见的压伤和尺寸超差。",
            ),
            (
                "激光切割设备参数设置",
                "介绍功率、速度、气压与焦点的匹配关系，结合中厚板切割给出推荐参数。",
            ),
            (
                "起重机臂架总装线设备操作",
                "覆盖总装线吊具、翻转机和拧紧枪的操作要点与交接班确认项。",
            ),
            (
                "机器人焊接程序调用与微调",
                "学会调用机器人焊接程序，按焊缝实际位置做轨迹微调和弧焊参数修正。",
            ),
            (
                "设备异常停机后的恢复操作",
                "掌握急停、过载、气压低等异常停机后的确认步骤与安全复位方法。",
            ),
            (
                "多品种换型下的设备调整",
                "面向班组长：换型时夹具、程序和参数的调整顺序，以及如何指导新员工。",
            ),
        ],
    ),
    (
        "OP-5S",
        &[
            (
                "5S基础：整理与整顿",
                "从红牌作战到定置管理，帮助一线员工理解“要与不要”“定位定量”的原则。",
            ),
            (
                "车间目视化管理",
                "地标线、看板、颜色管理在冲压和焊装车间的应用示例。",
            ),
            (
                "工位器具定置与形迹管理",
                "用形迹板和定置图让工具“用完即归位”，减少找寻时间。",
            ),
            (
                "清扫点检一体化",
                "把清扫和设备点检结合起来，在清扫中发现漏油、松动和异响。",
            ),
            (
                "5S检查评分与持续改进",
                "介绍车间5S检查表、评分规则和问题闭环，推动现场持续改善。",
            ),
            (
                "标杆车间5S推进经验",
                "总结焊装二车间从整理到素养的推进过程，供各车间借鉴。",
            ),
        ],
    ),
    (
        "QA-AWARE",
        &[
            (
                "质量意识：三不原则",
                "不接受、不制造、不传递不良品，结合结构件返修损失讲清质量成本。",
            ),
            (
                "首件检验与自检要点",
                "首件三检的时机、内容和记录方法，以及自检发现问题后的处置流程。",
            ),
            (
                "焊缝外观缺陷识别",
                "气孔、咬边、未熔合、焊瘤等常见缺陷的图片识别与成因。",
            ),
            (
                "不合格品标识与隔离",
                "不合格品的标识、隔离、评审与追溯，防止不良件流入下道工序。",
            ),
            (
                "质量问题上报与快速反应",
                "现场发现质量异常时如何拉灯上报、保护现场并配合分析。",
            ),
            (
                "液压件装配清洁度控制",
                "讲解清洁度对液压件寿命的影响，以及装配过程的防污染措施。",
            ),
            (
                "质量追溯与批次管理",
                "从零件批次到整机编号，建立可追溯的质量记录链。",
            ),
        ],
    ),
    (
        "QA-SPC",
        &[
            (
                "统计过程控制入门",
                "认识波动、控制图和过程能力的基本概念，适合质量检验员入门。",
            ),
            (
                "控制图基础知识",
                "均值—极差图的绘制方法和判异准则的初步认识。",
            ),
            (
                "质量数据的收集与整理",
                "检验数据记录表的设计、分层与直方图的简单应用。",
            ),
            (
                "过程能力指数初识",
                "Cp 与 Cpk 的含义与简单计算，帮助理解“能力够不够”。",
            ),
        ],
    ),
    (
        "QA-GAUGE",
        &[
            (
                "游标卡尺与千分尺的正确使用",
                "读数方法、零位校准与常见测量误差。",
            ),
            (
                "三坐标测量基础",
                "三坐标测量机的坐标系建立、探针校准与结构件关键尺寸测量。",
            ),
            (
                "量具日常点检与送检管理",
                "量具的日常点检、周期送检与失准后的追溯处理。",
            ),
            (
                "焊缝检验尺与超声波探伤入门",
                "焊缝几何尺寸测量和超声波探伤的基本原理与操作。",
            ),
            (
                "测量系统分析（MSA）实务",
                "重复性与再现性分析的组织方法和结果判读。",
            ),
            (
                "液压件密封面检测方法",
                "粗糙度仪与圆度仪在阀体密封面检测中的应用。",
            ),
        ],
    ),
    (
        "EQ-TROUBLE",
        &[
            (
                "设备故障排查基础",
                "认识故障现象、原因与机理，掌握“望闻问切”的现场排查方法。",
            ),
            (
                "液压系统原理与常见故障",
                "泵、阀、缸和管路的工作原理，以及压力不足、爬行、噪声等典型故障。",
            ),
            (
                "电气控制回路故障诊断",
                "利用图纸与万用表分段排查接触器、继电器和传感器故障。",
            ),
            (
                "数控系统报警分析与处理",
                "常见报警代码的含义、诊断页面的使用和处理思路。",
            ),
            (
                "故障树分析在设备维修中的应用",
                "用故障树梳理复杂故障，避免“换件试错”式维修。",
            ),
            (
                "挖掘机液压系统现场排故",
                "面向售后工程师：整机动作无力、回转异常等问题的现场排查流程。",
            ),
            (
                "重大设备故障的根因分析",
                "组织多专业团队开展根因分析，形成维修标准与防再发措施。",
            ),
        ],
    ),
    (
        "EQ-PLC",
        &[
            (
                "PLC编程基础（西门子S7-1200）",
                "梯形图基本指令、程序结构与在线监控。",
            ),
            (
                "PLC程序读图与修改",
                "读懂焊装线PLC程序并在授权下做小范围修改。",
            ),
            (
                "PLC通讯与现场总线",
                "PROFINET 与 Modbus 通讯配置和常见通讯故障。",
            ),
            (
                "PLC程序备份与版本管理",
                "程序备份、版本记录与变更审批的规范做法。",
            ),
        ],
    ),
    (
        "EQ-TPM",
        &[
            (
                "TPM全员生产维护概论",
                "TPM八大支柱与设备综合效率（OEE）的基本概念。",
            ),
            (
                "设备日常点检与润滑",
                "点检表的使用、“五定”润滑和点检异常的记录上报。",
            ),
            (
                "预防性维护计划编制",
                "根据设备台账与故障记录编制年度、月度保养计划。",
            ),
            (
                "液压油污染度管理",
                "油品取样、污染度等级判读与换油周期的确定。",
            ),
            (
                "关键设备备件管理",
                "安全库存、备件寿命跟踪与国产化替代的思路。",
            ),
            (
                "设备综合效率（OEE）提升实务",
                "从停机、速度和质量损失三方面分析并提升OEE。",
            ),
            (
                "预测性维护与状态监测",
                "振动、温度与油液监测在关键设备上的应用。",
            ),
        ],
    ),
    (
        "MG-TEAM",
        &[
            (
                "新任班组长角色认知",
                "从骨干到班组长的角色转变、职责与常见误区。",
            ),
            (
                "班前会的组织与沟通",
                "如何用十分钟开好班前会：安全提示、任务分配与问题跟进。",
            ),
            (
                "班组排班与人员技能矩阵",
                "用技能矩阵安排岗位与培养计划，保证关键岗位有人顶得上。",
            ),
            (
                "班组绩效指标与看板管理",
                "产量、质量、安全与效率指标的分解与每日看板跟踪。",
            ),
            (
                "员工辅导与工作教导（TWI-JI）",
                "用工作教导四步法带新人，缩短上岗时间。",
            ),
            (
                "班组冲突处理与激励",
                "处理班组内部矛盾、识别员工需求并进行有效激励。",
            ),
            (
                "高绩效班组建设",
                "总结标杆班组的经验：目标、规则、培养与文化。",
            ),
        ],
    ),
    (
        "MG-PROBLEM",
        &[
            ("现场问题解决入门", "问题的定义、现状把握与“三现主义”。"),
            ("5Why分析法", "连续追问为什么找到根本原因，附焊接返修实例。"),
            (
                "鱼骨图与要因验证",
                "人机料法环测六方面展开原因，再用数据验证要因。",
            ),
            (
                "PDCA循环与改善提案",
                "用PDCA推动改善，并把改善写成合格的提案。",
            ),
            (
                "8D问题解决报告",
                "面向质量工程师：8D各步骤的要求与常见填写问题。",
            ),
            (
                "A3报告的撰写与汇报",
                "一张A3讲清背景、现状、原因、对策与跟进。",
            ),
            (
                "精益改善周组织实务",
                "组织为期一周的改善活动：选题、团队、节奏与成果固化。",
            ),
        ],
    ),
    (
        "SA-NEEDS",
        &[
            ("客户需求分析基础", "区分显性需求与隐性需求，建立客户档案。"),
            (
                "工程机械客户的工况调研",
                "按土方、矿山、市政等工况了解客户的设备使用场景。",
            ),
            (
                "提问技巧：SPIN销售法",
                "用背景、难点、暗示、需求效益四类问题挖掘需求。",
            ),
            (
                "大客户采购决策链分析",
                "识别使用者、决策者、影响者，制定接触策略。",
            ),
            (
                "需求转化为配置方案",
                "把客户需求转化为机型、属具与服务方案。",
            ),
            (
                "行业客户经营分析",
                "按区域和行业分析客户经营状况，预测购买窗口。",
            ),
        ],
    ),
    (
        "SA-PRODUCT",
        &[
            (
                "华昌挖掘机产品线概览",
                "各吨位挖掘机的定位、主要配置与竞争优势。",
            ),
            (
                "液压件产品知识：泵、阀与油缸",
                "公司液压件产品的结构、规格与典型应用。",
            ),
            ("起重机产品性能参数解读", "起重性能表、臂长组合与工况选择。"),
            (
                "竞品对比与卖点提炼",
                "与主要竞品对比油耗、效率和可靠性，提炼销售话术。",
            ),
            (
                "新产品上市培训：电动挖掘机",
                "电动挖掘机的电池、电驱系统与使用成本分析。",
            ),
            (
                "智能化功能与远程监控平台",
                "车联网平台的功能演示与向客户讲解的要点。",
            ),
            (
                "产品质保政策与服务产品",
                "质保条款、延保产品与保养套餐的介绍方法。",
            ),
        ],
    ),
    (
        "SV-COMPLAINT",
        &[
            (
                "客户投诉处理基础",
                "投诉的类型、客户情绪与首次响应的基本礼仪。",
            ),
            (
                "投诉受理与需求确认",
                "准确记录问题、确认客户期望并给出处理时限。",
            ),
            ("情绪安抚与有效沟通", "面对愤怒客户的倾听、共情与表达技巧。"),
            (
                "售后问题的内部协同处理",
                "如何联动技术、配件与销售部门，按时给出解决方案。",
            ),
            (
                "投诉回访与客户挽回",
                "处理完毕后的回访、满意度确认与关系修复。",
            ),
            (
                "重大投诉与舆情应对",
                "重大质量投诉的升级机制、对外口径与舆情处置。",
            ),
            (
                "投诉数据分析与改进",
                "从投诉数据中找出高频问题，推动产品与服务改进。",
            ),
        ],
    ),
    (
        "SF-RULES",
        &[
            (
                "新员工三级安全教育",
                "公司、车间、班组三级安全教育的核心内容。",
            ),
            (
                "机械伤害预防与安全防护",
                "旋转、剪切、挤压部位的防护与安全距离。",
            ),
            ("起重吊装作业安全规范", "吊具检查、指挥信号与“十不吊”。"),
            ("动火作业与焊接安全", "动火审批、消防器材与焊接烟尘防护。"),
            (
                "上锁挂牌（LOTO）程序",
                "设备检修时能量隔离、上锁挂牌与验证的步骤。",
            ),
            (
                "危险源辨识与风险评估",
                "班组层面的危险源辨识、风险分级与管控措施。",
            ),
            (
                "安全事故应急处置",
                "火灾、触电、机械伤害事故的应急响应与现场处置。",
            ),
        ],
    ),
];

/// Micro-courses: (main skill, title, minutes, problem, case, solution).
type MicroText = (
    &'static str,
    &'static str,
    i32,
    &'static str,
    &'static str,
    &'static str,
);

const MICROS: &[MicroText] = &[
    (
        "EQ-TROUBLE",
        TROUBLESHOOTING_TITLE,
        12,
        "液压系统出现压力不足、动作迟缓或异响时，维修工往往凭经验直接更换泵或阀，既费时又费钱，换完问题依旧的情况并不少见。液压故障的症状相似、原因分散在油、泵、阀、缸和管路各处，没有固定的排查顺序就容易走弯路。本课要解决的问题是：如何在半小时内把故障定位到具体的元件。",
        "2026年3月，结构件车间一台800吨液压折弯机滑块下行缓慢、保压时压力从25MPa掉到18MPa。值班维修工先后更换了主泵密封和一只溢流阀，停机近两天仍未解决。设备工程师到场后按“三步法”排查：先看油箱油位、油温和滤芯压差，发现回油滤芯堵塞报警；再用压力表分段测压，确认泵出口压力正常、而主缸进口压力偏低；最后对换向阀做保压试验，发现阀芯磨损内泄。更换换向阀并清洗滤芯后，设备当天恢复生产。",
        "第一步“看油液”：检查油位、油温（正常30—55℃）、油液颜色和滤芯压差，油液污染和温度异常是多数液压故障的源头。第二步“测压力”：在泵出口、阀后和执行元件进口依次接压力表，对照图纸上的设定值，压力在哪一段掉下来，故障就在哪一段。第三步“查泄漏”：对可疑的阀和油缸做保压或断开回油观察，判断是内泄还是外泄，再决定清洗、调整还是更换。每一步都记录读数，排查完毕后把结果写入设备维修履历，作为下次同类故障的参考。",
    ),
    (
        "EQ-TROUBLE",
        "电机过热跳闸的快速判断",
        8,
        "输送线电机频繁过热跳闸，复位后能运行一段时间又跳。",
        "总装线3号输送电机一周跳闸5次，每次复位后继续生产，最后烧毁绕组，停线6小时。",
        "先测三相电流是否平衡，再检查负载是否卡滞、散热风扇和风道是否堵塞，最后核对热继电器整定值；三项都正常才考虑电机本体问题。",
    ),
    (
        "EQ-TROUBLE",
        "接近开关失灵的三种常见原因",
        6,
        "自动线上接近开关信号时有时无，导致设备误动作或停机。",
        "焊装线夹具到位检测开关间歇失灵，排查发现是焊渣堆积在感应面上，且感应距离调得过远。",
        "依次检查感应面清洁、安装距离与松动、线缆插头是否被焊渣烫伤；更换后用指示灯确认动作，再调整到额定感应距离的七成左右。",
    ),
    (
        "EQ-TROUBLE",
        "油缸爬行现象的排查思路",
        10,
        "油缸低速运动时一走一停，影响加工精度。",
        "翻转机油缸低速翻转时抖动明显，最终查出系统混入空气、且导轨润滑不足。",
        "先排气，检查吸油管路是否漏气；再检查导轨和活塞杆的润滑及摩擦阻力；仍不能解决时检查节流阀的稳定性和油缸密封。",
    ),
    (
        "EQ-TPM",
        "点检表怎么填才有用",
        7,
        "点检表天天打勾，却发现不了隐患，点检流于形式。",
        "冲压车间一台压力机点检表连续三个月全是“正常”，结果离合器磨损导致滑块下滑险些伤人。",
        "点检项写成可测量的标准（如温度≤60℃、油位在上下限之间），记录实测值而不是打勾；异常当班上报，班组长每周复核趋势。",
    ),
    (
        "EQ-TPM",
        "液压油什么时候该换",
        6,
        "换油周期凭感觉，有的换早了浪费，有的用到油液发黑。",
        "液压件装配线试验台液压油超期使用，污染度达到NAS 11级，导致多只伺服阀卡滞。",
        "按设备说明书设定基准周期，每季度取样检测污染度和水分；超过NAS 9级先过滤，持续超标再换油并查找污染源。",
    ),
    (
        "EQ-TPM",
        "润滑“五定”在机床上的落地",
        8,
        "机床润滑点多，经常漏加或加错油品。",
        "一台龙门铣因导轨漏加润滑脂出现拉伤，修复花费三万余元。",
        "定点、定质、定量、定期、定人：在润滑点贴颜色标签对应油品，润滑图表挂在机床旁，完成后在点检表签字。",
    ),
    (
        "EQ-TPM",
        "用OEE找到设备的隐性损失",
        10,
        "设备看似一直在转，产量却上不去。",
        "焊接机器人工作站OEE只有58%，分析发现小停机和空等料占了近两成时间。",
        "按停机、速度、质量三类损失记录一周数据，找出最大的损失项先改善；小停机用快速响应表跟踪，等料问题与物流一起解决。",
    ),
    (
        "OP-EQUIP",
        "数控折弯机开机五步确认",
        6,
        "新员工开机顺序不规范，容易撞模或出废品。",
        "一名新操作工未回零就调用程序，后挡料撞上模具，损坏模具一套。",
        "确认液压油位和气压、执行回零、核对程序号与模具、空载试运行一次、首件自检后再批量生产。",
    ),
    (
        "OP-EQUIP",
        "焊接机器人示教器的安全使用",
        9,
        "示教时人员进入机器人工作区，存在被撞风险。",
        "某班组在示教模式下未握使能开关，另一人误按启动，机器人突然动作。",
        "示教时必须低速模式并由一人持示教器，使能开关三位置使用，其他人员在围栏外；离开前切回自动并确认门锁。",
    ),
    (
        "OP-EQUIP",
        "激光切割挂渣怎么调",
        7,
        "切割件背面挂渣严重，需要大量打磨。",
        "16mm 板件切割挂渣，打磨工时占到整件加工时间的三成。",
        "先检查喷嘴和镜片，再按“降速—调焦点—调气压”的顺序小步调整，每次只改一个参数并记录效果。",
    ),
    (
        "OP-EQUIP",
        "拧紧枪扭矩异常的处理",
        5,
        "拧紧枪报扭矩不合格，操作工直接复拧了事。",
        "臂架总装线复拧导致螺栓过拧，后续在客户处发生松脱。",
        "报警件先标识隔离，检查螺栓和螺纹孔，确认原因后由班组长授权返工，并在追溯系统中记录。",
    ),
    (
        "OP-5S",
        "三分钟找到工具：形迹管理",
        5,
        "工位工具乱放，找工具浪费时间。",
        "机加工位统计显示每班找工具累计超过20分钟。",
        "按使用频次把工具放在伸手可及处，做形迹板并标注名称，下班前班组长按形迹检查是否归位。",
    ),
    (
        "OP-5S",
        "红牌作战：清出不要物",
        6,
        "现场堆满“可能有用”的旧料和废件。",
        "焊装二车间一次红牌作战清出三吨多闲置物料，腾出两个工位。",
        "设定判定标准（一个月不用即为不要物），贴红牌登记，由车间统一评审处置，定期复查。",
    ),
    (
        "QA-AWARE",
        "首件自检漏项怎么防",
        7,
        "首件自检只量几个尺寸，关键特性漏检。",
        "支架孔距超差未被首件发现，整批80件返修。",
        "用首件检验卡列出全部关键特性并标注量具，自检后由班组长或检验员复核签字，首件留样到批次结束。",
    ),
    (
        "QA-AWARE",
        "焊缝气孔的现场自查",
        6,
        "焊缝表面和内部气孔反复出现。",
        "雨季焊丝受潮、保护气流量不足，结构件气孔返修率升到5%。",
        "检查保护气流量（15—20L/min）和气瓶余压，焊丝开封后当班用完，挡风措施到位，焊前清理坡口油锈。",
    ),
    (
        "QA-AWARE",
        "不合格品为什么必须隔离",
        5,
        "发现不良件随手放在线边，后来又混回合格品。",
        "一只漏检的阀体混入成品发往客户，引发整机漏油投诉。",
        "发现即标识、放入红色隔离箱，填写不合格品单，由检验员评审处置，隔离区钥匙专人管理。",
    ),
    (
        "QA-AWARE",
        "清洁度：液压件装配的隐形杀手",
        8,
        "装配时引入的颗粒物导致液压件早期失效。",
        "多路阀售后返修拆解发现铁屑卡滞，追溯到去毛刺工序清洗不彻底。",
        "零件清洗后用洁净袋封存，装配区正压防尘，定期做清洁度抽检，操作工穿戴防静电服和无尘手套。",
    ),
    (
        "QA-SPC",
        "控制图上的点出界了怎么办",
        8,
        "控制图出现异常点时，检验员不知道该做什么。",
        "孔径控制图连续7点上升未被注意，直到尺寸超差才发现刀具磨损。",
        "认识常见判异规则（出界、连续7点同侧或上升），发现异常先停机报告，和班组长一起查找人机料法环的变化。",
    ),
    (
        "QA-GAUGE",
        "千分尺读数的三个易错点",
        5,
        "千分尺读数错误导致误判合格与否。",
        "一名新检验员把0.5mm刻线看漏，连续判错十多件。",
        "使用前校零，注意半毫米刻线是否露出，测力用棘轮控制，读数时视线与刻线垂直。",
    ),
    (
        "QA-GAUGE",
        "量具过期了还能用吗",
        5,
        "量具超过校准有效期仍在使用。",
        "审核发现一把卡尺过期两个月，期间检测的产品全部需要追溯评估。",
        "量具贴校准标签，系统提前两周提醒送检，过期量具立即停用，并评估上次校准以来的测量结果。",
    ),
    (
        "MG-TEAM",
        "十分钟开好班前会",
        6,
        "班前会变成念通知，员工不爱听。",
        "冲压一班班前会改为“安全一句话+昨日问题+今日重点”后，问题跟进率明显提升。",
        "固定流程和时间，先讲安全，再回顾昨日问题的结果，最后明确今日任务和责任人，留一分钟给员工提问。",
    ),
    (
        "MG-TEAM",
        "用技能矩阵安排顶岗",
        8,
        "关键岗位员工请假时没人能顶上。",
        "焊装班一名机器人操作工休假，替班人员不熟悉程序，当班产量下降三成。",
        "列出岗位与人员的技能矩阵，标出每个岗位至少两人掌握，缺口纳入月度带教计划并跟踪。",
    ),
    (
        "MG-TEAM",
        "新员工第一周怎么带",
        9,
        "新员工入职一周就离职，或上岗后频繁出错。",
        "生产二部新员工首月流失率一度达到15%。",
        "指定师傅，按工作教导四步法（准备、示范、试做、跟进）带教，每天下班前沟通五分钟，第一周结束做一次简单评估。",
    ),
    (
        "MG-TEAM",
        "班组看板每天更新什么",
        6,
        "班组看板内容陈旧，没人看。",
        "一个班组的看板三周没更新，员工不知道自己的质量指标。",
        "看板只放关键指标（安全、质量、产量、效率）和问题清单，当班数据下班前更新，异常用红色标出并写明对策。",
    ),
    (
        "MG-PROBLEM",
        "5Why追问的正确姿势",
        7,
        "问题分析停留在“员工不小心”，对策就是“加强培训”。",
        "螺栓漏装问题追问到第五个为什么，发现是料盒设计导致取料易混。",
        "每一问都基于事实，回答要能被验证；追问到可以采取对策的系统原因为止，而不是停在人的原因上。",
    ),
    (
        "MG-PROBLEM",
        "一张A3讲清一个问题",
        10,
        "问题汇报材料冗长，领导抓不到重点。",
        "质量部把20页的分析报告改成一张A3，评审时间从一小时缩短到二十分钟。",
        "按背景、现状、目标、原因分析、对策、效果确认、标准化的顺序写在一张纸上，多用图表少用文字。",
    ),
    (
        "MG-PROBLEM",
        "改善提案怎么写才能通过",
        6,
        "员工有想法，但提案写不清楚，常被退回。",
        "一条关于焊接夹具快速定位的提案改写后获评月度优秀提案，节省工时15%。",
        "写清现状问题（附照片或数据）、改善方法、预计效果和所需资源，一条提案只讲一件事。",
    ),
    (
        "SA-NEEDS",
        "第一次拜访客户问什么",
        8,
        "销售代表第一次拜访只介绍产品，没有了解客户需求。",
        "某代表向一家土方公司推荐大吨位机型，后来才知道客户主要做市政小工程。",
        "先问工况、现有设备、施工周期和资金安排，再问对现有设备的不满，最后确认决策人和时间表。",
    ),
    (
        "SA-NEEDS",
        "从工况推断客户真正的需求",
        9,
        "客户说要“便宜的”，实际关心的是综合使用成本。",
        "一家矿山客户最终选了价格更高但油耗低、出勤率高的机型。",
        "把客户的工况、作业时长和油价算成每方土成本，用数据和客户一起比较，而不是只比价格。",
    ),
    (
        "SA-PRODUCT",
        "三十秒讲清一款挖掘机",
        5,
        "产品介绍太长，客户没耐心听。",
        "展会上，一位代表用“油耗、效率、可靠性”三句话留住了客户。",
        "每款产品准备三个与客户工况相关的卖点和一个证明数据，先问后讲，客户感兴趣再展开。",
    ),
    (
        "SA-PRODUCT",
        "多路阀的结构与卖点",
        10,
        "销售人员讲不清液压件的技术优势。",
        "一家主机厂采购询问多路阀的内泄指标，代表无法回答而错失订单。",
        "掌握多路阀的结构、额定压力、内泄与微动性指标，准备与竞品的对比表和客户现场测试数据。",
    ),
    (
        "SA-PRODUCT",
        "电动挖掘机的成本账",
        8,
        "客户担心电动挖掘机贵、续航短。",
        "某市政客户试用一个月后，每台每年节省燃料和保养费用约八万元。",
        "用客户的作业时长算能耗成本、保养成本和补贴政策，说明充电方式和续航能满足的工况。",
    ),
    (
        "SV-COMPLAINT",
        "投诉电话前三十秒",
        5,
        "客户一打进电话就情绪激动，客服不知道如何开口。",
        "一位客户因设备停工三天来电，客服先道歉再倾听，客户情绪很快平复。",
        "自报姓名、表示理解并道歉，不打断客户，复述问题确认理解，再告诉客户接下来会怎么处理、多久给答复。",
    ),
    (
        "SV-COMPLAINT",
        "投诉记录的五要素",
        6,
        "投诉记录不完整，技术人员还要再打电话问一遍。",
        "一次回访发现工单只写了“设备坏了”，耽误了配件准备。",
        "记录客户与设备信息（机号、工时）、故障现象、发生时间与工况、客户期望和承诺的时限。",
    ),
    (
        "SV-COMPLAINT",
        "承诺时限到了还没解决怎么办",
        7,
        "答应客户的时间到了问题还没解决，客户更加不满。",
        "某次配件延误，客服主动提前一天告知客户并提供备用机，客户表示理解。",
        "在时限前主动联系客户说明进展和原因，给出新的时间和临时方案，并升级内部协调。",
    ),
    (
        "SV-COMPLAINT",
        "投诉处理后的回访话术",
        5,
        "问题解决后不回访，客户满意度难以提升。",
        "客服中心推行三日回访后，投诉客户的复购意向明显提高。",
        "问题解决三天内回访，确认设备运行情况，感谢客户的反馈，并询问还有什么可以帮忙。",
    ),
    (
        "SV-COMPLAINT",
        "售后工程师到场第一件事",
        8,
        "售后工程师到现场直接动手修，忽略了客户沟通。",
        "一次现场服务修好了设备，客户却因为没人解释原因而投诉服务态度。",
        "到场先向客户了解情况并说明排查计划，维修中告知进展，完成后讲清原因、使用建议并请客户确认。",
    ),
    (
        "SF-RULES",
        "上锁挂牌的六个步骤",
        8,
        "检修时有人误启动设备，存在严重伤害风险。",
        "某车间维修工清理压力机时，另一人不知情送电，幸好急停及时。",
        "通知相关人员、停机、隔离能量源、上锁挂牌、释放残余能量、验证无法启动后再作业；谁上锁谁解锁。",
    ),
    (
        "SF-RULES",
        "吊装作业“十不吊”速记",
        6,
        "吊装作业违章现象屡禁不止。",
        "一次斜拉斜吊导致吊物摆动，撞坏了旁边的工装。",
        "超载、指挥信号不明、捆绑不牢、斜拉斜吊、吊物上站人等情况一律不吊；作业前检查吊具并确认指挥人员。",
    ),
    (
        "SF-RULES",
        "开机点检里的安全确认",
        5,
        "开机点检只看设备，不看安全防护。",
        "一台冲床光栅失效未被发现，所幸当班操作工及时发现。",
        "开机前确认急停、光栅、防护门联锁有效，个人防护用品穿戴齐全，作业区域无无关人员。",
    ),
    (
        "SF-RULES",
        "焊接烟尘的防护",
        5,
        "焊工长期吸入烟尘，职业健康风险大。",
        "焊装车间加装局部排烟并规范佩戴防尘口罩后，职业体检异常率下降。",
        "开启局部排风，正确佩戴KN95以上防尘口罩和焊接面罩，定期检查排风效果。",
    ),
];

/// Comments learners leave (the first ones need moderation).
const COMMENTS: &[(&str, bool)] = &[
    ("讲得很实用，我们班组已经照着做了一周，效果不错。", false),
    ("案例很贴近现场，建议再补充一些不同型号设备的对比。", false),
    (
        "视频里的参数和我们车间的设备不太一样，能否出一个针对老设备的版本？",
        false,
    ),
    ("三步法很清楚，上周排查折弯机故障时用上了。", false),
    ("内容有点长，希望能拆成几个短视频。", false),
    ("检查表可以直接打印使用，点赞。", false),
    ("考试题目有两道答案有误，已经反馈给培训专员。", false),
    ("有没有配套的练习材料？", false),
    ("谁有这门课的线下培训资料，私聊我。", true),
    ("这个课程太简单了，浪费时间。", true),
    ("能不能把讲师的联系方式公开？想请教问题。", true),
    ("外部课程的部分内容和公司规定不一致，建议审核一下。", true),
];

fn level_for(index: usize, count: usize) -> i32 {
    // Basic topics at level 1, the middle at 2, the last ones at 3.
    1 + (index * 3 / count.max(1)) as i32
}

fn business_line(skill: &str, rng: &mut SplitMix64) -> &'static str {
    match skill {
        "SA-NEEDS" | "SA-NEGO" | "SA-PRODUCT" => "营销",
        "SV-COMPLAINT" => "售后服务",
        "MG-TEAM" | "MG-PROBLEM" => {
            if rng.below(2) == 0 {
                "职能支持"
            } else {
                "工程机械"
            }
        }
        "EQ-TROUBLE" if rng.below(3) == 0 => "售后服务",
        _ => {
            if rng.below(3) == 0 {
                "液压件"
            } else {
                "工程机械"
            }
        }
    }
}

fn task_type(skill: &str) -> &'static str {
    match skill {
        s if s.starts_with("EQ-") => "维修",
        s if s.starts_with("QA-") => "检验",
        s if s.starts_with("MG-") => "管理",
        "SV-COMPLAINT" => "服务",
        s if s.starts_with("SA-") => "销售",
        _ => "操作",
    }
}

/// The process steps (task names) needing `skill`.
fn scenarios_of(skill: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in TASKS {
        if t.5.iter().any(|s| s.0 == skill) && !out.contains(&t.3) {
            out.push(t.3);
        }
    }
    out
}

/// Positions requiring `skill`, and the tier of the strongest requirement.
fn positions_of(skill: &str) -> (Vec<&'static str>, Tier) {
    let mut positions: Vec<&'static str> = Vec::new();
    let mut tier = Tier::Reserve;
    for (position, s, _, t) in REQUIREMENTS {
        if *s != skill {
            continue;
        }
        if !positions.contains(position) {
            positions.push(position);
        }
        tier = match (*t, tier) {
            ("core", _) => Tier::Core,
            ("support", Tier::Reserve) => Tier::Support,
            _ => tier,
        };
    }
    (positions, tier)
}

fn skill_name(code: &str) -> &'static str {
    SKILLS
        .iter()
        .find(|s| s.0 == code)
        .map(|s| s.1)
        .unwrap_or("综合能力")
}

/// A related skill developed alongside `skill`, if any.
fn companion(skill: &str, rng: &mut SplitMix64) -> Option<&'static str> {
    let options: &[&'static str] = match skill {
        "OP-EQUIP" => &["SF-RULES", "OP-5S", "QA-AWARE"],
        "OP-5S" => &["OP-EQUIP", "SF-RULES"],
        "QA-AWARE" => &["QA-GAUGE", "OP-EQUIP"],
        "QA-GAUGE" => &["QA-AWARE"],
        "QA-SPC" => &["QA-AWARE", "MG-PROBLEM"],
        "EQ-TROUBLE" => &["EQ-TPM", "SF-RULES"],
        "EQ-TPM" => &["EQ-TROUBLE", "OP-5S"],
        "EQ-PLC" => &["EQ-TROUBLE"],
        "MG-TEAM" => &["MG-PROBLEM", "SF-RULES"],
        "MG-PROBLEM" => &["MG-TEAM", "QA-AWARE"],
        "SA-NEEDS" => &["SA-PRODUCT"],
        "SA-PRODUCT" => &["SA-NEEDS", "SV-COMPLAINT"],
        "SV-COMPLAINT" => &["SA-PRODUCT"],
        "SF-RULES" => &["OP-EQUIP"],
        _ => &[],
    };
    if options.is_empty() || rng.below(10) < 5 {
        return None;
    }
    Some(options[rng.below(options.len() as u64) as usize])
}

/// (kind, title pattern, extra summary, minutes range) for the non-course variants of a topic.
/// (kind, title patterns, what the form adds, minutes from–to).
type Variant = (
    ResourceKind,
    &'static [&'static str],
    &'static str,
    (i32, i32),
);

const VARIANTS: &[Variant] = &[
    (
        ResourceKind::Document,
        &["{}作业指导书", "{}要点手册", "{}知识卡片"],
        "图文资料，可打印后放在工位或随身查阅。",
        (10, 40),
    ),
    (
        ResourceKind::Video,
        &["{}实操视频", "{}演示讲解", "视频：{}"],
        "现场实拍与动画讲解相结合，适合碎片时间学习。",
        (10, 45),
    ),
    (
        ResourceKind::Tool,
        &["{}检查表", "{}工具包", "{}记录模板"],
        "可直接使用的表单与模板，配有填写示例。",
        (5, 20),
    ),
    (
        ResourceKind::Case,
        &["{}典型案例集", "案例复盘：{}", "{}案例分析"],
        "收录公司内部真实案例，含原因分析与改进措施。",
        (20, 45),
    ),
    (
        ResourceKind::Exam,
        &["{}考核题库", "{}在线测评", "{}岗位认证试卷"],
        "题目覆盖课程要点，用于学习后的检验和岗位认证。",
        (20, 60),
    ),
];

fn kind_prefix(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Course => "C",
        ResourceKind::MicroCourse => "MC",
        ResourceKind::Document => "D",
        ResourceKind::Video => "V",
        ResourceKind::Tool => "T",
        ResourceKind::Case => "K",
        ResourceKind::Exam => "X",
    }
}

fn body_for(title: &str, what: &str, kind: ResourceKind, positions: &[&str]) -> String {
    let outline = match kind {
        ResourceKind::Course => {
            "1. 基本概念与工作原理\n2. 标准作业方法\n3. 常见问题与处理\n4. 现场练习与考核"
        }
        ResourceKind::Document => "1. 适用范围\n2. 作业步骤\n3. 注意事项\n4. 相关记录",
        ResourceKind::Video => "1. 情景导入\n2. 操作演示\n3. 要点回顾",
        ResourceKind::Tool => "1. 使用说明\n2. 表单模板\n3. 填写示例",
        ResourceKind::Case => "1. 事件经过\n2. 原因分析\n3. 改进措施\n4. 启示",
        ResourceKind::Exam => "1. 单选题\n2. 判断题\n3. 情景分析题",
        ResourceKind::MicroCourse => "1. 问题\n2. 案例\n3. 方法",
    };
    format!(
        "# {title}\n\n{what}\n\n## 适用岗位\n\n{}\n\n## 内容结构\n\n{outline}\n",
        positions.join("、")
    )
}

fn publication_date(rng: &mut SplitMix64) -> OffsetDateTime {
    // Published between March 2024 and October 2025, before the usage window opens.
    at(2024, Month::March, 1)
        + Duration::days(rng.below(600) as i64)
        + Duration::hours(9 + rng.below(8) as i64)
}

/// Status of a non-headline resource: mostly published.
fn pick_status(rng: &mut SplitMix64) -> ResourceStatus {
    match rng.below(100) {
        0..=6 => ResourceStatus::Draft,
        7..=13 => ResourceStatus::InReview,
        14..=18 => ResourceStatus::Retired,
        _ => ResourceStatus::Published,
    }
}

/// Generates the library for `seed`.
pub fn generate(seed: u64) -> DemoLibrary {
    let mut rng = SplitMix64::new(seed ^ 0x4c49_4252);
    let mut resources = Vec::new();
    for (skill, topics) in TOPICS {
        if UNCOVERED.contains(skill) {
            continue;
        }
        let (positions, base_tier) = positions_of(skill);
        let scenarios = scenarios_of(skill);
        for (i, (topic, what)) in topics.iter().enumerate() {
            let level = if SHALLOW.contains(skill) {
                1
            } else {
                level_for(i, topics.len())
            };
            let mut skills = vec![(*skill, level)];
            if let Some(other) = companion(skill, &mut rng) {
                skills.push((other, level.min(2)));
            }
            // Most topics of a core skill are core; the rest support it or are kept in reserve.
            let tier = match (rng.below(10), base_tier) {
                (0, _) => Tier::Reserve,
                (1..=3, Tier::Core) => Tier::Support,
                _ => base_tier,
            };
            let line = business_line(skill, &mut rng);
            let mut tags = vec![
                (TagKind::BusinessLine, line),
                (TagKind::TaskType, task_type(skill)),
            ];
            if let Some(step) = scenarios
                .get(rng.below(scenarios.len().max(1) as u64) as usize)
                .filter(|_| !scenarios.is_empty())
            {
                tags.push((TagKind::Scenario, *step));
            }
            let audience: Vec<&'static str> = positions
                .iter()
                .copied()
                .filter(|p| level < 3 || *p != "P-OP")
                .collect();
            let audience = if audience.is_empty() {
                positions.clone()
            } else {
                audience
            };
            // The course of each topic, then two other forms of it.
            let mut variants: Vec<usize> = (0..VARIANTS.len()).collect();
            for k in (1..variants.len()).rev() {
                variants.swap(k, rng.below(k as u64 + 1) as usize);
            }
            let forms = std::iter::once(None).chain(variants.into_iter().take(2).map(Some));
            for form in forms {
                let (kind, title, summary, minutes) = match form {
                    None => (
                        ResourceKind::Course,
                        topic.to_string(),
                        format!(
                            "{what}本课程面向{}，培养“{}”能力（{}级）。",
                            audience
                                .iter()
                                .map(|p| position_name(p))
                                .collect::<Vec<_>>()
                                .join("、"),
                            skill_name(skill),
                            level
                        ),
                        60 + 30 * rng.below(7) as i32,
                    ),
                    Some(v) => {
                        let (kind, patterns, extra, (lo, hi)) = VARIANTS[v];
                        let pattern = patterns[rng.below(patterns.len() as u64) as usize];
                        (
                            kind,
                            pattern.replace("{}", topic),
                            format!("{what}{extra}"),
                            lo + rng.below((hi - lo + 1) as u64) as i32,
                        )
                    }
                };
                let external = match kind {
                    ResourceKind::Course => rng.below(10) < 4,
                    ResourceKind::Video => rng.below(10) < 3,
                    ResourceKind::Document => rng.below(10) < 1,
                    _ => false,
                };
                let vendor = external.then(|| vendor_for(skill, &mut rng));
                let status = if DRAFT_ONLY.contains(skill) {
                    if rng.below(2) == 0 {
                        ResourceStatus::Draft
                    } else {
                        ResourceStatus::InReview
                    }
                } else if kind == ResourceKind::Course {
                    // Every topic keeps its course published, so each covered skill is
                    // covered up to its highest level.
                    ResourceStatus::Published
                } else {
                    pick_status(&mut rng)
                };
                let number = resources
                    .iter()
                    .filter(|r: &&DemoResource| r.kind == kind)
                    .count()
                    + 1;
                let body = body_for(&title, what, kind, &audience);
                resources.push(DemoResource {
                    code: format!("{}-{}", kind_prefix(kind), code_number(skill, number)),
                    kind,
                    title,
                    summary,
                    body,
                    tier,
                    origin: if external {
                        Origin::External
                    } else {
                        Origin::Internal
                    },
                    vendor,
                    minutes,
                    tags: tags.clone(),
                    skills: skills.clone(),
                    positions: audience.clone(),
                    micro: None,
                    author: CURATOR,
                    status,
                    published_at: None,
                    rarely_used: false,
                });
            }
        }
    }
    let authors = [
        "instructor",
        "instructor",
        "training",
        "manager",
        "reviewer",
    ];
    for (i, (skill, title, minutes, problem, case, solution)) in MICROS.iter().enumerate() {
        let (positions, tier) = positions_of(skill);
        let headline = i == 0;
        let level = if SHALLOW.contains(skill) { 1 } else { 2 };
        let mut tags = vec![
            (TagKind::BusinessLine, business_line(skill, &mut rng)),
            (TagKind::TaskType, task_type(skill)),
        ];
        let scenarios = scenarios_of(skill);
        if !scenarios.is_empty() {
            tags.push((
                TagKind::Scenario,
                scenarios[rng.below(scenarios.len() as u64) as usize],
            ));
        }
        let author = if headline {
            "instructor"
        } else {
            authors[rng.below(authors.len() as u64) as usize]
        };
        let status = if headline {
            ResourceStatus::Published
        } else {
            match rng.below(100) {
                0..=7 => ResourceStatus::Draft,
                8..=15 => ResourceStatus::InReview,
                16..=18 => ResourceStatus::Retired,
                _ => ResourceStatus::Published,
            }
        };
        let summary = format!(
            "{}分钟微课：{}",
            minutes,
            problem.split('。').next().unwrap_or(problem)
        );
        resources.push(DemoResource {
            code: if headline {
                TROUBLESHOOTING_CODE.to_string()
            } else {
                format!("MC-{}-{:03}", area_code(skill), i + 1)
            },
            kind: ResourceKind::MicroCourse,
            title: title.to_string(),
            body: body_for(title, &summary, ResourceKind::MicroCourse, &positions),
            summary,
            tier,
            origin: Origin::Internal,
            vendor: None,
            minutes: *minutes,
            tags,
            skills: vec![(skill, level)],
            positions,
            micro: Some(DemoMicro {
                problem: problem.to_string(),
                case: case.to_string(),
                solution: solution.to_string(),
                skill,
            }),
            author,
            status,
            published_at: None,
            rarely_used: false,
        });
    }
    for r in &mut resources {
        if matches!(
            r.status,
            ResourceStatus::Published | ResourceStatus::Retired
        ) {
            r.published_at = Some(publication_date(&mut rng));
            r.rarely_used = r.code != TROUBLESHOOTING_CODE
                && r.status == ResourceStatus::Published
                && rng.below(10) == 0;
        }
    }
    let ratings = ratings(&mut rng, &resources);
    let comments = comments(&mut rng, &resources);
    let events = events(&mut rng, &resources);
    let packs = packs(&resources);
    DemoLibrary {
        resources,
        ratings,
        comments,
        events,
        packs,
    }
}

fn position_name(code: &str) -> &'static str {
    match code {
        "P-OP" => "生产操作工",
        "P-TL" => "班组长",
        "E-TECH" => "设备维修工",
        "E-ENG" => "设备工程师",
        "Q-INSP" => "质量检验员",
        "Q-ENG" => "质量工程师",
        "S-REP" => "销售代表",
        "C-AGENT" => "客服专员",
        "C-FIELD" => "售后工程师",
        _ => "相关岗位",
    }
}

fn area_code(skill: &str) -> &str {
    skill.split('-').next().unwrap_or("GEN")
}

fn code_number(skill: &str, number: usize) -> String {
    format!("{}-{number:03}", area_code(skill))
}

fn vendor_for(skill: &str, rng: &mut SplitMix64) -> &'static str {
    let preferred = match area_code(skill) {
        "EQ" => VENDORS[1],
        "QA" => VENDORS[2],
        "SA" | "SV" => VENDORS[3],
        "SF" => VENDORS[4],
        "MG" | "OP" => VENDORS[0],
        _ => VENDORS[6],
    };
    match rng.below(4) {
        0 => VENDORS[5 + rng.below(2) as usize],
        _ => preferred,
    }
}

fn ratings(rng: &mut SplitMix64, resources: &[DemoResource]) -> Vec<DemoRating> {
    let mut out = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        if r.status != ResourceStatus::Published || r.rarely_used {
            continue;
        }
        for user in LEARNERS {
            if *user == r.author || rng.below(100) >= 35 {
                continue;
            }
            let stars = match rng.below(20) {
                0 => 2,
                1..=3 => 3,
                4..=11 => 4,
                _ => 5,
            };
            out.push(DemoRating {
                resource: i,
                user,
                stars,
            });
        }
    }
    out
}

fn comments(rng: &mut SplitMix64, resources: &[DemoResource]) -> Vec<DemoComment> {
    let published: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == ResourceStatus::Published && !r.rarely_used)
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    for (n, (body, pending)) in COMMENTS.iter().enumerate() {
        // The headline micro-course gets the praise of its method.
        let resource = if n == 3 {
            resources
                .iter()
                .position(|r| r.code == TROUBLESHOOTING_CODE)
                .expect("headline micro-course")
        } else {
            published[rng.below(published.len() as u64) as usize]
        };
        let user = LEARNERS
            .iter()
            .copied()
            .filter(|u| *u != resources[resource].author)
            .nth(rng.below(LEARNERS.len() as u64 - 1) as usize)
            .unwrap_or("employee");
        out.push(DemoComment {
            resource,
            user,
            body,
            pending: *pending,
        });
    }
    out
}

/// Views and completions over the twelve months before [`usage_end`]: core resources
/// are used most; rarely used ones get a handful of views in the whole year.
fn events(rng: &mut SplitMix64, resources: &[DemoResource]) -> Vec<DemoEvent> {
    let end = usage_end();
    let start = at(2025, Month::November, 1);
    let span = (end - start).whole_minutes() as u64;
    let mut out = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        if r.published_at.is_none() {
            continue;
        }
        let views = if r.rarely_used {
            rng.below(4)
        } else {
            let base = match r.tier {
                Tier::Core => 45,
                Tier::Support => 25,
                Tier::Reserve => 12,
            };
            base + rng.below(base)
        };
        // Retired resources stopped being used in the spring.
        let span = if r.status == ResourceStatus::Retired {
            span / 2
        } else {
            span
        };
        for _ in 0..views {
            let at = start + Duration::minutes(rng.below(span) as i64);
            let user = match rng.below(10) {
                0..=2 => Some(LEARNERS[rng.below(LEARNERS.len() as u64) as usize]),
                _ => None,
            };
            out.push(DemoEvent {
                resource: i,
                user,
                kind: EventKind::View,
                at,
            });
            let finishes = match r.kind {
                ResourceKind::Tool | ResourceKind::Document => 4,
                ResourceKind::Course => 5,
                _ => 7,
            };
            if rng.below(10) < finishes {
                out.push(DemoEvent {
                    resource: i,
                    user,
                    kind: EventKind::Complete,
                    at: (at + Duration::minutes(r.minutes as i64)).min(end - Duration::SECOND),
                });
            }
        }
    }
    out.sort_by_key(|e| e.at);
    out
}

fn packs(resources: &[DemoResource]) -> Vec<DemoPack> {
    // Published resources developing one of `skills`, micro-courses and courses first.
    let pick = |skills: &[&str], first: Option<&str>, limit: usize| -> Vec<String> {
        let mut chosen: Vec<String> = first.map(str::to_string).into_iter().collect();
        for kind in [
            ResourceKind::MicroCourse,
            ResourceKind::Course,
            ResourceKind::Case,
            ResourceKind::Tool,
            ResourceKind::Video,
            ResourceKind::Document,
            ResourceKind::Exam,
        ] {
            for skill in skills {
                for r in resources.iter().filter(|r| {
                    r.kind == kind
                        && r.status == ResourceStatus::Published
                        && !r.rarely_used
                        && r.skills.first().is_some_and(|s| s.0 == *skill)
                }) {
                    if chosen.len() < limit && !chosen.contains(&r.code) {
                        chosen.push(r.code.clone());
                    }
                }
            }
        }
        chosen
    };
    let steps = |position: &str| {
        TASKS
            .iter()
            .filter(|t| t.0 == position)
            .map(|t| t.3)
            .collect::<Vec<_>>()
            .join(" → ")
    };
    vec![
        DemoPack {
            code: "PK-CS-COMPLAINT",
            name: "客服投诉处理包",
            scenario_step: steps("C-AGENT"),
            description: "从受理客户来电、定位问题到回访挽回，一线客服处理投诉所需的课程、话术和工具。",
            resources: pick(&["SV-COMPLAINT", "SA-PRODUCT"], None, 6),
        },
        DemoPack {
            code: "PK-OP-STARTUP",
            name: "开机点检与首件自检包",
            scenario_step: steps("P-OP"),
            description: "生产操作工每班必做的开机点检、按工艺作业和首件自检，新员工上岗前集中学习。",
            resources: pick(&["SF-RULES", "OP-EQUIP", "QA-AWARE"], None, 6),
        },
        DemoPack {
            code: "PK-EQ-HYDRAULIC",
            name: "液压故障快速处置包",
            scenario_step: steps("E-TECH"),
            description: "设备维修工从故障诊断到预防性维护的一套资源，以“三步定位液压系统异常”微课开篇。",
            resources: pick(&["EQ-TROUBLE", "EQ-TPM"], Some(TROUBLESHOOTING_CODE), 6),
        },
        DemoPack {
            code: "PK-SA-ONBOARD",
            name: "新销售代表上手包",
            scenario_step: steps("S-REP"),
            description: "客户需求分析与方案报价的入门资源；商务谈判部分尚无资源，待开发。",
            resources: pick(&["SA-NEEDS", "SA-PRODUCT"], None, 5),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn deterministic_and_consistent() {
        let lib = generate(11);
        assert_eq!(lib, generate(11));
        assert!(lib.resources.len() >= 300, "{}", lib.resources.len());
        let codes: HashSet<&str> = lib.resources.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes.len(), lib.resources.len(), "codes are unique");
        let vocabulary = vocabulary();
        let skills: HashSet<&str> = SKILLS.iter().map(|s| s.0).collect();
        for r in &lib.resources {
            assert!(r.title.chars().count() <= 200);
            assert!(r.summary.chars().count() <= 1000);
            assert!((1..=600).contains(&r.minutes));
            if r.kind == ResourceKind::MicroCourse {
                assert!(r.minutes <= 15, "{}", r.code);
            }
            assert_eq!(r.origin == Origin::External, r.vendor.is_some());
            assert!((1..=3).contains(&r.skills.len()));
            for (s, level) in &r.skills {
                assert!(skills.contains(s) && (1..=3).contains(level));
            }
            for t in &r.tags {
                assert!(vocabulary.contains(t), "{t:?}");
            }
            assert!(!r.positions.is_empty());
        }
        for pack in &lib.packs {
            assert!(pack.resources.len() >= 3, "{}", pack.code);
            for code in &pack.resources {
                assert!(codes.contains(code.as_str()));
            }
        }
        let micro = lib
            .resources
            .iter()
            .filter(|r| r.kind == ResourceKind::MicroCourse)
            .count();
        assert!(micro >= 40);
        let rare = lib.resources.iter().filter(|r| r.rarely_used).count();
        assert!(rare >= 10, "{rare}");
    }

    #[test]
    fn gaps_are_left_on_purpose() {
        let lib = generate(3);
        let published = |skill: &str| {
            lib.resources
                .iter()
                .filter(|r| r.status == ResourceStatus::Published)
                .filter_map(|r| r.skills.iter().find(|s| s.0 == skill).map(|s| s.1))
                .max()
        };
        assert_eq!(published("SA-NEGO"), None);
        assert_eq!(published("EQ-PLC"), None);
        assert_eq!(published("QA-SPC"), Some(1));
        assert_eq!(published("EQ-TROUBLE"), Some(3));
        let headline = lib
            .resources
            .iter()
            .find(|r| r.title == TROUBLESHOOTING_TITLE)
            .unwrap();
        assert_eq!(headline.status, ResourceStatus::Published);
        assert_eq!(headline.skills[0].0, "EQ-TROUBLE");
    }
}
