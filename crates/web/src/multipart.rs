//! Multipart uploads: the HTTP side of a library file upload.

use crate::state::AppState;
use axum::extract::Multipart;
use domain::audit::Actor;
use domain::library::FileEntry;
use domain::{DomainError, DomainResult};
use service::library::UploadTarget;

/// Streams the multipart field `file` into the files of the resource `target` names
/// through the use case; `None` when the form carries no `file` field.
pub async fn receive_file(
    state: &AppState,
    actor: &Actor,
    target: &UploadTarget,
    mut multipart: Multipart,
) -> DomainResult<Option<FileEntry>> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            DomainError::TooLarge {
                what: "file".into(),
                limit: files::human_size(state.settings.upload_limit_bytes),
            }
        } else {
            DomainError::invalid("file", e.body_text())
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_string();
        let entry =
            service::library::store_upload(state, actor, target, &name, Box::pin(field)).await?;
        return Ok(Some(entry));
    }
    Ok(None)
}
