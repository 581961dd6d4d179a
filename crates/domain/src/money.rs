//! Exact money: decimals parsed from text, amounts rounded to cents half away
//! from zero, and the one stored form of every amount, price, quantity and rate
//! (an integer of ten-thousandths, decision 0008). Never a float.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy, prelude::ToPrimitive};

pub use rust_decimal::Decimal as Dec;

/// Decimal places of the stored form.
pub const STORED_SCALE: u32 = 4;

/// Decimal places of an amount of money (cents).
pub const MONEY_SCALE: u32 = 2;

/// The largest absolute value accepted anywhere (a line, a total, a payment):
/// a trillion, far below what the stored form holds, so sums of many records
/// stay exact.
const LIMIT: i64 = 1_000_000_000_000;

/// Why a decimal typed or sent was refused; each is a field message id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    /// Not a decimal number (`12,5`, `1e3`, `abc`).
    Invalid,
    /// More decimal places than allowed.
    TooPrecise,
    /// Below the minimum allowed (zero or negative where that means nothing).
    TooSmall,
    /// Beyond the accepted magnitude.
    TooLarge,
}

impl DecimalError {
    /// The field message id.
    pub fn message(self) -> &'static str {
        match self {
            DecimalError::Invalid => "field-decimal-invalid",
            DecimalError::TooPrecise => "field-decimal-precision",
            DecimalError::TooSmall => "field-decimal-too-small",
            DecimalError::TooLarge => "field-decimal-too-large",
        }
    }
}

/// How a company rounds the tax of a document (its setting): each line's tax
/// rounded to cents and those summed (`line`, the default, as most invoices
/// in the Dominican Republic print), or the lines' exact taxes summed and the
/// sum rounded once (`document`). Lines always show their own rounded tax.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rounding {
    #[default]
    Line,
    Document,
}

impl Rounding {
    pub const ALL: [Rounding; 2] = [Rounding::Line, Rounding::Document];

    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::Line => "line",
            Rounding::Document => "document",
        }
    }

    /// The tax of a document whose lines are `(net, tax rate %, rounded tax)`.
    pub fn tax(self, lines: impl Iterator<Item = (Decimal, Decimal, Decimal)>) -> Decimal {
        match self {
            Rounding::Line => lines.map(|(_, _, tax)| tax).sum(),
            Rounding::Document => round_money(
                lines
                    .map(|(net, rate, _)| net * rate / Decimal::ONE_HUNDRED)
                    .sum(),
            ),
        }
    }
}

impl FromStr for Rounding {
    type Err = ();

    fn from_str(raw: &str) -> Result<Self, ()> {
        Rounding::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or(())
    }
}

/// Parses `raw` (`1250.5`, `-3`, with a point, no grouping) with at most
/// `places` decimals, at least `min` (inclusive) and below a trillion.
pub fn parse(raw: &str, places: u32, min: Decimal) -> Result<Decimal, DecimalError> {
    let raw = raw.trim();
    let plain = !raw.is_empty()
        && raw
            .trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.')
        && raw.bytes().filter(|b| *b == b'.').count() <= 1
        && raw
            .trim_start_matches('-')
            .bytes()
            .any(|b| b.is_ascii_digit());
    if !plain {
        return Err(DecimalError::Invalid);
    }
    let value = Decimal::from_str(raw).map_err(|_| DecimalError::TooLarge)?;
    if value.normalize().scale() > places {
        return Err(DecimalError::TooPrecise);
    }
    if value.abs() >= Decimal::from(LIMIT) {
        return Err(DecimalError::TooLarge);
    }
    if value < min {
        return Err(DecimalError::TooSmall);
    }
    Ok(value)
}

/// `value` rounded to cents, half away from zero (2.345 → 2.35, −2.345 → −2.35).
pub fn round_money(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(MONEY_SCALE, RoundingStrategy::MidpointAwayFromZero)
}

/// The stored form of `value`: ten-thousandths in an integer. `value` has at
/// most four decimals and is within the accepted magnitude (what [`parse`] and
/// the arithmetic on parsed values give), so nothing is lost.
///
/// # Panics
/// When `value` is beyond the stored form's range: a value that did not come
/// through [`parse`] and this module's arithmetic.
pub fn to_stored(value: Decimal) -> i64 {
    let scaled = value.round_dp(STORED_SCALE) * Decimal::from(10_000);
    scaled
        .to_i64()
        .expect("amounts are bounded when parsed, so their stored form fits")
}

/// A stored value back as a decimal with `places` decimals (2 for money, 4
/// for unit prices, trailing zeros dropped for quantities and rates with
/// [`Decimal::normalize`]).
pub fn from_stored(stored: i64, places: u32) -> Decimal {
    let mut value = Decimal::new(stored, STORED_SCALE);
    if value.normalize().scale() <= places {
        value.rescale(places);
    }
    value
}

/// A stored amount of money, with its two decimals.
pub fn amount(stored: i64) -> Decimal {
    from_stored(stored, MONEY_SCALE)
}

/// `value` as people read amounts on pages and PDFs: thousands grouped with a
/// comma, two decimals after a point (`12,500.00`, `-3.10`), as in the
/// Dominican Republic, Mexico and the United States.
pub fn display(value: Decimal) -> String {
    let rounded = round_money(value);
    let text = format!("{:.2}", rounded.abs());
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{cents}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn parsing_refuses_what_is_not_a_plain_bounded_decimal() {
        assert_eq!(parse(" 12.50 ", 2, Decimal::ZERO), Ok(dec("12.50")));
        assert_eq!(parse("-3", 2, dec("-10")), Ok(dec("-3")));
        for bad in ["", "-", ".", "12,5", "1e3", "1.2.3", "abc", "+1", " 1 2"] {
            assert_eq!(
                parse(bad, 2, Decimal::ZERO),
                Err(DecimalError::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse("1.234", 2, Decimal::ZERO),
            Err(DecimalError::TooPrecise)
        );
        assert_eq!(parse("1.2300", 2, Decimal::ZERO), Ok(dec("1.23")));
        assert_eq!(parse("-1", 2, Decimal::ZERO), Err(DecimalError::TooSmall));
        assert_eq!(
            parse("1000000000000", 2, Decimal::ZERO),
            Err(DecimalError::TooLarge)
        );
        assert_eq!(
            parse("99999999999999999999999999999999", 2, Decimal::ZERO),
            Err(DecimalError::TooLarge)
        );
    }

    #[test]
    fn a_document_rounds_its_tax_per_line_or_once() {
        // Three lines of 0.10 at 18 %: 0.018 each, 0.02 rounded.
        let lines = || (0..3).map(|_| (dec("0.10"), dec("18"), dec("0.02")));
        assert_eq!(Rounding::Line.tax(lines()), dec("0.06"));
        assert_eq!(Rounding::Document.tax(lines()), dec("0.05"));
        // Mixed rates: 10.005 at 18 % (1.8009) and 3.33 at 16 % (0.5328).
        let mixed = || {
            [
                (dec("10.01"), dec("18"), dec("1.80")),
                (dec("3.33"), dec("16"), dec("0.53")),
            ]
            .into_iter()
        };
        assert_eq!(Rounding::Line.tax(mixed()), dec("2.33"));
        assert_eq!(Rounding::Document.tax(mixed()), dec("2.33"));
        assert_eq!("document".parse(), Ok(Rounding::Document));
        assert_eq!("Line".parse::<Rounding>(), Err(()));
        assert_eq!(Rounding::default(), Rounding::Line);
    }

    #[test]
    fn money_rounds_half_away_from_zero_and_stores_exactly() {
        assert_eq!(round_money(dec("2.345")), dec("2.35"));
        assert_eq!(round_money(dec("-2.345")), dec("-2.35"));
        assert_eq!(round_money(dec("2.344")), dec("2.34"));
        let value = dec("123456789.1234");
        assert_eq!(to_stored(value), 1_234_567_891_234);
        assert_eq!(from_stored(to_stored(value), 4), value);
        assert_eq!(
            amount(to_stored(dec("0.1") + dec("0.2"))).to_string(),
            "0.30"
        );
        assert_eq!(from_stored(to_stored(dec("2.5")), 0).to_string(), "2.5000");
        assert_eq!(
            from_stored(to_stored(dec("2.5")), 0)
                .normalize()
                .to_string(),
            "2.5"
        );
    }

    #[test]
    fn amounts_display_grouped_with_two_decimals() {
        assert_eq!(display(dec("12500")), "12,500.00");
        assert_eq!(display(dec("1234567.891")), "1,234,567.89");
        assert_eq!(display(dec("-3.1")), "-3.10");
        assert_eq!(display(dec("999.995")), "1,000.00");
        assert_eq!(display(dec("-0.001")), "0.00");
        assert_eq!(display(Decimal::ZERO), "0.00");
    }
}
