//! Chinese personal names, weighted towards common surnames.

use crate::SplitMix64;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "欧阳", "司马",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "辉", "鹏", "玲", "波", "斌",
    "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "琳", "晨", "阳", "佳", "欣", "雪", "婷",
    "慧", "志", "海", "峰", "亮", "红", "春", "梅", "林", "兵", "龙", "飞", "成", "东", "新", "永",
    "德", "立", "嘉", "子", "思", "雨", "博", "诗",
];

/// A random name; squaring the draw makes the first dozen surnames about half of all people.
pub fn random_name(rng: &mut SplitMix64) -> String {
    {
        let u = rng.unit();
        let surname = SURNAMES[((u * u) * SURNAMES.len() as f64) as usize % SURNAMES.len()];
        let first = GIVEN[rng.below(GIVEN.len() as u64) as usize];
        if rng.below(10) < 6 {
            let second = GIVEN[rng.below(GIVEN.len() as u64) as usize];
            format!("{surname}{first}{second}")
        } else {
            format!("{surname}{first}")
        }
    }
}
