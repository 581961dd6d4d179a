//! A newly chosen password (staff and portal contacts alike): the rules'
//! answers by field, and hashing it, with the answer a person sees when it
//! cannot be used.

use portico_auth::{PasswordError, PasswordRule, check_new_password, hash_password};

use crate::AppError;

/// Hashes a password that passed the form's rules (argon2id, off the executor;
/// call it with no transaction open). A password the rules should have refused
/// is a bad request.
pub async fn hash_new_password(password: &str) -> Result<String, AppError> {
    hash_password(password).await.map_err(|e| match e {
        PasswordError::TooShort => AppError::BadRequest("portal-password-too-short"),
        PasswordError::TooLong => AppError::BadRequest("portal-password-too-long"),
        PasswordError::Hashing => AppError::internal(e),
    })
}

/// What is wrong with a new password typed twice, by field (message ids).
#[derive(Debug, Default)]
pub struct NewPasswordProblems {
    pub password: Option<&'static str>,
    pub password_confirmation: Option<&'static str>,
}

impl NewPasswordProblems {
    /// Checks `password` and its `confirmation` against the rules (long enough,
    /// not too long, not the `email`, typed the same twice).
    pub fn check(password: &str, confirmation: &str, email: &str) -> Self {
        let mut problems = Self::default();
        match check_new_password(password, confirmation, email) {
            Ok(()) => {}
            Err(PasswordRule::TooShort) => problems.password = Some("portal-password-too-short"),
            Err(PasswordRule::TooLong) => problems.password = Some("portal-password-too-long"),
            Err(PasswordRule::IsEmail) => problems.password = Some("portal-password-is-email"),
            Err(PasswordRule::Mismatch) => {
                problems.password_confirmation = Some("portal-password-mismatch")
            }
        }
        problems
    }

    pub fn any(&self) -> bool {
        self.password.is_some() || self.password_confirmation.is_some()
    }
}
