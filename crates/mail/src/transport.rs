//! Where mail goes: `.eml` files in a local folder (the default), or an SMTP relay.

use std::{
    fmt,
    net::IpAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};
use portico_data::MailId;
use url::{Host, Url};

use crate::MailError;

/// How long one SMTP command may take before the attempt fails (and is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Where the dispatcher delivers mail.
#[derive(Clone)]
pub enum Transport {
    /// One RFC 5322 file `<mail id>.eml` per message in `dir` (development,
    /// tests, or a spool another program picks up).
    Files { dir: PathBuf },
    /// An SMTP relay.
    Smtp(SmtpRelay),
}

impl Transport {
    /// Files in `dir`, created when missing.
    pub fn files(dir: impl Into<PathBuf>) -> Result<Self, MailError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| {
            MailError::Config(format!("creating the mail folder {}: {e}", dir.display()))
        })?;
        Ok(Transport::Files { dir })
    }

    /// An SMTP relay from a URL (see [`SmtpRelay::from_url`]); needs a Tokio runtime.
    pub fn smtp(url: &str) -> Result<Self, MailError> {
        SmtpRelay::from_url(url).map(Transport::Smtp)
    }

    /// Where mail goes, for logs: never a credential.
    pub fn describe(&self) -> String {
        match self {
            Transport::Files { dir } => format!(".eml files in {}", dir.display()),
            Transport::Smtp(relay) => relay.to_string(),
        }
    }

    /// Delivers one message; its `id` names the file.
    pub(crate) async fn send(&self, id: MailId, message: Message) -> Result<(), SendError> {
        match self {
            Transport::Files { dir } => {
                write_eml(dir, id, &message.formatted())
                    .await
                    .map_err(|error| SendError {
                        message: format!("writing the mail file in {}: {error}", dir.display()),
                        permanent: false,
                    })
            }
            Transport::Smtp(relay) => relay.send(message).await,
        }
    }

    /// Checks that the relay answers (always true for files).
    pub async fn check(&self) -> Result<(), String> {
        match self {
            Transport::Files { .. } => Ok(()),
            Transport::Smtp(relay) => match relay.transport.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err("the SMTP server did not accept a NOOP".into()),
                Err(error) => Err(relay.scrub(&error.to_string())),
            },
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Why one delivery attempt failed.
#[derive(Debug, Clone)]
pub(crate) struct SendError {
    /// The transport's message, without credentials.
    pub message: String,
    /// Retrying cannot help (a 5xx reply, an unusable address).
    pub permanent: bool,
}

/// Writes `<dir>/<id>.eml` atomically: a hidden temporary file, flushed, then
/// renamed, so a reader never sees half a message.
async fn write_eml(dir: &Path, id: MailId, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{id}.eml.tmp"));
    let path = dir.join(format!("{id}.eml"));
    let result = async {
        let mut file = tokio::fs::File::create(&tmp).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&tmp, &path).await
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (`smtps://`, port 465 by default).
    Tls,
    /// Plain connection upgraded with STARTTLS, which the server must offer.
    StartTls,
    /// STARTTLS when offered, plain otherwise.
    Opportunistic,
    /// No encryption.
    None,
}

impl fmt::Display for SmtpSecurity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SmtpSecurity::Tls => "TLS",
            SmtpSecurity::StartTls => "STARTTLS",
            SmtpSecurity::Opportunistic => "STARTTLS when offered",
            SmtpSecurity::None => "no TLS",
        })
    }
}

/// A pooled connection to an SMTP relay. Its `Debug` and `Display` show the
/// host, port and security, never the credentials.
#[derive(Clone)]
pub struct SmtpRelay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
    port: u16,
    security: SmtpSecurity,
    authenticated: bool,
    /// The password, only to scrub it from error messages.
    password: Option<String>,
}

impl SmtpRelay {
    /// Reads a relay URL:
    ///
    /// - `smtps://user:pass@host[:465]`: TLS from the start;
    /// - `smtp://user:pass@host[:587]`: STARTTLS, required;
    /// - `smtp://127.0.0.1:2525` (a loopback host): no TLS, for a local relay or
    ///   a test server;
    /// - `?tls=required|opportunistic|none` on `smtp://` overrides the default.
    ///
    /// User and password are percent-decoded. Credentials are refused on a
    /// connection that may be unencrypted unless the host is loopback. Errors
    /// never repeat the URL. Needs a Tokio runtime (the pool runs on it).
    pub fn from_url(raw: &str) -> Result<Self, MailError> {
        let bad = |why: &str| MailError::Config(format!("the SMTP URL is invalid: {why}"));
        let url = Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
        let (host, loopback) = match url.host() {
            // smtp:// is not a special scheme: its IPv4 hosts arrive as names.
            Some(Host::Domain(name)) => (
                name.to_owned(),
                name.eq_ignore_ascii_case("localhost")
                    || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()),
            ),
            Some(Host::Ipv4(ip)) => (ip.to_string(), IpAddr::V4(ip).is_loopback()),
            Some(Host::Ipv6(ip)) => (ip.to_string(), IpAddr::V6(ip).is_loopback()),
            None => return Err(bad("it has no host")),
        };
        let mut tls_param = None;
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "tls" => tls_param = Some(value.into_owned()),
                _ => return Err(bad("the only query parameter is tls")),
            }
        }
        let (security, default_port) = match (url.scheme(), tls_param.as_deref()) {
            ("smtps", None) => (SmtpSecurity::Tls, 465),
            ("smtp", Some("required")) => (SmtpSecurity::StartTls, 587),
            ("smtp", Some("opportunistic")) => (SmtpSecurity::Opportunistic, 587),
            ("smtp", Some("none")) => (SmtpSecurity::None, 587),
            ("smtp", None) if loopback => (SmtpSecurity::None, 25),
            ("smtp", None) => (SmtpSecurity::StartTls, 587),
            ("smtp", Some(_)) => return Err(bad("tls must be required, opportunistic or none")),
            ("smtps", Some(_)) => return Err(bad("smtps:// always uses TLS; drop ?tls=")),
            _ => return Err(bad("the scheme must be smtp:// or smtps://")),
        };
        let port = url.port().unwrap_or(default_port);
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| bad("the user or password is not valid UTF-8"))
        };
        let user = decode(url.username())?;
        let password = url.password().map(decode).transpose()?;
        let authenticated = !user.is_empty() || password.is_some();
        let encrypted = matches!(security, SmtpSecurity::Tls | SmtpSecurity::StartTls);
        if authenticated && !encrypted && !loopback {
            return Err(bad(
                "credentials would travel unencrypted; use smtps:// or smtp://…?tls=required",
            ));
        }

        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
            .port(port)
            .timeout(Some(SMTP_TIMEOUT));
        let tls_parameters = || {
            TlsParameters::new(host.clone())
                .map_err(|e| MailError::Config(format!("TLS for the SMTP server: {e}")))
        };
        builder = match security {
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls_parameters()?)),
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls_parameters()?)),
            SmtpSecurity::Opportunistic => builder.tls(Tls::Opportunistic(tls_parameters()?)),
            SmtpSecurity::None => builder.tls(Tls::None),
        };
        if authenticated {
            builder =
                builder.credentials(Credentials::new(user, password.clone().unwrap_or_default()));
        }
        Ok(SmtpRelay {
            transport: builder.build(),
            host,
            port,
            security,
            authenticated,
            password: password.filter(|p| !p.is_empty()),
        })
    }

    /// How the connection is protected.
    pub fn security(&self) -> SmtpSecurity {
        self.security
    }

    async fn send(&self, message: Message) -> Result<(), SendError> {
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) => Err(SendError {
                message: self.scrub(&error.to_string()),
                // Refused connections, timeouts and 4xx replies are worth retrying.
                permanent: error.is_permanent(),
            }),
        }
    }

    /// A message with the password blotted out, should a server ever echo it.
    fn scrub(&self, message: &str) -> String {
        match &self.password {
            Some(password) if password.len() >= 4 => message.replace(password.as_str(), "***"),
            _ => message.to_owned(),
        }
    }
}

impl fmt::Display for SmtpRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SMTP {}:{} ({}{})",
            self.host,
            self.port,
            self.security,
            if self.authenticated {
                ", authenticated"
            } else {
                ""
            }
        )
    }
}

impl fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_scheme_and_host_choose_the_security() {
        let cases = [
            (
                "smtps://u:secretpw@mail.example.com",
                SmtpSecurity::Tls,
                465,
            ),
            (
                "smtp://u:secretpw@mail.example.com",
                SmtpSecurity::StartTls,
                587,
            ),
            (
                "smtp://mail.example.com:2525?tls=opportunistic",
                SmtpSecurity::Opportunistic,
                2525,
            ),
            ("smtp://127.0.0.1:2525", SmtpSecurity::None, 2525),
            ("smtp://localhost", SmtpSecurity::None, 25),
            ("smtp://[::1]:2525", SmtpSecurity::None, 2525),
            ("smtp://relay.internal?tls=none", SmtpSecurity::None, 587),
        ];
        for (url, security, port) in cases {
            let relay = SmtpRelay::from_url(url).unwrap();
            assert_eq!(relay.security(), security, "{url}");
            assert_eq!(relay.port, port, "{url}");
        }
    }

    #[tokio::test]
    async fn bad_urls_are_refused_without_repeating_the_password() {
        for url in [
            "http://u:hunter22@mail.example.com",
            "smtp://u:hunter22@mail.example.com?tls=none",
            "smtp://u:hunter22@mail.example.com?tls=sometimes",
            "smtp://u:hunter22@mail.example.com?foo=bar",
            "smtps://u:hunter22@mail.example.com?tls=none",
            "smtp://u:hunter22@",
            "not a url hunter22",
        ] {
            let error = SmtpRelay::from_url(url).unwrap_err().to_string();
            assert!(!error.contains("hunter22"), "{url}: {error}");
        }
    }

    #[tokio::test]
    async fn credentials_are_decoded_and_never_shown() {
        let relay =
            SmtpRelay::from_url("smtps://me%40example.com:p%40ss%2Fw0rd@mail.example.com").unwrap();
        assert_eq!(relay.password.as_deref(), Some("p@ss/w0rd"));
        let shown = format!("{relay} {relay:?} {:?}", Transport::Smtp(relay.clone()));
        assert!(!shown.contains("p@ss") && !shown.contains("me@"), "{shown}");
        assert!(shown.contains("mail.example.com:465"), "{shown}");
        assert_eq!(relay.scrub("535 bad p@ss/w0rd"), "535 bad ***");
    }
}
