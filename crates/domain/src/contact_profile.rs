//! What a contact may change about itself in a portal (its profile): its
//! phones, its address and its language. Checked by the contact record's own
//! rules, on the record as stored with these parts replaced.

use crate::{ContactFields, ContactInput, FieldErrors, RequiredFields};

/// The fields of the profile, as the form names them.
pub const FIELDS: [&str; 8] = [
    "phone",
    "mobile",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "preferred_language",
];

/// The profile as typed in a portal.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ContactProfileInput {
    pub phone: String,
    pub mobile: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub preferred_language: String,
}

impl From<&ContactFields> for ContactProfileInput {
    fn from(f: &ContactFields) -> Self {
        let all = ContactInput::from(f);
        ContactProfileInput {
            phone: all.phone,
            mobile: all.mobile,
            street: all.street,
            city: all.city,
            state: all.state,
            postal_code: all.postal_code,
            country: all.country,
            preferred_language: all.preferred_language,
        }
    }
}

impl ContactProfileInput {
    /// The contact's record `stored` with this profile in place, checked as
    /// any change of the record is (the company's `rule` included). A
    /// problem of another field (a record a rule made invalid since) is
    /// `profile-record-invalid` on the whole form, for staff to fix.
    pub fn apply(
        &self,
        stored: &ContactFields,
        rule: RequiredFields,
    ) -> Result<ContactFields, FieldErrors> {
        let mut input = ContactInput::from(stored);
        input.phone.clone_from(&self.phone);
        input.mobile.clone_from(&self.mobile);
        input.street.clone_from(&self.street);
        input.city.clone_from(&self.city);
        input.state.clone_from(&self.state);
        input.postal_code.clone_from(&self.postal_code);
        input.country.clone_from(&self.country);
        input
            .preferred_language
            .clone_from(&self.preferred_language);
        input.validate(rule).map_err(|errors| {
            let mut mine = FieldErrors::default();
            for error in errors.0 {
                if FIELDS.contains(&error.field) && error.within.is_none() {
                    mine.0.push(error);
                } else if mine.get("profile").is_none() {
                    mine.add("profile", "profile-record-invalid");
                }
            }
            mine
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Locale;

    fn stored() -> ContactFields {
        ContactInput {
            first_name: "Ana".into(),
            last_name: "Peña".into(),
            email: "ana@carol.do".into(),
            position: "Compras".into(),
            ..ContactInput::default()
        }
        .validate(RequiredFields::default())
        .expect("a valid contact")
    }

    #[test]
    fn only_the_profile_changes() {
        let profile = ContactProfileInput {
            mobile: "+1 809 555 0101".into(),
            city: " Santiago ".into(),
            country: "DO".into(),
            preferred_language: "en".into(),
            ..ContactProfileInput::default()
        };
        let fields = profile.apply(&stored(), RequiredFields::default()).unwrap();
        assert_eq!(fields.mobile.as_deref(), Some("+1 809 555 0101"));
        assert_eq!(fields.city.as_deref(), Some("Santiago"));
        assert_eq!(fields.preferred_language, Some(Locale::En));
        assert_eq!(fields.position.as_deref(), Some("Compras"), "kept");
        assert_eq!(
            fields.email.as_ref().map(|e| e.as_str()),
            Some("ana@carol.do")
        );
        assert_eq!(ContactProfileInput::from(&fields).city, "Santiago");
    }

    #[test]
    fn bad_parts_are_named_and_other_fields_are_not_the_contacts_to_fix() {
        let profile = ContactProfileInput {
            phone: "llámame".into(),
            country: "XX".into(),
            preferred_language: "fr".into(),
            ..ContactProfileInput::default()
        };
        let errors = profile
            .apply(&stored(), RequiredFields::default())
            .unwrap_err();
        assert_eq!(errors.get("phone"), Some("field-phone-invalid"));
        assert!(errors.get("country").is_some());
        assert_eq!(
            errors.get("preferred_language"),
            Some("field-choice-invalid")
        );
        // A record the company's rule no longer admits (no last name).
        let mut old = stored();
        old.last_name = None;
        let errors = ContactProfileInput::default()
            .apply(&old, RequiredFields::FirstAndLastName)
            .unwrap_err();
        assert_eq!(errors.get("profile"), Some("profile-record-invalid"));
    }
}
