//! (key, zh-CN, en) texts of the HR sync: the full-sync diff and its consequences,
//! job history, and password resets; chained into the UI table.

pub const HR_SYNC_TEXTS: &[(&str, &str, &str)] = &[
    ("hr_sync.hires", "入职", "hires"),
    ("hr_sync.leavers", "离职", "leavers"),
    ("hr_sync.transfers", "调动", "transfers"),
    ("hr_sync.position_changes", "岗位变动", "position changes"),
    ("hr_sync.field_changes", "信息变更", "field changes"),
    ("hr_sync.accounts_disabled", "停用账号", "logins disabled"),
    (
        "hr_sync.enrollments_cancelled",
        "取消报名",
        "enrollments cancelled",
    ),
    (
        "hr_sync.approvals_reassigned",
        "转交审批",
        "approvals reassigned",
    ),
    (
        "hr_sync.approvals_cancelled",
        "取消审批",
        "approvals cancelled",
    ),
    ("hr_sync.logins_created", "新建账号", "logins created"),
];
