//! The closed vocabularies of the bundled lexicon: what a term is ([`Category`]) and how
//! bad it is ([`Severity`]).

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// What kind of abuse a lexicon entry is. Serde and TSV name: the snake_case form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Swearing and vulgar words not aimed at a group (`shit`, `fuck`, `bastard`).
    Profanity,
    /// Sexual anatomy, acts and solicitation (`cock`, `blowjob`, `send nudes`).
    Sexual,
    /// Slurs and hate against a protected group (race, religion, orientation, gender,
    /// disability).
    IdentityHate,
    /// Insults, bullying and threats aimed at a person (`idiot`, `i will kill you`).
    Harassment,
    /// Encouraging self-harm or suicide (`kys`, `go kill yourself`).
    SelfHarm,
    /// Scam and spam phrases (`free vbucks`, `dm me for`, `click my link`).
    ScamSpam,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 6] = [
        Category::Profanity,
        Category::Sexual,
        Category::IdentityHate,
        Category::Harassment,
        Category::SelfHarm,
        Category::ScamSpam,
    ];

    /// The TSV / pack name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Profanity => "profanity",
            Category::Sexual => "sexual",
            Category::IdentityHate => "identity_hate",
            Category::Harassment => "harassment",
            Category::SelfHarm => "self_harm",
            Category::ScamSpam => "scam_spam",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> Result<Category, String> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown category `{s}`, expected one of: {}",
                    Category::ALL.map(Category::as_str).join(" | ")
                )
            })
    }
}

/// How severe an entry is; rules select entries from a minimum severity up.
/// Written as the integer `1`, `2` or `3` (in TSV files and as `min_severity` in packs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "u8")]
pub enum Severity {
    /// 1: mild; common in friendly banter (`damn`, `crap`, `idiot`).
    Mild = 1,
    /// 2: moderate; clearly vulgar or insulting (`fuck`, `bitch`, `dick`).
    Moderate = 2,
    /// 3: severe; slurs, threats, self-harm encouragement, explicit sexual content.
    Severe = 3,
}

impl Severity {
    /// The integer level (1-3).
    pub fn level(self) -> u8 {
        self as u8
    }
}

impl TryFrom<u8> for Severity {
    type Error = String;

    fn try_from(v: u8) -> Result<Severity, String> {
        match v {
            1 => Ok(Severity::Mild),
            2 => Ok(Severity::Moderate),
            3 => Ok(Severity::Severe),
            _ => Err(format!(
                "severity {v} is out of range, expected 1 (mild), 2 (moderate) or 3 (severe)"
            )),
        }
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Severity, String> {
        s.parse::<u8>()
            .map_err(|_| format!("severity `{s}` is not 1, 2 or 3"))
            .and_then(Severity::try_from)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.level())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
        let e = "slurs".parse::<Category>().unwrap_err();
        assert!(e.contains("identity_hate") && e.contains("slurs"), "{e}");
    }

    #[test]
    fn severities_are_one_to_three() {
        assert_eq!("2".parse::<Severity>(), Ok(Severity::Moderate));
        assert!("0".parse::<Severity>().is_err());
        assert!("4".parse::<Severity>().is_err());
        assert!("x".parse::<Severity>().is_err());
        assert!(Severity::Mild < Severity::Severe);
    }
}
