//! Decision attributes: the ids of the enforced rules that fired, added to the response
//! `Attributes` under [`FIRED_RULES_KEY`] when `DECISION_ATTRIBUTES` is on.
//!
//! IVS caps a response's attributes at 1 KB (keys + values). What the engine put there
//! (the sender's own attributes, `Reason`, tags) is never cut: only what this module adds
//! is, whole ids at a time, and a trailing `+N` says how many ids did not fit. When not
//! even one id fits, nothing is added. Shadow rules are never listed: they are not
//! enforced, and the sender must not learn about them.

use rules::{attributes_size, ReviewResponse, MAX_ATTRIBUTES_BYTES};

/// The attribute key that lists fired rule ids, comma-separated.
pub const FIRED_RULES_KEY: &str = "FiredRules";

/// Adds `ids` (comma-separated) under [`FIRED_RULES_KEY`] within the 1 KB budget.
/// Returns how many ids were left out.
pub fn add_fired_rules(response: &mut ReviewResponse, ids: &[&str]) -> usize {
    if ids.is_empty() {
        return 0;
    }
    let existing = attributes_size(&response.attributes)
        - response
            .attributes
            .get(FIRED_RULES_KEY)
            .map_or(0, |v| FIRED_RULES_KEY.len() + v.len());
    let Some(budget) = MAX_ATTRIBUTES_BYTES.checked_sub(existing + FIRED_RULES_KEY.len()) else {
        return ids.len();
    };
    let value = fit_ids(ids, budget);
    match value {
        Some((value, left_out)) => {
            response
                .attributes
                .insert(FIRED_RULES_KEY.to_string(), value);
            left_out
        }
        None => ids.len(),
    }
}

/// The longest prefix of `ids`, comma-joined, plus `+N` for the rest, in `budget` bytes.
fn fit_ids(ids: &[&str], budget: usize) -> Option<(String, usize)> {
    for keep in (1..=ids.len()).rev() {
        let left_out = ids.len() - keep;
        let mut value = ids[..keep].join(",");
        if left_out > 0 {
            value.push_str(&format!(",+{left_out}"));
        }
        if value.len() <= budget {
            return Some((value, left_out));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rules::{validate_response, ReviewResult};
    use std::collections::BTreeMap;

    fn response(attrs: &[(&str, String)]) -> ReviewResponse {
        ReviewResponse {
            review_result: ReviewResult::Allow,
            content: "hi".into(),
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn adds_ids_comma_separated() {
        let mut r = response(&[("username", "gleningp".into())]);
        assert_eq!(add_fired_rules(&mut r, &["links", "caps"]), 0);
        assert_eq!(r.attributes[FIRED_RULES_KEY], "links,caps");
        assert_eq!(r.attributes["username"], "gleningp");
    }

    #[test]
    fn nothing_for_no_ids() {
        let mut r = response(&[]);
        assert_eq!(add_fired_rules(&mut r, &[]), 0);
        assert!(r.attributes.is_empty());
    }

    #[test]
    fn truncates_only_what_it_adds() {
        // 1000 bytes of sender data leave 24 - len("FiredRules") = 14 bytes.
        let mut r = response(&[("big", "x".repeat(997))]);
        let left = add_fired_rules(&mut r, &["rule-one", "rule-two", "rule-three"]);
        assert_eq!(left, 2);
        assert_eq!(r.attributes[FIRED_RULES_KEY], "rule-one,+2");
        assert_eq!(r.attributes["big"].len(), 997);
        assert!(validate_response(&r, 500).is_ok());
    }

    #[test]
    fn adds_nothing_when_nothing_fits() {
        let mut r = response(&[("big", "x".repeat(1020))]);
        assert_eq!(add_fired_rules(&mut r, &["a-long-rule-id"]), 1);
        assert!(!r.attributes.contains_key(FIRED_RULES_KEY));
        assert!(validate_response(&r, 500).is_ok());
    }

    #[test]
    fn replaces_a_client_supplied_value() {
        let mut r = response(&[(FIRED_RULES_KEY, "forged".into())]);
        add_fired_rules(&mut r, &["real"]);
        assert_eq!(r.attributes[FIRED_RULES_KEY], "real");
    }
}
