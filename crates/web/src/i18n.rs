//! UI languages: zh-CN (default) and English.
//!
//! Every text has both translations in one table row, so a missing translation
//! cannot compile. The choice is the user's saved preference or language cookie,
//! then the browser's `Accept-Language`, then Chinese.

use crate::auth::{LANG_COOKIE, cookie};
use axum::http::{HeaderMap, header};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A supported UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Parses a tag such as `zh-CN`, `zh`, `en-US`.
    pub fn parse(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Locale::ZhCn)
        } else if tag.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Picks the language for a request.
    pub fn from_request(headers: &HeaderMap, saved: Option<&str>) -> Self {
        if let Some(l) = saved.and_then(Locale::parse) {
            return l;
        }
        if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Locale::parse) {
            return l;
        }
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                // Highest q first; ties keep header order.
                let mut langs: Vec<(f32, usize, &str)> = v
                    .split(',')
                    .enumerate()
                    .map(|(i, part)| {
                        let mut it = part.split(';');
                        let tag = it.next().unwrap_or("").trim();
                        let q = it
                            .find_map(|p| p.trim().strip_prefix("q="))
                            .and_then(|q| q.parse().ok())
                            .unwrap_or(1.0);
                        (q, i, tag)
                    })
                    .collect();
                langs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                langs.into_iter().find_map(|(_, _, tag)| Locale::parse(tag))
            })
            .unwrap_or_default()
    }
}

/// Looks up UI texts in one language.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Locale);

impl Tr {
    /// The text for `key`; `??` when it is unknown (tests keep that from shipping).
    pub fn get(&self, key: &str) -> &'static str {
        let map = table();
        match map.get(key) {
            Some((zh, en)) => match self.0 {
                Locale::ZhCn => zh,
                Locale::En => en,
            },
            None => {
                tracing::warn!(key, "missing UI text");
                "??"
            }
        }
    }

    /// Whether `key` exists.
    pub fn has(key: &str) -> bool {
        table().contains_key(key)
    }
}

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static TABLE: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TEXTS
            .iter()
            .chain(crate::i18n_exams::EXAM_TEXTS)
            .map(|(k, zh, en)| (*k, (*zh, *en)))
            .collect()
    })
}

/// (key, zh-CN, en).
pub const TEXTS: &[(&str, &str, &str)] = &[
    ("app.name", "技能桥", "Skillbridge"),
    (
        "app.tagline",
        "业务驱动的培训运营平台",
        "Business-driven training operations",
    ),
    ("nav.home", "首页", "Home"),
    ("nav.people", "人员", "People"),
    ("nav.org", "组织架构", "Organisation"),
    ("nav.performance", "绩效指标", "KPIs"),
    ("nav.reconciliation", "数据校验", "Reconciliation"),
    ("nav.entry", "录入进度", "Data entry"),
    ("entry.title", "绩效数据录入进度", "KPI data entry"),
    (
        "entry.help",
        "应报人员：前三个月报过该指标、仍在职的员工。截止日为次月的录入截止日（默认 5 日）；之后录入的记为逾期。",
        "Expected: people who reported the KPI in the three months before and are still employed. Values are due on the KPI's deadline day of the following month (the 5th by default); later entries count as late.",
    ),
    ("entry.responsible", "责任方", "Responsible"),
    ("entry.deadline", "截止日期", "Due"),
    ("entry.expected", "应报", "Expected"),
    ("entry.present", "已报", "Reported"),
    ("entry.missing", "缺报", "Missing"),
    ("entry.late", "逾期", "Late"),
    (
        "entry.not_due",
        "季度指标，本月无需录入",
        "Quarterly KPI: nothing due this month",
    ),
    ("reconciliation.title", "数据校验", "Reconciliation"),
    (
        "reconciliation.help",
        "人力录入的绩效数据与业务系统数据逐项比对，超出指标容差的差异进入此队列。每月 6 日自动校验上月数据；每项决定都记入审计日志。",
        "HR-entered figures are compared with the business system's; differences beyond a KPI's tolerance come to this queue. The previous month is reconciled on the 6th of every month; every decision is audited.",
    ),
    (
        "reconciliation.run",
        "立即校验该期间",
        "Reconcile this month now",
    ),
    (
        "reconciliation.ran",
        "{period} 校验完成：{queued} 项差异入队，未处理 {open} 项。",
        "{period} reconciled: {queued} differences queued, {open} open.",
    ),
    (
        "reconciliation.summary",
        "各部门校验状态",
        "State by department and month",
    ),
    ("reconciliation.decided", "已处理", "Decided"),
    ("reconciliation.hr_value", "人力数据", "HR figure"),
    (
        "reconciliation.business_value",
        "业务系统数据",
        "Business figure",
    ),
    ("reconciliation.note", "备注", "Note"),
    ("reconciliation.accept_hr", "采用人力数据", "Accept HR"),
    (
        "reconciliation.accept_business",
        "采用业务数据",
        "Accept business",
    ),
    ("reconciliation.annotate", "备注说明", "Annotate"),
    ("reconciliation.status.open", "待处理", "Open"),
    (
        "reconciliation.status.accepted_hr",
        "已采用人力数据",
        "HR accepted",
    ),
    (
        "reconciliation.status.accepted_business",
        "已采用业务数据",
        "Business accepted",
    ),
    ("reconciliation.status.annotated", "已备注", "Annotated"),
    (
        "audit.action.reconciliation.run",
        "执行数据校验",
        "Reconciliation run",
    ),
    (
        "audit.action.reconciliation.decide",
        "处理校验差异",
        "Reconciliation decision",
    ),
    ("audit.entity.reconciliation", "数据校验", "Reconciliation"),
    (
        "audit.entity.reconciliation_item",
        "校验差异",
        "Reconciliation item",
    ),
    ("performance.title", "绩效指标", "KPIs"),
    ("performance.kpis", "指标定义", "KPI definitions"),
    ("performance.unit", "单位", "Unit"),
    ("performance.direction", "方向", "Direction"),
    (
        "performance.direction.higher",
        "越高越好",
        "Higher is better",
    ),
    ("performance.direction.lower", "越低越好", "Lower is better"),
    ("performance.aggregation", "汇总", "Aggregation"),
    ("performance.aggregation.sum", "求和", "Sum"),
    ("performance.aggregation.mean", "平均", "Mean"),
    ("performance.aggregation.rate", "比率", "Rate"),
    ("performance.source_system", "来源系统", "System of record"),
    ("performance.values", "数据条数", "Values"),
    ("performance.latest", "最新期间", "Latest month"),
    ("performance.upload", "上传指标数据", "Upload KPI data"),
    (
        "performance.upload_help",
        "指标定义：指标编码、指标名称、单位、方向、汇总、来源系统。指标数值：长表（工号或部门编码、指标编码、期间、数值、来源）或宽表（每月一列，如 2024-01）。有错误时不写入任何数据，除非选择仅导入无错误的行。",
        "Definitions: code, name, unit, direction, aggregation, system of record. Values: long format (employee number or department code, KPI code, period, value, source) or wide format (one column per month, e.g. 2024-01). A file with errors writes nothing unless you choose to import only the valid rows.",
    ),
    ("performance.kind_values", "指标数值", "KPI values"),
    (
        "performance.kind_definitions",
        "指标定义",
        "KPI definitions",
    ),
    ("performance.written", "写入", "written"),
    ("performance.history", "绩效数据", "KPI history"),
    ("performance.period", "期间", "Period"),
    ("performance.value", "数值", "Value"),
    ("performance.source", "来源", "Source"),
    (
        "audit.action.kpi.import",
        "导入指标定义",
        "KPI definitions imported",
    ),
    (
        "audit.action.kpi_values.import",
        "导入指标数值",
        "KPI values imported",
    ),
    ("audit.entity.kpi", "指标", "KPI"),
    ("audit.entity.kpi_value", "指标数值", "KPI value"),
    ("nav.account", "我的账户", "My account"),
    ("nav.users", "账户与角色", "Accounts & roles"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.jobs", "后台任务", "Background jobs"),
    ("nav.api", "API 文档", "API docs"),
    ("nav.logout", "退出登录", "Sign out"),
    ("nav.menu", "菜单", "Menu"),
    ("lang.switch", "English", "中文"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.invalid",
        "用户名或密码错误。",
        "Wrong username or password.",
    ),
    (
        "login.rate_limited",
        "登录失败次数过多，请稍后再试。",
        "Too many failed sign-ins. Please try again later.",
    ),
    ("error.title", "出错了", "Something went wrong"),
    ("error.request_id", "请求编号", "Request id"),
    ("error.back_home", "返回首页", "Back to home"),
    (
        "error.csrf",
        "表单已过期或来源不明，请刷新页面后重试。",
        "The form expired or did not come from this site. Reload the page and try again.",
    ),
    (
        "error.not_found",
        "页面不存在。",
        "This page does not exist.",
    ),
    (
        "error.forbidden",
        "您没有权限访问此内容。",
        "You do not have permission to see this.",
    ),
    ("home.welcome", "欢迎，{name}", "Welcome, {name}"),
    (
        "home.headcount",
        "各部门在职人数",
        "Head count by department",
    ),
    ("home.my_profile", "我的档案", "My profile"),
    ("home.my_roles", "我的角色", "My roles"),
    ("home.total", "合计", "Total"),
    (
        "home.no_profile",
        "您的账户未关联员工档案。",
        "Your account is not linked to an employee record.",
    ),
    (
        "home.scope_note",
        "仅显示您的数据权限范围内的数据。",
        "Only data within your data scope is shown.",
    ),
    ("home.system", "系统概况", "System"),
    ("home.accounts", "账户数", "Accounts"),
    ("home.failed_jobs", "失败任务", "Failed jobs"),
    ("field.employee_no", "工号", "Employee no."),
    ("field.name", "姓名", "Name"),
    ("field.department", "部门", "Department"),
    ("field.position", "岗位", "Position"),
    ("field.manager", "直属上级", "Manager"),
    ("field.hire_date", "入职日期", "Hire date"),
    ("field.status", "状态", "Status"),
    ("field.city", "城市", "City"),
    ("field.phone", "电话", "Phone"),
    ("field.email", "邮箱", "E-mail"),
    ("field.headcount", "人数", "Head count"),
    ("field.code", "编码", "Code"),
    ("field.username", "用户名", "Username"),
    ("field.display_name", "显示名", "Display name"),
    ("field.roles", "角色", "Roles"),
    ("field.active", "启用", "Active"),
    ("field.created_at", "创建时间", "Created"),
    ("field.time", "时间", "Time"),
    ("field.actor", "操作人", "Actor"),
    ("field.ip", "来源地址", "Address"),
    ("field.action", "操作", "Action"),
    ("field.entity", "对象", "Record"),
    ("field.before", "变更前", "Before"),
    ("field.after", "变更后", "After"),
    ("field.kind", "类型", "Kind"),
    ("field.attempts", "尝试次数", "Attempts"),
    ("field.run_at", "计划时间", "Run at"),
    ("field.last_error", "最近错误", "Last error"),
    ("field.recurrence", "周期", "Recurrence"),
    ("field.next_run", "下次运行", "Next run"),
    ("field.scope", "数据范围", "Data scope"),
    ("field.role", "角色", "Role"),
    ("field.token_name", "令牌名称", "Token name"),
    ("field.prefix", "前缀", "Prefix"),
    ("field.last_used", "最近使用", "Last used"),
    (
        "field.employee_link",
        "关联工号（可选）",
        "Employee no. (optional)",
    ),
    ("field.department_code", "部门编码", "Department code"),
    ("status.active", "在职", "Active"),
    ("status.on_leave", "休假", "On leave"),
    ("status.left", "已离职", "Left"),
    ("status.all", "全部状态", "All statuses"),
    ("job.queued", "排队中", "Queued"),
    ("job.running", "运行中", "Running"),
    ("job.succeeded", "成功", "Succeeded"),
    ("job.failed", "失败", "Failed"),
    ("job.retry", "重试", "Retry"),
    ("jobs.schedules", "定时任务", "Schedules"),
    ("jobs.recent", "最近任务", "Recent jobs"),
    ("role.employee", "员工", "Employee"),
    ("role.manager", "经理", "Manager"),
    ("role.training_admin", "培训管理员", "Training admin"),
    ("role.instructor", "讲师", "Instructor"),
    ("role.reviewer", "评审专家", "Panel reviewer"),
    ("role.executive", "高管", "Executive"),
    ("role.system_admin", "系统管理员", "System admin"),
    ("scope.self", "本人", "Self"),
    ("scope.department", "部门及下级", "Department subtree"),
    ("scope.company", "全公司", "Company"),
    ("list.search", "搜索", "Search"),
    ("list.search_people", "工号或姓名", "Employee no. or name"),
    ("list.all_departments", "全部部门", "All departments"),
    ("list.filter", "筛选", "Filter"),
    ("list.reset", "重置", "Reset"),
    ("list.empty", "没有符合条件的记录。", "No records match."),
    ("list.total", "共 {n} 条", "{n} in total"),
    ("list.prev", "上一页", "Previous"),
    ("list.next", "下一页", "Next"),
    ("list.page", "第 {p} / {n} 页", "Page {p} of {n}"),
    ("list.export", "导出 Excel", "Export to Excel"),
    ("common.save", "保存", "Save"),
    ("common.delete", "删除", "Delete"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.none", "—", "—"),
    ("common.details", "详情", "Details"),
    ("common.create", "创建", "Create"),
    ("common.confirm", "确定要执行此操作吗？", "Are you sure?"),
    ("common.never", "从未", "Never"),
    ("people.title", "人员", "People"),
    ("people.import", "导入人员", "Import people"),
    ("people.tag", "职责或项目标签", "Duty or project tag"),
    ("people.tags", "个人标签", "Tags"),
    ("gaps.title", "能力差距", "Skill gaps"),
    ("nav.competency", "能力热力图", "Skill heat map"),
    ("nav.decoding", "需求解码", "Need decoding"),
    (
        "decoding.title",
        "战略—业务—岗位解码",
        "Strategy → business → position decoding",
    ),
    (
        "decoding.help",
        "战略分解为目标，目标分解为部门 KPI 指标，指标落实到岗位任务，任务需要的技能与等级。修改指标后，相关任务标记为待复核。点击技能可查看它服务的完整链条。",
        "Strategy splits into objectives, objectives into department KPI targets, targets into position tasks, and tasks into the skills they need. Changing a target marks its tasks for review. Click a skill to see the chains it serves.",
    ),
    (
        "decoding.skill_filter",
        "技能编码（如 SV-COMPLAINT）",
        "Skill code (e.g. SV-COMPLAINT)",
    ),
    ("decoding.change_target", "修改指标", "Change target"),
    ("decoding.needs_review", "待复核", "Needs review"),
    ("decoding.mark_reviewed", "已复核", "Mark reviewed"),
    ("decoding.perspective.financial", "财务", "Financial"),
    ("decoding.perspective.customer", "客户", "Customer"),
    (
        "decoding.perspective.internal_process",
        "内部流程",
        "Internal process",
    ),
    (
        "decoding.perspective.learning_growth",
        "学习与成长",
        "Learning and growth",
    ),
    (
        "audit.action.decoding.load",
        "载入战略解码",
        "Decoding loaded",
    ),
    (
        "audit.action.decoding.target_change",
        "修改 KPI 指标",
        "KPI target changed",
    ),
    (
        "audit.action.decoding.task_reviewed",
        "复核岗位任务",
        "Task reviewed",
    ),
    ("audit.entity.strategy", "战略", "Strategy"),
    ("audit.entity.kpi_target", "KPI 指标", "KPI target"),
    ("audit.entity.position_task", "岗位任务", "Position task"),
    (
        "competency.title",
        "团队能力差距热力图",
        "Team skill-gap heat map",
    ),
    (
        "competency.help",
        "每格为该部门在该技能上的平均差距（要求等级减最近一次测评等级，已达标为 0），只计已测评人员；“?” 表示无人测评。",
        "Each cell is the department's mean gap in the skill (required level minus the latest assessed level, 0 when met), over the people assessed; “?” means nobody was assessed.",
    ),
    (
        "competency.cell",
        "已测评 {assessed} / 应具备 {people} 人",
        "{assessed} of {people} people assessed",
    ),
    (
        "competency.top",
        "加权差距最大的部门与技能",
        "Largest weighted gaps",
    ),
    ("competency.weighted", "加权差距合计", "Weighted gap"),
    ("competency.assessed", "已测评 / 人数", "Assessed / people"),
    (
        "competency.import_link",
        "导入测评结果与能力模型 · 导出能力模型",
        "Import assessments and competency models · export the models",
    ),
    (
        "competency_import.title",
        "导入能力测评与能力模型",
        "Import assessments and competency models",
    ),
    (
        "competency_import.help",
        "上传 CSV（UTF-8 或 GB18030）或 Excel（.xlsx）文件，表头可用中文或英文。先预览检查每一行；只要有一行有问题，就不写入任何数据。",
        "Upload a CSV (UTF-8 or GB18030) or Excel (.xlsx) file; headers may be Chinese or English. Preview checks every row first; if any row has a problem, nothing is written.",
    ),
    (
        "competency_import.export",
        "下载现有能力模型（Excel）",
        "Download the current competency models (Excel)",
    ),
    (
        "competency_import.assessments",
        "能力测评结果",
        "Assessments",
    ),
    (
        "competency_import.assessments_help",
        "列：工号、技能编码、等级（0 至该技能的最高等级）、分数（可选，0–100）、方式（考试/观察/360评估/自评/上级评价）、评估人（可选）、评估日期、证据（可选）。已存在的同一员工、技能、日期和方式的测评保持不变，重复导入不会新增。",
        "Columns: employee_number, skill_code, level (0 to the skill's top level), score (optional, 0–100), method (exam, observation, 360, self, manager), assessor (optional), assessed_on, evidence (optional). An assessment already stored for the same employee, skill, date and method is kept, so importing a file again adds nothing.",
    ),
    (
        "competency_import.models",
        "岗位能力模型",
        "Competency models",
    ),
    (
        "competency_import.models_help",
        "列：岗位编码、技能编码、要求等级（1 至该技能的最高等级）、层级（核心/支撑/储备）。文件中出现的每个岗位，其直接设定的要求将完全替换为文件中的行；由岗位任务推导的要求会重新推导；文件中未出现的岗位不受影响。",
        "Columns: position_code, skill_code, required_level (1 to the skill's top level), tier (core, support, reserve). For every position in the file, its directly set requirements become exactly the file's rows and those derived from its tasks are derived again; positions not in the file are left alone.",
    ),
    (
        "competency_import.already_stored",
        "已存在",
        "already stored",
    ),
    ("competency_import.positions", "岗位", "positions"),
    ("competency_import.requirements", "能力要求", "requirements"),
    (
        "competency_import.preview_errors",
        "预览发现问题，请修正后再导入。",
        "The preview found problems; fix them before importing.",
    ),
    (
        "competency_import.nothing_written",
        "存在问题行，未导入任何数据。请修正后重试。",
        "Some rows have problems, so nothing was imported. Fix them and try again.",
    ),
    ("models.sheet", "能力模型", "Competency models"),
    ("models.position_code", "岗位编码", "Position code"),
    ("models.position_name", "岗位名称", "Position"),
    ("models.skill_code", "技能编码", "Skill code"),
    ("models.skill_name", "技能名称", "Skill"),
    ("models.required_level", "要求等级", "Required level"),
    ("models.tier", "层级", "Tier"),
    (
        "gaps.no_model",
        "该岗位尚无能力模型。",
        "This position has no competency model yet.",
    ),
    ("gaps.skill", "技能", "Skill"),
    ("gaps.tier", "层级", "Tier"),
    ("gaps.tier.core", "核心", "Core"),
    ("gaps.tier.support", "支撑", "Support"),
    ("gaps.tier.reserve", "储备", "Reserve"),
    ("gaps.required", "要求等级", "Required"),
    ("gaps.current", "当前等级", "Current"),
    ("gaps.gap", "差距", "Gap"),
    ("gaps.assessed", "最近测评", "Last assessed"),
    ("gaps.unassessed", "未测评", "Not assessed"),
    ("gaps.method.exam", "考试", "Exam"),
    ("gaps.method.observation", "现场观察", "Observation"),
    ("gaps.method.360", "360 评估", "360° review"),
    ("gaps.method.self", "自评", "Self-assessment"),
    ("gaps.method.manager", "上级评价", "Manager rating"),
    ("nav.needs", "培训需求", "Training needs"),
    ("nav.library", "学习资源", "Library"),
    ("library.title", "学习资源库", "Resource library"),
    (
        "library.help",
        "按业务线、场景与技能查找课程、微课、文档与工具；每项资源都关联到它培养的技能。",
        "Find courses, micro-courses, documents and tools by business line, scenario and skill; every resource is linked to the skills it develops.",
    ),
    ("library.new", "新建资源", "New resource"),
    ("library.new_micro", "新建微课", "New micro-course"),
    ("library.mine", "我的微课", "My micro-courses"),
    ("library.moderation", "评论审核", "Comment moderation"),
    ("library.reports", "资源运营报告", "Library reports"),
    ("library.kind", "类型", "Kind"),
    ("library.any_kind", "全部类型", "Any kind"),
    ("library.any_tier", "全部层级", "Any tier"),
    ("library.status", "状态", "Status"),
    ("library.any_status", "全部状态", "Any status"),
    ("library.origin", "来源", "Origin"),
    ("library.any_origin", "全部来源", "Any origin"),
    ("library.tags", "业务标签", "Business tags"),
    (
        "library.tag_hint",
        "标签，如 业务线:总装",
        "Tag, e.g. business_line:Assembly",
    ),
    (
        "library.empty",
        "没有符合条件的资源。",
        "No resources match.",
    ),
    ("library.resource_title", "标题", "Title"),
    ("library.rating", "评分", "Rating"),
    ("library.minutes", "时长（分钟）", "Minutes"),
    ("library.kind.course", "课程", "Course"),
    ("library.kind.micro_course", "微课", "Micro-course"),
    ("library.kind.document", "文档", "Document"),
    ("library.kind.video", "视频", "Video"),
    ("library.kind.tool", "工具", "Tool"),
    ("library.kind.case", "案例", "Case"),
    ("library.kind.exam", "考试", "Exam"),
    ("library.status.draft", "草稿", "Draft"),
    ("library.status.in_review", "审核中", "In review"),
    ("library.status.published", "已发布", "Published"),
    ("library.status.retired", "已下架", "Retired"),
    ("library.origin.internal", "内部开发", "Internal"),
    ("library.origin.external", "外部引进", "External"),
    ("library.tag_kind.business_line", "业务线", "Business line"),
    ("library.tag_kind.task_type", "任务类型", "Task type"),
    ("library.tag_kind.scenario", "业务场景", "Scenario"),
    (
        "library.move.draft.in_review",
        "提交审核",
        "Submit for review",
    ),
    (
        "library.move.in_review.published",
        "审核通过并发布",
        "Approve and publish",
    ),
    ("library.move.in_review.draft", "退回修改", "Send back"),
    (
        "library.move.published.in_review",
        "准备新版本并提交审核",
        "Submit a new version for review",
    ),
    ("library.move.published.retired", "下架", "Retire"),
    (
        "library.move.retired.draft",
        "重新打开为草稿",
        "Reopen as draft",
    ),
    ("library.action.optimise", "优化", "Optimise"),
    ("library.action.merge", "合并", "Merge"),
    ("library.action.retire", "下架", "Retire"),
    (
        "library.done.rated",
        "已记录您的评分。",
        "Your rating was recorded.",
    ),
    (
        "library.done.comment_pending",
        "评论已提交，审核通过后显示。",
        "Comment received; it is shown once a moderator approves it.",
    ),
    ("library.done.commented", "评论已发布。", "Comment posted."),
    (
        "library.done.completed",
        "已记录为完成学习。",
        "Marked as completed.",
    ),
    ("library.done.uploaded", "文件已上传。", "File uploaded."),
    ("library.code", "编码", "Code"),
    ("library.owner", "负责人", "Owner"),
    ("library.version", "已发布版本", "Published version"),
    ("library.updated", "更新时间", "Updated"),
    ("library.views", "浏览", "Views"),
    ("library.completions", "完成", "Completions"),
    ("library.skills", "培养技能", "Skills developed"),
    (
        "library.trace",
        "查看该技能对应的需求解码链",
        "See the decoding chain behind this skill",
    ),
    ("library.positions", "适用岗位", "Positions"),
    ("library.edit", "编辑资源", "Edit resource"),
    ("library.review", "审核流程", "Review"),
    ("library.reason", "原因（必填）", "Reason (required)"),
    ("library.problem", "问题", "Problem"),
    ("library.case", "案例", "Case"),
    ("library.solution", "方法", "Method"),
    ("library.files", "附件", "Files"),
    ("library.no_files", "暂无附件。", "No files yet."),
    ("library.file", "文件", "File"),
    ("library.upload", "上传", "Upload"),
    (
        "library.upload_help",
        "支持 PDF、MP4、WebM、PNG、JPEG、Word/Excel/PowerPoint 与纯文本。",
        "PDF, MP4, WebM, PNG, JPEG, Word/Excel/PowerPoint and plain text are accepted.",
    ),
    (
        "library.no_file",
        "请选择要上传的文件。",
        "Choose a file to upload.",
    ),
    ("library.feedback", "学习与反馈", "Learning and feedback"),
    ("library.mark_complete", "标记为已完成", "Mark as completed"),
    ("library.rate", "评分", "Rate"),
    ("library.comment", "评论", "Comment"),
    ("library.add_comment", "发表评论", "Post comment"),
    ("library.no_comments", "暂无评论。", "No comments yet."),
    ("library.versions", "版本", "Versions"),
    ("library.no_versions", "尚未发布。", "Not published yet."),
    ("library.history", "审核记录", "Review history"),
    (
        "library.no_history",
        "暂无审核记录。",
        "No review history yet.",
    ),
    ("library.summary", "摘要", "Summary"),
    ("library.body", "正文（Markdown）", "Content (Markdown)"),
    (
        "library.micro_help",
        "微课按“问题 → 案例 → 方法”编写，时长不超过 15 分钟。",
        "A micro-course follows problem → case → method and lasts at most 15 minutes.",
    ),
    ("library.main_skill", "主要技能编码", "Main skill code"),
    (
        "library.need_id",
        "对应培训需求编号（可选）",
        "Training need id (optional)",
    ),
    (
        "library.vendor",
        "供应商（外部引进必填）",
        "Vendor (required for external)",
    ),
    (
        "library.tags_help",
        "每行一个“类别:值”，取自标签词表：",
        "One kind:value per line, from the vocabularies:",
    ),
    (
        "library.no_pending",
        "没有待审核的评论。",
        "No comments are waiting.",
    ),
    ("library.author", "作者", "Author"),
    ("library.show", "显示", "Show"),
    ("library.hide", "隐藏", "Hide"),
    ("library.lifecycle", "低使用率资源", "Little-used resources"),
    (
        "library.lifecycle_help",
        "已发布资源在所选的每个月中浏览与完成次数均低于阈值时列出，并给出优化、合并或下架建议。",
        "Published resources whose views plus completions stayed below the threshold in every month of the window, with a suggestion to optimise, merge or retire.",
    ),
    ("library.months", "月数", "Months"),
    ("library.threshold", "阈值", "Threshold"),
    (
        "library.no_lifecycle",
        "没有低使用率的资源。",
        "No little-used resources.",
    ),
    ("library.suggestion", "建议", "Suggestion"),
    ("library.published", "发布时间", "Published"),
    ("library.supply_gaps", "资源供给缺口", "Supply gaps"),
    (
        "library.supply_help",
        "岗位要求的技能中，尚无已发布资源培养到所需等级的技能。",
        "Skills positions require that no published resource develops to the required level.",
    ),
    ("library.no_gaps", "没有供给缺口。", "No supply gaps."),
    ("library.covered", "已覆盖等级", "Covered level"),
    (
        "library.task_gaps",
        "未覆盖的岗位任务",
        "Position tasks not covered",
    ),
    (
        "library.no_mine",
        "您还没有微课。",
        "You have no micro-courses yet.",
    ),
    ("library.skip_rate", "跳过率", "Skip rate"),
    (
        "library.reviewer_comments",
        "审核意见",
        "Reviewers' comments",
    ),
    (
        "library.confirm_file_delete",
        "确定删除此附件吗？删除后无法恢复。",
        "Delete this file? This cannot be undone.",
    ),
    ("library.done.file_deleted", "附件已删除。", "File deleted."),
    (
        "library.version_current",
        "这是当前发布版本的只读记录。",
        "This is the read-only record of the current published version.",
    ),
    (
        "library.version_old",
        "这是历史版本的只读记录，内容可能已过时。",
        "This is a read-only record of an earlier version; its content may be out of date.",
    ),
    (
        "library.version_no_files",
        "此版本没有附件。",
        "This version has no files.",
    ),
    (
        "library.version_back",
        "查看资源当前内容",
        "See the resource as it is now",
    ),
    ("tags.title", "标签词表", "Tag vocabularies"),
    (
        "tags.help",
        "资源只能选用词表中启用的标签。已被资源使用的标签不能删除，只能停用：已有资源保留它，新资源不能再选。改名后，使用它的资源会重新编入检索。",
        "Resources pick their tags from these vocabularies, active values only. A value in use cannot be deleted, only deactivated: resources keep it, new ones cannot pick it. Renaming re-indexes the resources that carry it.",
    ),
    ("tags.add", "添加标签", "Add tag"),
    ("tags.kind", "标签类别", "Tag kind"),
    ("tags.value", "标签值", "Value"),
    ("tags.uses", "使用资源数", "Resources"),
    ("tags.active", "启用", "Active"),
    ("tags.inactive", "已停用", "Inactive"),
    (
        "tags.none",
        "该类别还没有标签。",
        "No values of this kind yet.",
    ),
    ("tags.deactivate", "停用", "Deactivate"),
    (
        "tags.confirm_delete",
        "确定删除此标签吗？",
        "Delete this tag?",
    ),
    (
        "tags.confirm_deactivate",
        "此标签正被资源使用，将停用而不是删除。继续吗？",
        "Resources use this tag, so it will be deactivated rather than deleted. Continue?",
    ),
    ("tags.done.created", "标签已添加。", "Tag added."),
    ("tags.done.saved", "标签已保存。", "Tag saved."),
    ("tags.done.deleted", "标签已删除。", "Tag deleted."),
    (
        "tags.done.deactivated",
        "该标签仍被 {n} 项资源使用，已停用而未删除：已有资源保留它，新资源不能再选。",
        "{n} resources still use this tag, so it was deactivated instead of deleted: they keep it, new resources cannot pick it.",
    ),
    ("packs.title", "场景资源包", "Scenario packs"),
    (
        "packs.help",
        "按业务流程中的某一环节组织的资源，按学习顺序排列。",
        "Resources for one step of a business process, in the order to take them.",
    ),
    ("packs.new", "新建资源包", "New pack"),
    ("packs.edit", "编辑资源包", "Edit pack"),
    ("packs.delete", "删除资源包", "Delete pack"),
    (
        "packs.confirm_delete",
        "确定删除此资源包吗？其中的资源仍保留在资源库中。",
        "Delete this pack? Its resources stay in the library.",
    ),
    ("packs.name", "名称", "Name"),
    ("packs.step", "业务环节", "Process step"),
    (
        "packs.step_hint",
        "如 设备点检 → 异常上报",
        "e.g. Inspection → Fault report",
    ),
    ("packs.description", "说明", "Description"),
    (
        "packs.resources",
        "资源（按学习顺序）",
        "Resources (in learning order)",
    ),
    (
        "packs.resources_help",
        "每行一个资源编码，按学习顺序排列；已下架的资源不能加入。",
        "One resource code per line, in learning order; retired resources cannot be added.",
    ),
    ("packs.items", "资源数", "Resources"),
    (
        "packs.minutes",
        "已发布资源总时长（分钟）",
        "Minutes of published resources",
    ),
    ("packs.none", "还没有场景资源包。", "No scenario packs yet."),
    (
        "packs.no_items",
        "没有您可查看的资源。",
        "No resources you can see.",
    ),
    ("packs.back", "返回资源包", "Back to the pack"),
    ("packs.done.saved", "资源包已保存。", "Pack saved."),
    ("packs.done.deleted", "资源包已删除。", "Pack deleted."),
    ("gaps.why", "↳ 服务于", "↳ serves"),
    (
        "gaps.weighted_help",
        "差距 × 层级权重（核心 3、支撑 2、储备 1）× (1 + 所服务指标的未达比例)",
        "Gap × tier weight (core 3, support 2, reserve 1) × (1 + shortfall of the KPI it serves)",
    ),
    (
        "skills.title",
        "技能分类与等级",
        "Skill taxonomy and levels",
    ),
    (
        "skills.help",
        "能力领域 → 技能；每项技能的等级数可配置（默认 3 级：初级/中级/高级），每级附行为描述。",
        "Areas → skills; each skill has a configurable number of levels (default 3: basic, intermediate, advanced), each with a behavioural description.",
    ),
    ("skills.levels", "等级数", "Levels"),
    ("skills.descriptors", "各级行为描述", "Behaviour per level"),
    (
        "skills.descriptors_help",
        "每行一级，从低到高；行数即等级数（2–10）。",
        "One line per level, lowest first; the number of lines is the number of levels (2–10).",
    ),
    ("models.title", "岗位能力模型", "Position competency models"),
    (
        "models.help",
        "岗位能力模型由该岗位各任务的技能要求合并而成（取最高等级与层级）；直接设置的要求优先。",
        "A position's model is the union of its tasks' skill requirements (highest level and tier); requirements set directly win.",
    ),
    (
        "models.empty",
        "该岗位尚无技能要求。",
        "This position has no skill requirements yet.",
    ),
    ("models.area", "能力领域", "Area"),
    ("models.source", "来源", "Source"),
    ("models.source.tasks", "来自任务", "From tasks"),
    ("models.source.manual", "直接设置", "Set directly"),
    ("models.reset", "恢复为任务要求", "Revert to tasks"),
    (
        "models.confirm_reset",
        "撤销直接设置？若无任务需要此技能，它将从模型中移除。",
        "Drop the direct setting? If no task needs this skill it leaves the model.",
    ),
    ("models.set", "直接设置要求", "Set a requirement directly"),
    ("needs.title", "培训需求", "Training needs"),
    (
        "needs.help",
        "由能力差距一键生成的培训需求，附带其业务依据（战略 › 目标 › 指标 › 任务）。",
        "Training needs raised from skill gaps with one action, each carrying its business reason (strategy › objective › target › task).",
    ),
    (
        "needs.empty",
        "暂无培训需求。可在员工能力画像、团队热力图或岗位能力模型中由差距生成。",
        "No training needs yet. Raise them from gaps on a person's profile, the team heat map or a position's model.",
    ),
    ("needs.skill_code", "技能编码", "Skill code"),
    ("needs.status", "状态", "Status"),
    ("needs.any_status", "全部状态", "Any status"),
    ("needs.status.open", "待处理", "Open"),
    ("needs.status.approved", "已批准", "Approved"),
    ("needs.status.rejected", "已驳回", "Rejected"),
    ("needs.status.merged", "已合并", "Merged"),
    ("needs.status.closed", "已关闭", "Closed"),
    ("needs.need", "需求", "Need"),
    ("needs.audience", "对象", "Audience"),
    ("needs.audience.person", "个人", "Person"),
    ("needs.audience.team", "团队", "Team"),
    ("needs.audience.position", "岗位", "Position"),
    ("needs.people", "人员", "People"),
    ("needs.mean_gap", "平均差距", "Mean gap"),
    ("needs.weighted_gap", "加权差距", "Weighted gap"),
    ("needs.urgency", "紧急程度", "Urgency"),
    ("needs.urgency.low", "低", "Low"),
    ("needs.urgency.normal", "一般", "Normal"),
    ("needs.urgency.high", "高", "High"),
    ("needs.raised", "提出", "Raised"),
    ("needs.origin", "来源", "Origin"),
    ("needs.origin.gap", "能力差距", "Skill gap"),
    ("needs.origin.employee", "员工提出", "Employee"),
    ("needs.origin.manager", "经理提出", "Manager"),
    ("needs.gaps", "差距", "Gaps"),
    (
        "needs.summary",
        "{n} 人低于「{skill}」的要求等级，平均差距 {gap} 级",
        "{n} people below the required level of {skill}, mean gap {gap} levels",
    ),
    ("needs.note", "补充说明", "Note"),
    ("needs.chain", "需求依据链", "Why: the decoding chain"),
    (
        "needs.no_chain",
        "该技能尚未关联到任何指标目标。",
        "This skill is not yet linked to any KPI target.",
    ),
    ("needs.raise", "生成培训需求", "Raise training need"),
    ("needs.raise_team", "为团队生成需求", "Raise need for team"),
    (
        "needs.raise_position",
        "为岗位生成需求",
        "Raise need for position",
    ),
    ("decoding.new_strategy", "新建战略", "New strategy"),
    ("decoding.code", "编码", "Code"),
    ("decoding.name", "名称", "Name"),
    (
        "decoding.horizon",
        "周期（如 2025–2027）",
        "Horizon (e.g. 2025–2027)",
    ),
    ("decoding.edit", "编辑", "Edit"),
    (
        "decoding.confirm_marks",
        "保存后，下一层的项目将被标记为待复核。继续吗？",
        "After saving, the items below will be marked for review. Continue?",
    ),
    ("decoding.new_objective", "新增目标", "Add objective"),
    (
        "decoding.perspective",
        "平衡计分卡维度",
        "Balanced-scorecard perspective",
    ),
    ("decoding.okr", "OKR（关键结果）", "OKR (key results)"),
    ("decoding.key_results", "关键结果", "Key results"),
    (
        "decoding.key_results_help",
        "关键结果，每行一条（OKR 目标必填）",
        "Key results, one per line (required for an OKR objective)",
    ),
    (
        "decoding.new_target",
        "新增部门指标",
        "Add department KPI target",
    ),
    ("decoding.kpi", "指标", "KPI"),
    (
        "decoding.period",
        "期间（2025、2025Q3 或 2025-07）",
        "Period (2025, 2025Q3 or 2025-07)",
    ),
    ("decoding.comparator", "比较", "Comparison"),
    ("decoding.target_value", "目标值", "Target value"),
    ("decoding.actual", "实际", "actual"),
    ("decoding.shortfall", "未达", "Short by"),
    (
        "decoding.shortfall_help",
        "实际值距目标的相对差距；服务于该指标的技能差距按 1 + 未达比例加权",
        "How far the actual is from the target, relative to it; gaps in skills serving this KPI are weighted by 1 + this share",
    ),
    ("decoding.met", "已达成", "Met"),
    ("decoding.new_task", "新增岗位任务", "Add position task"),
    ("decoding.step", "流程步骤", "Process step"),
    (
        "decoding.edit_task",
        "编辑任务与技能",
        "Edit task and skills",
    ),
    (
        "decoding.set_skill",
        "设置技能要求",
        "Set skill requirement",
    ),
    (
        "decoding.remove_skill",
        "移除技能要求",
        "Remove skill requirement",
    ),
    (
        "decoding.confirm_remove_skill",
        "从该任务移除此技能要求？岗位能力模型将随之更新。",
        "Remove this skill from the task? The position's competency model follows.",
    ),
    (
        "audit.action.competency.load",
        "载入能力模型",
        "Competency models loaded",
    ),
    (
        "audit.action.assessment.record",
        "记录能力测评",
        "Assessments recorded",
    ),
    (
        "audit.entity.competency_model",
        "能力模型",
        "Competency model",
    ),
    ("audit.entity.assessment", "能力测评", "Assessment"),
    (
        "audit.action.assessment.import",
        "导入能力测评",
        "Assessments imported",
    ),
    (
        "audit.action.competency_model.import",
        "导入能力模型",
        "Competency models imported",
    ),
    (
        "audit.action.competency_model.export",
        "导出能力模型",
        "Competency models exported",
    ),
    ("people.tag.duty", "职责", "Duty"),
    ("people.tag.project", "项目", "Project"),
    ("import.title", "导入人员", "Import people"),
    (
        "import.help",
        "上传人力资源系统导出的 CSV（UTF-8 或 GB18030）或 Excel（.xlsx）文件。表头可用中文或英文（工号、姓名、部门、岗位、直属上级、入职日期、状态……）。先预览检查每一行，再导入；同一文件重复导入不会改变数据。",
        "Upload a CSV (UTF-8 or GB18030) or Excel (.xlsx) export from the HR system. Headers may be Chinese or English (employee number, name, department, position, manager, hire date, status…). Preview checks every row first; importing the same file again changes nothing.",
    ),
    ("import.file", "文件", "File"),
    (
        "import.period",
        "指标列所属期间（如 2025-12）",
        "Period of KPI columns (e.g. 2025-12)",
    ),
    (
        "import.saved_mapping",
        "已保存的列映射",
        "Saved column mapping",
    ),
    (
        "import.pairs",
        "自定义映射（每行 字段=表头）",
        "Custom mapping (one field=Header per line)",
    ),
    ("import.save_as", "将映射保存为", "Save the mapping as"),
    (
        "import.create_missing",
        "创建不存在的部门和岗位",
        "Create missing departments and positions",
    ),
    (
        "import.valid_only",
        "仅导入无错误的行",
        "Import only the valid rows",
    ),
    (
        "import.dry_run",
        "仅预览，不写入",
        "Preview only, write nothing",
    ),
    ("import.submit", "提交", "Submit"),
    ("import.report", "检查报告", "Report"),
    ("import.rows", "数据行", "Rows"),
    ("import.valid_rows", "有效行", "Valid rows"),
    ("import.errors", "问题", "Problems"),
    ("import.row", "行号", "Row"),
    ("import.column", "列", "Column"),
    ("import.reason", "原因", "Reason"),
    ("import.done", "导入完成", "Imported"),
    ("import.inserted", "新增", "new"),
    ("import.updated", "更新", "updated"),
    ("import.unchanged", "未变", "unchanged"),
    (
        "import.departments_created",
        "新建部门",
        "departments created",
    ),
    ("import.positions_created", "新建岗位", "positions created"),
    (
        "import.preview_only",
        "预览完成，未写入任何数据。",
        "Preview finished; nothing was written.",
    ),
    (
        "import.nothing_written",
        "存在问题行，未导入任何数据。请修正后重试，或选择仅导入无错误的行。",
        "Some rows have problems, so nothing was imported. Fix them, or choose to import only the valid rows.",
    ),
    ("import.mapping_used", "使用的列映射", "Mapping used"),
    (
        "import.no_file",
        "请选择要上传的文件。",
        "Choose a file to upload.",
    ),
    ("audit.action.people.import", "导入人员", "People imported"),
    (
        "audit.action.import.mapping_save",
        "保存导入映射",
        "Import mapping saved",
    ),
    ("audit.entity.import_mapping", "导入映射", "Import mapping"),
    (
        "training_records.title",
        "导入历史培训记录",
        "Import training history",
    ),
    (
        "training_records.help",
        "把旧系统多年的培训记录一次导入：上传 CSV（UTF-8 或 GB18030）或 Excel（.xlsx）文件，表头可用中文或英文。尚不存在的项目编码会建成“历史”项目（学时取该项目记录中的最大值），已存在的项目直接挂接；每一行成为一条“导入”来源的报名记录，不生成考勤。只要有一行有问题，就不写入任何数据；同一文件重复导入不会改变数据，改动过的值会更新对应记录。",
        "Bring years of records over from an old system: upload a CSV (UTF-8 or GB18030) or Excel (.xlsx) file; headers may be Chinese or English. Program codes that do not exist yet become historical programs (hours: the largest of their records); existing programs are attached to. Every row becomes an enrolment of source 'imported'; no attendance is generated. If any row has a problem, nothing is written; importing the same file again changes nothing, and a changed value updates its record.",
    ),
    (
        "training_records.file",
        "培训记录文件",
        "Training records file",
    ),
    (
        "training_records.columns",
        "列：项目编码、项目名称（同一编码各行一致）、工号、开始日期、完成日期（状态为已完成时必填，不早于开始日期，不晚于今天）、状态（已完成/未完成/已取消）、学时（≥ 0）、成绩（可选，0–100）、人均费用（可选，≥ 0）。日期可写 2024-03-01、2024/3/1 或 Excel 日期。",
        "Columns: program_code, program_title (the same on every row of a code), employee_number, start_date, completion_date (required when completed; not before the start, not after today), status (completed, incomplete, cancelled), hours (≥ 0), score (optional, 0–100), cost_per_head (optional, ≥ 0). Dates as 2024-03-01, 2024/3/1 or Excel dates.",
    ),
    (
        "training_records.programs_created",
        "新建历史项目",
        "historical programs created",
    ),
    (
        "training_records.programs_updated",
        "学时调高的历史项目",
        "historical programs with more hours",
    ),
    (
        "training_records.enrollments_created",
        "新增培训记录",
        "records created",
    ),
    (
        "training_records.would",
        "导入将会：{counts}",
        "Importing would give: {counts}",
    ),
    (
        "audit.action.training_records.import",
        "导入历史培训记录",
        "Training history imported",
    ),
    (
        "audit.entity.training_record",
        "培训记录",
        "Training record",
    ),
    (
        "people.masked_note",
        "联系方式按数据权限脱敏显示。",
        "Contact details are masked outside your data scope.",
    ),
    ("org.title", "组织架构", "Organisation"),
    ("account.title", "我的账户", "My account"),
    ("account.change_password", "修改密码", "Change password"),
    ("account.current_password", "当前密码", "Current password"),
    (
        "account.new_password",
        "新密码（至少 10 位）",
        "New password (at least 10 characters)",
    ),
    (
        "account.confirm_password",
        "确认新密码",
        "Confirm new password",
    ),
    (
        "account.password_changed",
        "密码已修改，其他会话已退出。",
        "Password changed; your other sessions were signed out.",
    ),
    (
        "account.password_mismatch",
        "两次输入的新密码不一致。",
        "The new passwords do not match.",
    ),
    (
        "account.wrong_password",
        "当前密码不正确。",
        "The current password is wrong.",
    ),
    ("account.tokens", "个人 API 令牌", "Personal API tokens"),
    (
        "account.tokens_help",
        "用于调用 /api/v1 接口：请求头 Authorization: Bearer <令牌>。令牌只显示一次。",
        "For the /api/v1 API: header Authorization: Bearer <token>. A token is shown only once.",
    ),
    ("account.new_token", "新令牌", "New token"),
    (
        "account.token_created",
        "令牌已创建，请立即复制保存：",
        "Token created. Copy it now; it will not be shown again:",
    ),
    ("account.revoke", "撤销", "Revoke"),
    ("account.revoked", "已撤销", "Revoked"),
    ("account.language", "界面语言", "Language"),
    ("users.title", "账户与角色", "Accounts & roles"),
    ("users.create", "新建账户", "New account"),
    (
        "users.initial_password",
        "初始密码（至少 10 位）",
        "Initial password (at least 10 characters)",
    ),
    ("users.disable", "停用", "Disable"),
    ("users.enable", "启用", "Enable"),
    ("users.disabled", "已停用", "Disabled"),
    ("users.grant", "授予角色", "Grant role"),
    ("users.revoke", "收回", "Revoke"),
    ("users.all_roles", "全部角色", "All roles"),
    ("users.created", "账户已创建。", "Account created."),
    ("audit.title", "审计日志", "Audit log"),
    (
        "audit.append_only",
        "审计日志只能追加，不能修改或删除。",
        "The audit log is append-only: entries cannot be changed or deleted.",
    ),
    ("audit.from", "起始日期", "From"),
    ("audit.to", "截止日期", "To"),
    ("jobs.title", "后台任务", "Background jobs"),
    ("audit.action.account.create", "创建账户", "Account created"),
    ("audit.action.account.enable", "启用账户", "Account enabled"),
    (
        "audit.action.account.disable",
        "停用账户",
        "Account disabled",
    ),
    (
        "audit.action.account.password_change",
        "修改密码",
        "Password changed",
    ),
    ("audit.action.role.grant", "授予角色", "Role granted"),
    ("audit.action.role.revoke", "收回角色", "Role revoked"),
    (
        "audit.action.api_token.create",
        "创建 API 令牌",
        "API token created",
    ),
    (
        "audit.action.api_token.revoke",
        "撤销 API 令牌",
        "API token revoked",
    ),
    (
        "audit.action.org.load_demo",
        "载入演示组织",
        "Demo organisation loaded",
    ),
    ("audit.action.people.export", "导出人员", "People exported"),
    ("audit.entity.user", "账户", "Account"),
    ("audit.entity.api_token", "API 令牌", "API token"),
    ("audit.entity.organisation", "组织", "Organisation"),
    ("audit.entity.employee", "员工", "Employee"),
    ("api.title", "API 文档", "API documentation"),
    (
        "api.intro",
        "JSON 接口位于 /api/v1，使用个人 API 令牌认证。错误按 RFC 9457 返回 application/problem+json。完整 OpenAPI 文档：",
        "The JSON API lives under /api/v1 and authenticates with personal API tokens. Errors follow RFC 9457 (application/problem+json). Full OpenAPI document:",
    ),
    ("api.parameters", "参数", "Parameters"),
    ("api.request_body", "请求体", "Request body"),
    ("api.responses", "响应", "Responses"),
    ("nav.programs", "培训项目", "Programs"),
    ("nav.my_learning", "我的学习", "My learning"),
    ("programs.title", "培训项目", "Training programs"),
    (
        "programs.help",
        "年度/季度计划中的培训项目：受众、技能、费用、转化目标与班次。开放报名的项目员工可自主报名。",
        "Programs of the yearly or quarterly plans: audience, skills, costs, transfer goal and sessions. Anyone may sign up for an open program.",
    ),
    ("programs.new", "新建项目", "New program"),
    ("programs.edit", "编辑项目", "Edit program"),
    (
        "programs.setup",
        "计划、场地与讲师",
        "Plans, venues & instructors",
    ),
    (
        "programs.import",
        "导入历史培训记录",
        "Import training history",
    ),
    ("programs.status", "状态", "Status"),
    ("programs.any_status", "全部状态", "Any status"),
    ("programs.plan", "培训计划", "Plan"),
    ("programs.any_plan", "全部计划", "Any plan"),
    (
        "programs.empty",
        "没有符合条件的培训项目。",
        "No programs match.",
    ),
    ("programs.program", "项目", "Program"),
    ("programs.hours", "学时", "Hours"),
    ("programs.credits", "学分", "Credits"),
    ("programs.seats_taken", "学员/名额", "Learners"),
    ("programs.waitlisted", "候补", "Waiting"),
    ("programs.completed", "已完成", "Completed"),
    ("programs.first_session", "首次开班", "First session"),
    ("programs.code", "编码", "Code"),
    ("programs.program_title", "项目名称", "Title"),
    ("programs.objectives", "培训目标", "Objectives"),
    ("programs.audience", "目标受众", "Audience"),
    (
        "programs.audience_help",
        "符合任一条件的在职员工（部门含下级部门）；多个值用空格或逗号分隔。",
        "Active employees matching any entry (a department includes its sub-departments); separate values with spaces or commas.",
    ),
    (
        "programs.audience_departments",
        "部门编码",
        "Department codes",
    ),
    ("programs.audience_positions", "岗位编码", "Position codes"),
    ("programs.audience_tags", "人员标签", "Person tags"),
    (
        "programs.audience_employees",
        "指定工号",
        "Named employee numbers",
    ),
    ("programs.capacity", "名额", "Seats"),
    ("programs.no_limit", "不限", "No limit"),
    ("programs.skills", "技能", "Skills"),
    ("programs.resources", "学习资源", "Resources"),
    ("programs.instructors", "讲师", "Instructors"),
    ("programs.costs", "费用", "Costs"),
    (
        "programs.costs_help",
        "每行一项：类型 金额 说明。类型：instructor_fee 讲师费、venue 场地费、materials 教材费、travel 差旅费、other 其他。",
        "One line each: kind amount note. Kinds: instructor_fee, venue, materials, travel, other.",
    ),
    ("programs.transfer", "转化目标", "Transfer goal"),
    ("programs.transfer_kpi", "指标编码", "KPI code"),
    (
        "programs.transfer_change_pct",
        "目标变化（%，负数为下降）",
        "Target change (%, negative = down)",
    ),
    (
        "programs.transfer_months",
        "完成后几个月内",
        "Within months of completion",
    ),
    ("programs.months", "个月", "months"),
    ("programs.completion_rule", "结业规则", "Completion rule"),
    (
        "programs.min_attendance",
        "最低出勤率（%）",
        "Minimum attendance (%)",
    ),
    (
        "programs.cancel_deadline",
        "开课前可取消（小时）",
        "Cancel until (hours before start)",
    ),
    ("programs.you_are", "你在本项目中：", "You are:"),
    ("programs.cancel_mine", "取消报名", "Cancel my enrolment"),
    (
        "programs.cancel_confirm",
        "确定取消该报名吗？名额将顺延给候补人员。",
        "Cancel this enrolment? The seat goes to the next person waiting.",
    ),
    ("programs.enroll_self", "报名参加", "Sign up"),
    (
        "programs.close_confirm",
        "结束项目会按结业规则判定每位学员是否完成，确定吗？",
        "Closing settles every learner's completion by the rule. Continue?",
    ),
    ("programs.to.draft", "退回草稿", "Back to draft"),
    ("programs.to.open", "开放报名", "Open sign-up"),
    ("programs.to.running", "开始实施", "Start running"),
    (
        "programs.to.closed",
        "结束并判定结业",
        "Close and settle completion",
    ),
    ("programs.to.historical", "历史", "Historical"),
    ("programs.done.saved", "项目已保存。", "Program saved."),
    ("programs.done.status", "状态已更新。", "Status changed."),
    ("programs.done.session", "班次已添加。", "Session added."),
    (
        "programs.done.session_with_conflicts",
        "班次已添加（存在已确认的冲突）。",
        "Session added despite the conflicts.",
    ),
    (
        "programs.done.session_cancelled",
        "班次已取消。",
        "Session cancelled.",
    ),
    (
        "programs.done.cancelled",
        "报名已取消。",
        "Enrolment cancelled.",
    ),
    (
        "programs.done.enrolled",
        "已报名 {n} 人，候补 {w} 人。",
        "{n} enrolled, {w} waiting.",
    ),
    ("program.status.draft", "草稿", "Draft"),
    ("program.status.open", "开放报名", "Open"),
    ("program.status.running", "进行中", "Running"),
    ("program.status.closed", "已结束", "Closed"),
    ("program.status.historical", "历史", "Historical"),
    ("cost.kind.instructor_fee", "讲师费", "Instructor fee"),
    ("cost.kind.venue", "场地费", "Venue"),
    ("cost.kind.materials", "教材费", "Materials"),
    ("cost.kind.travel", "差旅费", "Travel"),
    ("cost.kind.other", "其他", "Other"),
    ("sessions.title", "班次", "Sessions"),
    ("sessions.empty", "还没有班次。", "No sessions yet."),
    ("sessions.session", "班次", "Session"),
    ("sessions.when", "时间", "When"),
    ("sessions.mode", "方式", "Mode"),
    ("sessions.venue", "场地", "Venue"),
    ("sessions.join", "进入线上课堂", "Join online"),
    ("sessions.cancelled", "已取消", "Cancelled"),
    ("sessions.cancel", "取消班次", "Cancel session"),
    (
        "sessions.cancel_confirm",
        "确定取消该班次吗？它将从所有日历中移除。",
        "Cancel this session? It leaves every calendar.",
    ),
    ("sessions.add", "添加班次", "Add a session"),
    ("sessions.starts_at", "开始", "Starts"),
    ("sessions.ends_at", "结束", "Ends"),
    ("sessions.capacity", "本班名额", "Seats in this session"),
    ("sessions.join_url", "线上链接", "Joining link"),
    (
        "sessions.allow_conflicts",
        "即使有冲突也保存",
        "Save even if it clashes",
    ),
    ("sessions.checkin_code", "签到码", "Check-in code"),
    ("sessions.code_until", "有效至", "Valid until"),
    (
        "sessions.no_code",
        "当前没有有效的签到码。",
        "No check-in code is valid now.",
    ),
    ("sessions.code_minutes", "有效分钟数", "Valid for minutes"),
    ("sessions.issue_code", "生成签到码", "Issue a code"),
    (
        "sessions.qr",
        "学员扫码即可打开签到页（签到码已填好）",
        "Learners scan this to open check-in with the code filled in",
    ),
    (
        "sessions.roll_call",
        "点名与出勤",
        "Roll call and attendance",
    ),
    ("sessions.recorded", "已记录", "Recorded"),
    ("sessions.mark", "点名", "Mark"),
    ("sessions.save_roll_call", "保存点名", "Save roll call"),
    (
        "sessions.done.roll_call",
        "点名结果已保存。",
        "Roll call saved.",
    ),
    ("session.mode.classroom", "面授", "Classroom"),
    ("session.mode.online", "线上", "Online"),
    ("session.mode.blended", "混合", "Blended"),
    ("attendance.status.present", "出勤", "Present"),
    ("attendance.status.late", "迟到", "Late"),
    ("attendance.status.absent", "缺勤", "Absent"),
    ("attendance.method.code", "签到码", "Code"),
    ("attendance.method.roll_call", "点名", "Roll call"),
    ("attendance.method.generated", "生成", "Generated"),
    ("attendance.method.imported", "导入", "Imported"),
    ("enrollments.title", "学员", "Learners"),
    (
        "enrollments.numbers",
        "工号（多个用空格分隔）",
        "Employee numbers (space-separated)",
    ),
    ("enrollments.assign", "指派报名", "Enrol them"),
    (
        "enrollments.push_audience",
        "按受众规则全部报名",
        "Enrol the whole audience",
    ),
    (
        "enrollments.audience_confirm",
        "将按受众规则为所有符合条件的在职员工报名，确定吗？",
        "Enrol every active employee the audience rule matches?",
    ),
    ("enrollments.empty", "还没有学员。", "No learners yet."),
    ("enrollments.source", "来源", "Source"),
    ("enrollments.status", "状态", "Status"),
    ("enrollments.attended", "出勤次数", "Sessions attended"),
    ("enrollments.cancel", "取消", "Cancel"),
    ("enrollment.status.enrolled", "已报名", "Enrolled"),
    ("enrollment.status.waitlisted", "候补", "Waiting"),
    ("enrollment.status.cancelled", "已取消", "Cancelled"),
    ("enrollment.status.completed", "已完成", "Completed"),
    ("enrollment.status.incomplete", "未完成", "Not completed"),
    ("enrollment.source.self", "自主报名", "Self"),
    ("enrollment.source.assigned", "指派", "Assigned"),
    ("enrollment.source.pushed", "推送", "Pushed"),
    ("enrollment.source.imported", "导入", "Imported"),
    ("my.title", "我的学习", "My learning"),
    ("my.checkin", "签到码", "Check-in code"),
    ("my.checkin_button", "签到", "Check in"),
    ("my.upcoming", "即将开始的班次", "Coming sessions"),
    ("my.calendar", "订阅日历 (.ics)", "Calendar (.ics)"),
    ("my.no_upcoming", "近期没有班次。", "No sessions coming up."),
    ("my.programs", "我的培训项目", "My programs"),
    ("my.teaching", "我授课的班次", "Sessions I teach"),
    (
        "my.no_programs",
        "你还没有报名任何项目。",
        "You are not in any program yet.",
    ),
    ("my.open", "开放报名的项目", "Programs open for sign-up"),
    (
        "my.no_open",
        "目前没有开放报名的项目。",
        "No program is open for sign-up now.",
    ),
    ("my.done.cancelled", "报名已取消。", "Enrolment cancelled."),
    ("my.done.checked_in_present", "签到成功。", "Checked in."),
    (
        "my.done.checked_in_late",
        "签到成功（迟到）。",
        "Checked in (late).",
    ),
    ("plans.title", "培训计划", "Plans"),
    ("plans.empty", "还没有培训计划。", "No plans yet."),
    ("plans.name", "名称", "Name"),
    ("plans.period", "期间", "Period"),
    ("plans.programs", "项目数", "Programs"),
    ("plans.add", "添加计划", "Add plan"),
    ("venues.title", "场地", "Venues"),
    ("venues.empty", "还没有场地。", "No venues yet."),
    ("venues.name", "名称", "Name"),
    ("venues.site", "厂区/地点", "Site"),
    ("venues.kind", "类型", "Kind"),
    ("venues.capacity", "容量", "Capacity"),
    ("venues.equipment", "设备", "Equipment"),
    ("venues.add", "添加场地", "Add venue"),
    ("venue.kind.classroom", "教室", "Classroom"),
    ("venue.kind.workshop", "实训车间", "Workshop"),
    ("venue.kind.lab", "实验室", "Lab"),
    ("venue.kind.hall", "报告厅", "Hall"),
    ("venue.kind.online", "线上", "Online"),
    ("instructors.title", "讲师", "Instructors"),
    ("instructors.empty", "还没有讲师。", "No instructors yet."),
    ("instructors.origin", "来源", "Origin"),
    ("instructors.internal", "内部", "Internal"),
    ("instructors.external", "外部", "External"),
    (
        "instructors.hourly_cost",
        "课时费（元/小时）",
        "Hourly cost (¥)",
    ),
    (
        "instructors.employee_number",
        "内部讲师工号",
        "Employee no. (internal)",
    ),
    ("instructors.vendor", "外部机构", "Vendor (external)"),
    ("instructors.add", "添加讲师", "Add instructor"),
    ("api.schemas", "数据结构", "Schemas"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (key, zh, en) in TEXTS.iter().chain(crate::i18n_exams::EXAM_TEXTS) {
            assert!(seen.insert(*key), "duplicate key {key}");
            assert!(
                !zh.is_empty() && !en.is_empty(),
                "{key} lacks a translation"
            );
        }
    }

    #[test]
    fn every_key_used_in_templates_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("t.get(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(
                    Tr::has(key),
                    "{} uses unknown text key {key}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn picks_language() {
        let mut h = HeaderMap::new();
        assert_eq!(Locale::from_request(&h, None), Locale::ZhCn);
        h.insert(
            header::ACCEPT_LANGUAGE,
            "de;q=0.9, en-US;q=0.8, zh;q=0.5".parse().unwrap(),
        );
        assert_eq!(Locale::from_request(&h, None), Locale::En);
        assert_eq!(Locale::from_request(&h, Some("zh-CN")), Locale::ZhCn);
        h.insert(header::COOKIE, "sb_lang=zh-CN".parse().unwrap());
        assert_eq!(Locale::from_request(&h, None), Locale::ZhCn);
    }
}
