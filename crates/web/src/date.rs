//! A calendar date in the APIs' JSON: declared `type: string, format: date`
//! (RFC 3339 `full-date`, `2026-04-12`), which is exactly what it parses and
//! writes, so the document names a format every client knows.

use std::borrow::Cow;

use chrono::NaiveDate;
use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use serde_json::Value;

/// A date given or answered in a JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

impl Type for Date {
    const IS_REQUIRED: bool = true;
    type RawValueType = NaiveDate;
    type RawElementValueType = NaiveDate;

    fn name() -> Cow<'static, str> {
        "string_date".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date")))
    }

    fn register(_registry: &mut Registry) {}

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(&self.0))
    }
}

impl ParseFromJSON for Date {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map(Date)
                .map_err(|e| ParseError::custom(format!("not a date (YYYY-MM-DD): {e}"))),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl ToJSON for Date {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.format("%Y-%m-%d").to_string()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_a_full_date_string_is_a_date() {
        let april = NaiveDate::from_ymd_opt(2026, 4, 12).unwrap();
        assert_eq!(
            Date::parse_from_json(Some(json!("2026-04-12"))).unwrap(),
            Date(april)
        );
        for wrong in [
            json!(""),
            json!("2026-4-12x"),
            json!("2026-02-30"),
            json!(20260412),
            json!(null),
        ] {
            assert!(
                Date::parse_from_json(Some(wrong.clone())).is_err(),
                "{wrong}"
            );
        }
        assert_eq!(Date(april).to_json(), Some(json!("2026-04-12")));
        assert_eq!(Date::schema_ref().unwrap_inline().format, Some("date"));
    }
}
