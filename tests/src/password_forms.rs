//! The set-password forms (portal invitation, portal and staff reset links) as
//! a browser fills them: one post, and the weak choices every such form refuses.

use poem::http::StatusCode;

use crate::{Browser, Page};

/// Posts `password` and its confirmation `again` to the form at `path` with `csrf`.
pub async fn post_password(
    browser: &Browser<'_>,
    path: &str,
    csrf: &str,
    password: &str,
    again: &str,
) -> Page {
    browser
        .post(
            path,
            &[
                ("_csrf", csrf),
                ("password", password),
                ("password_confirmation", again),
            ],
        )
        .await
}

/// Checks that the form at `path` refuses a short password, the contact's own
/// `email`, and `good` with a confirmation that differs (422 with a field
/// error each), and is still usable after.
pub async fn assert_weak_passwords_refused(
    browser: &Browser<'_>,
    path: &str,
    csrf: &str,
    email: &str,
    good: &str,
) {
    for (password, again) in [
        ("corta", "corta"),
        (email, email),
        (good, "otra clave distinta"),
    ] {
        let page = post_password(browser, path, csrf, password, again).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert!(page.body.contains("field-error"));
    }
    assert_eq!(
        browser.get(path).await.status,
        StatusCode::OK,
        "still usable"
    );
}
