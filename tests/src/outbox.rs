//! The mail folder as tests read it: the `.eml` files the app wrote (oldest
//! first), waiting for them or for a company's outbox to empty, and a parsed
//! mail's recipient, subject and text.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use mail_parser::MessageParser;

/// The `.eml` files in `dir`, oldest first (mail ids are UUIDv7: names sort by time).
pub fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("mail folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
}

/// The contents of the `.eml` files in `dir`, oldest first, once there are at
/// least `count` (15 s at most).
pub async fn mails(dir: &Path, count: usize) -> Vec<Vec<u8>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let files = eml_files(dir);
        if files.len() >= count {
            return files
                .iter()
                .map(|f| std::fs::read(f).expect("mail file"))
                .collect();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{count} mails never came"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every mail in `dir` once `tenant`'s outbox holds nothing on its way
/// (15 s at most): what a change wrote, all of it delivered.
pub async fn settled(
    db: &portico_data::Database,
    tenant: &portico_data::Tenant,
    dir: &Path,
) -> Vec<Mail> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let mut tx = db.tenant_tx(tenant).await.expect("tenant transaction");
        let unsent = tx.outbox().unsent(1).await.expect("outbox").len();
        tx.commit().await.expect("commit");
        if unsent == 0 {
            return eml_files(dir)
                .iter()
                .map(|f| Mail::parse(&std::fs::read(f).expect("mail file")))
                .collect();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the outbox never emptied"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A delivered mail: recipient (address and name), subject, text body.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    /// The text part, with `\n` line ends.
    pub text: String,
}

impl Mail {
    /// Parses a raw message (an `.eml` file or what an SMTP server received).
    pub fn parse(raw: &[u8]) -> Self {
        let message = MessageParser::default().parse(raw).expect("a message");
        let to = message.to().and_then(|t| t.first());
        Self {
            to: to.and_then(|a| a.address()).unwrap_or_default().to_owned(),
            to_name: to.and_then(|a| a.name()).unwrap_or_default().to_owned(),
            subject: message.subject().unwrap_or_default().to_owned(),
            text: message
                .body_text(0)
                .expect("text part")
                .replace("\r\n", "\n"),
        }
    }

    /// Checks that the text holds each of `parts`.
    pub fn assert_text_contains(&self, parts: &[&str]) {
        for part in parts {
            assert!(self.text.contains(part), "{part}: {}", self.text);
        }
    }

    /// The first URL in the text that contains `part`.
    pub fn url_containing(&self, part: &str) -> &str {
        self.text
            .split_whitespace()
            .find(|w| w.contains(part))
            .unwrap_or_else(|| panic!("no {part} link in {}", self.text))
    }
}
