//! Hashing a newly chosen password (staff and portal contacts alike), with the
//! answer a person sees when it cannot be used.

use portico_auth::{PasswordError, hash_password};

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
