//! Demo notification records: a webhook to a group-chat bridge (inactive, so the demo
//! never sends anything) and a few people's opt-outs.

use crate::{DemoAccount, SplitMix64};

/// A webhook endpoint of the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoWebhook {
    pub name: &'static str,
    pub url: &'static str,
    /// generic, wecom, dingtalk or feishu.
    pub platform: &'static str,
    /// text or card.
    pub style: &'static str,
    pub secret: String,
    pub kinds: Vec<&'static str>,
    pub active: bool,
}

/// One person's switch turned off.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptOut {
    pub username: String,
    pub kind: &'static str,
    pub channel: &'static str,
}

/// What the demo loads for notifications.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoNotifications {
    pub webhooks: Vec<DemoWebhook>,
    pub opt_outs: Vec<DemoOptOut>,
}

/// Kinds people may switch off (the mandatory ones are not offered).
const OPTIONAL: [&str; 6] = [
    "exam_graded",
    "certificate_issued",
    "approval_decided",
    "behavior_rating_due",
    "practice_task_due",
    "enrolled",
];

/// The demo's notification records for `accounts`, the same for the same seed.
pub fn generate(seed: u64, accounts: &[DemoAccount]) -> DemoNotifications {
    let mut rng = SplitMix64::new(seed ^ 0x4e4f_5449);
    let secret: String = (0..16).map(|_| format!("{:02x}", rng.below(256))).collect();
    let webhooks = vec![DemoWebhook {
        name: "企业微信·培训运营群（示例）",
        // A reserved name that resolves nowhere; the endpoint is inactive anyway.
        url: "https://wecom-bridge.example.invalid/cgi-bin/webhook/send?key=demo",
        // A WeCom group bot taking markdown messages with a link.
        platform: "wecom",
        style: "card",
        secret: format!("whsec_{secret}"),
        kinds: vec![
            "session_changed",
            "session_reminder",
            "waitlist_promoted",
            "certificate_expiring",
        ],
        active: false,
    }];
    // About half of the logins switched one kind of e-mail off.
    let mut opt_outs = Vec::new();
    for account in accounts {
        if rng.unit() < 0.5 {
            let kind = OPTIONAL[rng.below(OPTIONAL.len() as u64) as usize];
            opt_outs.push(DemoOptOut {
                username: account.username.clone(),
                kind,
                channel: "email",
            });
        }
    }
    DemoNotifications { webhooks, opt_outs }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_never_active() {
        let accounts = vec![
            DemoAccount {
                username: "a".into(),
                display_name: "A".into(),
                employee_no: None,
                grants: vec![],
            };
            8
        ];
        let a = generate(7, &accounts);
        assert_eq!(a, generate(7, &accounts));
        assert!(a.webhooks.iter().all(|w| !w.active));
        assert!(a.opt_outs.iter().all(|o| OPTIONAL.contains(&o.kind)));
    }
}
