//! PDFs as responses: a document under the company's letterhead (name, legal
//! name, tax id, address, logo), typeset on a blocking thread in one of the
//! state's rendering turns (503 with `Retry-After` when none comes free in
//! time), answered inline with a file name people can save.

use std::{sync::Arc, time::Duration};

use poem::{IntoResponse, Response, http::header};
use portico_pdf::Template;

use crate::{Ui, error::AppError};

/// How long a request waits for a rendering turn.
const WAIT: Duration = Duration::from_secs(10);

/// `template` typeset with `data` under the letterhead of the request's
/// company (`data.company`, filled here), as `application/pdf` named
/// `file_name` (reduced to letters, digits, `-`, `_` and `.`).
pub async fn respond(
    ui: &Ui,
    template: Template,
    mut data: serde_json::Value,
    file_name: &str,
) -> Result<Response, AppError> {
    let state = &ui.state;
    let tenant = ui.tenant.as_ref().ok_or(AppError::NotFound)?;
    let profile = tenant.profile();
    data["company"] = serde_json::json!({
        "name": tenant.name(),
        "legal_name": profile.legal_name.as_deref().filter(|l| *l != tenant.name()),
        "tax_id": profile.tax_id,
        "address": profile.address,
    });
    // A logo that cannot be read leaves the letterhead without it, never the
    // reader without the document.
    let logo = crate::logo::current(&state.files, tenant)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = ?e, "the company's logo could not be read; printing without it");
            None
        });
    let turn = tokio::time::timeout(WAIT, Arc::clone(&state.pdf_rendering).acquire_owned())
        .await
        .map_err(|_| AppError::Unavailable {
            retry_after: Duration::from_secs(5),
            cause: "every PDF rendering turn is taken".into(),
        })?
        .map_err(AppError::internal)?;
    let pdf = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        portico_pdf::render(template, &data, logo.as_deref())
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    Ok(pdf
        .with_content_type("application/pdf")
        .with_header(
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}\"", safe_name(file_name)),
        )
        .into_response())
}

/// `name` with every character but ASCII letters, digits, `-`, `_` and `.`
/// turned into `-`.
fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_name_cannot_break_its_header() {
        assert_eq!(
            super::safe_name("FAC \"1\"\r\n/..ñ.pdf"),
            "FAC--1----..-.pdf"
        );
    }
}
