//! Evaluation: one request against the room's compiled pack, rule by rule.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::Deserialize;

use super::response::{fallback, respond};
use super::{CompiledPack, Effect, Engine, Evaluation, FiredRule, Matcher, Rule};
use crate::action::Verdict;
use crate::ivs::{ReviewRequest, ReviewResponse, DEFAULT_MAX_LENGTH};
use crate::normalize::{normalize, Normalized, Transforms};
use crate::rewrite::Edit;
use crate::state::{MemoryStore, Millis};
use crate::termset::Scan;

/// Per-evaluation state: each view is normalised, and its term set scanned, at most once.
struct Run<'a> {
    req: &'a ReviewRequest,
    views: Vec<Option<Normalized>>,
    scans: Vec<Option<Scan>>,
}

impl Engine {
    /// Evaluates one request. Never panics; the response is always valid for the
    /// room's max length.
    pub fn evaluate(&self, req: &ReviewRequest) -> Evaluation {
        let Some(pack) = self.pack_for(&req.room_arn) else {
            return Evaluation {
                response: fallback(req, DEFAULT_MAX_LENGTH),
                fired: Vec::new(),
                pack: String::new(),
                action: Verdict::Allow,
                max_length: DEFAULT_MAX_LENGTH,
            };
        };
        // Without a store shield is off: the rules it turns on do not apply.
        self.evaluate_pack(req, pack, &pack.needs.gated).0
    }

    /// The stateless pass over `pack`, with the rules in `skip` left out: the
    /// evaluation, the ids of the rules exempted for this message, and the view with
    /// default transforms if a rule needed it (stateful rules fingerprint it).
    pub(super) fn evaluate_pack<'p>(
        &self,
        req: &ReviewRequest,
        pack: &'p CompiledPack,
        skip: &[String],
    ) -> (Evaluation, HashSet<&'p str>, Option<Normalized>) {
        let mut run = Run {
            req,
            views: vec![None; self.views.len()],
            scans: (0..self.views.len()).map(|_| None).collect(),
        };
        let mut fired = Vec::new();
        let mut edits: Vec<Edit<'p>> = Vec::new();
        let mut tags: Vec<(String, String)> = Vec::new();
        let mut exempt: HashSet<&str> = HashSet::new();
        let mut deny: Option<String> = None;
        for rule in &pack.rules {
            if exempt.contains(rule.id.as_str()) || skip.contains(&rule.id) {
                continue;
            }
            let Some(spans) = self.hits(rule, &mut run) else {
                continue;
            };
            fired.push(FiredRule {
                id: rule.id.clone(),
                action: rule.effect.action(),
                shadow: rule.shadow,
                category: rule.category.clone(),
                severity: rule.severity.clone(),
            });
            if rule.shadow {
                continue;
            }
            match &rule.effect {
                Effect::Deny { reason, reveal } => {
                    let term = spans
                        .first()
                        .and_then(|s| req.content.get(s.start..s.end))
                        .unwrap_or("");
                    let mut r = reason.replace(
                        "{category}",
                        rule.category.as_deref().unwrap_or("moderation"),
                    );
                    if *reveal {
                        r = r.replace("{term}", term);
                    }
                    deny = Some(r);
                    break;
                }
                Effect::Allow => break,
                Effect::Mask(_) | Effect::Replace(_) => edits.extend(spans),
                Effect::Tag(t) => tags.extend(t.iter().cloned()),
                Effect::Exempt(None) => {
                    exempt.extend(pack.rules.iter().map(|r| r.id.as_str()));
                }
                Effect::Exempt(Some(ids)) => exempt.extend(ids.iter().map(String::as_str)),
            }
        }
        let enforced: Vec<&str> = fired
            .iter()
            .filter(|f| !f.shadow)
            .map(|f| f.id.as_str())
            .collect();
        let ids = if pack.settings.expose_rule_ids {
            enforced.as_slice()
        } else {
            &[]
        };
        let (response, action) = respond(req, &pack.settings, deny, edits, tags, ids);
        let eval = Evaluation {
            response,
            fired,
            pack: pack.name.clone(),
            action,
            max_length: pack.settings.max_length,
        };
        let default_view = if pack.needs.stateful {
            self.views
                .iter()
                .position(|t| *t == Transforms::default())
                .and_then(|i| run.views.get_mut(i))
                .and_then(Option::take)
        } else {
            None
        };
        (eval, exempt, default_view)
    }

    /// Spans (original bytes) where `rule` fires, with the edit it implies; `None`
    /// when it does not fire. Spam and sender rules fire with no spans.
    fn hits<'r>(&self, rule: &'r Rule, run: &mut Run<'_>) -> Option<Vec<Edit<'r>>> {
        let content = run.req.content.as_str();
        let (grawlix, replacement): (&[char], Option<&str>) = match &rule.effect {
            Effect::Mask(g) => (g, None),
            Effect::Replace(r) => (&[], Some(r)),
            _ => (&[], None),
        };
        let edit = |start: usize, end: usize, repl: Option<String>| Edit {
            start,
            end,
            replacement: repl.map(Cow::Owned).or(replacement.map(Cow::Borrowed)),
            grawlix,
        };
        let spans: Vec<Edit<'r>> = match rule.matcher.as_ref() {
            Matcher::Keywords(slot) => {
                let v = rule.view?;
                let set = self.term_sets.get(v)?.as_ref()?;
                let view = self.view(&mut run.views, content, v)?;
                let scan = run.scans.get_mut(v)?.get_or_insert_with(|| set.scan(view));
                set.find(*slot, view, scan)
                    .into_iter()
                    .filter_map(|(s, e)| view.source_span(s, e))
                    .map(|(s, e)| edit(s, e, None))
                    .collect()
            }
            Matcher::Regex(re) => match rule.view {
                Some(v) => {
                    let view = self.view(&mut run.views, content, v)?;
                    re.find_iter(view.as_str())
                        .filter_map(|m| view.source_span(m.start(), m.end()))
                        .map(|(s, e)| edit(s, e, None))
                        .collect()
                }
                None => match replacement {
                    Some(tpl) => re
                        .captures_iter(content)
                        .filter_map(|c| {
                            let m = c.get(0)?;
                            let mut out = String::new();
                            c.expand(tpl, &mut out);
                            Some(edit(m.start(), m.end(), Some(out)))
                        })
                        .collect(),
                    None => re
                        .find_iter(content)
                        .map(|m| edit(m.start(), m.end(), None))
                        .collect(),
                },
            },
            Matcher::Links(l) => l
                .find(content)
                .into_iter()
                .map(|(s, e)| edit(s, e, None))
                .collect(),
            Matcher::Spam(s) => return s.check(content).map(|_| Vec::new()),
            Matcher::Senders(m) => return m.matches(&run.req.sender).then(Vec::new),
            Matcher::Stateful(_) => return None,
        };
        (!spans.is_empty()).then_some(spans)
    }

    /// View `idx` of `content`, normalised on first use.
    fn view<'r>(
        &self,
        views: &'r mut [Option<Normalized>],
        content: &str,
        idx: usize,
    ) -> Option<&'r Normalized> {
        let t = *self.views.get(idx)?;
        let slot = views.get_mut(idx)?;
        Some(&*slot.get_or_insert_with(|| normalize(content, t)))
    }

    /// Reviews a raw JSON request the way the Lambda and `rules eval` do: a valid
    /// request is evaluated; a malformed one gets the fail decision (with its
    /// `Content`/`RoomArn` salvaged when they are strings, so fail-ALLOW keeps the text).
    pub fn review_value(&self, value: &serde_json::Value) -> Result<Evaluation, ReviewResponse> {
        self.request_of(value).map(|req| self.evaluate(&req))
    }

    /// [`Engine::review_value`] with the stateful rules, against `store`, as of `now`
    /// (`rules eval`: one store per run, requests in input order).
    pub fn review_value_with(
        &self,
        value: &serde_json::Value,
        now: Millis,
        store: &mut MemoryStore,
    ) -> Result<Evaluation, ReviewResponse> {
        self.request_of(value)
            .map(|req| self.evaluate_with(&req, now, store))
    }

    /// The request in `value`, or the fail decision for a malformed one.
    fn request_of(&self, value: &serde_json::Value) -> Result<ReviewRequest, ReviewResponse> {
        ReviewRequest::deserialize(value)
            .map_err(|_| self.fail_response(ReviewRequest::salvage(value).as_ref()))
    }
}
