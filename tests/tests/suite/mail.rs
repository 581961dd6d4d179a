//! The mail outbox on both backends: mail written in the caller's transaction
//! (and only if it commits), delivered as `.eml` files or to a real SMTP server
//! (Python's aiosmtpd), retried while the server is down, given up after the
//! last attempt, claimed by one dispatcher only, and kept to its own tenant.

use std::{path::Path, time::Duration};

use mail_parser::MessageParser;
use portico_data::{Database, MailId, NewMail, NewStaffUser, OutboxMail, Tenant};
use portico_domain::{Email, StaffRole};
use portico_mail::{MailConfig, Mailer, RetryPolicy, Transport};
use portico_tests::{
    SmtpSink, TestApp, TestBackend, TestDb, backend_tests, free_port, sink_python,
};
use sqlx::{Connection, PgConnection};

const SUBJECT: &str = "Invitación al portal de Distribuidora Peña: ¡bienvenido!";
const TEXT: &str = "Hola José Núñez,\n\nsu acceso al portal está listo. Año 2026, señal ñandú.\n";
const HTML: &str = "<p>Hola <b>José Núñez</b>, su acceso al portal está listo.</p>";

fn invitation(to: &str) -> NewMail {
    NewMail {
        to: Email::parse(to).unwrap(),
        to_name: Some("José Núñez".into()),
        subject: SUBJECT.into(),
        body_text: TEXT.into(),
        body_html: Some(HTML.into()),
    }
}

/// An app whose worker never sweeps by itself during the test (kicks still work).
async fn quiet_app(db: TestDb) -> TestApp {
    TestApp::with_mail(db, |mail| MailConfig {
        sweep_every: Duration::from_secs(3600),
        ..mail
    })
    .await
}

/// Enqueues `mail` for `tenant` in a transaction of its own and commits.
async fn enqueue(db: &Database, tenant: &Tenant, mail: &NewMail) -> MailId {
    let mut tx = db.tenant_tx(tenant).await.unwrap();
    let id = tx.outbox().enqueue(mail).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn find(db: &Database, tenant: &Tenant, id: MailId) -> Option<OutboxMail> {
    let mut tx = db.tenant_tx(tenant).await.unwrap();
    let mail = tx.outbox().find(id).await.unwrap();
    tx.commit().await.unwrap();
    mail
}

/// Polls until `done` holds for the mail, for up to 15 s.
async fn wait_until(
    db: &Database,
    tenant: &Tenant,
    id: MailId,
    what: &str,
    done: impl Fn(&OutboxMail) -> bool,
) -> OutboxMail {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let mail = find(db, tenant, id).await.expect("the mail exists");
        if done(&mail) {
            return mail;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: still {mail:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_for_file(path: &Path) -> Vec<u8> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(bytes) = std::fs::read(path) {
            return bytes;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Checks a delivered invitation: headers and both bodies, accents intact.
fn assert_invitation(raw: &[u8], id: MailId, to: &str) {
    let message = MessageParser::default()
        .parse(raw)
        .expect("an RFC 5322 message");
    let recipient = message.to().and_then(|t| t.first()).expect("To");
    assert_eq!(recipient.address(), Some(to));
    assert_eq!(recipient.name(), Some("José Núñez"));
    let sender = message.from().and_then(|f| f.first()).expect("From");
    assert_eq!(sender.address(), Some("no-reply@portico.test"));
    assert_eq!(message.subject(), Some(SUBJECT));
    assert_eq!(
        message.message_id(),
        Some(format!("{id}@portico.test").as_str())
    );
    assert_eq!(
        message
            .body_text(0)
            .expect("text part")
            .replace("\r\n", "\n"),
        TEXT
    );
    assert_eq!(message.body_html(0).expect("HTML part").trim_end(), HTML);
    // Headers travel as 7-bit ASCII (encoded words), whatever the text.
    let head_len = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    assert!(raw[..head_len].is_ascii(), "headers are ASCII");
}

// ----- files -----

async fn a_committed_mail_is_delivered_as_an_eml_file_right_after_the_kick(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    // The change that causes the mail, in the same transaction.
    tx.staff()
        .create(&NewStaffUser {
            email: Email::parse("jose.nunez@alfa.test").unwrap(),
            name: "José Núñez".into(),
            role: StaffRole::Sales,
            password_hash: None,
            one_time_password: false,
            locale: None,
        })
        .await
        .unwrap();
    let id = tx
        .outbox()
        .enqueue(&invitation("jose.nunez@alfa.test"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state.mail.kick(&alfa);

    let raw = wait_for_file(&app.mail_dir.path().join(format!("{id}.eml"))).await;
    assert_invitation(&raw, id, "jose.nunez@alfa.test");
    let sent = wait_until(&app.db.db, &alfa, id, "marked sent", |m| {
        m.sent_at.is_some()
    })
    .await;
    assert_eq!(sent.attempts, 1);
    assert!(!sent.is_pending());
    assert_eq!(sent.next_attempt_at, None);
    assert_eq!(sent.last_error, None);
    // Only the finished file: no temporary file is left behind.
    assert_eq!(files_in(app.mail_dir.path()), [format!("{id}.eml")]);
    // Delivered mail is not delivered again.
    assert_eq!(app.state.mail.sweep().await.unwrap().sent, 0);
    assert_eq!(files_in(app.mail_dir.path()).len(), 1);
}

async fn a_rolled_back_transaction_sends_nothing(db: TestDb) {
    let app = quiet_app(db).await;
    let alfa = app.company("alfa").await;
    let id = {
        let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
        tx.staff()
            .create(&NewStaffUser {
                email: Email::parse("jose.nunez@alfa.test").unwrap(),
                name: "José Núñez".into(),
                role: StaffRole::Sales,
                password_hash: None,
                one_time_password: false,
                locale: None,
            })
            .await
            .unwrap();
        let id = tx
            .outbox()
            .enqueue(&invitation("jose.nunez@alfa.test"))
            .await
            .unwrap();
        // Dropped without a commit: the user and the mail go together.
        drop(tx);
        id
    };
    app.state.mail.kick(&alfa);
    let delivered = app.state.mail.deliver_pending(&alfa).await.unwrap();
    assert_eq!(delivered, portico_mail::Delivery::default());
    assert_eq!(app.state.mail.sweep().await.unwrap().sent, 0);
    assert!(find(&app.db.db, &alfa, id).await.is_none());
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    assert!(tx.outbox().pending(10).await.unwrap().is_empty());
    assert!(
        tx.staff()
            .find_by_email(&Email::parse("jose.nunez@alfa.test").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    drop(tx);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(files_in(app.mail_dir.path()).is_empty());
}

/// The dispatcher's sweep visits only the companies with mail due, found
/// without a transaction per company.
async fn the_sweep_visits_only_companies_with_due_mail(db: TestDb) {
    let app = quiet_app(db).await;
    let alfa = app.company("alfa").await;
    let beta = app.company("beta").await;
    app.company("gamma").await;
    let worklist = |by: chrono::DateTime<chrono::Utc>| {
        let db = app.db.db.clone();
        async move {
            let mut platform = db.platform_tx().await.unwrap();
            let tenants = platform.tenants_with_due_mail(by).await.unwrap();
            platform.commit().await.unwrap();
            tenants
                .iter()
                .map(|t| t.slug().as_str().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert!(worklist(chrono::Utc::now()).await.is_empty());
    let a = enqueue(&app.db.db, &alfa, &invitation("ana@cliente.do")).await;
    let b = enqueue(&app.db.db, &beta, &invitation("bruno@cliente.do")).await;
    // Beta's mail is being sent by someone else for the next ten minutes.
    let mut tx = app.db.db.tenant_tx(&beta).await.unwrap();
    let lease = chrono::Utc::now() + chrono::Duration::minutes(10);
    assert!(tx.outbox().claim(b, lease).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(worklist(chrono::Utc::now()).await, ["alfa"]);
    assert_eq!(
        worklist(lease + chrono::Duration::seconds(1)).await,
        ["alfa", "beta"]
    );
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    assert!(tx.outbox().mark_sent(a).await.unwrap());
    tx.commit().await.unwrap();
    assert!(worklist(chrono::Utc::now()).await.is_empty());
}

async fn the_sweep_delivers_every_tenants_due_mail(db: TestDb) {
    let app = quiet_app(db).await;
    let alfa = app.company("alfa").await;
    let beta = app.company("beta").await;
    let a = enqueue(&app.db.db, &alfa, &invitation("ana@cliente.do")).await;
    let b1 = enqueue(&app.db.db, &beta, &invitation("bruno@cliente.do")).await;
    let mut text_only = invitation("berta@cliente.do");
    text_only.body_html = None;
    text_only.to_name = None;
    let b2 = enqueue(&app.db.db, &beta, &text_only).await;

    let swept = app.state.mail.sweep().await.unwrap();
    assert_eq!(swept.sent, 3);
    assert_eq!(files_in(app.mail_dir.path()), {
        let mut names = vec![format!("{a}.eml"), format!("{b1}.eml"), format!("{b2}.eml")];
        names.sort();
        names
    });
    let raw = std::fs::read(app.mail_dir.path().join(format!("{b2}.eml"))).unwrap();
    let raw_text = String::from_utf8_lossy(&raw);
    assert!(!raw_text.contains("multipart"), "{raw_text}");
    assert!(
        raw_text.contains("Content-Type: text/plain; charset=utf-8"),
        "{raw_text}"
    );
    let plain = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(plain.body_text(0).unwrap().replace("\r\n", "\n"), TEXT);
    assert_eq!(
        plain.to().and_then(|t| t.first()).and_then(|a| a.address()),
        Some("berta@cliente.do")
    );
}

// ----- SMTP -----

async fn mail_reaches_a_real_smtp_server_whole(db: TestDb) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::with_smtp(db, &sink.url()).await;
    let alfa = app.company("alfa").await;
    let invite = enqueue(&app.db.db, &alfa, &invitation("jose.nunez@cliente.do")).await;
    // A body SMTP could mangle: a line with a lone dot (the end-of-data mark),
    // a line starting with a dot, and a line far longer than 998 characters.
    let long_line = "ñandú ".repeat(300);
    let tricky_text = format!("Primera línea\n.\n.empieza con punto\n{long_line}\nÚltima línea\n");
    let tricky = enqueue(
        &app.db.db,
        &alfa,
        &NewMail {
            to: Email::parse("maria.pena@cliente.do").unwrap(),
            to_name: Some("María Peña".into()),
            subject: "Restablecer su contraseña — señal Ñ".into(),
            body_text: tricky_text.clone(),
            body_html: None,
        },
    )
    .await;
    app.state.mail.kick(&alfa);

    let received = sink.wait_for(2, Duration::from_secs(15)).await;
    let by_rcpt = |rcpt: &str| {
        received
            .iter()
            .find(|r| r.rcpt_tos == [rcpt])
            .unwrap_or_else(|| panic!("a message for {rcpt}: {received:?}"))
    };
    let first = by_rcpt("jose.nunez@cliente.do");
    assert_eq!(first.mail_from, "no-reply@portico.test");
    assert_invitation(&first.raw, invite, "jose.nunez@cliente.do");

    let second = by_rcpt("maria.pena@cliente.do");
    let message = MessageParser::default().parse(&second.raw).unwrap();
    assert_eq!(
        message.subject(),
        Some("Restablecer su contraseña — señal Ñ")
    );
    assert_eq!(
        message.to().and_then(|t| t.first()).and_then(|a| a.name()),
        Some("María Peña")
    );
    assert_eq!(
        message.body_text(0).unwrap().replace("\r\n", "\n"),
        tricky_text
    );
    assert_eq!(
        message.message_id(),
        Some(format!("{tricky}@portico.test").as_str())
    );

    for id in [invite, tricky] {
        let mail = wait_until(&app.db.db, &alfa, id, "marked sent", |m| {
            m.sent_at.is_some()
        })
        .await;
        assert_eq!(mail.attempts, 1);
    }
    // Nothing is written to the mail folder when SMTP is configured.
    assert!(files_in(app.mail_dir.path()).is_empty());
}

async fn mail_waits_while_the_smtp_server_is_down_and_goes_when_it_is_back(db: TestDb) {
    if sink_python().is_none() {
        return;
    }
    let port = free_port();
    let app = TestApp::with_mail(db, |mail| MailConfig {
        transport: Transport::smtp(&format!("smtp://127.0.0.1:{port}")).unwrap(),
        retry: RetryPolicy {
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_millis(800),
            ..RetryPolicy::default()
        },
        sweep_every: Duration::from_millis(250),
        ..mail
    })
    .await;
    let alfa = app.company("alfa").await;
    let id = enqueue(&app.db.db, &alfa, &invitation("jose.nunez@cliente.do")).await;
    app.state.mail.kick(&alfa);

    // Nothing listens: the attempt fails, is counted, and the mail stays pending.
    let failed = wait_until(&app.db.db, &alfa, id, "a failed attempt", |m| {
        m.last_error.is_some()
    })
    .await;
    assert!(failed.attempts >= 1, "{failed:?}");
    assert!(failed.is_pending(), "{failed:?}");
    assert_eq!(failed.sent_at, None);
    let error = failed.last_error.unwrap();
    assert!(error.to_lowercase().contains("connection"), "{error}");
    // The sweeps keep trying while the server is down.
    wait_until(&app.db.db, &alfa, id, "more attempts", |m| m.attempts >= 2).await;

    // The server comes back on the same port: a later sweep delivers the mail.
    let sink = SmtpSink::start_on(port).expect("the sink starts");
    let received = sink.wait_for(1, Duration::from_secs(15)).await;
    assert_invitation(&received[0].raw, id, "jose.nunez@cliente.do");
    let sent = wait_until(&app.db.db, &alfa, id, "marked sent", |m| {
        m.sent_at.is_some()
    })
    .await;
    assert!(sent.attempts >= 2, "{sent:?}");
    assert!(!sent.is_pending());
    // Sent once only, however many sweeps ran.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sink.messages().len(), 1);
}

async fn a_mail_is_given_up_after_the_last_attempt_and_keeps_its_error(db: TestDb) {
    // Nothing listens on the port; no sink needed.
    let port = free_port();
    let app = TestApp::with_mail(db, |mail| MailConfig {
        transport: Transport::smtp(&format!("smtp://127.0.0.1:{port}")).unwrap(),
        retry: RetryPolicy {
            max_attempts: 3,
            first_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        },
        sweep_every: Duration::from_secs(3600),
        ..mail
    })
    .await;
    let alfa = app.company("alfa").await;
    let id = enqueue(&app.db.db, &alfa, &invitation("jose.nunez@cliente.do")).await;
    let mail = &app.state.mail;
    for attempt in 1..=2 {
        let pass = mail.deliver_pending(&alfa).await.unwrap();
        assert_eq!(pass.retrying, 1, "attempt {attempt}: {pass:?}");
        let state = find(&app.db.db, &alfa, id).await.unwrap();
        assert_eq!(state.attempts, attempt);
        assert!(state.is_pending());
    }
    let last = mail.deliver_pending(&alfa).await.unwrap();
    assert_eq!(last.given_up, 1, "{last:?}");
    let given_up = find(&app.db.db, &alfa, id).await.unwrap();
    assert_eq!(given_up.attempts, 3);
    assert!(!given_up.is_pending());
    assert_eq!(given_up.sent_at, None);
    assert_eq!(given_up.next_attempt_at, None);
    assert!(given_up.last_error.is_some_and(|e| !e.is_empty()));
    // Given up means no further attempts.
    assert_eq!(
        mail.deliver_pending(&alfa).await.unwrap(),
        portico_mail::Delivery::default()
    );
    assert_eq!(find(&app.db.db, &alfa, id).await.unwrap().attempts, 3);
}

// ----- claims and isolation -----

async fn two_dispatchers_never_send_the_same_mail_twice(db: TestDb) {
    let app = quiet_app(db).await;
    let alfa = app.company("alfa").await;
    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(
            enqueue(
                &app.db.db,
                &alfa,
                &invitation(&format!("persona{n}@cliente.do")),
            )
            .await,
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let dispatcher = || {
        let mut config = MailConfig::new(
            Transport::files(dir.path()).unwrap(),
            portico_mail::parse_from("Portico <no-reply@portico.test>").unwrap(),
        );
        config.batch = 5;
        Mailer::new(app.db.db.clone(), config)
    };
    let (one, two) = (dispatcher(), dispatcher());
    let (a, b) = tokio::join!(one.deliver_pending(&alfa), two.deliver_pending(&alfa));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 12, "{a:?} {b:?}");
    assert_eq!(files_in(dir.path()).len(), 12);
    for id in ids {
        let mail = find(&app.db.db, &alfa, id).await.unwrap();
        assert_eq!(mail.attempts, 1, "{mail:?}");
        assert!(mail.sent_at.is_some());
    }
}

async fn another_tenants_transaction_cannot_see_or_send_this_tenants_outbox(db: TestDb) {
    let app = quiet_app(db).await;
    let alfa = app.company("alfa").await;
    let beta = app.company("beta").await;
    let id = enqueue(&app.db.db, &alfa, &invitation("jose.nunez@cliente.do")).await;

    let mut tx = app.db.db.tenant_tx(&beta).await.unwrap();
    assert!(tx.outbox().find(id).await.unwrap().is_none());
    assert!(tx.outbox().pending(100).await.unwrap().is_empty());
    let later = chrono::Utc::now() + chrono::Duration::minutes(10);
    assert!(!tx.outbox().claim(id, later).await.unwrap());
    assert!(!tx.outbox().mark_sent(id).await.unwrap());
    assert!(!tx.outbox().mark_failed(id, "nope", None).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(
        app.state.mail.deliver_pending(&beta).await.unwrap(),
        portico_mail::Delivery::default()
    );
    assert!(files_in(app.mail_dir.path()).is_empty());
    let untouched = find(&app.db.db, &alfa, id).await.unwrap();
    assert_eq!(untouched.attempts, 0);
    assert!(untouched.is_pending());
    assert_eq!(untouched.last_error, None);

    if app.db.backend == TestBackend::Postgres {
        row_level_security_guards_the_outbox(&app.db, alfa.id().as_uuid(), beta.id().as_uuid())
            .await;
    }
    // Alfa's own dispatch still works.
    assert_eq!(app.state.mail.deliver_pending(&alfa).await.unwrap().sent, 1);
}

/// Raw SQL as the application role, without the repositories' tenant filter.
async fn row_level_security_guards_the_outbox(db: &TestDb, alfa: uuid::Uuid, beta: uuid::Uuid) {
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_username("portico_app").unwrap();
    url.set_password(None).unwrap();
    let mut conn = PgConnection::connect(url.as_str()).await.unwrap();

    // No tenant set (as a platform transaction): no outbox row is visible.
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(visible, 0);

    sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
    sqlx::query("SELECT set_config('portico.tenant_id', $1, true)")
        .bind(beta.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE tenant_id = $1")
        .bind(alfa)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(seen, 0);
    let updated = sqlx::query("UPDATE mail_outbox SET sent_at = now() WHERE tenant_id = $1")
        .bind(alfa)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let insert = sqlx::query(
        "INSERT INTO mail_outbox (tenant_id, id, to_address, subject, body_text, created_at, next_attempt_at) \
         VALUES ($1, gen_random_uuid(), 'x@example.com', 's', 'b', now(), now())",
    )
    .bind(alfa)
    .execute(&mut conn)
    .await;
    let error = insert.expect_err("writing into another tenant's outbox must fail");
    assert!(error.to_string().contains("row-level security"), "{error}");
    sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
    let _ = conn.close().await;
}

backend_tests!(
    a_committed_mail_is_delivered_as_an_eml_file_right_after_the_kick,
    a_rolled_back_transaction_sends_nothing,
    the_sweep_delivers_every_tenants_due_mail,
    the_sweep_visits_only_companies_with_due_mail,
    mail_reaches_a_real_smtp_server_whole,
    mail_waits_while_the_smtp_server_is_down_and_goes_when_it_is_back,
    a_mail_is_given_up_after_the_last_attempt_and_keeps_its_error,
    two_dispatchers_never_send_the_same_mail_twice,
    another_tenants_transaction_cannot_see_or_send_this_tenants_outbox,
);
