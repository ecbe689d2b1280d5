//! The S3 backend against a real S3-compatible HTTP server: moto's standalone server
//! (`moto_server`, from the Python package moto), started on a free local port.
//! Without `moto_server` on the PATH the test says so and checks nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use files::{FileError, FileKey, FileStore, S3Settings};
use futures::StreamExt;

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One raw HTTP request (moto accepts unsigned bucket creation); returns the status line.
fn http(port: u16, request: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    Ok(response.lines().next().unwrap_or_default().to_string())
}

fn start_moto() -> Option<(Server, u16)> {
    let port = free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((server, port));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("moto_server did not start listening on port {port} within 30 s");
}

#[tokio::test]
async fn s3_backend_round_trip() {
    let Some((_server, port)) = start_moto() else {
        eprintln!("moto_server is not on the PATH: the S3 backend was not exercised");
        return;
    };
    let created = http(
        port,
        "PUT /skillbridge-files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert!(created.contains(" 200"), "bucket creation: {created}");

    let store = FileStore::s3(&S3Settings {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        bucket: "skillbridge-files".into(),
        region: "us-east-1".into(),
        access_key_id: "test".into(),
        secret_access_key: "test".into(),
        allow_http: true,
    })
    .unwrap();

    // An upload is typed by its content and kept under a fresh key below the folder.
    let pdf: Bytes = [b"%PDF-1.4\n".as_slice(), &vec![b'x'; 300_000]]
        .concat()
        .into();
    let folder = FileKey::resource_version(7, 1);
    let stored = store
        .upload_bytes(&folder, pdf.clone(), 1024 * 1024)
        .await
        .unwrap();
    assert_eq!(stored.content_type, "application/pdf");
    assert_eq!(stored.size, pdf.len() as u64);
    assert_eq!(store.size(&stored.key).await.unwrap(), pdf.len() as u64);
    assert_eq!(store.get(&stored.key).await.unwrap(), pdf);
    assert_eq!(
        store.get_range(&stored.key, 9..20).await.unwrap(),
        pdf.slice(9..20)
    );
    let streamed = store.stream(&stored.key, None).await.unwrap();
    let mut bytes = Vec::new();
    let mut chunks = streamed.chunks;
    while let Some(chunk) = chunks.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(Bytes::from(bytes), pdf);

    // Too large: refused, nothing kept.
    let refused = store.upload_bytes(&folder, pdf.clone(), 1000).await;
    assert!(
        matches!(refused, Err(FileError::TooLarge { .. })),
        "{refused:?}"
    );

    store.delete(&stored.key).await.unwrap();
    assert!(matches!(
        store.get(&stored.key).await,
        Err(FileError::NotFound(_))
    ));
}
