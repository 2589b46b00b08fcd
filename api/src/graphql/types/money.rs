//! Money: exact integer minor units inside, an exact decimal amount and its currency
//! outside.

use async_graphql::{InputObject, SimpleObject};

use crate::error::{ApiError, ApiResult};
use crate::graphql::types::units::{CurrencyCode, Decimal};

/// An exact amount of money.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// The amount, exact, with as many decimals as the currency has (`"1234.50"` in EUR,
    /// `"1234"` in JPY), as a string so that no digit is lost beyond 2^53.
    pub amount: Decimal,
    /// The currency: the program's.
    pub currency_code: CurrencyCode,
}

impl Money {
    /// `minor` units of `currency`.
    #[must_use]
    pub fn of(minor: i64, currency: domain::Currency) -> Money {
        let money = domain::Money { minor, currency };
        Money {
            amount: Decimal(money.amount()),
            currency_code: CurrencyCode(currency),
        }
    }

    /// A sum or mean of amounts, which the domain keeps unsigned; one beyond 64 signed bits
    /// (never reached by real figures) shows the largest amount.
    #[must_use]
    pub fn of_unsigned(minor: u64, currency: domain::Currency) -> Money {
        Money::of(i64::try_from(minor).unwrap_or(i64::MAX), currency)
    }
}

/// An amount of money in the program's currency.
#[derive(InputObject, Debug, Clone)]
pub struct MoneyInput {
    /// The amount, with at most as many decimals as the currency has (2 for EUR): a
    /// string like `"1234.50"`, or an integer.
    pub amount: Decimal,
    /// Must be the program's currency (`Program.currency`).
    pub currency_code: CurrencyCode,
}

impl MoneyInput {
    /// The amount in minor units of `currency`; `path` is where the input sat
    /// (`input.revenue`).
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on `path.currencyCode` for another currency, on `path.amount` for
    /// more decimals than the currency has or an amount beyond 64 bits of minor units.
    pub fn minor_units(&self, currency: domain::Currency, path: &str) -> ApiResult<i64> {
        if self.currency_code.0 != currency {
            return Err(ApiError::bad_field(
                format!("{path}.currencyCode"),
                format!("must be the program's currency, {currency}"),
            ));
        }
        domain::Money::parse_amount(&self.amount.0, currency)
            .map(|m| m.minor)
            .map_err(|e| ApiError::BadInput(vec![e.at(format!("{path}.amount"))]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> domain::Currency {
        domain::Currency::parse("EUR").unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn amounts_are_exact_beyond_two_to_the_53() {
        let money = Money::of(9_007_199_254_740_993, eur());
        assert_eq!(money.amount.0, "90071992547409.93");
        assert_eq!(
            Money::of_unsigned(u64::MAX, eur()).amount.0,
            "92233720368547758.07"
        );
    }

    #[test]
    fn an_input_must_be_in_the_programs_currency_and_its_decimals() {
        let input = |amount: &str, code: &str| MoneyInput {
            amount: Decimal(amount.into()),
            currency_code: CurrencyCode(
                domain::Currency::parse(code).unwrap_or_else(|_| unreachable!()),
            ),
        };
        assert_eq!(
            input("12.5", "EUR").minor_units(eur(), "r").ok(),
            Some(1250)
        );
        let field = |r: ApiResult<i64>| match r {
            Err(ApiError::BadInput(f)) => f[0].field.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(
            field(input("12.5", "USD").minor_units(eur(), "r")),
            "r.currencyCode"
        );
        assert_eq!(
            field(input("12.555", "EUR").minor_units(eur(), "r")),
            "r.amount"
        );
    }
}
