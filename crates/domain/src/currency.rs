//! An ISO 4217 currency code, such as DOP, MXN, COP or USD.

use std::fmt;

/// A currency code typed by a person is not three letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a currency is an ISO 4217 code of three letters, such as DOP, MXN, COP or USD")]
pub struct CurrencyError;

/// Three upper-case letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Currency(String);

impl Currency {
    /// Parses a code, trimming and upper-casing it first.
    pub fn parse(raw: &str) -> Result<Self, CurrencyError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err(CurrencyError)
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_three_letters_upper_cased() {
        assert_eq!(Currency::parse(" mxn ").unwrap().as_str(), "MXN");
        assert!(Currency::parse("pesos").is_err());
        assert!(Currency::parse("US1").is_err());
        assert!(Currency::parse("").is_err());
    }
}
