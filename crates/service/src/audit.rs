//! The audit log, as system administrators read it.

use crate::Context;
use crate::access::require;
use domain::audit::{AuditEntry, AuditFilter, AuditRepository};
use domain::{DomainResult, Page, Paged, Permission, Principal};

/// Audit entries matching `filter`, newest first.
pub async fn list_audit(
    ctx: &Context,
    caller: &Principal,
    filter: &AuditFilter,
    page: Page,
) -> DomainResult<Paged<AuditEntry>> {
    require(caller, Permission::ViewAudit)?;
    ctx.store.list_audit(filter, page).await
}
