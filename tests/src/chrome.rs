//! A real browser for tests: Debian's Chromium driven over WebDriver by one
//! chromedriver per test binary (in its own process group, killed with its
//! Chromiums when the binary exits), at a desktop window size or a phone's
//! viewport, and the few steps tests repeat.

use std::{
    net::TcpListener as StdListener,
    os::unix::process::CommandExt,
    process::{Child, Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::skip_or_fail;

/// chromedriver in its own process group, with a watchdog that kills the group
/// (chromedriver and every Chromium) once the test binary has exited.
pub struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    /// Starts chromedriver on a free port; `None` when it does not answer.
    fn start() -> Option<Self> {
        let port = StdListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        // A static is never dropped: the shell leading the group waits for this
        // process to end, then kills the group.
        let watchdog = "chromedriver --port=\"$0\" & \
            while kill -0 \"$1\" 2>/dev/null; do sleep 1; done; kill -KILL 0";
        let child = Command::new("sh")
            .args(["-c", watchdog])
            .arg(port.to_string())
            .arg(std::process::id().to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .ok()?;
        let driver = ChromeDriver { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(driver)
    }

    /// This test binary's chromedriver, started by the first test that asks;
    /// or `None` after skipping the test (or failing it when services are
    /// required) because chromedriver is missing or does not start.
    pub fn start_or_skip() -> Option<&'static Self> {
        static SHARED: OnceLock<Option<ChromeDriver>> = OnceLock::new();
        if Command::new("chromedriver")
            .arg("--version")
            .output()
            .is_err()
        {
            skip_or_fail("chromedriver (apt-get install chromium chromium-driver)");
            return None;
        }
        let driver = SHARED.get_or_init(Self::start).as_ref();
        if driver.is_none() {
            skip_or_fail("a running chromedriver");
        }
        driver
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// A headless Chromium with a 1280×800 window and its own profile directory.
pub async fn browser(driver: &ChromeDriver, profile: &std::path::Path) -> Client {
    session(driver, profile, None).await
}

/// A headless Chromium whose viewport is `width` CSS pixels wide, as on a
/// phone (Chromium's windows are never narrower than 500 px, so narrower
/// widths are emulated).
pub async fn browser_at(driver: &ChromeDriver, profile: &std::path::Path, width: u32) -> Client {
    session(driver, profile, Some(width)).await
}

async fn session(driver: &ChromeDriver, profile: &std::path::Path, width: Option<u32>) -> Client {
    let window = format!("--window-size={},900", width.unwrap_or(1280).max(500));
    let mut options = serde_json::json!({
        "binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--no-first-run",
            "--no-default-browser-check", window, "--lang=en-US",
            format!("--user-data-dir={}", profile.display())]
    });
    if let Some(width) = width.filter(|w| *w < 500) {
        options["mobileEmulation"] = serde_json::json!({ "deviceMetrics": { "width": width, "height": 844, "pixelRatio": 1.0 } });
    }
    let capabilities = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": options,
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::rustls()
        .expect("rustls connector")
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session")
}

/// A fresh app on `db` served over HTTP on a free port of the loopback (its
/// sites are `<slug>.localhost:<port>`), with the server's task; abort it at the end.
pub async fn served(db: crate::TestDb) -> (crate::TestApp, u16, crate::ServedApp) {
    served_with(db, |_| {}).await
}

/// [`served`], with the web configuration changed by `configure` first.
pub async fn served_with(
    db: crate::TestDb,
    configure: impl FnOnce(&mut portico_web::WebConfig),
) -> (crate::TestApp, u16, crate::ServedApp) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    let mut web = portico_web::WebConfig::new(
        format!("http://localhost:{port}")
            .parse()
            .expect("a base URL"),
    );
    configure(&mut web);
    let app = crate::TestApp::with_config(db, web).await;
    let server = app.serve_on(listener);
    (app, port, server)
}

/// The page text once it contains `needle`; retries through navigations for 10 s.
pub async fn wait_for_text(client: &Client, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(body) = client.find(Locator::Css("body")).await
            && let Ok(text) = body.text().await
            && text.contains(needle)
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "page never showed {needle:?}: {:?}",
            client.source().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Types `value` into the field `css`, replacing what it held.
pub async fn fill(client: &Client, css: &str, value: &str) {
    let field = client.find(Locator::Css(css)).await.expect(css);
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// Clicks the element `css`.
pub async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .expect(css)
        .click()
        .await
        .expect("click");
}

/// A file fetched by the browser itself, with its session: the status, the
/// content type and the bytes.
pub async fn fetch(client: &Client, url: &str) -> (u64, String, Vec<u8>) {
    let fetched = client
        .execute_async(
            "const [url, done] = arguments;
             fetch(url, { credentials: 'same-origin' })
               .then(r => r.arrayBuffer().then(b => done({
                 status: r.status,
                 type: r.headers.get('content-type'),
                 bytes: Array.from(new Uint8Array(b)),
               })));",
            vec![serde_json::json!(url)],
        )
        .await
        .expect("the file fetched");
    (
        fetched["status"].as_u64().unwrap_or_default(),
        fetched["type"].as_str().unwrap_or_default().to_owned(),
        serde_json::from_value(fetched["bytes"].clone()).expect("bytes"),
    )
}
