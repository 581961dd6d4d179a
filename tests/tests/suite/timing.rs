//! Pages that must not tell who has an account, not even by how long they take:
//! asking for a staff password reset, a portal sign-in link or a portal reset
//! answers no sooner than `ANSWER_TIME` whether a mail went out or not.

use std::time::Instant;

use poem::http::StatusCode;
use portico_domain::{ContactFields, Email, Portal};
use portico_tests::builders::Company;
use portico_tests::{TestApp, TestDb, backend_tests};
use portico_web::mail_link::ANSWER_TIME;

async fn asking_for_a_link_takes_as_long_for_a_stranger_as_for_a_user(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let fields = ContactFields {
        first_name: Some("Ana".into()),
        email: Some(Email::parse("ana@cliente.test").unwrap()),
        ..Default::default()
    };
    alfa.portal_contact(&fields, &[Portal::Customer], true)
        .await;
    let browser = app.browser(&alfa.host());
    for (form, known) in [
        ("/admin/password/forgot", "owner@alfa.test"),
        ("/portal/password/forgot", "ana@cliente.test"),
        ("/portal/sign-in/link", "ana@cliente.test"),
    ] {
        for email in [known, "nadie@alfa.test"] {
            let token = browser.get(form).await.csrf();
            let started = Instant::now();
            let page = browser
                .post(form, &[("_csrf", &token), ("email", email)])
                .await;
            let took = started.elapsed();
            assert_eq!(page.status, StatusCode::OK, "{form} {email}: {}", page.body);
            assert!(
                took >= ANSWER_TIME,
                "{form} for {email} answered in {took:?}, before {ANSWER_TIME:?}"
            );
        }
    }
}

backend_tests!(asking_for_a_link_takes_as_long_for_a_stranger_as_for_a_user);
