//! The imports: employees, KPI definitions and values, assessments, competency models
//! and training records, as the CLI and the upload pages submit them.

use crate::Context;
use domain::audit::Actor;
use domain::{DomainError, DomainResult, Permission, Principal};
use store::prelude::*;
/// An employee import as the CLI and the upload page submit it.
pub struct EmployeeImportRequest {
    /// File content (CSV or XLSX).
    pub bytes: Vec<u8>,
    /// File name, for the audit log.
    pub source: String,
    /// A saved mapping to start from.
    pub mapping_name: Option<String>,
    /// `field=Header` pairs that override the saved mapping.
    pub pairs: Vec<String>,
    /// Save the effective mapping under this name.
    pub save_mapping_as: Option<String>,
    pub options: import::employees::Options,
    /// Validate and report only.
    pub dry_run: bool,
}

/// What an import found and did.
pub struct EmployeeImportReport {
    pub total_rows: usize,
    pub valid_rows: usize,
    pub errors: Vec<import::RowError>,
    pub mapping: import::employees::Mapping,
    /// Remarks that are not errors.
    pub notes: Vec<String>,
    /// Set when rows were written.
    pub outcome: Option<store::EmployeeImportOutcome>,
}

/// Names of the saved column mappings for employee imports (company-wide people managers).
pub async fn employee_mappings(ctx: &Context, caller: &Principal) -> DomainResult<Vec<String>> {
    require_company_people_manager(Some(caller))?;
    ctx.store.import_mapping_names(EMPLOYEE_MAPPING_KIND).await
}

/// Kind of saved mappings for employee imports.
pub const EMPLOYEE_MAPPING_KIND: &str = "employees";

/// Reads, validates and (unless a dry run, or rows are bad and skipping was not chosen)
/// writes an employee file. Only a company-wide people manager may import.
pub async fn import_employees(
    ctx: &Context,
    principal: Option<&Principal>,
    request: EmployeeImportRequest,
    actor: &Actor,
) -> DomainResult<EmployeeImportReport> {
    use import::employees::{Mapping, map_columns, plan};
    require_company_people_manager(principal)?;
    let table =
        import::table::read_table(&request.bytes).map_err(|e| DomainError::invalid("file", e.0))?;
    let mut pairs = Vec::new();
    if let Some(name) = request
        .mapping_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let saved = ctx
            .store
            .import_mapping(EMPLOYEE_MAPPING_KIND, name)
            .await?
            .ok_or_else(|| {
                DomainError::invalid("mapping", format!("no saved mapping is called '{name}'"))
            })?;
        pairs.extend(
            Mapping::parse_pairs(saved.lines()).map_err(|e| DomainError::invalid("mapping", e))?,
        );
    }
    let explicit = Mapping::parse_pairs(request.pairs.iter().map(String::as_str))
        .map_err(|e| DomainError::invalid("map", e))?;
    pairs.retain(|(f, _)| !explicit.iter().any(|(g, _)| g == f));
    pairs.extend(explicit);
    let mapping = match map_columns(&table.headers, &pairs) {
        Ok(m) => m,
        Err(errors) => {
            return Ok(EmployeeImportReport {
                total_rows: table.rows.len(),
                valid_rows: 0,
                errors,
                mapping: Mapping::default(),
                notes: Vec::new(),
                outcome: None,
            });
        }
    };
    if let Some(name) = request
        .save_mapping_as
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        ctx.store
            .save_import_mapping(EMPLOYEE_MAPPING_KIND, name, &mapping.to_lines(), actor)
            .await?;
    }
    let known = ctx.store.import_known().await?;
    let plan = plan(&table, mapping, &known, request.options);
    let outcome = if request.dry_run || !plan.writable() {
        None
    } else {
        Some(
            ctx.store
                .apply_employee_import(&plan, &known, &request.source, actor)
                .await?,
        )
    };
    Ok(EmployeeImportReport {
        total_rows: plan.total_rows,
        valid_rows: plan.records.len(),
        errors: plan.errors,
        mapping: plan.mapping,
        notes: plan.notes,
        outcome,
    })
}

/// Fails unless the caller (if any: the CLI has none) manages people company-wide.
pub fn require_company_people_manager(principal: Option<&Principal>) -> DomainResult<()> {
    match principal {
        Some(p) if !p.manages_people_company_wide() => Err(DomainError::Forbidden),
        _ => Ok(()),
    }
}

/// Outcome of a KPI definitions import.
pub struct KpiDefinitionsReport {
    pub rows: usize,
    pub errors: Vec<import::RowError>,
    /// (created, updated) when written.
    pub written: Option<(usize, usize)>,
}

/// Imports KPI definitions (指标编码, 指标名称, 单位, 方向, 汇总, 来源系统): all rows or none.
pub async fn import_kpi_definitions(
    ctx: &Context,
    principal: Option<&Principal>,
    bytes: &[u8],
    source: &str,
    dry_run: bool,
    actor: &Actor,
) -> DomainResult<KpiDefinitionsReport> {
    require_company_people_manager(principal)?;
    let table = import::table::read_table(bytes).map_err(|e| DomainError::invalid("file", e.0))?;
    let departments = ctx.store.kpi_value_refs().await?.departments;
    let (kpis, errors) = import::kpis::plan_definitions(&table.headers, &table.rows, &departments);
    let written = if errors.is_empty() && !dry_run {
        Some(ctx.store.upsert_kpis(&kpis, source, actor).await?)
    } else {
        None
    };
    Ok(KpiDefinitionsReport {
        rows: table.rows.len(),
        errors,
        written,
    })
}

/// Outcome of a KPI values import.
pub struct KpiValuesReport {
    pub rows: usize,
    pub values: usize,
    /// The first problems (up to [`MAX_REPORTED_ERRORS`]).
    pub errors: Vec<import::RowError>,
    pub error_count: usize,
    pub outcome: Option<store::ValueImportOutcome>,
}

/// Problems kept in a report; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// Imports KPI values in the long or the wide format, streaming through the file in one
/// transaction that is committed only if every row is valid (or only valid rows are wanted).
pub async fn import_kpi_values(
    ctx: &Context,
    principal: Option<&Principal>,
    bytes: &[u8],
    source: &str,
    valid_only: bool,
    dry_run: bool,
    actor: &Actor,
) -> DomainResult<KpiValuesReport> {
    require_company_people_manager(principal)?;
    let refs = ctx.store.kpi_value_refs().await?;
    let mut reader = match import::kpis::ValueImport::open(bytes, &refs, valid_only, dry_run) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(KpiValuesReport {
                rows: 0,
                values: 0,
                error_count: errors.len(),
                errors,
                outcome: None,
            });
        }
    };
    let outcome = ctx
        .store
        .import_kpi_values(&mut reader, source, actor)
        .await?;
    if outcome.is_some() {
        // New figures move the targets' progress, and with it the weight of skill gaps.
        ctx.store.refresh_target_progress(None).await?;
    }
    let error_count = reader.error_count;
    let mut errors = std::mem::take(&mut reader.errors);
    errors.truncate(MAX_REPORTED_ERRORS);
    Ok(KpiValuesReport {
        rows: reader.rows_read,
        values: reader.values,
        errors,
        error_count,
        outcome,
    })
}

/// Outcome of an assessments import.
#[derive(Debug)]
pub struct AssessmentImportReport {
    /// Data rows in the file.
    pub rows: usize,
    /// Rows without problems.
    pub valid: usize,
    /// The first problems (up to [`MAX_REPORTED_ERRORS`]).
    pub errors: Vec<import::RowError>,
    pub error_count: usize,
    /// New assessments, when written (the other valid rows were already stored).
    pub inserted: Option<usize>,
}

/// Imports assessments (工号, 技能编码, 等级, 分数, 方式, 评估人, 评估日期, 证据): all rows or
/// none; rows already stored (same employee, skill, date and method) are left as they are.
pub async fn import_assessments(
    ctx: &Context,
    principal: Option<&Principal>,
    bytes: &[u8],
    source: &str,
    dry_run: bool,
    actor: &Actor,
) -> DomainResult<AssessmentImportReport> {
    require_company_people_manager(principal)?;
    let table = import::table::read_table(bytes).map_err(|e| DomainError::invalid("file", e.0))?;
    let refs = ctx.store.competency_refs(ctx.today()).await?;
    let (records, mut errors) =
        import::competency::plan_assessments(&table.headers, &table.rows, &refs);
    let inserted = if errors.is_empty() && !dry_run {
        Some(
            ctx.store
                .import_assessments(&records, source, actor)
                .await?,
        )
    } else {
        None
    };
    let error_count = errors.len();
    errors.truncate(MAX_REPORTED_ERRORS);
    Ok(AssessmentImportReport {
        rows: table.rows.len(),
        valid: records.len(),
        errors,
        error_count,
        inserted,
    })
}

/// Outcome of a competency-model import.
#[derive(Debug)]
pub struct ModelImportReport {
    /// Data rows in the file.
    pub rows: usize,
    /// The first problems (up to [`MAX_REPORTED_ERRORS`]).
    pub errors: Vec<import::RowError>,
    pub error_count: usize,
    /// (positions, requirements) when written.
    pub written: Option<(usize, usize)>,
}

/// Imports competency models (岗位编码, 技能编码, 要求等级, 层级): for every position in the
/// file, its directly set requirements become exactly the file's rows; all rows or none.
pub async fn import_competency_models(
    ctx: &Context,
    principal: Option<&Principal>,
    bytes: &[u8],
    source: &str,
    dry_run: bool,
    actor: &Actor,
) -> DomainResult<ModelImportReport> {
    require_company_people_manager(principal)?;
    let table = import::table::read_table(bytes).map_err(|e| DomainError::invalid("file", e.0))?;
    let refs = ctx.store.competency_refs(ctx.today()).await?;
    let (records, mut errors) = import::competency::plan_models(&table.headers, &table.rows, &refs);
    let written = if errors.is_empty() && !dry_run {
        Some(
            ctx.store
                .replace_position_models(&records, source, actor)
                .await?,
        )
    } else {
        None
    };
    let error_count = errors.len();
    errors.truncate(MAX_REPORTED_ERRORS);
    Ok(ModelImportReport {
        rows: table.rows.len(),
        errors,
        error_count,
        written,
    })
}

/// Every competency model as an XLSX workbook in `locale`, recorded in the audit log;
/// returns the file and its number of requirement rows. The headers are ones the model
/// import recognises, so an edited export can be imported again.
pub async fn export_competency_models(
    ctx: &Context,
    principal: Option<&Principal>,
    locale: i18n::Locale,
    actor: &Actor,
) -> DomainResult<(Vec<u8>, usize)> {
    use domain::audit::AuditRepository;
    require_company_people_manager(principal)?;
    let rows = ctx.store.competency_model_rows().await?;
    let bytes = models_workbook(i18n::Tr(locale), &rows)
        .map_err(|e| DomainError::internal_from("cannot build the workbook", e))?;
    let after = serde_json::json!({ "rows": rows.len() });
    ctx.store
        .append_audit(
            &actor
                .entry("competency_model.export", "competency_model")
                .change(None, Some(after.to_string())),
        )
        .await?;
    Ok((bytes, rows.len()))
}

fn models_workbook(
    t: i18n::Tr,
    rows: &[store::ModelExportRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("models.sheet"))?;
    let bold = Format::new().set_bold();
    for (col, key) in MODEL_EXPORT_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, m) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, value) in [
            &m.position_code,
            &m.position_name,
            &m.skill_code,
            &m.skill_name,
            &m.area,
        ]
        .into_iter()
        .enumerate()
        {
            sheet.write_string(r, col as u16, value)?;
        }
        sheet.write_number(r, 5, f64::from(m.required_level))?;
        sheet.write_string(r, 6, t.get(&format!("gaps.tier.{}", m.tier)))?;
        sheet.write_string(r, 7, t.get(&format!("models.source.{}", m.source)))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

/// Text keys of the model export's columns, in order.
pub const MODEL_EXPORT_HEADERS: [&str; 8] = [
    "models.position_code",
    "models.position_name",
    "models.skill_code",
    "models.skill_name",
    "models.area",
    "models.required_level",
    "models.tier",
    "models.source",
];

/// Fails unless the caller (if any: the CLI has none) keeps programs company-wide: a
/// history file names people and programs across the whole company.
pub fn require_company_program_manager(principal: Option<&Principal>) -> DomainResult<()> {
    match principal {
        Some(p) if !p.scope_for(Permission::ManagePrograms).company => Err(DomainError::Forbidden),
        _ => Ok(()),
    }
}

/// Outcome of a training-records import.
#[derive(Debug)]
pub struct TrainingRecordImportReport {
    /// Data rows in the file.
    pub rows: usize,
    /// Rows without problems.
    pub valid: usize,
    /// The first problems (up to [`MAX_REPORTED_ERRORS`]), by row.
    pub errors: Vec<import::RowError>,
    pub error_count: usize,
    /// What the import did, or for a dry run would do; `None` when the file has problems.
    pub outcome: Option<domain::training_records::TrainingRecordOutcome>,
    /// Whether `outcome` was committed (false for a dry run).
    pub written: bool,
}

/// Imports training history (项目编码, 项目名称, 工号, 开始日期, 完成日期, 状态, 学时, 成绩,
/// 人均费用): new program codes become historical programs, every row an imported
/// enrolment; all rows or none. A dry run does the whole import and rolls it back, so
/// its counts are exact.
pub async fn import_training_records(
    ctx: &Context,
    principal: Option<&Principal>,
    bytes: &[u8],
    source: &str,
    dry_run: bool,
    actor: &Actor,
) -> DomainResult<TrainingRecordImportReport> {
    require_company_program_manager(principal)?;
    let (headers, rows) =
        import::table::stream_rows(bytes).map_err(|e| DomainError::invalid("file", e.0))?;
    let refs = ctx.store.training_record_refs(ctx.today()).await?;
    let (plan, mut errors) = import::training_records::plan_training_records(&headers, rows, &refs);
    drop(refs);
    let existing: Vec<i64> = plan
        .programs
        .iter()
        .filter_map(|p| p.existing.as_ref().map(|e| e.id))
        .collect();
    let mut valid = plan.records.len();
    if !existing.is_empty() {
        let live = ctx.store.live_enrollments(&existing).await?;
        let conflicts = plan.live_conflicts(&live);
        valid -= conflicts.len();
        errors.extend(conflicts);
        errors.sort_by_key(|e| e.row);
    }
    let outcome = if errors.is_empty() {
        Some(
            ctx.store
                .import_training_records(&plan, source, actor, !dry_run)
                .await?,
        )
    } else {
        None
    };
    let error_count = errors.len();
    errors.truncate(MAX_REPORTED_ERRORS);
    Ok(TrainingRecordImportReport {
        rows: plan.rows,
        valid,
        errors,
        error_count,
        written: outcome.is_some() && !dry_run,
        outcome,
    })
}
