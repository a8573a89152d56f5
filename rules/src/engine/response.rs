//! Response assembly: the fired rules' decision as a valid IVS response.

use std::collections::BTreeMap;

use super::{Engine, Settings};
use crate::action::Verdict;
use crate::ivs::{
    attributes_size, ReviewRequest, ReviewResponse, ReviewResult, DEFAULT_MAX_LENGTH,
    MAX_ATTRIBUTES_BYTES,
};
use crate::pack::{FailMode, TooLong};
use crate::rewrite::{add_attributes, apply, clamp, ours_first, Edit};

impl Engine {
    /// The configured fail decision for `req` (or for the default pack when the request
    /// could not be parsed). ALLOW keeps the original content clamped to the max
    /// length; with no usable content (or a fail mode of `deny`) the answer is DENY.
    pub fn fail_response(&self, req: Option<&ReviewRequest>) -> ReviewResponse {
        let pack = self.pack_for(req.map_or("", |r| r.room_arn.as_str()));
        let max = pack.map_or(DEFAULT_MAX_LENGTH, |p| p.settings.max_length);
        let (mode, reason) = pack.map_or(
            (FailMode::Allow, "Message could not be reviewed".to_string()),
            |p| (p.settings.fail, p.settings.fail_reason.clone()),
        );
        if let (FailMode::Allow, Some(r)) = (mode, req) {
            let content = clamp(&r.content, max);
            if !content.trim().is_empty() && attributes_size(&r.attributes) <= MAX_ATTRIBUTES_BYTES
            {
                return ReviewResponse {
                    review_result: ReviewResult::Allow,
                    content: content.to_string(),
                    attributes: r.attributes.clone(),
                };
            }
        }
        deny_response(req.map_or("", |r| r.content.as_str()), max, reason)
    }
}

pub(super) fn deny_response(content: &str, max: usize, reason: String) -> ReviewResponse {
    let mut attributes = BTreeMap::new();
    add_attributes(&mut attributes, &[("Reason".to_string(), reason)]);
    ReviewResponse {
        review_result: ReviewResult::Deny,
        content: clamp(content, max).to_string(),
        attributes,
    }
}

pub(super) fn fallback(req: &ReviewRequest, max: usize) -> ReviewResponse {
    deny_response(&req.content, max, "Message could not be reviewed".into())
}

/// Builds the final response, enforcing the documented length and attribute rules:
/// - DENY: `Attributes.Reason` only; Content is the original clamped to max length.
/// - An original longer than max length: DENY (`too_long = "deny"`, default) or cut at
///   the last whole grapheme cluster (`"truncate"`).
/// - A rewrite longer than max length is cut the same way (we made it longer).
/// - A result that is empty or only whitespace: DENY with `empty_reason`.
/// - Attributes: ours first ([`ours_first`]): the pack's tags, then the enforced rule
///   ids (`expose_rule_ids`), take the 1 KB budget before the sender's message
///   attributes, which are kept as they are beside ours. Keys the pack writes are
///   reserved: a sender value under the same key is replaced (so a sender cannot pre-set
///   `flagged=false`, nor crowd our tags out by filling the budget). If the sender's
///   attributes do not fit beside ours (or alone exceed 1 KB) the message is denied.
pub(super) fn respond(
    req: &ReviewRequest,
    s: &Settings,
    deny: Option<String>,
    edits: Vec<Edit<'_>>,
    tags: Vec<(String, String)>,
    rule_ids: &[&str],
) -> (ReviewResponse, Verdict) {
    if let Some(reason) = deny {
        return (
            deny_response(&req.content, s.max_length, reason),
            Verdict::Deny,
        );
    }
    let original_len = req.content.chars().count();
    if original_len > s.max_length && s.too_long == TooLong::Deny {
        let reason = s
            .too_long_reason
            .replace("{max}", &s.max_length.to_string());
        return (
            deny_response(&req.content, s.max_length, reason),
            Verdict::Deny,
        );
    }
    let rewritten = !edits.is_empty();
    let text = if rewritten {
        apply(&req.content, edits)
    } else {
        req.content.clone()
    };
    let content = clamp(&text, s.max_length);
    if content.trim().is_empty() {
        return (
            deny_response(&req.content, s.max_length, s.empty_reason.clone()),
            Verdict::Deny,
        );
    }
    if attributes_size(&req.attributes) > MAX_ATTRIBUTES_BYTES {
        return (
            deny_response(
                &req.content,
                s.max_length,
                "Message attributes exceed 1 KB".into(),
            ),
            Verdict::Deny,
        );
    }
    let Some(attributes) = ours_first(&req.attributes, &tags, &s.rule_ids_attribute, rule_ids)
    else {
        let reason = "Message attributes leave no room for moderation attributes (1 KB in total)";
        return (
            deny_response(&req.content, s.max_length, reason.into()),
            Verdict::Deny,
        );
    };
    let changed = content != req.content;
    let action = if changed {
        Verdict::Rewrite
    } else if !tags.is_empty() || !rule_ids.is_empty() {
        Verdict::Tag
    } else {
        Verdict::Allow
    };
    (
        ReviewResponse {
            review_result: ReviewResult::Allow,
            content: content.to_string(),
            attributes,
        },
        action,
    )
}
