//! The imports: employees, KPI definitions and values, assessments, competency models
//! and training records, as the CLI and the upload pages submit them.
//!
//! Every import goes through one workflow, [`run`]: permission → read the file and map
//! and validate every row ([`Import::plan`]) → dry run or write in one transaction,
//! all rows or none ([`Gate`]) → one [`ImportReport`]. An import says only how it
//! reads, validates and writes its rows.

use crate::Context;
use domain::audit::Actor;
use domain::{DomainError, DomainResult, Permission, Principal};
pub use import::Checked;
use store::prelude::*;

/// Problems kept in a report; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = import::KEPT_ERRORS;

/// One file to import, as the CLI and the upload pages submit it.
pub struct ImportRequest<K> {
    /// File content (CSV or XLSX).
    pub bytes: Vec<u8>,
    /// File name, for the audit log.
    pub source: String,
    /// Validate and report only.
    pub dry_run: bool,
    /// Which import, with its own options.
    pub kind: K,
}

impl<K> ImportRequest<K> {
    pub fn new(bytes: Vec<u8>, source: impl Into<String>, dry_run: bool, kind: K) -> Self {
        Self {
            bytes,
            source: source.into(),
            dry_run,
            kind,
        }
    }
}

/// The rows of a file, mapped and validated.
pub struct Planned<P> {
    /// Rows read, valid rows and problems (for a stream: so far).
    pub checked: Checked,
    /// What is written; `None` when the file's columns cannot be used at all.
    pub plan: Option<P>,
    /// Remarks that are not problems.
    pub notes: Vec<String>,
    /// The column mapping used, as `field=Header` lines (imports that map columns).
    pub mapping: Option<String>,
}

impl<P> Planned<P> {
    fn new(checked: Checked, plan: P) -> Self {
        Self {
            checked,
            plan: Some(plan),
            notes: Vec::new(),
            mapping: None,
        }
    }

    /// A file whose columns cannot be used: its problems, nothing to write.
    fn refused(rows: usize, errors: Vec<import::RowError>) -> Self {
        Self {
            checked: Checked::new(rows, 0, errors),
            plan: None,
            notes: Vec::new(),
            mapping: None,
        }
    }
}

/// The all-or-nothing rule of every import, applied by [`run`] before a write starts
/// and by a streaming write before it commits.
#[derive(Debug, Clone, Copy)]
pub struct Gate {
    dry_run: bool,
    valid_only: bool,
}

impl Gate {
    /// Whether rows so checked may be written: every row is valid, or only the valid
    /// rows were wanted.
    pub fn accepts(&self, checked: &Checked) -> bool {
        checked.error_count == 0 || self.valid_only
    }

    /// Whether the transaction that wrote rows so checked commits (never on a dry run).
    pub fn commits(&self, checked: &Checked) -> bool {
        !self.dry_run && self.accepts(checked)
    }
}

/// A count of what an import did, labelled with the key of its text in `i18n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub label: &'static str,
    pub value: usize,
}

const fn count(label: &'static str, value: usize) -> Count {
    Count { label, value }
}

/// One of the six imports: how it reads, validates and writes its rows. [`run`] does
/// the rest, the same for all.
pub trait Import: Send + Sync + Sized + std::fmt::Debug {
    /// The validated rows, as the write takes them.
    type Plan: Send;
    /// What a write did.
    type Outcome: Send + std::fmt::Debug;
    /// Whether a dry run still goes through [`Import::write`], whose transaction is then
    /// rolled back: for a stream that is validated as it is written, and for an import
    /// that rehearses so that its preview gives exact counts.
    const DRY_RUN_WRITES: bool = false;
    /// Whether the import can write only the valid rows of a file with problems.
    const OFFERS_VALID_ONLY: bool = false;

    /// Refuses a caller who may not run this import (the CLI has none): by default,
    /// anyone but a company-wide people manager.
    fn allowed(principal: Option<&Principal>) -> DomainResult<()> {
        require_company_people_manager(principal)
    }

    /// Whether the valid rows are to be written even when some rows are bad.
    fn valid_only(&self) -> bool {
        false
    }

    /// Reads the file and maps and validates every row (a stream: opens it).
    fn plan(
        &self,
        ctx: &Context,
        bytes: Vec<u8>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<Planned<Self::Plan>>> + Send;

    /// Writes the plan in one transaction that commits only when `gate` allows it;
    /// `None` when nothing was done. A stream brings `checked` up to date.
    fn write(
        &self,
        ctx: &Context,
        plan: Self::Plan,
        checked: &mut Checked,
        gate: Gate,
        source: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<Option<Self::Outcome>>> + Send;

    /// What a dry run that does not write shows beyond the counts of rows: by default
    /// nothing (the employee full sync shows its diff).
    fn preview(&self, _plan: &Self::Plan) -> Option<Self::Outcome> {
        None
    }

    /// The outcome as labelled counts, for the pages.
    fn counts(outcome: &Self::Outcome, checked: &Checked) -> Vec<Count>;

    /// The outcome in words, for the command line.
    fn describe(outcome: &Self::Outcome, checked: &Checked) -> String;
}

/// What an import found and did.
#[derive(Debug)]
pub struct ImportReport<K: Import> {
    /// Data rows in the file.
    pub rows: usize,
    /// Rows without problems.
    pub valid: usize,
    /// The first problems (up to [`MAX_REPORTED_ERRORS`]), by row.
    pub errors: Vec<import::RowError>,
    /// Every problem found.
    pub error_count: usize,
    pub dry_run: bool,
    /// Whether the file passes the all-or-nothing rule (on a dry run: would be written).
    pub accepted: bool,
    /// Whether rows were written (committed).
    pub written: bool,
    /// What was written, or for an import that rehearses its dry run, would be.
    pub outcome: Option<K::Outcome>,
    /// Remarks that are not problems.
    pub notes: Vec<String>,
    /// The column mapping used, as `field=Header` lines (imports that map columns).
    pub mapping: Option<String>,
}

impl<K: Import> ImportReport<K> {
    fn checked(&self) -> Checked {
        Checked {
            rows: self.rows,
            valid: self.valid,
            errors: Vec::new(),
            error_count: self.error_count,
        }
    }

    /// The outcome as labelled counts (none when there is no outcome).
    pub fn counts(&self) -> Vec<Count> {
        self.outcome
            .as_ref()
            .map(|o| K::counts(o, &self.checked()))
            .unwrap_or_default()
    }

    /// The outcome in words, if there is one.
    pub fn describe(&self) -> Option<String> {
        self.outcome
            .as_ref()
            .map(|o| K::describe(o, &self.checked()))
    }
}

/// The workflow of every import: permission, read and validate every row, then a dry
/// run or a write in one transaction that commits all rows or none (or only the valid
/// ones, where the import offers that), and the report.
pub async fn run<K: Import>(
    ctx: &Context,
    principal: Option<&Principal>,
    request: ImportRequest<K>,
    actor: &Actor,
) -> DomainResult<ImportReport<K>> {
    K::allowed(principal)?;
    let ImportRequest {
        bytes,
        source,
        dry_run,
        kind,
    } = request;
    let gate = Gate {
        dry_run,
        valid_only: kind.valid_only(),
    };
    let Planned {
        mut checked,
        plan,
        notes,
        mapping,
    } = kind.plan(ctx, bytes, actor).await?;
    let accepted = plan.is_some() && gate.accepts(&checked);
    let outcome = match plan {
        Some(plan) if gate.accepts(&checked) && (!dry_run || K::DRY_RUN_WRITES) => {
            kind.write(ctx, plan, &mut checked, gate, &source, actor)
                .await?
        }
        Some(plan) if gate.accepts(&checked) => kind.preview(&plan),
        _ => None,
    };
    // A stream's problems are known only now.
    let accepted = accepted && gate.accepts(&checked);
    let mut errors = checked.errors;
    errors.truncate(MAX_REPORTED_ERRORS);
    Ok(ImportReport {
        rows: checked.rows,
        valid: checked.valid,
        errors,
        error_count: checked.error_count,
        dry_run,
        accepted,
        written: outcome.is_some() && !dry_run,
        outcome,
        notes,
        mapping,
    })
}

/// Reads a whole table; a file that cannot be read is a validation error of `file`.
fn read_table(bytes: &[u8]) -> DomainResult<import::table::Table> {
    import::table::read_table(bytes).map_err(|e| DomainError::invalid("file", e.0))
}

/// Fails unless the caller (if any: the CLI has none) manages people company-wide.
pub fn require_company_people_manager(principal: Option<&Principal>) -> DomainResult<()> {
    match principal {
        Some(p) if !p.manages_people_company_wide() => Err(DomainError::Forbidden),
        _ => Ok(()),
    }
}

/// Fails unless the caller (if any: the CLI has none) keeps programs company-wide: a
/// history file names people and programs across the whole company.
pub fn require_company_program_manager(principal: Option<&Principal>) -> DomainResult<()> {
    match principal {
        Some(p) if !p.scope_for(Permission::ManagePrograms).company => Err(DomainError::Forbidden),
        _ => Ok(()),
    }
}

// ---- Employees ----------------------------------------------------------------------

/// The employee import: columns mapped by a saved mapping and `field=Header` pairs.
#[derive(Debug, Clone, Default)]
pub struct Employees {
    /// A saved mapping to start from.
    pub mapping_name: Option<String>,
    /// `field=Header` pairs that override the saved mapping.
    pub pairs: Vec<String>,
    /// Save the effective mapping under this name.
    pub save_mapping_as: Option<String>,
    pub options: import::employees::Options,
    /// The file is the whole company: people absent from it leave (see `hr_sync`).
    pub full: bool,
    /// Sync even when more than the allowed share of people would leave.
    pub force: bool,
}

/// An employee import as the CLI and the upload page submit it.
pub type EmployeeImportRequest = ImportRequest<Employees>;

/// Kind of saved mappings for employee imports.
pub const EMPLOYEE_MAPPING_KIND: &str = "employees";

/// Names of the saved column mappings for employee imports (company-wide people managers).
pub async fn employee_mappings(ctx: &Context, caller: &Principal) -> DomainResult<Vec<String>> {
    require_company_people_manager(Some(caller))?;
    ctx.store.import_mapping_names(EMPLOYEE_MAPPING_KIND).await
}

/// A name given in a form or flag, unless blank.
fn given(name: &Option<String>) -> Option<&str> {
    name.as_deref().map(str::trim).filter(|n| !n.is_empty())
}

impl Employees {
    /// The saved mapping's pairs overridden by the explicit ones.
    async fn pairs(&self, ctx: &Context) -> DomainResult<Vec<(import::employees::Target, String)>> {
        use import::employees::Mapping;
        let mut pairs = Vec::new();
        if let Some(name) = given(&self.mapping_name) {
            let saved = ctx
                .store
                .import_mapping(EMPLOYEE_MAPPING_KIND, name)
                .await?
                .ok_or_else(|| {
                    DomainError::invalid("mapping", format!("no saved mapping is called '{name}'"))
                })?;
            pairs.extend(
                Mapping::parse_pairs(saved.lines())
                    .map_err(|e| DomainError::invalid("mapping", e))?,
            );
        }
        let explicit = Mapping::parse_pairs(self.pairs.iter().map(String::as_str))
            .map_err(|e| DomainError::invalid("map", e))?;
        pairs.retain(|(f, _)| !explicit.iter().any(|(g, _)| g == f));
        pairs.extend(explicit);
        Ok(pairs)
    }
}

impl Import for Employees {
    type Plan = (
        import::employees::Plan,
        import::employees::Known,
        domain::hr_sync::SyncDiff,
    );
    type Outcome = store::EmployeeImportOutcome;
    const OFFERS_VALID_ONLY: bool = true;

    fn valid_only(&self) -> bool {
        self.options.valid_only
    }

    async fn plan(
        &self,
        ctx: &Context,
        bytes: Vec<u8>,
        actor: &Actor,
    ) -> DomainResult<Planned<Self::Plan>> {
        use import::employees::{Mapping, map_columns, plan};
        if self.full && self.options.valid_only {
            return Err(DomainError::invalid(
                "valid_only",
                "a full sync cannot skip bad rows: the people on them would be taken for leavers",
            ));
        }
        let table = read_table(&bytes)?;
        drop(bytes);
        let pairs = self.pairs(ctx).await?;
        let mapping = match map_columns(&table.headers, &pairs) {
            Ok(m) => m,
            Err(errors) => {
                return Ok(Planned {
                    mapping: Some(Mapping::default().to_lines()),
                    ..Planned::refused(table.rows.len(), errors)
                });
            }
        };
        if let Some(name) = given(&self.save_mapping_as) {
            ctx.store
                .save_import_mapping(EMPLOYEE_MAPPING_KIND, name, &mapping.to_lines(), actor)
                .await?;
        }
        let known = ctx.store.import_known().await?;
        let plan = plan(&table, mapping, &known, self.options);
        drop(table);
        let checked = Checked::new(plan.total_rows, plan.records.len(), plan.errors.clone());
        let snapshot = ctx.store.sync_snapshot().await?;
        let manager_mapped = plan
            .mapping
            .columns
            .contains_key(&import::employees::Field::Manager);
        let diff = crate::hr_sync::diff(
            &snapshot,
            &plan.records,
            self.full,
            manager_mapped,
            ctx.today(),
        );
        drop(snapshot);
        let mut notes = plan.notes.clone();
        if self.full
            && let Err(refusal) = crate::hr_sync::check_leaver_share(
                &diff,
                ctx.settings.sync_max_leaver_share,
                self.force,
            )
        {
            notes.push(refusal.to_string());
        }
        Ok(Planned {
            notes,
            mapping: Some(plan.mapping.to_lines()),
            ..Planned::new(checked, (plan, known, diff))
        })
    }

    async fn write(
        &self,
        ctx: &Context,
        (plan, known, diff): Self::Plan,
        _: &mut Checked,
        _: Gate,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<Self::Outcome>> {
        if self.full {
            crate::hr_sync::check_leaver_share(
                &diff,
                ctx.settings.sync_max_leaver_share,
                self.force,
            )?;
        }
        let mut outcome = ctx
            .store
            .apply_employee_import(&plan, &known, &diff, source, actor)
            .await?;
        // Everyone who works here gets a login (they sign in through the directory).
        outcome.provisioned = ctx
            .store
            .provision_logins(None, ctx.settings.login_username, actor)
            .await?;
        Ok(Some(outcome))
    }

    fn preview(&self, (_, _, diff): &Self::Plan) -> Option<Self::Outcome> {
        self.full.then(|| store::EmployeeImportOutcome {
            diff: diff.clone(),
            preview: true,
            ..Default::default()
        })
    }

    fn counts(o: &Self::Outcome, _: &Checked) -> Vec<Count> {
        let d = &o.diff;
        let mut counts = if o.preview {
            Vec::new()
        } else {
            vec![
                count("import.inserted", o.inserted),
                count("import.updated", o.updated),
                count("import.unchanged", o.unchanged),
                count("import.departments_created", o.departments_created),
                count("import.positions_created", o.positions_created),
            ]
        };
        if d.full || !d.is_empty() {
            counts.extend([
                count("hr_sync.hires", d.hires.len() + d.rehires.len()),
                count("hr_sync.leavers", d.leavers.len()),
                count("hr_sync.transfers", d.transfers.len()),
                count("hr_sync.position_changes", d.position_changes.len()),
                count("hr_sync.field_changes", d.field_changes.len()),
            ]);
        }
        if !o.preview {
            counts.extend([
                count(
                    "hr_sync.accounts_disabled",
                    o.leavers.accounts_disabled.len(),
                ),
                count(
                    "hr_sync.enrollments_cancelled",
                    o.leavers.enrollments_cancelled.len(),
                ),
                count(
                    "hr_sync.approvals_reassigned",
                    o.leavers.approvals_reassigned.len(),
                ),
                count(
                    "hr_sync.approvals_cancelled",
                    o.leavers.approvals_cancelled.len(),
                ),
                count("hr_sync.logins_created", o.provisioned.created.len()),
            ]);
        }
        counts
    }

    fn describe(o: &Self::Outcome, _: &Checked) -> String {
        if o.preview {
            return crate::hr_sync::describe_diff(&o.diff);
        }
        let mut text = format!(
            "{} new, {} updated, {} unchanged, {} manager links changed, {} departments and {} positions created, {} KPI values written",
            o.inserted,
            o.updated,
            o.unchanged,
            o.managers_changed,
            o.departments_created,
            o.positions_created,
            o.kpi_values_written
        );
        if o.diff.full || !o.diff.is_empty() {
            text.push('\n');
            text.push_str(&crate::hr_sync::describe_diff(&o.diff));
        }
        text.push('\n');
        text.push_str(&crate::hr_sync::describe_consequences(o));
        text
    }
}

/// Reads, validates and (unless a dry run, or rows are bad and skipping was not chosen)
/// writes an employee file. Only a company-wide people manager may import.
pub async fn import_employees(
    ctx: &Context,
    principal: Option<&Principal>,
    request: EmployeeImportRequest,
    actor: &Actor,
) -> DomainResult<ImportReport<Employees>> {
    run(ctx, principal, request, actor).await
}

// ---- KPI definitions ----------------------------------------------------------------

/// The KPI definitions import (指标编码, 指标名称, 单位, 方向, 汇总, 来源系统): created or
/// updated by code, all rows or none.
#[derive(Debug, Clone, Copy, Default)]
pub struct KpiDefinitions;

impl Import for KpiDefinitions {
    type Plan = Vec<domain::performance::KpiInput>;
    /// (created, updated).
    type Outcome = (usize, usize);

    async fn plan(
        &self,
        ctx: &Context,
        bytes: Vec<u8>,
        _: &Actor,
    ) -> DomainResult<Planned<Self::Plan>> {
        let table = read_table(&bytes)?;
        let departments = ctx.store.kpi_value_refs().await?.departments;
        let (kpis, errors) =
            import::kpis::plan_definitions(&table.headers, &table.rows, &departments);
        Ok(Planned::new(
            Checked::new(table.rows.len(), kpis.len(), errors),
            kpis,
        ))
    }

    async fn write(
        &self,
        ctx: &Context,
        kpis: Self::Plan,
        _: &mut Checked,
        _: Gate,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<Self::Outcome>> {
        Ok(Some(ctx.store.upsert_kpis(&kpis, source, actor).await?))
    }

    fn counts(&(created, updated): &Self::Outcome, _: &Checked) -> Vec<Count> {
        vec![
            count("import.inserted", created),
            count("import.updated", updated),
        ]
    }

    fn describe(&(created, updated): &Self::Outcome, _: &Checked) -> String {
        format!("{created} KPI definitions created, {updated} updated")
    }
}

/// Imports KPI definitions (指标编码, 指标名称, 单位, 方向, 汇总, 来源系统): all rows or none.
pub async fn import_kpi_definitions(
    ctx: &Context,
    principal: Option<&Principal>,
    bytes: &[u8],
    source: &str,
    dry_run: bool,
    actor: &Actor,
) -> DomainResult<ImportReport<KpiDefinitions>> {
    let request = ImportRequest::new(bytes.to_vec(), source, dry_run, KpiDefinitions);
    run(ctx, principal, request, actor).await
}

// ---- KPI values ---------------------------------------------------------------------

/// The KPI values import, long or wide format: the file streams through one
/// transaction, validated as it is written, committed only if the gate allows.
#[derive(Debug, Clone, Copy, Default)]
pub struct KpiValues {
    /// Write the valid rows even if some rows are bad.
    pub valid_only: bool,
}

/// A value stream that hands the store nothing more once the gate would not commit it.
struct Gated<'a> {
    values: &'a mut import::kpis::ValueImport,
    gate: Gate,
}

impl import::kpis::ValueBatches for Gated<'_> {
    fn next_batch(&mut self) -> Option<Vec<import::kpis::ValueRecord>> {
        let batch = self.values.next()?;
        // A dry run, or a file already known to be rejected, still reads to the end to
        // report every problem, but hands nothing to the store.
        Some(if self.writable() { batch } else { Vec::new() })
    }

    fn writable(&self) -> bool {
        self.gate.commits(&self.values.checked)
    }
}

impl Import for KpiValues {
    type Plan = import::kpis::ValueImport;
    type Outcome = store::ValueImportOutcome;
    const DRY_RUN_WRITES: bool = true;
    const OFFERS_VALID_ONLY: bool = true;

    fn valid_only(&self) -> bool {
        self.valid_only
    }

    async fn plan(
        &self,
        ctx: &Context,
        bytes: Vec<u8>,
        _: &Actor,
    ) -> DomainResult<Planned<Self::Plan>> {
        let refs = ctx.store.kpi_value_refs().await?;
        Ok(match import::kpis::ValueImport::open(bytes, refs) {
            Ok(values) => Planned::new(Checked::default(), values),
            Err(errors) => Planned::refused(0, errors),
        })
    }

    async fn write(
        &self,
        ctx: &Context,
        mut values: Self::Plan,
        checked: &mut Checked,
        gate: Gate,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<Self::Outcome>> {
        let mut gated = Gated {
            values: &mut values,
            gate,
        };
        let outcome = ctx
            .store
            .import_kpi_values(&mut gated, source, actor)
            .await?;
        *checked = values.checked;
        if outcome.is_some() {
            // New figures move the targets' progress, and with it the weight of skill gaps.
            ctx.store.refresh_target_progress(None).await?;
        }
        Ok(outcome)
    }

    fn counts(o: &Self::Outcome, _: &Checked) -> Vec<Count> {
        vec![
            count("performance.written", o.written as usize),
            count("import.unchanged", o.unchanged as usize),
        ]
    }

    fn describe(o: &Self::Outcome, _: &Checked) -> String {
        format!(
            "{} KPI values written (new or changed), {} unchanged",
            o.written, o.unchanged
        )
    }
}

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
) -> DomainResult<ImportReport<KpiValues>> {
    let request = ImportRequest::new(bytes.to_vec(), source, dry_run, KpiValues { valid_only });
    run(ctx, principal, request, actor).await
}

// ---- Assessments --------------------------------------------------------------------

/// The assessments import (工号, 技能编码, 等级, 分数, 方式, 评估人, 评估日期, 证据): all rows
/// or none; rows already stored (same employee, skill, date and method) are left as they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct Assessments;

impl Import for Assessments {
    type Plan = Vec<import::competency::AssessmentRecord>;
    /// New assessments (the other valid rows were already stored).
    type Outcome = usize;

    async fn plan(
        &self,
        ctx: &Context,
        bytes: Vec<u8>,
        _: &Actor,
    ) -> DomainResult<Planned<Self::Plan>> {
        let table = read_table(&bytes)?;
        let refs = ctx.store.competency_refs(ctx.today()).await?;
        let (records, errors) =
            import::competency::plan_assessments(&table.headers, &table.rows, &refs);
        Ok(Planned::new(
            Checked::new(table.rows.len(), records.len(), errors),
            records,
        ))
    }

    async fn write(
        &self,
        ctx: &Context,
        records: Self::Plan,
        _: &mut Checked,
        _: Gate,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<Self::Outcome>> {
        Ok(Some(
            ctx.store
                .import_assessments(&records, source, actor)
                .await?,
        ))
    }

    fn counts(&inserted: &Self::Outcome, checked: &Checked) -> Vec<Count> {
        vec![
            count("import.inserted", inserted),
            count("competency_import.already_stored", checked.valid - inserted),
        ]
    }

    fn describe(&inserted: &Self::Outcome, checked: &Checked) -> String {
        format!(
            "{inserted} new assessments, {} already stored",
            checked.valid - inserted
        )
    }
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
) -> DomainResult<ImportReport<Assessments>> {
    let request = ImportRequest::new(bytes.to_vec(), source, dry_run, Assessments);
    run(ctx, principal, request, actor).await
}

// ---- Competency models --------------------------------------------------------------

/// The competency-model import (岗位编码, 技能编码, 要求等级, 层级): for every position in
/// the file, its directly set requirements become exactly the file's rows; all rows or none.
#[derive(Debug, Clone, Copy, Default)]
pub struct CompetencyModels;

impl Import for CompetencyModels {
    type Plan = Vec<import::competency::ModelRecord>;
    /// (positions, requirements).
    type Outcome = (usize, usize);

    async fn plan(
        &self,
        ctx: &Context,
        bytes: Vec<u8>,
        _: &Actor,
    ) -> DomainResult<Planned<Self::Plan>> {
        let table = read_table(&bytes)?;
        let refs = ctx.store.competency_refs(ctx.today()).await?;
        let (records, errors) = import::competency::plan_models(&table.headers, &table.rows, &refs);
        Ok(Planned::new(
            Checked::new(table.rows.len(), records.len(), errors),
            records,
        ))
    }

    async fn write(
        &self,
        ctx: &Context,
        records: Self::Plan,
        _: &mut Checked,
        _: Gate,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<Self::Outcome>> {
        Ok(Some(
            ctx.store
                .replace_position_models(&records, source, actor)
                .await?,
        ))
    }

    fn counts(&(positions, requirements): &Self::Outcome, _: &Checked) -> Vec<Count> {
        vec![
            count("competency_import.positions", positions),
            count("competency_import.requirements", requirements),
        ]
    }

    fn describe(&(positions, requirements): &Self::Outcome, _: &Checked) -> String {
        format!("{requirements} requirements set directly for {positions} positions")
    }
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
) -> DomainResult<ImportReport<CompetencyModels>> {
    let request = ImportRequest::new(bytes.to_vec(), source, dry_run, CompetencyModels);
    run(ctx, principal, request, actor).await
}

// ---- Competency model export --------------------------------------------------------

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

// ---- Training records ---------------------------------------------------------------

/// The training-history import (项目编码, 项目名称, 工号, 开始日期, 完成日期, 状态, 学时, 成绩,
/// 人均费用): new program codes become historical programs, every row an imported
/// enrollment; all rows or none. A dry run does the whole import and rolls it back, so
/// its counts are exact.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrainingRecords;

impl Import for TrainingRecords {
    type Plan = import::training_records::TrainingRecordPlan;
    type Outcome = domain::training_records::TrainingRecordOutcome;
    const DRY_RUN_WRITES: bool = true;

    fn allowed(principal: Option<&Principal>) -> DomainResult<()> {
        require_company_program_manager(principal)
    }

    async fn plan(
        &self,
        ctx: &Context,
        bytes: Vec<u8>,
        _: &Actor,
    ) -> DomainResult<Planned<Self::Plan>> {
        let (headers, rows) =
            import::table::stream_rows(bytes).map_err(|e| DomainError::invalid("file", e.0))?;
        let (plan, mut errors) = {
            let refs = ctx.store.training_record_refs(ctx.today()).await?;
            import::training_records::plan_training_records(&headers, rows, &refs)
        };
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
        Ok(Planned::new(Checked::new(plan.rows, valid, errors), plan))
    }

    async fn write(
        &self,
        ctx: &Context,
        plan: Self::Plan,
        checked: &mut Checked,
        gate: Gate,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<Self::Outcome>> {
        let commit = gate.commits(checked);
        Ok(Some(
            ctx.store
                .import_training_records(&plan, source, actor, commit)
                .await?,
        ))
    }

    fn counts(o: &Self::Outcome, _: &Checked) -> Vec<Count> {
        let mut counts = vec![
            count("training_records.programs_created", o.programs_created),
            count(
                "training_records.enrollments_created",
                o.enrollments_created,
            ),
            count("import.updated", o.enrollments_updated),
            count("import.unchanged", o.enrollments_unchanged),
        ];
        if o.programs_updated > 0 {
            counts.push(count(
                "training_records.programs_updated",
                o.programs_updated,
            ));
        }
        counts
    }

    fn describe(o: &Self::Outcome, _: &Checked) -> String {
        format!(
            "{} historical programs created, {} with more hours; {} enrollments created, {} updated, {} unchanged",
            o.programs_created,
            o.programs_updated,
            o.enrollments_created,
            o.enrollments_updated,
            o.enrollments_unchanged,
        )
    }
}

/// Imports training history (项目编码, 项目名称, 工号, 开始日期, 完成日期, 状态, 学时, 成绩,
/// 人均费用): new program codes become historical programs, every row an imported
/// enrollment; all rows or none. A dry run does the whole import and rolls it back, so
/// its counts are exact.
pub async fn import_training_records(
    ctx: &Context,
    principal: Option<&Principal>,
    bytes: &[u8],
    source: &str,
    dry_run: bool,
    actor: &Actor,
) -> DomainResult<ImportReport<TrainingRecords>> {
    let request = ImportRequest::new(bytes.to_vec(), source, dry_run, TrainingRecords);
    run(ctx, principal, request, actor).await
}
