//! Money in integer minor units of an ISO 4217 currency: a [`Currency`], an amount of
//! [`Money`] as people type it, and a client's [`Revenue`]. Never a float.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InvalidValue;

/// Every active ISO 4217 code (SIX "List One", as published on 2026-01-01) with its minor
/// unit: the number of decimals of an amount. Codes whose minor unit is "N.A." (gold,
/// silver, SDR, bond-market units, XTS, XXX) are left out: they are not a currency a
/// client pays in. A code is only ever added: a stored program currency must stay readable.
#[rustfmt::skip]
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("AOA", 2), ("ARS", 2), ("AUD", 2),
    ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BHD", 3), ("BIF", 0),
    ("BMD", 2), ("BND", 2), ("BOB", 2), ("BOV", 2), ("BRL", 2), ("BSD", 2), ("BTN", 2),
    ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHE", 2), ("CHF", 2),
    ("CHW", 2), ("CLF", 4), ("CLP", 0), ("CNY", 2), ("COP", 2), ("COU", 2), ("CRC", 2),
    ("CUP", 2), ("CVE", 2), ("CZK", 2), ("DJF", 0), ("DKK", 2), ("DOP", 2), ("DZD", 2),
    ("EGP", 2), ("ERN", 2), ("ETB", 2), ("EUR", 2), ("FJD", 2), ("FKP", 2), ("GBP", 2),
    ("GEL", 2), ("GHS", 2), ("GIP", 2), ("GMD", 2), ("GNF", 0), ("GTQ", 2), ("GYD", 2),
    ("HKD", 2), ("HNL", 2), ("HTG", 2), ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2),
    ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2), ("JOD", 3), ("JPY", 0), ("KES", 2),
    ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2), ("KRW", 0), ("KWD", 3), ("KYD", 2),
    ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2), ("LRD", 2), ("LSL", 2), ("LYD", 3),
    ("MAD", 2), ("MDL", 2), ("MGA", 2), ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2),
    ("MRU", 2), ("MUR", 2), ("MVR", 2), ("MWK", 2), ("MXN", 2), ("MXV", 2), ("MYR", 2),
    ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2), ("NOK", 2), ("NPR", 2), ("NZD", 2),
    ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2), ("PHP", 2), ("PKR", 2), ("PLN", 2),
    ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2), ("RUB", 2), ("RWF", 0), ("SAR", 2),
    ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2), ("SGD", 2), ("SHP", 2), ("SLE", 2),
    ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2), ("SVC", 2), ("SYP", 2), ("SZL", 2),
    ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3), ("TOP", 2), ("TRY", 2), ("TTD", 2),
    ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0), ("USD", 2), ("USN", 2), ("UYI", 0),
    ("UYU", 2), ("UYW", 4), ("UZS", 2), ("VED", 2), ("VES", 2), ("VND", 0), ("VUV", 0),
    ("WST", 2), ("XAD", 2), ("XAF", 0), ("XCD", 2), ("XCG", 2), ("XOF", 0), ("XPF", 0),
    ("YER", 2), ("ZAR", 2), ("ZMW", 2), ("ZWG", 2),
];

/// An ISO 4217 currency: its three-letter code and its minor unit. Serialized as the code
/// (and read back through [`Currency::parse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    /// An entry of [`CURRENCIES`].
    code: &'static str,
    exponent: u8,
}

impl Currency {
    /// # Errors
    /// When `code` is not three uppercase letters, or not an active ISO 4217 currency.
    pub fn parse(code: &str) -> Result<Self, InvalidValue> {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(InvalidValue::new("must be three uppercase letters"));
        }
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|&(code, exponent)| Self { code, exponent })
            .ok_or_else(|| InvalidValue::new("must be an ISO 4217 currency code"))
    }

    /// The code, e.g. `EUR`.
    #[must_use]
    pub fn code(self) -> &'static str {
        self.code
    }

    /// How many decimals an amount has: 2 for EUR, 0 for JPY, 3 for KWD.
    #[must_use]
    pub fn exponent(self) -> u32 {
        u32::from(self.exponent)
    }

    /// Every currency [`Currency::parse`] accepts, in code order.
    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES
            .iter()
            .map(|&(code, exponent)| Self { code, exponent })
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

// By hand rather than `#[serde(try_from = "String")]`: the derive would tie the
// deserializer's lifetime to the `&'static str` inside.
impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount in whole minor units (cents for EUR, yen for JPY) of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// Reads an amount as people type it: digits, optionally a `.` and at most
    /// `currency.exponent()` decimals, optionally a leading `-`: `1234.5`, `1234.50`, `0`,
    /// `-12`. A decimal too many is an error, never rounded away; there is no `+`, no
    /// exponent notation, no thousands separator and no surrounding space.
    ///
    /// # Errors
    /// When `amount` is not of that form, or does not fit in `i64` minor units.
    pub fn parse_amount(amount: &str, currency: Currency) -> Result<Self, InvalidValue> {
        let exponent = currency.exponent();
        let (negative, unsigned) = match amount.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, amount),
        };
        let (whole, decimals) = match unsigned.split_once('.') {
            Some((whole, decimals)) => (whole, decimals),
            None => (unsigned, ""),
        };
        let is_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !is_digits(whole)
            || !is_digits(decimals)
            || (unsigned.contains('.') && decimals.is_empty())
        {
            return Err(InvalidValue::new("must be a decimal number like 1234.50"));
        }
        if decimals.len() > exponent as usize {
            return Err(InvalidValue::new(if exponent == 0 {
                format!("must be a whole number in {currency}")
            } else {
                format!("must have at most {exponent} decimals in {currency}")
            }));
        }
        let too_large = || InvalidValue::new("is too large");
        let mut minor: i128 = 0;
        let padding = exponent as usize - decimals.len();
        for digit in whole
            .bytes()
            .chain(decimals.bytes())
            .chain(std::iter::repeat_n(b'0', padding))
        {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(digit - b'0')))
                .filter(|m| *m <= i128::from(i64::MAX) + 1)
                .ok_or_else(too_large)?;
        }
        let minor = if negative { -minor } else { minor };
        let minor = i64::try_from(minor).map_err(|_| too_large())?;
        Ok(Self { minor, currency })
    }

    /// The amount with exactly `currency.exponent()` decimals: `1234.50`, for JPY `1234`.
    #[must_use]
    pub fn amount(&self) -> String {
        let exponent = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let magnitude = self.minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{magnitude}");
        }
        let unit = 10u64.pow(exponent);
        let width = exponent as usize;
        format!("{sign}{}.{:0width$}", magnitude / unit, magnitude % unit)
    }
}

/// The largest revenue of one outcome entry, in minor units: 10^15 (ten trillion euros).
pub const MAX_REVENUE_MINOR: i64 = 1_000_000_000_000_000;

/// A client's revenue for a month, in minor units of the program's currency:
/// `0..=`[`MAX_REVENUE_MINOR`]. Serialized as the bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Revenue(i64);

impl Revenue {
    pub const ZERO: Revenue = Revenue(0);

    /// # Errors
    /// When `minor` is negative or above [`MAX_REVENUE_MINOR`].
    pub fn new(minor: i64) -> Result<Self, InvalidValue> {
        if minor < 0 {
            Err(InvalidValue::new("must not be negative"))
        } else if minor > MAX_REVENUE_MINOR {
            Err(InvalidValue::new(format!(
                "must be at most {MAX_REVENUE_MINOR} minor units"
            )))
        } else {
            Ok(Self(minor))
        }
    }

    /// The revenue of an amount typed in the program's currency.
    ///
    /// # Errors
    /// Those of [`Money::parse_amount`] and [`Revenue::new`].
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, InvalidValue> {
        Self::new(Money::parse_amount(amount, currency)?.minor)
    }

    #[must_use]
    pub const fn minor(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for Revenue {
    type Error = InvalidValue;

    fn try_from(value: i64) -> Result<Self, InvalidValue> {
        Self::new(value)
    }
}

impl From<Revenue> for i64 {
    fn from(value: Revenue) -> i64 {
        value.0
    }
}

#[cfg(test)]
mod tests;
