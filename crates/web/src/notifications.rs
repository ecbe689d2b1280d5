//! Rendering notifications: an event's kind and parameters become a title and a body
//! in the reader's language at display or send time, and the JSON body of webhooks.
//!
//! Templates are UI texts (`notify.<kind>.title` / `.body`, or `notify.<kind>.<change>.*`
//! when the event has a `change` parameter). `{name}` is replaced by the parameter;
//! a `[...]` part is left out when a parameter inside it is missing. Parameters named
//! `*_at` are RFC 3339 times, shown in the company's zone.

use crate::i18n::{Locale, Tr};
use domain::notifications::{NotificationKind, Params};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// A rendered notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    pub body: String,
}

/// Title and body of an event in `locale`.
pub fn render(
    kind: NotificationKind,
    params: &Params,
    locale: Locale,
    timezone: UtcOffset,
) -> Rendered {
    let t = Tr(locale);
    let base = format!("notify.{}", kind.code());
    let specific = params
        .get("change")
        .map(|c| format!("{base}.{c}"))
        .filter(|k| Tr::has(&format!("{k}.title")));
    let key = specific.unwrap_or(base);
    Rendered {
        title: fill(t.get(&format!("{key}.title")), params, timezone),
        body: fill(t.get(&format!("{key}.body")), params, timezone),
    }
}

/// The name of a kind in `locale`.
pub fn kind_label(kind: NotificationKind, locale: Locale) -> &'static str {
    Tr(locale).get(&format!("notify.kind.{}", kind.code()))
}

/// A parameter's value as shown: times in the company's zone, the rest as stored.
fn shown(name: &str, value: &str, timezone: UtcOffset) -> String {
    if name.ends_with("_at")
        && let Ok(t) = OffsetDateTime::parse(value, &Rfc3339)
    {
        let l = t.to_offset(timezone);
        return format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            l.year(),
            u8::from(l.month()),
            l.day(),
            l.hour(),
            l.minute()
        );
    }
    value.to_string()
}

/// Fills `{name}` placeholders; drops `[...]` parts whose placeholders are missing.
fn fill(template: &str, params: &Params, timezone: UtcOffset) -> String {
    // Returns the filled text and whether every placeholder was known.
    fn plain(text: &str, params: &Params, timezone: UtcOffset) -> (String, bool) {
        let mut out = String::with_capacity(text.len());
        let mut complete = true;
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    match params.get(name).filter(|v| !v.trim().is_empty()) {
                        Some(v) => out.push_str(&shown(name, v, timezone)),
                        None => complete = false,
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        (out, complete)
    }
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('[') {
        out.push_str(&plain(&rest[..open], params, timezone).0);
        let after = &rest[open + 1..];
        let close = after.find(']').unwrap_or(after.len());
        let (part, complete) = plain(&after[..close], params, timezone);
        if complete {
            out.push_str(&part);
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(&plain(rest, params, timezone).0);
    out
}

/// The JSON body of a webhook delivery: `{id, kind, occurred_at, params, text}`, `text`
/// being the title and body in Chinese (the company's language), ready for a chat bot.
pub fn webhook_body(
    delivery_key: &str,
    kind: &str,
    occurred_at: OffsetDateTime,
    params: &Params,
    text: &str,
) -> String {
    serde_json::json!({
        "id": delivery_key,
        "kind": kind,
        "occurred_at": occurred_at.format(&Rfc3339).unwrap_or_default(),
        "params": params,
        "text": text,
    })
    .to_string()
}

/// The rules the pages and the API share.
pub mod service {
    use super::{render, webhook_body};
    use crate::i18n::{Locale, Tr};
    use crate::service::require;
    use crate::state::AppState;
    use domain::audit::Actor;
    use domain::notifications::{Params, WebhookInput};
    use domain::{DomainResult, Permission, Principal};
    use time::OffsetDateTime;

    /// Registers an endpoint; returns its id and the secret, generated when none was given.
    pub async fn create_webhook(
        state: &AppState,
        principal: &Principal,
        input: &WebhookInput,
        actor: &Actor,
    ) -> DomainResult<(i64, String)> {
        require(principal, Permission::ManageWebhooks)?;
        let valid = input.validated()?;
        let secret = valid
            .secret
            .clone()
            .unwrap_or_else(|| format!("whsec_{}", crate::auth::new_secret()));
        let id = state.store.create_webhook(&valid, &secret, actor).await?;
        Ok((id, secret))
    }

    /// Changes an endpoint (an empty secret keeps the stored one).
    pub async fn update_webhook(
        state: &AppState,
        principal: &Principal,
        id: i64,
        input: &WebhookInput,
        actor: &Actor,
    ) -> DomainResult<()> {
        require(principal, Permission::ManageWebhooks)?;
        let valid = input.validated()?;
        state.store.update_webhook(id, &valid, actor).await
    }

    /// Queues a `test` event to an endpoint (active or not); returns the delivery id.
    pub async fn send_test_event(
        state: &AppState,
        principal: &Principal,
        id: i64,
    ) -> DomainResult<i64> {
        require(principal, Permission::ManageWebhooks)?;
        let endpoint = state.store.webhook(id).await?;
        let key = format!(
            "test-{}",
            crate::auth::hex(&crate::auth::random_bytes::<8>())
        );
        let mut params = Params::new();
        params.insert("webhook".into(), endpoint.name.clone());
        let text = Tr(Locale::ZhCn).get("notify.test.text");
        let body = webhook_body(&key, "test", OffsetDateTime::now_utc(), &params, text);
        state
            .store
            .queue_webhook_delivery(endpoint.id, None, "test", &body)
            .await
    }

    /// Title and body of a notification for `locale`, times in the company's zone.
    pub fn rendered(
        state: &AppState,
        kind: domain::notifications::NotificationKind,
        params: &Params,
        locale: Locale,
    ) -> super::Rendered {
        render(kind, params, locale, state.config.timezone)
    }
}

/// (key, zh-CN, en) texts of notifications, merged into the UI table.
pub const TEXTS: &[(&str, &str, &str)] = &[
    ("notify.kind.enrolled", "报名成功", "Enrolled"),
    (
        "notify.kind.waitlist_promoted",
        "候补转正",
        "Off the waiting list",
    ),
    (
        "notify.kind.session_reminder",
        "课程提醒",
        "Session reminder",
    ),
    (
        "notify.kind.session_changed",
        "课程变更（调整/取消）",
        "Session moved or cancelled",
    ),
    (
        "notify.kind.approval_waiting",
        "待我审批",
        "Approval waiting",
    ),
    (
        "notify.kind.approval_decided",
        "审批结果",
        "Approval decided",
    ),
    (
        "notify.kind.learning_overdue",
        "学习逾期未完成",
        "Learning overdue",
    ),
    (
        "notify.kind.practice_task_due",
        "实践任务到期",
        "Practice task due",
    ),
    (
        "notify.kind.behaviour_rating_due",
        "行为评估待完成",
        "Behaviour rating due",
    ),
    (
        "notify.kind.certificate_issued",
        "证书颁发",
        "Certificate issued",
    ),
    (
        "notify.kind.certificate_expiring",
        "证书即将到期",
        "Certificate expiring",
    ),
    ("notify.kind.exam_graded", "考试评分", "Exam graded"),
    (
        "notify.enrolled.title",
        "报名成功：{program}",
        "Enrolled: {program}",
    ),
    (
        "notify.enrolled.body",
        "你已获得「{program}」的席位。[首次课程：{starts_at}。]",
        "You have a seat in “{program}”.[ First session: {starts_at}.]",
    ),
    (
        "notify.waitlist_promoted.title",
        "候补转正：{program}",
        "Off the waiting list: {program}",
    ),
    (
        "notify.waitlist_promoted.body",
        "有人取消了报名，你已从候补转为「{program}」的正式学员。[首次课程：{starts_at}。]",
        "A seat became free: you are now enrolled in “{program}”.[ First session: {starts_at}.]",
    ),
    (
        "notify.session_reminder.title",
        "课程提醒：{session}",
        "Reminder: {session}",
    ),
    (
        "notify.session_reminder.body",
        "「{program}」的「{session}」将于 {starts_at} 开始[，地点：{venue}]。",
        "“{session}” of “{program}” starts at {starts_at}[ in {venue}].",
    ),
    (
        "notify.session_changed.title",
        "课程变更：{session}",
        "Session changed: {session}",
    ),
    (
        "notify.session_changed.body",
        "「{program}」的「{session}」有变更，请查看最新安排。",
        "“{session}” of “{program}” changed; see the new schedule.",
    ),
    (
        "notify.session_changed.moved.title",
        "课程时间调整：{session}",
        "Session moved: {session}",
    ),
    (
        "notify.session_changed.moved.body",
        "「{program}」的「{session}」由 {starts_at} 调整到 {new_starts_at}。",
        "“{session}” of “{program}” moved from {starts_at} to {new_starts_at}.",
    ),
    (
        "notify.session_changed.cancelled.title",
        "课程取消：{session}",
        "Session cancelled: {session}",
    ),
    (
        "notify.session_changed.cancelled.body",
        "「{program}」原定于 {starts_at} 的「{session}」已取消。",
        "“{session}” of “{program}”, planned for {starts_at}, is cancelled.",
    ),
    (
        "notify.approval_waiting.title",
        "待你审批：{request}",
        "Waiting for your approval: {request}",
    ),
    (
        "notify.approval_waiting.body",
        "[{requester} 提交的]「{request}」等待你的审批。",
        "“{request}”[ from {requester}] waits for your decision.",
    ),
    (
        "notify.approval_decided.title",
        "审批结果：{request}",
        "Decided: {request}",
    ),
    (
        "notify.approval_decided.body",
        "你提交的「{request}」已处理[：{decision}]。",
        "Your request “{request}” was decided[: {decision}].",
    ),
    (
        "notify.learning_overdue.title",
        "学习未完成：{program}",
        "Learning not finished: {program}",
    ),
    (
        "notify.learning_overdue.body",
        "「{program}」已结束超过 {days} 天，你的学习仍未完成，请尽快完成。",
        "“{program}” ended more than {days} days ago and you have not finished it yet.",
    ),
    (
        "notify.practice_task_due.title",
        "实践任务即将到期：{task}",
        "Practice task due: {task}",
    ),
    (
        "notify.practice_task_due.body",
        "实践任务「{task}」即将到期[（截止 {due_on}）]，请按时提交。",
        "Practice task “{task}” is due[ on {due_on}]; please hand it in on time.",
    ),
    (
        "notify.behaviour_rating_due.title",
        "行为评估待完成[：{program}]",
        "Behaviour rating due[: {program}]",
    ),
    (
        "notify.behaviour_rating_due.body",
        "请为[{employee} 在]「{program}」之后的行为改变打分。",
        "Please rate the behaviour change[ of {employee}] after “{program}”.",
    ),
    (
        "notify.certificate_issued.title",
        "证书已颁发：{certificate}",
        "Certificate issued: {certificate}",
    ),
    (
        "notify.certificate_issued.body",
        "你获得了证书「{certificate}」[，有效期至 {expires_on}]。",
        "You received the certificate “{certificate}”[, valid until {expires_on}].",
    ),
    (
        "notify.certificate_expiring.title",
        "证书即将到期：{certificate}",
        "Certificate expiring: {certificate}",
    ),
    (
        "notify.certificate_expiring.body",
        "你的证书「{certificate}」将于 {expires_on} 到期，请及时安排复训。",
        "Your certificate “{certificate}” expires on {expires_on}; plan the refresher.",
    ),
    (
        "notify.exam_graded.title",
        "考试成绩：{exam}",
        "Exam graded: {exam}",
    ),
    (
        "notify.exam_graded.body",
        "「{exam}」已评分[，得分 {score}]。",
        "“{exam}” has been graded[: score {score}].",
    ),
    (
        "notify.test.text",
        "技能桥测试消息：Webhook 配置正常。",
        "Skillbridge test message: the webhook works.",
    ),
    (
        "notify.email.footer",
        "此邮件由技能桥自动发送。不想再收到此类邮件，可在通知设置中关闭：",
        "Sent by Skillbridge. To stop e-mail of this kind, change your notification settings:",
    ),
    ("notify.channel.in_app", "站内", "In the app"),
    ("notify.channel.email", "邮件", "E-mail"),
    ("nav.inbox", "消息", "Inbox"),
    ("nav.webhooks", "Webhook", "Webhooks"),
    ("inbox.title", "消息中心", "Inbox"),
    ("inbox.unread", "未读", "Unread"),
    ("inbox.all", "全部", "All"),
    ("inbox.empty", "没有消息。", "No notifications."),
    ("inbox.empty_unread", "没有未读消息。", "Nothing unread."),
    ("inbox.mark_read", "标为已读", "Mark read"),
    ("inbox.mark_all_read", "全部标为已读", "Mark all read"),
    ("inbox.open", "查看", "Open"),
    ("inbox.settings", "通知设置", "Notification settings"),
    ("inbox.bell", "未读消息", "Unread notifications"),
    (
        "inbox.settings_help",
        "按类型和渠道关闭不需要的通知。带锁的类型为必收通知，不能关闭。",
        "Switch off what you do not need, per kind and channel. Locked kinds are mandatory.",
    ),
    ("inbox.kind", "类型", "Kind"),
    ("inbox.mandatory", "必收", "Mandatory"),
    (
        "inbox.saved",
        "通知设置已保存。",
        "Notification settings saved.",
    ),
    ("inbox.received", "时间", "Received"),
    ("webhooks.title", "Webhook 推送", "Webhooks"),
    (
        "webhooks.help",
        "把通知事件以签名的 JSON 推送到企业微信、钉钉或飞书机器人的转发服务。签名方式见 README。",
        "Forward events as signed JSON to a bridge for WeCom, DingTalk or Feishu bots. The signature scheme is in the README.",
    ),
    ("webhooks.empty", "还没有 Webhook。", "No webhooks yet."),
    ("webhooks.add", "添加 Webhook", "Add webhook"),
    ("webhooks.name", "名称", "Name"),
    ("webhooks.url", "推送地址", "URL"),
    ("webhooks.secret", "签名密钥", "Secret"),
    (
        "webhooks.secret_help",
        "至少 16 个字符；留空则自动生成（编辑时留空表示不变）。",
        "At least 16 characters; leave empty to generate one (when editing: to keep it).",
    ),
    ("webhooks.kinds", "订阅的事件", "Events"),
    ("webhooks.active", "启用", "Active"),
    ("webhooks.inactive", "停用", "Inactive"),
    (
        "webhooks.created_secret",
        "新密钥（只显示这一次）：",
        "New secret (shown this once):",
    ),
    ("webhooks.send_test", "发送测试事件", "Send test event"),
    (
        "webhooks.test_queued",
        "测试事件已排入发送队列。",
        "Test event queued.",
    ),
    ("webhooks.delete", "删除", "Delete"),
    ("webhooks.deliveries", "推送记录", "Deliveries"),
    (
        "webhooks.no_deliveries",
        "还没有推送记录。",
        "No deliveries yet.",
    ),
    ("webhooks.status", "状态", "Status"),
    ("webhooks.attempts", "尝试次数", "Attempts"),
    ("webhooks.status_code", "HTTP 状态", "HTTP status"),
    ("webhooks.last_error", "最近错误", "Last error"),
    ("webhooks.saved", "Webhook 已保存。", "Webhook saved."),
    ("delivery.status.pending", "待发送", "Pending"),
    ("delivery.status.delivered", "已送达", "Delivered"),
    ("delivery.status.failed", "失败", "Failed"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn renders_in_both_languages_with_local_times() {
        let tz = UtcOffset::from_hms(8, 0, 0).unwrap();
        let p = params(&[
            ("program", "安全生产"),
            ("session", "第一讲"),
            ("starts_at", "2026-11-25T01:00:00Z"),
            ("change", "moved"),
            ("new_starts_at", "2026-11-26T01:30:00Z"),
        ]);
        let zh = render(NotificationKind::SessionChanged, &p, Locale::ZhCn, tz);
        assert_eq!(zh.title, "课程时间调整：第一讲");
        assert_eq!(
            zh.body,
            "「安全生产」的「第一讲」由 2026-11-25 09:00 调整到 2026-11-26 09:30。"
        );
        let en = render(NotificationKind::SessionChanged, &p, Locale::En, tz);
        assert_eq!(en.title, "Session moved: 第一讲");
    }

    #[test]
    fn optional_parts_drop_when_their_parameter_is_missing() {
        let tz = UtcOffset::UTC;
        let p = params(&[("program", "QC")]);
        let r = render(NotificationKind::Enrolled, &p, Locale::En, tz);
        assert_eq!(r.body, "You have a seat in “QC”.");
        let p = params(&[("program", "QC"), ("starts_at", "2026-01-02T03:04:00Z")]);
        let r = render(NotificationKind::Enrolled, &p, Locale::En, tz);
        assert_eq!(
            r.body,
            "You have a seat in “QC”. First session: 2026-01-02 03:04."
        );
    }

    #[test]
    fn every_kind_has_texts() {
        for kind in NotificationKind::ALL {
            for part in ["title", "body"] {
                assert!(
                    Tr::has(&format!("notify.{}.{part}", kind.code())),
                    "{kind:?}"
                );
            }
            assert!(Tr::has(&format!("notify.kind.{}", kind.code())));
        }
    }
}
