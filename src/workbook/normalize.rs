//! Turning raw cell contents into values and amounts.
//!
//! `Value` is what a cell holds after the reader (number, text, error, empty).
//! `parse_amount` decides whether a value can stand for an amount and records how
//! it had to be coerced, so `convert` can list every coercion and nothing is ever
//! silently taken as zero.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

/// A normalised cell value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Number(Decimal),
    Text(String),
    /// An error value (`#DIV/0!`) or a formula whose result was never computed.
    Error(String),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as display text (numbers in plain decimal form).
    pub fn text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Number(d) => d.normalize().to_string(),
            Value::Text(t) => t.clone(),
            Value::Error(e) => e.clone(),
        }
    }
}

/// Reader floats are turned into decimals through their shortest round-trip
/// text, then rounded to 6 places: `0.1` stays `0.1`, and the binary noise of a
/// cached `SUM` (`30.430000000000003`) goes, while 6 places keep 0.01 元 even in 万元.
pub fn decimal_from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    let d =
        Decimal::from_str(&format!("{f}")).or_else(|_| Decimal::from_scientific(&format!("{f:e}"))).ok()?;
    Some(d.round_dp(6).normalize())
}

/// How a value had to be coerced to become an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coercion {
    /// A number stored as text (`1,234.56`, full-width digits, NBSP …).
    TextNumber,
    /// A dash (`-`, `—`, `— —`) read as zero.
    DashAsZero,
}

/// Why a value cannot be an amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotAmount {
    /// The cell holds an error value or an uncomputed formula.
    Error(String),
    /// The cell holds text that is not a number.
    Text(String),
    /// A number beyond `MAX_AMOUNT`: no budget comes near it, and carried
    /// through a unit conversion and a county's sums it would overflow the
    /// exact decimal (whose limit is about 7.9e28).
    TooLarge(String),
}

/// The largest amount read, in any unit: 10^15 万元 is 10^19 元, and a
/// billion such cells still sum below the decimal's limit.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// Reads a value as an amount. Blank is `Ok(None)` (zero, nothing to record).
pub fn parse_amount(v: &Value) -> Result<Option<(Decimal, Option<Coercion>)>, NotAmount> {
    let amount = parse_any(v)?;
    match amount {
        Some((d, _)) if d.abs() > MAX_AMOUNT => Err(NotAmount::TooLarge(v.text())),
        _ => Ok(amount),
    }
}

fn parse_any(v: &Value) -> Result<Option<(Decimal, Option<Coercion>)>, NotAmount> {
    match v {
        Value::Empty => Ok(None),
        Value::Number(d) => Ok(Some((*d, None))),
        Value::Error(e) => Err(NotAmount::Error(e.clone())),
        Value::Text(t) => {
            let clean = crate::text::compact(t);
            if clean.is_empty() {
                return Ok(None);
            }
            if is_dash(&clean) {
                return Ok(Some((Decimal::ZERO, Some(Coercion::DashAsZero))));
            }
            match parse_number_text(&clean) {
                Some(d) => Ok(Some((d, Some(Coercion::TextNumber)))),
                None => Err(NotAmount::Text(t.clone())),
            }
        }
    }
}

fn is_dash(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, '-' | '—' | '–' | '－' | '―' | '─' | '━' | '‐'))
}

/// Parses cleaned number text: optional sign or parentheses, thousands commas,
/// an optional trailing `%` is *not* accepted (amounts are never percentages).
pub fn parse_number_text(s: &str) -> Option<Decimal> {
    let (neg, body) = if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        (true, inner)
    } else {
        (false, s)
    };
    let body = body.replace(',', "");
    if body.is_empty()
        || !body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    let d = Decimal::from_str(&body).or_else(|_| Decimal::from_scientific(&body)).ok()?;
    Some(if neg { -d } else { d })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts_beyond_the_bound_are_refused() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000i64));
        assert!(parse_amount(&Value::Number(MAX_AMOUNT)).is_ok());
        let big = Decimal::from_str("1e25").unwrap_or_default();
        assert_eq!(parse_amount(&Value::Number(big)), Err(NotAmount::TooLarge(big.normalize().to_string())));
        assert!(matches!(
            parse_amount(&Value::Text("-2e16".into())),
            Err(NotAmount::TooLarge(_)) | Err(NotAmount::Text(_))
        ));
    }

    #[test]
    fn floats_keep_their_shortest_decimal() {
        assert_eq!(decimal_from_f64(0.1), Some(dec("0.1")));
        assert_eq!(decimal_from_f64(30.430000000000003), Some(dec("30.43")));
        assert_eq!(decimal_from_f64(755.32), Some(dec("755.32")));
        assert_eq!(decimal_from_f64(1e20), Some(dec("100000000000000000000")));
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(decimal_from_f64(f64::INFINITY), None);
    }

    #[test]
    fn text_numbers_are_coerced_and_recorded() {
        let t = |s: &str| parse_amount(&Value::Text(s.into()));
        assert_eq!(t("1,234.56"), Ok(Some((dec("1234.56"), Some(Coercion::TextNumber)))));
        assert_eq!(t("\u{a0}12.5\u{a0}"), Ok(Some((dec("12.5"), Some(Coercion::TextNumber)))));
        assert_eq!(t("１２３．４"), Ok(Some((dec("123.4"), Some(Coercion::TextNumber)))));
        assert_eq!(t("1\u{200B}0"), Ok(Some((dec("10"), Some(Coercion::TextNumber)))));
        assert_eq!(t("(5.00)"), Ok(Some((dec("-5"), Some(Coercion::TextNumber)))));
        assert_eq!(t("-3"), Ok(Some((dec("-3"), Some(Coercion::TextNumber)))));
    }

    #[test]
    fn dashes_and_blanks() {
        let t = |s: &str| parse_amount(&Value::Text(s.into()));
        for d in ["-", "—", "— —", "－", "——"] {
            assert_eq!(t(d), Ok(Some((Decimal::ZERO, Some(Coercion::DashAsZero)))), "{d}");
        }
        assert_eq!(t("  "), Ok(None));
        assert_eq!(parse_amount(&Value::Empty), Ok(None));
        // A cell of spaces is blank for the sheet too (dropped when read).
        assert!(Value::Text(" \u{3000}".into()).is_empty() && Value::Empty.is_empty());
        assert!(!Value::Text("x".into()).is_empty() && !Value::Number(Decimal::ZERO).is_empty());
    }

    #[test]
    fn errors_and_words_are_not_amounts() {
        assert_eq!(parse_amount(&Value::Error("#DIV/0!".into())), Err(NotAmount::Error("#DIV/0!".into())));
        assert_eq!(parse_amount(&Value::Text("见说明".into())), Err(NotAmount::Text("见说明".into())));
        assert!(parse_amount(&Value::Text("12%".into())).is_err());
        assert!(parse_amount(&Value::Text("1.2.3".into())).is_err());
        // Only digits, sign, point and exponent: the decimal parser alone would take `1_000`.
        assert!(parse_amount(&Value::Text("1_000".into())).is_err());
    }
}
