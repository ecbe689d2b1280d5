//! Texts of chat platform webhooks, inbound KPI figures, in-app assessments and
//! calendar subscriptions, merged into the UI table.

/// (key, zh-CN, en) texts, merged into the UI table.
pub const INBOUND_TEXTS: &[(&str, &str, &str)] = &[
    ("webhooks.platform", "平台", "Platform"),
    (
        "webhooks.platform.generic",
        "通用（签名 JSON）",
        "Generic (signed JSON)",
    ),
    (
        "webhooks.platform.wecom",
        "企业微信群机器人",
        "WeCom group bot",
    ),
    (
        "webhooks.platform.dingtalk",
        "钉钉群机器人",
        "DingTalk group bot",
    ),
    ("webhooks.platform.feishu", "飞书机器人", "Feishu bot"),
    ("webhooks.style", "消息样式", "Message style"),
    ("webhooks.style.text", "纯文本", "Text"),
    (
        "webhooks.style.card",
        "Markdown / 卡片（带链接）",
        "Markdown / card with a link",
    ),
    ("webhooks.open_link", "查看详情", "Open"),
    (
        "webhooks.send_test_message",
        "立即发送测试消息",
        "Send a test message now",
    ),
    (
        "webhooks.answer_ok",
        "平台已接收：",
        "Accepted by the platform:",
    ),
    ("webhooks.answer_failed", "发送失败：", "Not delivered:"),
    ("webhooks.platform_code", "平台返回码", "platform code"),
];
