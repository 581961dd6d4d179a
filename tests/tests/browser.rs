//! A real browser (Debian's Chromium driven over WebDriver) signs in to a
//! company's back office over HTTP, switches language, and signs out.

use std::{
    net::TcpListener as StdListener,
    os::unix::process::CommandExt,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use portico_tests::{PASSWORD, TestApp, TestDb, skip_or_fail};
use portico_web::WebConfig;

/// chromedriver in its own process group, killed with all its Chromiums on drop.
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    fn start() -> Option<Self> {
        let port = StdListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
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
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &ChromeDriver, profile: &std::path::Path) -> Client {
    let capabilities = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-first-run",
                "--no-default-browser-check", "--window-size=1280,800", "--lang=en-US",
                format!("--user-data-dir={}", profile.display())]
        }
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

/// The page text once it contains `needle`; retries through navigations for 10 s.
async fn wait_for_text(client: &Client, needle: &str) -> String {
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

async fn fill(client: &Client, css: &str, value: &str) {
    let field = client.find(Locator::Css(css)).await.expect(css);
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .expect(css)
        .click()
        .await
        .expect("click");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_user_signs_in_switches_language_and_signs_out_in_a_real_browser() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    if Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_err()
    {
        skip_or_fail("chromedriver (apt-get install chromium chromium-driver)");
        return;
    }
    let Some(driver) = ChromeDriver::start() else {
        skip_or_fail("a running chromedriver");
        return;
    };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = TestApp::with_config(
        TestDb::sqlite().await,
        WebConfig::new(format!("http://localhost:{port}").parse().unwrap()),
    )
    .await;
    app.company("alfa").await;
    let endpoint = portico::app::endpoint(app.state.clone());
    let server = tokio::spawn(async move {
        let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
        poem::Server::new_with_acceptor(acceptor)
            .run(endpoint)
            .await
    });

    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;
    client
        .goto(&format!("http://alfa.localhost:{port}/admin"))
        .await
        .unwrap();
    wait_for_text(&client, "Password").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/admin/sign-in");

    click(&client, "button[name=lang]").await;
    wait_for_text(&client, "Contraseña").await;

    fill(&client, "#email", "owner@alfa.test").await;
    fill(&client, "#password", "wrong password!").await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "Correo o contraseña incorrectos.").await;

    fill(&client, "#password", PASSWORD).await;
    click(&client, "button[type=submit]").await;
    let home = wait_for_text(&client, "Bienvenido, Dueña de alfa.").await;
    assert!(home.contains("Propietario"));
    assert_eq!(client.current_url().await.unwrap().path(), "/admin");

    click(&client, "form[action='/admin/sign-out'] button").await;
    wait_for_text(&client, "Cerró su sesión.").await;
    client
        .goto(&format!("http://alfa.localhost:{port}/admin"))
        .await
        .unwrap();
    wait_for_text(&client, "Iniciar sesión").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/admin/sign-in");

    client.close().await.unwrap();
    server.abort();
}
