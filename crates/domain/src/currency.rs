//! An ISO 4217 currency code in use, such as DOP, MXN, COP or USD.

use std::fmt;

/// A currency code typed by a person is not an ISO 4217 code in use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a currency is an ISO 4217 code, such as DOP, MXN, COP or USD")]
pub struct CurrencyError;

/// One of the ISO 4217 codes of `iso::currencies`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Currency(String);

impl Currency {
    /// Parses a code, trimming and upper-casing it first; three letters that
    /// are no currency (`PES`, what `pesos` used to become) are refused.
    pub fn parse(raw: &str) -> Result<Self, CurrencyError> {
        let code = raw.trim().to_ascii_uppercase();
        match crate::iso::currency(&code) {
            Some(entry) => Ok(Self(entry.code.to_owned())),
            None => Err(CurrencyError),
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
    fn codes_are_iso_4217_codes_upper_cased() {
        assert_eq!(Currency::parse(" mxn ").unwrap().as_str(), "MXN");
        assert!(Currency::parse("pesos").is_err());
        assert!(Currency::parse("PES").is_err());
        assert!(Currency::parse("XXX").is_err());
        assert!(Currency::parse("US1").is_err());
        assert!(Currency::parse("").is_err());
    }
}
