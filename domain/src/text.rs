//! Text newtypes (e-mail address, password, display name): valid once constructed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::InvalidValue;

/// Length in characters, not bytes: limits are about what people type.
pub(crate) fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// Checks the trimmed `text` has `min..=max` characters and returns it trimmed.
pub(crate) fn trimmed_within(text: &str, min: usize, max: usize) -> Result<&str, InvalidValue> {
    let trimmed = text.trim();
    if (min..=max).contains(&char_len(trimmed)) {
        Ok(trimmed)
    } else if min == 0 {
        Err(InvalidValue::new(format!(
            "must be at most {max} characters"
        )))
    } else {
        Err(InvalidValue::new(format!(
            "must be between {min} and {max} characters"
        )))
    }
}

/// Shared impls of a string newtype whose `parse(&str)` is its only constructor:
/// serde goes through `parse` too, so a stored value cannot smuggle in an invalid one.
macro_rules! text_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::error::InvalidValue;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}
pub(crate) use text_newtype;

/// An e-mail address, trimmed and lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

text_newtype!(Email);

impl Email {
    /// # Errors
    /// When the address is not 3..=254 characters, contains whitespace or a control
    /// character, or is not one `@` between a non-empty name and a domain with a dot.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let email = input.trim().to_lowercase();
        if !(3..=254).contains(&char_len(&email)) {
            return Err(InvalidValue::new("must be between 3 and 254 characters"));
        }
        if email.chars().any(char::is_whitespace) {
            return Err(InvalidValue::new("must not contain spaces"));
        }
        if email.chars().any(char::is_control) {
            return Err(InvalidValue::new("must not contain control characters"));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(InvalidValue::new("must contain an @"));
        };
        if domain.contains('@') {
            return Err(InvalidValue::new("must contain exactly one @"));
        }
        if local.is_empty() {
            return Err(InvalidValue::new("needs a name before the @"));
        }
        if !is_plausible_domain(domain) {
            return Err(InvalidValue::new("needs a domain with a dot after the @"));
        }
        Ok(Self(email))
    }
}

/// A dot inside the domain, not at its edges: `example.com`, not `localhost` or `example.`.
fn is_plausible_domain(domain: &str) -> bool {
    domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
}

/// A password in plain text, only on its way to being hashed.
///
/// Deliberately not serializable, and `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    const MIN_CHARS: usize = 8;
    /// Password hashers are slow on long input: cap the bytes, not the characters.
    pub const MAX_BYTES: usize = 256;

    /// # Errors
    /// When the password is longer than 256 bytes (checked first, so an oversized
    /// input is rejected before any other work) or shorter than 8 characters.
    pub fn parse(input: String) -> Result<Self, InvalidValue> {
        if input.len() > Self::MAX_BYTES {
            return Err(InvalidValue::new(format!(
                "must be at most {} bytes",
                Self::MAX_BYTES
            )));
        }
        if char_len(&input) < Self::MIN_CHARS {
            return Err(InvalidValue::new(format!(
                "must be at least {} characters",
                Self::MIN_CHARS
            )));
        }
        Ok(Self(input))
    }

    /// The plain text, for the password hasher.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A name shown to people: of a user, template, program or prospect.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

text_newtype!(DisplayName);

impl DisplayName {
    /// # Errors
    /// When the trimmed name is not 1..=100 characters or contains a control character.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let name = trimmed_within(input, 1, 100)?;
        if name.chars().any(char::is_control) {
            return Err(InvalidValue::new("must not contain control characters"));
        }
        Ok(Self(name.to_owned()))
    }
}

/// The longest free text people write (a description, a note, a reason, a plan), in
/// characters: the one limit of [`LongText`].
pub const MAX_TEXT_CHARS: usize = 2000;
/// The longest search text, in characters: a search is a few words, and a long pattern
/// only costs the database.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The longest invite code looked up, in characters (the codes handed out are shorter).
pub const MAX_INVITE_CODE_CHARS: usize = 100;

/// Free text of at most `MAX` characters, trimmed: possibly empty (an absent text is an
/// `Option<Text<MAX>>`). Serialized as the plain string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text<const MAX: usize>(String);

/// Descriptions, notes, reasons: at most [`MAX_TEXT_CHARS`] characters.
pub type LongText = Text<MAX_TEXT_CHARS>;

impl<const MAX: usize> Text<MAX> {
    /// # Errors
    /// When the trimmed text is longer than `MAX` characters
    /// (`must be at most MAX characters`).
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        trimmed_within(input, 0, MAX).map(|text| Self(text.to_owned()))
    }

    /// The empty text.
    pub fn empty() -> Self {
        Self(String::new())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `None` for the empty text: an optional note left blank is no note.
    pub fn non_empty(self) -> Option<Self> {
        (!self.0.is_empty()).then_some(self)
    }
}

impl<const MAX: usize> fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> AsRef<str> for Text<MAX> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> TryFrom<String> for Text<MAX> {
    type Error = InvalidValue;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl<const MAX: usize> From<Text<MAX>> for String {
    fn from(value: Text<MAX>) -> Self {
        value.0
    }
}

/// A search text, trimmed.
///
/// # Errors
/// When it is longer than [`MAX_SEARCH_CHARS`].
pub fn search(input: &str) -> Result<&str, InvalidValue> {
    trimmed_within(input, 0, MAX_SEARCH_CHARS)
}

/// An invite code as typed, trimmed.
///
/// # Errors
/// When it is longer than [`MAX_INVITE_CODE_CHARS`].
pub fn invite_code(input: &str) -> Result<&str, InvalidValue> {
    trimmed_within(input, 0, MAX_INVITE_CODE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_email(input: &str, expected: Result<&str, &str>) {
        let actual = Email::parse(input);
        let actual = actual
            .as_ref()
            .map(Email::as_str)
            .map_err(|e| e.message.as_str());
        assert_eq!(actual, expected, "input {input:?}");
    }

    #[test]
    fn searches_and_invite_codes_have_length_limits() {
        assert_eq!(search(" 50% ").ok(), Some("50%"));
        assert!(search(&"s".repeat(201)).is_err());
        assert!(invite_code(&"c".repeat(100)).is_ok());
        assert!(invite_code(&"c".repeat(101)).is_err());
    }

    #[test]
    fn long_text_is_trimmed_and_at_most_2000_characters() {
        let text = LongText::parse("  a note\n ").map(String::from);
        assert_eq!(text, Ok("a note".to_owned()));
        let longest = "é".repeat(2000);
        assert_eq!(LongText::parse(&longest).map(String::from), Ok(longest));
        assert_eq!(
            LongText::parse(&"é".repeat(2001)).map_err(|e| e.message),
            Err("must be at most 2000 characters".to_owned())
        );
        assert_eq!(LongText::parse("   ").map(Text::non_empty), Ok(None));
        assert_eq!(
            Text::<3>::parse("four").map_err(|e| e.message),
            Err("must be at most 3 characters".to_owned())
        );
    }

    #[test]
    fn email_is_trimmed_lowercased_and_checked() {
        check_email("  Ada@Example.COM ", Ok("ada@example.com"));
        check_email("a@b.c", Ok("a@b.c"));
        check_email("ab", Err("must be between 3 and 254 characters"));
        let long = format!("{}@example.com", "a".repeat(243));
        check_email(&long, Err("must be between 3 and 254 characters"));
        check_email("ada lovelace@example.com", Err("must not contain spaces"));
        check_email(
            "ada\u{0}@example.com",
            Err("must not contain control characters"),
        );
        check_email("ada.example.com", Err("must contain an @"));
        check_email("ada@@example.com", Err("must contain exactly one @"));
        check_email("@example.com", Err("needs a name before the @"));
        check_email(
            "ada@localhost",
            Err("needs a domain with a dot after the @"),
        );
        check_email("ada@example.", Err("needs a domain with a dot after the @"));
        check_email("ada@", Err("needs a domain with a dot after the @"));
    }

    #[test]
    fn email_of_exactly_254_characters_is_accepted() {
        let email = format!("{}@example.com", "a".repeat(242));
        assert_eq!(char_len(&email), 254);
        assert_eq!(Email::parse(&email).map(String::from), Ok(email));
    }

    fn check_password(input: String, expected: Result<(), &str>) {
        let actual = Password::parse(input.clone());
        let actual = actual.as_ref().map(|_| ()).map_err(|e| e.message.as_str());
        assert_eq!(actual, expected, "input of {} bytes", input.len());
    }

    #[test]
    fn password_length_is_limited_in_characters_and_bytes() {
        check_password("12345678".into(), Ok(()));
        check_password("1234567".into(), Err("must be at least 8 characters"));
        check_password("ü".repeat(8), Ok(()));
        check_password("x".repeat(256), Ok(()));
        check_password("x".repeat(257), Err("must be at most 256 bytes"));
        // 129 two-byte characters: many enough, but too many bytes.
        check_password("ü".repeat(129), Err("must be at most 256 bytes"));
    }

    #[test]
    fn password_is_not_shown_by_debug() {
        let password = Password::parse("correct horse".into()).map(|p| format!("{p:?}"));
        assert_eq!(password, Ok("Password(***)".to_owned()));
    }

    fn check_name(input: &str, expected: Result<&str, &str>) {
        let actual = DisplayName::parse(input);
        let actual = actual
            .as_ref()
            .map(DisplayName::as_str)
            .map_err(|e| e.message.as_str());
        assert_eq!(actual, expected, "input {input:?}");
    }

    #[test]
    fn display_name_is_trimmed_and_checked() {
        check_name("  Strategy Program 2027 ", Ok("Strategy Program 2027"));
        check_name("   ", Err("must be between 1 and 100 characters"));
        check_name(&"é".repeat(100), Ok(&"é".repeat(100)));
        check_name(
            &"é".repeat(101),
            Err("must be between 1 and 100 characters"),
        );
        check_name("Acme\u{0}Corp", Err("must not contain control characters"));
        check_name("Acme\nCorp", Err("must not contain control characters"));
    }

    #[test]
    fn display_name_converts_from_and_into_string() {
        let name = DisplayName::try_from(" Acme ".to_owned());
        assert_eq!(name.map(String::from), Ok("Acme".to_owned()));
        assert!(DisplayName::try_from(String::new()).is_err());
    }
}
