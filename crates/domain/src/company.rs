//! The company's profile: the legal name, tax id and address its printed
//! documents and portals carry under its trading name.

use crate::FieldErrors;
use crate::fields::{Checker, limits};

/// The longest address, in characters, and in lines (a letterhead's worth).
pub const ADDRESS_CHARS: usize = 300;
pub const ADDRESS_LINES: usize = 4;

/// The profile as typed on the company page.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct CompanyProfileInput {
    #[serde(default)]
    pub legal_name: String,
    #[serde(default)]
    pub tax_id: String,
    #[serde(default)]
    pub address: String,
}

/// A checked profile: each part trimmed, `None` when blank.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CompanyProfile {
    pub legal_name: Option<String>,
    pub tax_id: Option<String>,
    /// Up to four lines, each trimmed, blank lines dropped.
    pub address: Option<String>,
}

impl CompanyProfileInput {
    /// The clean profile, or each field's problem.
    pub fn validate(&self) -> Result<CompanyProfile, FieldErrors> {
        let mut check = Checker::default();
        let legal_name = check.text("legal_name", &self.legal_name, limits::TEXT);
        let tax_id = check.text("tax_id", &self.tax_id, limits::SHORT);
        let address = check
            .text("address", &self.address, limits::LONG_TEXT)
            .map(|a| {
                a.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        if let Some(address) = &address {
            if address.chars().count() > ADDRESS_CHARS {
                check.errors.add("address", "field-too-long");
            } else if address.lines().count() > ADDRESS_LINES {
                check
                    .errors
                    .add("address", "company-address-too-many-lines");
            } else if address.contains('\t') {
                check.errors.add("address", "field-control-characters");
            }
        }
        check.errors.finish(CompanyProfile {
            legal_name,
            tax_id,
            address,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(legal_name: &str, tax_id: &str, address: &str) -> CompanyProfileInput {
        CompanyProfileInput {
            legal_name: legal_name.into(),
            tax_id: tax_id.into(),
            address: address.into(),
        }
    }

    #[test]
    fn a_profile_is_trimmed_and_blank_parts_are_none() {
        let profile = input("  Distribuidora del Caribe, S.R.L. ", " 1-01-12345-6 ", "")
            .validate()
            .unwrap();
        assert_eq!(
            profile.legal_name.as_deref(),
            Some("Distribuidora del Caribe, S.R.L.")
        );
        assert_eq!(profile.tax_id.as_deref(), Some("1-01-12345-6"));
        assert_eq!(profile.address, None);
    }

    #[test]
    fn an_address_keeps_its_lines_without_blank_ones() {
        let profile = input("", "", " Av. Winston Churchill 25 \r\n\r\n Santo Domingo ")
            .validate()
            .unwrap();
        assert_eq!(
            profile.address.as_deref(),
            Some("Av. Winston Churchill 25\nSanto Domingo")
        );
    }

    #[test]
    fn each_bad_part_is_named() {
        let errors = input(&"x".repeat(201), "RNC\u{0}1", "1\n2\n3\n4\n5")
            .validate()
            .unwrap_err();
        assert_eq!(errors.get("legal_name"), Some("field-too-long"));
        assert_eq!(errors.get("tax_id"), Some("field-control-characters"));
        assert_eq!(
            errors.get("address"),
            Some("company-address-too-many-lines")
        );
        let errors = input("", "", &"calle ".repeat(60)).validate().unwrap_err();
        assert_eq!(errors.get("address"), Some("field-too-long"));
    }
}
