use crate::i18n::{Msg, k};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MIN_LEN: usize = 3;
pub const MAX_LEN: usize = 64;

/// A workspace name that follows the naming conventions: 3 to 64 characters; ASCII letters,
/// digits and underscores; starts with a letter or a digit. Only `parse` builds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Workspace name must be 3 to 64 characters long.")]
    Length,
    #[error("Workspace name may contain only letters, digits and underscores.")]
    Characters,
    #[error("Workspace name must start with a letter or a digit.")]
    FirstCharacter,
}

impl NameError {
    /// The refusal, worded in the reader's language where it is shown.
    pub fn msg(&self) -> Msg {
        Msg::new(match self {
            NameError::Length => k::error_name_length,
            NameError::Characters => k::error_name_characters,
            NameError::FirstCharacter => k::error_name_first_character,
        })
    }
}

impl WorkspaceName {
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let len = raw.chars().count();
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            return Err(NameError::Length);
        }
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(NameError::Characters);
        }
        if !raw.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(NameError::FirstCharacter);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WorkspaceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A typed confirmation of a destructive action: it matches only the exact name, to the letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation(String);

impl Confirmation {
    pub fn check(typed: &str, expected: &str) -> Result<Self, Msg> {
        if typed == expected {
            Ok(Self(typed.to_owned()))
        } else {
            Err(Msg::new(k::error_confirmation_mismatch).with("expected", expected))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_are_accepted() {
        for name in ["abc", "sales_dw", "A1_b2", "9lives", &"x".repeat(64)] {
            assert_eq!(WorkspaceName::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn a_name_shorter_than_three_characters_is_refused() {
        assert_eq!(WorkspaceName::parse("ab"), Err(NameError::Length));
        assert_eq!(WorkspaceName::parse(""), Err(NameError::Length));
    }

    #[test]
    fn a_name_longer_than_sixty_four_characters_is_refused() {
        assert_eq!(
            WorkspaceName::parse(&"x".repeat(65)),
            Err(NameError::Length)
        );
    }

    #[test]
    fn a_name_with_other_characters_is_refused() {
        for name in ["sales-dw", "sales dw", "sales.dw", "säles", "sales_dw "] {
            assert_eq!(
                WorkspaceName::parse(name),
                Err(NameError::Characters),
                "{name}"
            );
        }
    }

    #[test]
    fn a_name_must_start_with_a_letter_or_digit() {
        assert_eq!(
            WorkspaceName::parse("_sales"),
            Err(NameError::FirstCharacter)
        );
    }

    #[test]
    fn confirmation_matches_only_the_exact_name() {
        assert!(Confirmation::check("sales_dw", "sales_dw").is_ok());
        for typed in ["SALES_DW", "sales_dw ", " sales_dw", "sales_d", ""] {
            assert!(Confirmation::check(typed, "sales_dw").is_err(), "{typed:?}");
        }
    }
}
