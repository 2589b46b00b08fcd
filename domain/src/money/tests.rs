//! Tests of currencies, amounts and revenue.

use proptest::prelude::*;

use super::*;

fn currency(code: &str) -> Currency {
    match Currency::parse(code) {
        Ok(currency) => currency,
        Err(error) => panic!("{code}: {error}"),
    }
}

fn minor(amount: &str, code: &str) -> Result<i64, String> {
    Money::parse_amount(amount, currency(code))
        .map(|money| money.minor)
        .map_err(|e| e.message)
}

#[test]
fn a_currency_is_an_active_iso_4217_code_with_its_decimals() {
    let exponents = [
        "EUR", "USD", "JPY", "KWD", "BHD", "CHF", "GBP", "CLF", "XCG",
    ]
    .map(|code| (code, currency(code).exponent()));
    assert_eq!(
        exponents,
        [
            ("EUR", 2),
            ("USD", 2),
            ("JPY", 0),
            ("KWD", 3),
            ("BHD", 3),
            ("CHF", 2),
            ("GBP", 2),
            ("CLF", 4),
            ("XCG", 2)
        ]
    );
    assert_eq!(currency("EUR").code(), "EUR");
    assert_eq!(currency("EUR").to_string(), "EUR");
}

#[test]
fn a_currency_code_that_is_not_three_uppercase_letters_or_not_active_is_refused() {
    let refused = ["eur", "EU", "EURO", "", "E1R", "ÉUR"]
        .map(|code| Currency::parse(code).map_err(|e| e.message));
    for result in refused {
        assert_eq!(result, Err("must be three uppercase letters".to_owned()));
    }
    // Withdrawn (DEM, ANG, HRK) or never a currency (ABC), or without minor unit (XAU).
    for code in ["DEM", "ANG", "HRK", "ABC", "XAU"] {
        assert_eq!(
            Currency::parse(code).map_err(|e| e.message),
            Err("must be an ISO 4217 currency code".to_owned()),
            "{code}"
        );
    }
}

#[test]
fn the_currency_table_is_sorted_without_repeats_and_every_code_parses() {
    let codes: Vec<&str> = Currency::all().map(Currency::code).collect();
    assert!(codes.windows(2).all(|pair| pair[0] < pair[1]), "{codes:?}");
    assert_eq!(codes.len(), CURRENCIES.len());
    for code in codes {
        assert_eq!(Currency::parse(code).map(Currency::code), Ok(code));
    }
    assert!(Currency::all().all(|c| c.exponent() <= 4));
}

#[test]
fn a_currency_is_serialized_as_its_code_and_read_back_through_parse() {
    let json = serde_json::to_string(&currency("JPY")).map_err(|e| e.to_string());
    assert_eq!(json.as_deref(), Ok("\"JPY\""));
    let read = serde_json::from_str::<Currency>("\"KWD\"").map(Currency::exponent);
    assert_eq!(read.map_err(|e| e.to_string()), Ok(3));
    assert!(serde_json::from_str::<Currency>("\"XXX\"").is_err());
}

#[test]
fn an_amount_is_read_in_minor_units_with_up_to_the_currencys_decimals() {
    assert_eq!(minor("1234.5", "EUR"), Ok(123_450));
    assert_eq!(minor("1234.50", "EUR"), Ok(123_450));
    assert_eq!(minor("0", "EUR"), Ok(0));
    assert_eq!(minor("12", "EUR"), Ok(1_200));
    assert_eq!(minor("-12.05", "EUR"), Ok(-1_205));
    assert_eq!(minor("1234", "JPY"), Ok(1_234));
    assert_eq!(minor("1.234", "KWD"), Ok(1_234));
    assert_eq!(minor("0.0001", "CLF"), Ok(1));
}

#[test]
fn an_amount_with_a_decimal_too_many_is_refused_not_rounded() {
    assert_eq!(
        minor("1234.505", "EUR"),
        Err("must have at most 2 decimals in EUR".to_owned())
    );
    assert_eq!(
        minor("1234.0", "JPY"),
        Err("must be a whole number in JPY".to_owned())
    );
}

#[test]
fn an_amount_not_written_as_plain_decimals_is_refused() {
    for amount in [
        "", "-", ".5", "5.", "+5", "1e3", "1,5", " 5", "5 ", "1.2.3", "--5", "0x10", "١٢",
    ] {
        assert_eq!(
            minor(amount, "EUR"),
            Err("must be a decimal number like 1234.50".to_owned()),
            "{amount:?}"
        );
    }
}

#[test]
fn an_amount_beyond_i64_minor_units_is_refused() {
    // i64::MAX is 9223372036854775807: 92233720368547758.07 EUR.
    assert_eq!(minor("92233720368547758.07", "EUR"), Ok(i64::MAX));
    assert_eq!(minor("-92233720368547758.08", "EUR"), Ok(i64::MIN));
    assert_eq!(
        minor("92233720368547758.08", "EUR"),
        Err("is too large".to_owned())
    );
    assert_eq!(
        minor(&"9".repeat(40), "JPY"),
        Err("is too large".to_owned())
    );
}

#[test]
fn an_amount_is_written_with_exactly_the_currencys_decimals() {
    let amount = |minor: i64, code: &str| {
        Money {
            minor,
            currency: currency(code),
        }
        .amount()
    };
    assert_eq!(amount(123_450, "EUR"), "1234.50");
    assert_eq!(amount(5, "EUR"), "0.05");
    assert_eq!(amount(-5, "EUR"), "-0.05");
    assert_eq!(amount(1_234, "JPY"), "1234");
    assert_eq!(amount(1_234, "KWD"), "1.234");
    assert_eq!(amount(0, "CLF"), "0.0000");
    assert_eq!(amount(i64::MIN, "EUR"), "-92233720368547758.08");
}

#[test]
fn money_is_serialized_with_its_minor_units_and_code() {
    let money = Money {
        minor: 123_450,
        currency: currency("EUR"),
    };
    let json = serde_json::to_string(&money).map_err(|e| e.to_string());
    assert_eq!(json.as_deref(), Ok(r#"{"minor":123450,"currency":"EUR"}"#));
}

#[test]
fn revenue_is_zero_to_ten_to_the_fifteen_minor_units() {
    assert_eq!(Revenue::new(0).map(Revenue::minor), Ok(0));
    assert_eq!(
        Revenue::new(MAX_REVENUE_MINOR).map(i64::from),
        Ok(1_000_000_000_000_000)
    );
    assert_eq!(
        Revenue::new(-1).map_err(|e| e.message),
        Err("must not be negative".to_owned())
    );
    assert_eq!(
        Revenue::new(MAX_REVENUE_MINOR + 1).map_err(|e| e.message),
        Err("must be at most 1000000000000000 minor units".to_owned())
    );
    assert_eq!(
        Revenue::parse("1234.5", currency("EUR")).map(Revenue::minor),
        Ok(123_450)
    );
    assert_eq!(
        Revenue::parse("-0.01", currency("EUR")).map_err(|e| e.message),
        Err("must not be negative".to_owned())
    );
    assert!(serde_json::from_str::<Revenue>("-1").is_err());
    assert_eq!(
        serde_json::from_str::<Revenue>("42")
            .map(Revenue::minor)
            .map_err(|e| e.to_string()),
        Ok(42)
    );
}

proptest! {
    /// Writing an amount and reading it back gives the same money, in every currency.
    #[test]
    fn an_amount_written_then_read_is_the_same_money(
        minor in any::<i64>(),
        index in 0..CURRENCIES.len(),
    ) {
        let (code, _) = CURRENCIES[index];
        let money = Money { minor, currency: currency(code) };
        prop_assert_eq!(Money::parse_amount(&money.amount(), money.currency), Ok(money));
    }
}
