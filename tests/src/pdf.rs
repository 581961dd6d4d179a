//! Reading PDFs back as people would: their text, through `pdftotext`
//! (poppler-utils; `.ci/run` installs it). Without it a PDF test is skipped,
//! or fails when services are required (`PORTICO_TEST_REQUIRE_SERVICES=1`).

use std::{io::Write, process::Command};

/// Whether `pdftotext` runs here; when not, [`crate::skip_or_fail`] has
/// already said so (or failed the test).
pub fn pdftotext_available() -> bool {
    let runs = Command::new("pdftotext").arg("-v").output().is_ok();
    if !runs {
        crate::skip_or_fail("pdftotext (apt-get install poppler-utils)");
    }
    runs
}

/// The text of `pdf`, its layout kept (`pdftotext -layout`).
pub fn pdf_text(pdf: &[u8]) -> String {
    assert!(
        pdf.starts_with(b"%PDF-"),
        "not a PDF: {:?}",
        &pdf[..pdf.len().min(40)]
    );
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(pdf).expect("the PDF written");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(file.path())
        .arg("-")
        .output()
        .expect("pdftotext runs (install poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 text")
}
