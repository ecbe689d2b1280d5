//! Resource files (videos, documents, slides) in an object store: a folder on local
//! disk by default, an S3-compatible bucket in production.
//!
//! This is its own crate, not a module of the store: it holds no SQL and knows nothing
//! of the database, the web layer streams bytes out of it (range requests for video)
//! without going through the store, and its tests need no database. The S3 client's
//! HTTP/TLS stack stays out of crates that do not touch files.
//!
//! Safety rules kept here, in one place:
//! - keys are generated ([`FileKey::random_under`]), never taken from a user's file
//!   name, and only `[A-Za-z0-9_-]` segments are accepted, so no key can leave its
//!   folder; the original name is metadata for the database only;
//! - the content type is detected from the bytes (magic numbers), never from the name
//!   or the browser's claim, and must be on [`ALLOWED_TYPES`];
//! - an upload larger than the caller's limit is refused with the limit in the message,
//!   and nothing of it is kept.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Word, Excel and PowerPoint (Office Open XML) content types.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
/// Plain text is accepted as UTF-8 only and served with that charset.
pub const TEXT: &str = "text/plain; charset=utf-8";

/// Content types a resource file may have. HTML, SVG and scripts are missing on
/// purpose: served from our own origin they could run script in a user's session.
pub const ALLOWED_TYPES: &[&str] = &[
    "application/pdf",
    "video/mp4",
    "video/webm",
    "image/png",
    "image/jpeg",
    DOCX,
    XLSX,
    PPTX,
    TEXT,
];

/// How many leading bytes are inspected to detect the type (Office files are zip
/// archives whose telling entry can sit a few kilobytes in).
pub const SNIFF_BYTES: usize = 64 * 1024;

/// What can go wrong storing or reading a file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than the limit of {} ({limit} bytes)", human_size(*.limit))]
    TooLarge { limit: u64 },
    #[error(
        "{detected} is not accepted; allowed are PDF, MP4, WebM, PNG, JPEG, Word/Excel/PowerPoint (docx, xlsx, pptx) and UTF-8 plain text"
    )]
    Disallowed { detected: String },
    #[error("the upload was interrupted: {0}")]
    Interrupted(String),
    #[error("invalid storage key '{0}'")]
    InvalidKey(String),
    #[error("the range {start}..{end} is empty or reversed")]
    InvalidRange { start: u64, end: u64 },
    #[error("no stored file at '{0}'")]
    NotFound(String),
    #[error("file storage failed: {0}")]
    Backend(String),
}

impl From<FileError> for domain::DomainError {
    fn from(error: FileError) -> Self {
        use domain::DomainError;
        match error {
            FileError::NotFound(_) => DomainError::NotFound { entity: "file" },
            FileError::Backend(message) => DomainError::internal(message),
            FileError::InvalidRange { .. } => DomainError::invalid("range", error.to_string()),
            FileError::TooLarge { limit } => DomainError::TooLarge {
                what: "file".into(),
                limit: human_size(limit),
            },
            other => DomainError::invalid("file", other.to_string()),
        }
    }
}

/// `52428800` → `50.0 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Detects the content type of a file from its first bytes (`head`, up to
/// [`SNIFF_BYTES`]); `truncated` says whether more bytes follow. Refuses anything
/// not on [`ALLOWED_TYPES`], naming what it found.
pub fn detect_content_type(head: &[u8], truncated: bool) -> Result<&'static str, FileError> {
    if head.is_empty() {
        return Err(FileError::Empty);
    }
    if let Some(kind) = infer::get(head) {
        let mime = kind.mime_type();
        return ALLOWED_TYPES
            .iter()
            .copied()
            .find(|allowed| *allowed == mime)
            .ok_or_else(|| FileError::Disallowed {
                detected: format!("{mime} ({})", kind.extension()),
            });
    }
    if looks_like_text(head, truncated) {
        return Ok(TEXT);
    }
    Err(FileError::Disallowed {
        detected: "an unrecognised binary or non-UTF-8 text file".into(),
    })
}

/// UTF-8 without control characters other than tab, line breaks and form feed. A
/// multi-byte character cut at the end of a truncated head is not held against it.
fn looks_like_text(head: &[u8], truncated: bool) -> bool {
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => truncated && e.error_len().is_none(),
    };
    utf8 && !head
        .iter()
        .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
}

/// A storage key: `/`-separated segments of ASCII letters, digits, `-` and `_`, so a
/// key can never climb out of its folder or name a hidden file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileKey(String);

impl FileKey {
    /// Checks a key read back from the database (or built by the caller).
    pub fn parse(text: &str) -> Result<Self, FileError> {
        let ok = !text.is_empty()
            && text.len() <= 512
            && text.split('/').all(|segment| {
                !segment.is_empty()
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if ok {
            Ok(Self(text.to_string()))
        } else {
            Err(FileError::InvalidKey(text.to_string()))
        }
    }

    /// The folder of one version of a resource: `resources/{id}/{version}`.
    pub fn resource_version(resource_id: i64, version: i32) -> Self {
        Self(format!("resources/{resource_id}/{version}"))
    }

    /// A fresh key under `self` with 128 random bits as its last segment.
    pub fn random_under(&self) -> Result<Self, FileError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)
            .map_err(|e| FileError::Backend(format!("no randomness for a key: {e}")))?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self(format!("{}/{hex}", self.0)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn object_path(&self) -> ObjectPath {
        ObjectPath::from(self.0.as_str())
    }
}

impl fmt::Display for FileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file written by [`FileStore::upload`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub key: FileKey,
    pub content_type: &'static str,
    pub size: u64,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
}

/// A file being read by [`FileStore::stream`].
pub struct FileStream {
    /// The whole file's size.
    pub size: u64,
    /// The bytes the stream carries.
    pub range: Range<u64>,
    pub chunks: futures::stream::BoxStream<'static, Result<Bytes, FileError>>,
}

impl fmt::Debug for FileStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStream")
            .field("size", &self.size)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

/// Connection settings of an S3-compatible bucket (AWS, MinIO, Ceph, OSS...).
#[derive(Clone, Deserialize)]
pub struct S3Settings {
    /// E.g. `https://minio.internal:9000`; absent for AWS itself.
    pub endpoint: Option<String>,
    pub bucket: String,
    #[serde(default = "default_region")]
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Permits a plain-HTTP endpoint (a bucket inside the company network).
    #[serde(default)]
    pub allow_http: bool,
}

fn default_region() -> String {
    "us-east-1".into()
}

impl fmt::Debug for S3Settings {
    // The secret never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

/// Where files live, as configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "backend", rename_all = "snake_case")]
pub enum FileSettings {
    /// A folder on local disk; `None` means `<data dir>/files`.
    #[serde(alias = "fs")]
    Local {
        dir: Option<PathBuf>,
    },
    S3(S3Settings),
}

impl Default for FileSettings {
    fn default() -> Self {
        Self::Local { dir: None }
    }
}

/// The file store. Cheap to clone.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    description: String,
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("backend", &self.description)
            .finish()
    }
}

fn backend(error: object_store::Error, key: &FileKey) -> FileError {
    match error {
        object_store::Error::NotFound { .. } => FileError::NotFound(key.to_string()),
        other => {
            tracing::error!(error = %other, key = %key, "file storage error");
            FileError::Backend(format!("{other}"))
        }
    }
}

impl FileStore {
    /// Opens the configured backend; a local folder defaults to `<data_dir>/files`.
    pub fn open(settings: &FileSettings, data_dir: &Path) -> Result<Self, FileError> {
        match settings {
            FileSettings::Local { dir } => {
                Self::local(dir.clone().unwrap_or_else(|| data_dir.join("files")))
            }
            FileSettings::S3(s3) => Self::s3(s3),
        }
    }

    /// A folder on local disk, created if missing.
    pub fn local(dir: impl AsRef<Path>) -> Result<Self, FileError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| {
            FileError::Backend(format!(
                "cannot create the file folder {}: {e}",
                dir.display()
            ))
        })?;
        let fs = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| FileError::Backend(e.to_string()))?
            // Deleting the last file of a version removes its emptied folders too.
            .with_automatic_cleanup(true);
        Ok(Self {
            inner: Arc::new(fs),
            description: format!("local folder {}", dir.display()),
        })
    }

    /// An S3-compatible bucket.
    pub fn s3(settings: &S3Settings) -> Result<Self, FileError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_allow_http(settings.allow_http);
        if let Some(endpoint) = settings.endpoint.as_deref().filter(|e| !e.is_empty()) {
            // MinIO and most self-hosted stores address buckets by path, not sub-domain.
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        let s3 = builder
            .build()
            .map_err(|e| FileError::Backend(format!("S3 settings: {e}")))?;
        Ok(Self {
            inner: Arc::new(s3),
            description: format!(
                "S3 bucket {} at {}",
                settings.bucket,
                settings.endpoint.as_deref().unwrap_or("AWS")
            ),
        })
    }

    /// A store in memory, for tests and dry runs.
    pub fn memory() -> Self {
        Self {
            inner: Arc::new(InMemory::new()),
            description: "memory".into(),
        }
    }

    /// Where the files live, for logs and the admin page.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Writes `bytes` at `key` as they are (no checks); returns the SHA-256 and size.
    pub async fn put(&self, key: &FileKey, bytes: Bytes) -> Result<(String, u64), FileError> {
        let sha256 = hex(&Sha256::digest(&bytes));
        let size = bytes.len() as u64;
        self.inner
            .put(&key.object_path(), PutPayload::from_bytes(bytes))
            .await
            .map_err(|e| backend(e, key))?;
        Ok((sha256, size))
    }

    /// Checks and stores an upload held in memory under a fresh key below `folder`.
    pub async fn upload_bytes(
        &self,
        folder: &FileKey,
        bytes: Bytes,
        max_bytes: u64,
    ) -> Result<StoredFile, FileError> {
        let chunks = futures::stream::iter([Ok::<_, std::convert::Infallible>(bytes)]);
        self.upload(folder, chunks, max_bytes).await
    }

    /// Checks and stores an upload arriving in chunks under a fresh key below `folder`:
    /// the type is detected from the first bytes, the size is counted as it streams,
    /// and an upload over `max_bytes` (or of a refused type) is aborted with nothing kept.
    pub async fn upload<S, E>(
        &self,
        folder: &FileKey,
        mut chunks: S,
        max_bytes: u64,
    ) -> Result<StoredFile, FileError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: fmt::Display,
    {
        let too_large = || FileError::TooLarge { limit: max_bytes };
        let next = |item: Option<Result<Bytes, E>>| {
            item.transpose()
                .map_err(|e| FileError::Interrupted(e.to_string()))
        };
        // Gather the first bytes to detect the type before anything is written.
        let mut head: Vec<Bytes> = Vec::new();
        let mut size = 0u64;
        let mut ended = false;
        while size < SNIFF_BYTES as u64 {
            match next(chunks.next().await)? {
                Some(chunk) => {
                    size += chunk.len() as u64;
                    if size > max_bytes {
                        return Err(too_large());
                    }
                    head.push(chunk);
                }
                None => {
                    ended = true;
                    break;
                }
            }
        }
        let joined: Vec<u8> = head.iter().flat_map(|c| c.iter().copied()).collect();
        let sniff = &joined[..joined.len().min(SNIFF_BYTES)];
        let content_type = detect_content_type(sniff, !ended || joined.len() > SNIFF_BYTES)?;
        let key = folder.random_under()?;
        if ended {
            // Small file: one plain write.
            let (sha256, size) = self.put(&key, Bytes::from(joined)).await?;
            return Ok(StoredFile {
                key,
                content_type,
                size,
                sha256,
            });
        }
        let upload = self
            .inner
            .put_multipart(&key.object_path())
            .await
            .map_err(|e| backend(e, &key))?;
        let mut writer = WriteMultipart::new(upload);
        let mut hasher = Sha256::new();
        hasher.update(&joined);
        writer.put(Bytes::from(joined));
        let outcome: Result<(), FileError> = async {
            while let Some(chunk) = next(chunks.next().await)? {
                size += chunk.len() as u64;
                if size > max_bytes {
                    return Err(too_large());
                }
                hasher.update(&chunk);
                // At most two parts in flight keeps memory bounded on a slow bucket.
                writer
                    .wait_for_capacity(2)
                    .await
                    .map_err(|e| backend(e, &key))?;
                writer.put(chunk);
            }
            Ok(())
        }
        .await;
        if let Err(error) = outcome {
            let _ = writer.abort().await;
            return Err(error);
        }
        writer.finish().await.map_err(|e| backend(e, &key))?;
        Ok(StoredFile {
            key,
            content_type,
            size,
            sha256: hex(&hasher.finalize()),
        })
    }

    /// The whole file.
    pub async fn get(&self, key: &FileKey) -> Result<Bytes, FileError> {
        let result = self
            .inner
            .get(&key.object_path())
            .await
            .map_err(|e| backend(e, key))?;
        result.bytes().await.map_err(|e| backend(e, key))
    }

    /// The file, or bytes `range.start..range.end` of it (end exclusive, clamped to the
    /// file's end), as a stream of chunks: a download never holds the whole file in
    /// memory, however large the video.
    pub async fn stream(
        &self,
        key: &FileKey,
        range: Option<Range<u64>>,
    ) -> Result<FileStream, FileError> {
        if let Some(r) = &range
            && r.start >= r.end
        {
            return Err(FileError::InvalidRange {
                start: r.start,
                end: r.end,
            });
        }
        let options = object_store::GetOptions {
            range: range.map(Into::into),
            ..Default::default()
        };
        let result = self
            .inner
            .get_opts(&key.object_path(), options)
            .await
            .map_err(|e| backend(e, key))?;
        let owned = key.clone();
        Ok(FileStream {
            size: result.meta.size,
            range: result.range.clone(),
            chunks: result
                .into_stream()
                .map(move |chunk| chunk.map_err(|e| backend(e, &owned)))
                .boxed(),
        })
    }

    /// The file's size in bytes (for `Content-Length` and `Content-Range`).
    pub async fn size(&self, key: &FileKey) -> Result<u64, FileError> {
        let meta = self
            .inner
            .head(&key.object_path())
            .await
            .map_err(|e| backend(e, key))?;
        Ok(meta.size)
    }

    /// Bytes `range.start..range.end` (end exclusive, clamped to the file's end), for
    /// HTTP range requests on videos.
    pub async fn get_range(&self, key: &FileKey, range: Range<u64>) -> Result<Bytes, FileError> {
        if range.start >= range.end {
            return Err(FileError::InvalidRange {
                start: range.start,
                end: range.end,
            });
        }
        self.inner
            .get_range(&key.object_path(), range)
            .await
            .map_err(|e| backend(e, key))
    }

    /// Removes a file; removing one that is already gone is not an error.
    pub async fn delete(&self, key: &FileKey) -> Result<(), FileError> {
        match self.inner.delete(&key.object_path()).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(backend(e, key)),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    /// A minimal zip whose first entry is `[Content_Types].xml` and whose later entries
    /// live under `sub/`, the way Office writes its files.
    fn office_zip(sub: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for name in [
            "[Content_Types].xml".to_string(),
            "_rels/.rels".to_string(),
            format!("{sub}document.xml"),
            format!("{sub}styles.xml"),
        ] {
            let data = [b' '; 64];
            out.extend_from_slice(&[b'P', b'K', 3, 4]);
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&[0, 0, 0, 0]); // crc
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&data);
        }
        out
    }

    fn mp4() -> Vec<u8> {
        let mut out = vec![0, 0, 0, 0x18];
        out.extend_from_slice(b"ftypisom");
        out.extend_from_slice(&[0, 0, 2, 0]);
        out.extend_from_slice(b"isomiso2");
        out.extend_from_slice(&[0; 32]);
        out
    }

    #[test]
    fn detects_allowed_types_from_content() {
        assert_eq!(detect_content_type(PDF, false).unwrap(), "application/pdf");
        assert_eq!(detect_content_type(PNG, false).unwrap(), "image/png");
        assert_eq!(
            detect_content_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], false).unwrap(),
            "image/jpeg"
        );
        assert_eq!(detect_content_type(&mp4(), false).unwrap(), "video/mp4");
        let mut webm = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x82, 0x84];
        webm.extend_from_slice(b"webm");
        webm.resize(300, 0);
        assert_eq!(detect_content_type(&webm, false).unwrap(), "video/webm");
        assert_eq!(
            detect_content_type(&office_zip("word/"), false).unwrap(),
            DOCX
        );
        assert_eq!(
            detect_content_type(&office_zip("xl/"), false).unwrap(),
            XLSX
        );
        assert_eq!(
            detect_content_type(&office_zip("ppt/"), false).unwrap(),
            PPTX
        );
        assert_eq!(
            detect_content_type("安全操作规程\r\n第一条\t佩戴护具。\n".as_bytes(), false).unwrap(),
            TEXT
        );
        // A Chinese character cut by the sniff window is still text.
        let text = "焊接".as_bytes();
        assert_eq!(detect_content_type(&text[..4], true).unwrap(), TEXT);
        assert!(detect_content_type(&text[..4], false).is_err());
    }

    #[test]
    fn refuses_other_types_naming_what_was_found() {
        let refuse = |bytes: &[u8]| detect_content_type(bytes, false).unwrap_err().to_string();
        let exe = refuse(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00");
        assert!(exe.contains("not accepted"), "{exe}");
        let html = refuse(b"<!DOCTYPE html><html><script>alert(1)</script></html>");
        assert!(html.contains("text/html"), "{html}");
        // A plain zip that is not an Office document.
        let mut zip = office_zip("other/");
        zip[30..49].copy_from_slice(b"notes/readme.txt.gz");
        assert!(refuse(&zip).contains("zip"), "{}", refuse(&zip));
        // GBK text is not UTF-8; binary noise has control bytes.
        assert!(refuse(&[0xB0, 0xB2, 0xC8, 0xAB, 0x01]).contains("unrecognised"));
        assert!(matches!(
            detect_content_type(b"", false),
            Err(FileError::Empty)
        ));
        let domain: domain::DomainError = FileError::Disallowed {
            detected: "x".into(),
        }
        .into();
        assert!(domain.to_string().starts_with("file:"), "{domain}");
    }

    #[test]
    fn keys_cannot_escape_their_folder() {
        for bad in [
            "",
            "../etc/passwd",
            "a//b",
            "a/./b",
            "a/b.pdf",
            "/abs",
            "a/b/",
            "a\\b",
            "名字",
        ] {
            assert!(FileKey::parse(bad).is_err(), "{bad}");
        }
        let folder = FileKey::resource_version(7, 2);
        let key = folder.random_under().unwrap();
        assert!(key.as_str().starts_with("resources/7/2/"));
        assert_eq!(key.as_str().len(), "resources/7/2/".len() + 32);
        assert_eq!(FileKey::parse(key.as_str()).unwrap(), key);
        assert_ne!(folder.random_under().unwrap(), key);
    }

    #[tokio::test]
    async fn size_limit_is_enforced_and_named() {
        let store = FileStore::memory();
        let folder = FileKey::resource_version(1, 1);
        let err = store
            .upload_bytes(&folder, Bytes::from_static(PDF), 10)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the file is larger than the limit of 10 B (10 bytes)"
        );
        // Streamed past the sniff window, the limit still holds and nothing is kept.
        let chunk = Bytes::from(vec![b'a'; 40 * 1024]);
        let chunks =
            futures::stream::iter((0..4).map(|_| Ok::<_, std::convert::Infallible>(chunk.clone())));
        let err = store.upload(&folder, chunks, 100 * 1024).await.unwrap_err();
        assert!(
            err.to_string().contains("100.0 KiB (102400 bytes)"),
            "{err}"
        );
        assert_eq!(human_size(50 * 1024 * 1024), "50.0 MiB");
    }

    /// A folder under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[tokio::test]
    async fn local_round_trip_with_ranges() {
        let mut suffix = [0u8; 6];
        getrandom::fill(&mut suffix).unwrap();
        let dir = TempDir(std::env::temp_dir().join(format!("sb-files-{}", hex(&suffix))));
        let store = FileStore::open(&FileSettings::default(), &dir.0).unwrap();
        assert!(store.description().ends_with("files"));
        let folder = FileKey::resource_version(3, 1);

        let small = store
            .upload_bytes(&folder, Bytes::from_static(PDF), 1024)
            .await
            .unwrap();
        assert_eq!(small.content_type, "application/pdf");
        assert_eq!(small.size, PDF.len() as u64);
        assert_eq!(small.sha256, hex(&Sha256::digest(PDF)));
        assert!(dir.0.join("files").join(small.key.as_str()).is_file());
        assert_eq!(
            store.get(&small.key).await.unwrap(),
            Bytes::from_static(PDF)
        );

        // A video larger than the sniff window arrives in chunks.
        let mut video = mp4();
        video.extend((0..200_000u32).map(|i| (i % 251) as u8));
        let chunks = futures::stream::iter(
            video
                .chunks(7000)
                .map(|c| Ok::<_, std::convert::Infallible>(Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>(),
        );
        let stored = store.upload(&folder, chunks, 1 << 20).await.unwrap();
        assert_eq!(stored.content_type, "video/mp4");
        assert_eq!(stored.size, video.len() as u64);
        assert_eq!(stored.sha256, hex(&Sha256::digest(&video)));
        assert_eq!(store.size(&stored.key).await.unwrap(), video.len() as u64);
        let part = store
            .get_range(&stored.key, 100_000..100_010)
            .await
            .unwrap();
        assert_eq!(&part[..], &video[100_000..100_010]);
        assert!(store.get_range(&stored.key, 5..5).await.is_err());
        // Streamed: the whole file in chunks, and a range clamped to the end.
        let whole = store.stream(&stored.key, None).await.unwrap();
        assert_eq!(
            (whole.size, whole.range.clone()),
            (video.len() as u64, 0..video.len() as u64)
        );
        let chunks: Vec<Bytes> = whole.chunks.map(|c| c.unwrap()).collect().await;
        assert_eq!(chunks.concat(), video);
        let tail = store
            .stream(&stored.key, Some(200_000..u64::MAX))
            .await
            .unwrap();
        assert_eq!(tail.range, 200_000..video.len() as u64);
        let chunks: Vec<Bytes> = tail.chunks.map(|c| c.unwrap()).collect().await;
        assert_eq!(chunks.concat(), &video[200_000..]);
        assert!(store.stream(&stored.key, Some(9..9)).await.is_err());

        store.delete(&stored.key).await.unwrap();
        store.delete(&stored.key).await.unwrap();
        assert!(matches!(
            store.get(&stored.key).await,
            Err(FileError::NotFound(_))
        ));
        // Raw put with a chosen key.
        let key = FileKey::parse("resources/3/1/manual").unwrap();
        let (sha, size) = store.put(&key, Bytes::from_static(b"hello")).await.unwrap();
        assert_eq!((sha.len(), size), (64, 5));
    }
}
