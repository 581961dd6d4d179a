//! A minimal HTTP/1.1 client over a real socket, for tests that need what
//! poem's `TestClient` cannot give: a peer address (the server sees 127.0.0.1)
//! and headers exactly as a proxy would send them.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One answer: status, headers (names lower-cased) and body.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `name=value` of each `Set-Cookie`, joined for a `Cookie` header.
    pub fn cookies(&self) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Sends one request to `127.0.0.1:port` (`Connection: close`) and reads the
/// whole answer. `headers` go as given, after `Host`.
pub async fn request(
    port: u16,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    read(send(address, method, host, path, headers, body).await).await
}

/// Sends one request (`Connection: close`) and returns the socket, the answer
/// unread: drop it to go away mid-request, or [`read`] it.
pub async fn send(
    address: std::net::SocketAddr,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect to the test server");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream
        .write_all(format!("{head}{body}").as_bytes())
        .await
        .expect("send the request");
    stream
}

/// Reads a whole answer from a socket [`send`] returned.
pub async fn read(mut stream: tokio::net::TcpStream) -> RawResponse {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read the answer");
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete answer");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}
