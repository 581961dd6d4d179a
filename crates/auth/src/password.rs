//! Argon2id password hashing, run off the async executor.

use std::sync::LazyLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least 10 characters")]
    TooShort,
    #[error("a password has at most 256 characters")]
    TooLong,
    #[error("password hashing failed")]
    Hashing,
}

/// What is wrong with a password someone chose for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRule {
    /// Fewer than 10 characters.
    TooShort,
    /// More than 256 characters.
    TooLong,
    /// The account's own email.
    IsEmail,
    /// The confirmation differs.
    Mismatch,
}

/// The rules every chosen password follows (portal contacts and staff alike):
/// typed twice, 10 to 256 characters, not the account's email.
pub fn check_new_password(
    password: &str,
    confirmation: &str,
    email: &str,
) -> Result<(), PasswordRule> {
    let length = password.chars().count();
    if length < 10 {
        Err(PasswordRule::TooShort)
    } else if length > 256 {
        Err(PasswordRule::TooLong)
    } else if password.trim().to_lowercase() == email.trim().to_lowercase() {
        Err(PasswordRule::IsEmail)
    } else if password != confirmation {
        Err(PasswordRule::Mismatch)
    } else {
        Ok(())
    }
}

/// A hash of a random password, verified when the account does not exist so that
/// an unknown email takes as long to reject as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("portico-dummy-password").unwrap_or_default());

fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError::Hashing)
}

/// Hashes a new password with argon2id (the crate default), after checking its length.
pub async fn hash_password(password: &str) -> Result<String, PasswordError> {
    let count = password.chars().count();
    if count < 10 {
        return Err(PasswordError::TooShort);
    }
    if count > 256 {
        return Err(PasswordError::TooLong);
    }
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|_| PasswordError::Hashing)?
}

/// Checks a password against a stored hash; with no stored hash, spends the same
/// time on a dummy hash and answers `false`.
pub async fn verify_password(password: &str, stored_hash: Option<&str>) -> bool {
    let password = password.to_owned();
    let (stored, known) = match stored_hash {
        Some(hash) => (hash.to_owned(), true),
        None => (DUMMY_HASH.clone(), false),
    };
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    matches && known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)).await);
        assert!(!verify_password("wrong horse battery", Some(&hash)).await);
        assert!(!verify_password("correct horse battery", None).await);
    }

    #[tokio::test]
    async fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("short").await,
            Err(PasswordError::TooShort)
        ));
    }
}
