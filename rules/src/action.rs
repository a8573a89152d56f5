//! The closed vocabularies a rule's effect is named in: [`Action`] (what a rule does,
//! the pack format's `action = "..."`) and [`Verdict`] (what an evaluation did, the
//! summary the audit log and metrics carry). Both have fixed names (`as_str`, serde,
//! `Display`) and compare equal to them (`Action::Mask == "mask"`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a rule does when it fires; the pack format's `action` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Drop the message (`Attributes.Reason` is shown to the sender); stops evaluation.
    Deny,
    /// Replace each grapheme cluster of a match by a grawlix character.
    Mask,
    /// Replace a match by the rule's `replacement`.
    Replace,
    /// Add the rule's `tags` to the response attributes.
    Tag,
    /// Deliver unchanged; stops evaluation.
    Allow,
    /// Skip the listed rules (or all later ones) for this message.
    Exempt,
}

impl Action {
    /// Every action, in the pack format's order.
    pub const ALL: [Action; 6] = [
        Action::Deny,
        Action::Mask,
        Action::Replace,
        Action::Tag,
        Action::Allow,
        Action::Exempt,
    ];

    /// The pack-format name (`deny`, `mask`, `replace`, `tag`, `allow`, `exempt`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "deny",
            Action::Mask => "mask",
            Action::Replace => "replace",
            Action::Tag => "tag",
            Action::Allow => "allow",
            Action::Exempt => "exempt",
        }
    }
}

/// The summary of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Delivered as sent.
    Allow,
    /// Denied (a deny rule, or a response rule: too long, empty after masking,
    /// attributes over 1 KB).
    Deny,
    /// Delivered with the content changed (masked, replaced or truncated).
    Rewrite,
    /// Delivered unchanged with attributes added (tags or rule ids).
    Tag,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Verdict; 4] = [
        Verdict::Allow,
        Verdict::Deny,
        Verdict::Rewrite,
        Verdict::Tag,
    ];

    /// Its name (`allow`, `deny`, `rewrite`, `tag`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
            Verdict::Rewrite => "rewrite",
            Verdict::Tag => "tag",
        }
    }
}

macro_rules! named {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

named!(Action);
named!(Verdict);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names() {
        for a in Action::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
            assert_eq!(
                serde_json::from_value::<Action>(a.as_str().into()).unwrap(),
                a
            );
            assert_eq!(a, a.as_str());
            assert_eq!(a.to_string(), a.as_str());
        }
        for v in Verdict::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
            assert_eq!(
                serde_json::from_value::<Verdict>(v.as_str().into()).unwrap(),
                v
            );
        }
        assert!(serde_json::from_value::<Action>("block".into()).is_err());
    }
}
