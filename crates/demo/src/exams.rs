//! Demo exams: question banks for the skills the demo programs teach, pre- and
//! post-tests of the closed 2025 programs (complaint handling and defect analysis
//! clearly raise the scores, the TPM course hardly does) and a final exam for the
//! running equipment program that learners can take live.

use crate::SplitMix64;

/// A bank question.
#[derive(Debug, Clone)]
pub struct DemoQuestion {
    pub skill: &'static str,
    /// single_choice, multiple_choice, true_false or fill_in.
    pub kind: &'static str,
    pub difficulty: i32,
    pub stem: &'static str,
    pub options: Vec<&'static str>,
    pub answers: Vec<&'static str>,
}

/// An exam of a demo program.
#[derive(Debug, Clone)]
pub struct DemoExam {
    pub code: String,
    pub title: String,
    pub program: String,
    /// pre_test, post_test or final.
    pub purpose: &'static str,
    pub skill: &'static str,
    /// Questions drawn per difficulty (easy, medium, hard).
    pub draw: (i32, i32, i32),
    /// Mean chance, in percent, that a learner answers a question right; none when
    /// nobody has taken the exam yet.
    pub mean_chance: Option<u64>,
}

/// The demo's banks and exams.
#[derive(Debug, Clone)]
pub struct DemoExams {
    pub questions: Vec<DemoQuestion>,
    pub exams: Vec<DemoExam>,
}

fn q(
    skill: &'static str,
    kind: &'static str,
    difficulty: i32,
    stem: &'static str,
    options: &[&'static str],
    answers: &[&'static str],
) -> DemoQuestion {
    DemoQuestion {
        skill,
        kind,
        difficulty,
        stem,
        options: options.to_vec(),
        answers: answers.to_vec(),
    }
}

/// The banks and exams.
pub fn exams() -> DemoExams {
    let yes_no: &[&str] = &[];
    let questions = vec![
        // Complaint handling.
        q(
            "SV-COMPLAINT",
            "single_choice",
            1,
            "受理客户投诉时，第一步应当？",
            &["倾听并记录", "解释公司规定", "转交上级", "承诺赔偿"],
            &["A"],
        ),
        q(
            "SV-COMPLAINT",
            "true_false",
            1,
            "客户情绪激动时应先处理情绪，再处理问题。",
            yes_no,
            &["true"],
        ),
        q(
            "SV-COMPLAINT",
            "fill_in",
            1,
            "投诉处理闭环的最后一步是____。",
            yes_no,
            &["回访", "客户回访"],
        ),
        q(
            "SV-COMPLAINT",
            "multiple_choice",
            2,
            "原因分析常用的工具有？",
            &["5Why", "鱼骨图", "甘特图", "柏拉图"],
            &["A", "B", "D"],
        ),
        q(
            "SV-COMPLAINT",
            "single_choice",
            2,
            "重复投诉率上升，最应先检查？",
            &["回访记录", "广告投放", "员工考勤", "库存"],
            &["A"],
        ),
        q(
            "SV-COMPLAINT",
            "true_false",
            2,
            "只要客户不再来电，投诉就算关闭。",
            yes_no,
            &["false"],
        ),
        q(
            "SV-COMPLAINT",
            "multiple_choice",
            3,
            "升级处理的触发条件包括？",
            &["涉及安全", "媒体关注", "金额超权限", "客户姓名较长"],
            &["A", "B", "C"],
        ),
        q(
            "SV-COMPLAINT",
            "fill_in",
            3,
            "投诉按时关闭率 = 按时关闭数 ÷ ____。",
            yes_no,
            &["投诉总数", "受理总数"],
        ),
        // Defect analysis and self-inspection.
        q(
            "QA-AWARE",
            "single_choice",
            1,
            "首件检验应在什么时候进行？",
            &["换型或开班后第一件", "每小时", "下班前", "客户投诉后"],
            &["A"],
        ),
        q(
            "QA-AWARE",
            "true_false",
            1,
            "发现不良品应立即标识并隔离。",
            yes_no,
            &["true"],
        ),
        q(
            "QA-AWARE",
            "fill_in",
            1,
            "不良品隔离区通常用____色标识。",
            yes_no,
            &["红", "红色"],
        ),
        q(
            "QA-AWARE",
            "multiple_choice",
            2,
            "自检卡应记录？",
            &["检验时间", "检验结果", "检验人", "天气"],
            &["A", "B", "C"],
        ),
        q(
            "QA-AWARE",
            "single_choice",
            2,
            "同一缺陷连续出现 3 件，应当？",
            &["停线并报告", "继续生产", "自行返工", "丢弃"],
            &["A"],
        ),
        q(
            "QA-AWARE",
            "true_false",
            2,
            "抽检合格即可免去首件检验。",
            yes_no,
            &["false"],
        ),
        q(
            "QA-AWARE",
            "multiple_choice",
            3,
            "4M 变化点包括？",
            &["人", "机", "料", "钱"],
            &["A", "B", "C"],
        ),
        q(
            "QA-AWARE",
            "fill_in",
            3,
            "PPM 表示每____件中的不良数。",
            yes_no,
            &["百万", "1000000"],
        ),
        // TPM.
        q(
            "EQ-TPM",
            "single_choice",
            1,
            "TPM 中的“自主保全”由谁执行？",
            &["操作人员", "设备供应商", "财务", "采购"],
            &["A"],
        ),
        q(
            "EQ-TPM",
            "true_false",
            1,
            "清扫就是点检。",
            yes_no,
            &["true"],
        ),
        q(
            "EQ-TPM",
            "fill_in",
            1,
            "OEE 是____、性能率与合格率的乘积。",
            yes_no,
            &["时间开动率", "可用率"],
        ),
        q(
            "EQ-TPM",
            "multiple_choice",
            2,
            "设备六大损失包括？",
            &["故障", "换型调整", "速度降低", "加班"],
            &["A", "B", "C"],
        ),
        q(
            "EQ-TPM",
            "single_choice",
            2,
            "润滑“五定”不包括？",
            &["定人", "定点", "定质", "定价"],
            &["D"],
        ),
        q(
            "EQ-TPM",
            "true_false",
            2,
            "MTBF 越长说明设备越可靠。",
            yes_no,
            &["true"],
        ),
        q(
            "EQ-TPM",
            "multiple_choice",
            3,
            "计划保全的依据有？",
            &["点检数据", "故障记录", "厂家建议", "天气预报"],
            &["A", "B", "C"],
        ),
        q(
            "EQ-TPM",
            "fill_in",
            3,
            "MTTR 指平均____时间。",
            yes_no,
            &["修复", "维修"],
        ),
        // Hydraulic troubleshooting (running program EQ-2026-Q4).
        q(
            "EQ-TROUBLE",
            "single_choice",
            1,
            "液压系统压力不足，首先检查？",
            &["油位与滤芯", "电机铭牌", "厂房照明", "操作台颜色"],
            &["A"],
        ),
        q(
            "EQ-TROUBLE",
            "true_false",
            1,
            "更换液压油前必须泄压。",
            yes_no,
            &["true"],
        ),
        q(
            "EQ-TROUBLE",
            "fill_in",
            2,
            "液压缸爬行常见原因是系统混入____。",
            yes_no,
            &["空气"],
        ),
        q(
            "EQ-TROUBLE",
            "multiple_choice",
            2,
            "油温过高的可能原因？",
            &["冷却器堵塞", "溢流阀长期溢流", "油量不足", "厂房通风良好"],
            &["A", "B", "C"],
        ),
        q(
            "EQ-TROUBLE",
            "single_choice",
            3,
            "换向阀换向冲击大，可调整？",
            &["节流/缓冲", "电压", "油漆", "地脚螺栓"],
            &["A"],
        ),
        q(
            "EQ-TROUBLE",
            "true_false",
            3,
            "液压泵异响一定是电机故障。",
            yes_no,
            &["false"],
        ),
    ];
    let mut exams = Vec::new();
    let mut pair = |program: &str, skill: &'static str, pre: u64, post: u64| {
        for (purpose, chance, name) in [
            ("pre_test", pre, "训前测试"),
            ("post_test", post, "训后测试"),
        ] {
            exams.push(DemoExam {
                code: format!(
                    "{program}-{}",
                    if purpose == "pre_test" { "PRE" } else { "POST" }
                ),
                title: format!("{program} {name}"),
                program: program.to_string(),
                purpose,
                skill,
                draw: (2, 2, 1),
                mean_chance: Some(chance),
            });
        }
    };
    // The courses that worked raise the scores clearly; TPM hardly moved them.
    for program in ["CS-2025-01", "CS-2025-02", "CS-2025-03"] {
        pair(program, "SV-COMPLAINT", 45, 80);
    }
    for program in ["QA-2025-01", "QA-2025-02"] {
        pair(program, "QA-AWARE", 50, 78);
    }
    pair("EQ-2025-01", "EQ-TPM", 55, 57);
    exams.push(DemoExam {
        code: "EQ-2026-Q4-FINAL".into(),
        title: "液压故障排除 结业考试".into(),
        program: "EQ-2026-Q4".into(),
        purpose: "final",
        skill: "EQ-TROUBLE",
        draw: (2, 2, 1),
        mean_chance: None,
    });
    DemoExams { questions, exams }
}

/// A learner's chance (percent) around an exam's mean, spread ±15.
pub fn learner_chance(rng: &mut SplitMix64, mean: u64) -> u64 {
    (mean + rng.below(31)).saturating_sub(15).min(100)
}

/// Whether one answer is right for a learner with `chance` percent.
pub fn answers_right(rng: &mut SplitMix64, chance: u64) -> bool {
    rng.below(100) < chance
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_exam_has_a_bank_big_enough() {
        let demo = super::exams();
        for exam in &demo.exams {
            for (difficulty, wanted) in [(1, exam.draw.0), (2, exam.draw.1), (3, exam.draw.2)] {
                let have = demo
                    .questions
                    .iter()
                    .filter(|q| q.skill == exam.skill && q.difficulty == difficulty)
                    .count();
                assert!(
                    have as i32 >= wanted,
                    "{} difficulty {difficulty}",
                    exam.code
                );
            }
        }
    }
}
