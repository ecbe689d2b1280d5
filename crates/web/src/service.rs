//! Use cases shared by the API and the UI, so both enforce the same rules.

use crate::auth::{hash_password, verify_password};
use crate::state::AppState;
use domain::account::{AccountRepository, NewUser, User, validate_password, validate_username};
use domain::audit::Actor;
use domain::org::{Employee, OrgRepository};
use domain::{DataScope, DomainError, DomainResult, Permission, Principal, Role, ScopeKind};

/// The caller's scope for `permission`; `Forbidden` when it covers nothing.
pub fn scope_or_forbidden(
    principal: &Principal,
    permission: Permission,
) -> DomainResult<DataScope> {
    let scope = principal.scope_for(permission);
    if scope.is_empty() {
        Err(DomainError::Forbidden)
    } else {
        Ok(scope)
    }
}

/// Fails with `Forbidden` unless the caller has `permission` somewhere.
pub fn require(principal: &Principal, permission: Permission) -> DomainResult<()> {
    if principal.can(permission) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Masks contact details the caller may not see (their own are always visible).
pub fn apply_contact_mask(principal: &Principal, employee: &mut Employee) {
    let own = principal.employee_id == Some(employee.id);
    if !own
        && !principal
            .scope_for(Permission::ViewContactDetails)
            .covers(&employee.department_path, Some(employee.id))
    {
        employee.mask_contact_details();
    }
}

/// Turns role/scope codes into a grant, resolving a department code.
pub async fn parse_grant(
    state: &AppState,
    role: &str,
    scope: &str,
    department_code: Option<&str>,
) -> DomainResult<(Role, ScopeKind)> {
    let role = Role::parse(role.trim()).ok_or_else(|| {
        DomainError::invalid("role", format!("unknown role '{role}'; expected one of employee, manager, training_admin, instructor, reviewer, executive, system_admin"))
    })?;
    let scope = match scope.trim() {
        "self" => ScopeKind::SelfOnly,
        "company" => ScopeKind::Company,
        "department" => {
            let code = department_code
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    DomainError::invalid("department_code", "required for a department scope")
                })?;
            let dept = state
                .store
                .find_department_by_code(code)
                .await?
                .ok_or_else(|| {
                    DomainError::invalid(
                        "department_code",
                        format!("no department has code '{code}'"),
                    )
                })?;
            ScopeKind::Department(dept.id)
        }
        other => {
            return Err(DomainError::invalid(
                "scope",
                format!("unknown scope '{other}'; expected self, department or company"),
            ));
        }
    };
    Ok((role, scope))
}

/// Input for a new account.
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub employee_no: Option<String>,
    pub grants: Vec<(Role, ScopeKind)>,
}

/// Validates and creates an account (password hashed off the async threads).
pub async fn create_account(
    state: &AppState,
    input: AccountInput,
    actor: &Actor,
) -> DomainResult<User> {
    let username = input.username.trim().to_string();
    validate_username(&username)?;
    validate_password(&input.password, &username)?;
    let employee_id = match input
        .employee_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(no) => Some(state.store.find_employee_id(no).await?.ok_or_else(|| {
            DomainError::invalid("employee_no", format!("no employee has number '{no}'"))
        })?),
        None => None,
    };
    let password = input.password;
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))??;
    let user = NewUser {
        username,
        display_name: input.display_name,
        password_hash,
        employee_id,
        grants: input.grants,
    };
    state.store.create_user(&user, actor).await
}

/// Changes the caller's password after checking the current one; ends their other sessions.
pub async fn change_password(
    state: &AppState,
    principal: &Principal,
    current: &str,
    new: &str,
    keep_session_hash: Option<&str>,
    actor: &Actor,
) -> DomainResult<()> {
    let credentials = state
        .store
        .find_credentials(&principal.username)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let (current, stored) = (current.to_string(), credentials.password_hash);
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, &stored))
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    if !ok {
        return Err(DomainError::invalid("current_password", "is wrong"));
    }
    validate_password(new, &principal.username)?;
    let new = new.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))??;
    state
        .store
        .set_password(principal.user_id, &hash, keep_session_hash, actor)
        .await
}

/// Disables or enables an account; one cannot disable oneself.
pub async fn set_account_active(
    state: &AppState,
    principal: &Principal,
    user_id: i64,
    active: bool,
    actor: &Actor,
) -> DomainResult<()> {
    require(principal, Permission::ManageAccounts)?;
    if !active && user_id == principal.user_id {
        return Err(DomainError::invalid(
            "user",
            "you cannot disable your own account",
        ));
    }
    state.store.get_user(user_id).await?;
    state.store.set_active(user_id, active, actor).await
}

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

/// Kind of saved mappings for employee imports.
pub const EMPLOYEE_MAPPING_KIND: &str = "employees";

/// Reads, validates and (unless a dry run, or rows are bad and skipping was not chosen)
/// writes an employee file. Only a company-wide people manager may import.
pub async fn import_employees(
    state: &AppState,
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
        let saved = state
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
        state
            .store
            .save_import_mapping(EMPLOYEE_MAPPING_KIND, name, &mapping.to_lines(), actor)
            .await?;
    }
    let known = state.store.import_known().await?;
    let plan = plan(&table, mapping, &known, request.options);
    let outcome = if request.dry_run || !plan.writable() {
        None
    } else {
        Some(
            state
                .store
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
    state: &AppState,
    principal: Option<&Principal>,
    bytes: &[u8],
    source: &str,
    dry_run: bool,
    actor: &Actor,
) -> DomainResult<KpiDefinitionsReport> {
    require_company_people_manager(principal)?;
    let table = import::table::read_table(bytes).map_err(|e| DomainError::invalid("file", e.0))?;
    let departments = state.store.kpi_value_refs().await?.departments;
    let (kpis, errors) = import::kpis::plan_definitions(&table.headers, &table.rows, &departments);
    let written = if errors.is_empty() && !dry_run {
        Some(state.store.upsert_kpis(&kpis, source, actor).await?)
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
    state: &AppState,
    principal: Option<&Principal>,
    bytes: &[u8],
    source: &str,
    valid_only: bool,
    dry_run: bool,
    actor: &Actor,
) -> DomainResult<KpiValuesReport> {
    require_company_people_manager(principal)?;
    let refs = state.store.kpi_value_refs().await?;
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
    let outcome = state
        .store
        .import_kpi_values(&mut reader, source, actor)
        .await?;
    if outcome.is_some() {
        // New figures move the targets' progress, and with it the weight of skill gaps.
        state.store.refresh_target_progress(None).await?;
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
