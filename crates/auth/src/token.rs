//! Random tokens and their stored (hashed) form.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, hex-encoded: for CSRF tokens, invitations and API keys.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A password to show once (new owners and operators): 20 hex characters, about
/// 80 bits of entropy, to be changed or replaced by an invitation later.
pub fn temporary_password() -> String {
    random_token()[..20].to_owned()
}

/// The SHA-256 of a token, hex-encoded: what is stored instead of the token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hashes_are_stable() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), a);
    }
}
