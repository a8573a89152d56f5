//! Text rewriting: applying mask/replace edits to the original byte-exactly, whole
//! grapheme clusters at a time, and clamping to a maximum length.

use std::borrow::Cow;
use std::collections::BTreeMap;

use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

use crate::ivs::{attributes_size, MAX_ATTRIBUTES_BYTES};

/// One change to the original text. The replacement and grawlix are borrowed from the
/// rule that made it (owned only for a regex template's expansion), so a rule and its
/// hits allocate nothing for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit<'r> {
    pub start: usize,
    pub end: usize,
    /// `None`: mask with the grawlix, one character per grapheme cluster.
    pub replacement: Option<Cow<'r, str>>,
    pub grawlix: &'r [char],
}

/// Widens `[start, end)` to whole grapheme clusters, given the clusters' start offsets
/// `starts` (ascending, from `grapheme_indices`) and the text length `len`. Segmenting
/// once per message instead of once per edit keeps a message with many matches linear
/// (28 masks in a 200-character Korean message took 350 µs when each edit re-segmented).
pub(crate) fn widen_to_graphemes(
    starts: &[usize],
    len: usize,
    start: usize,
    end: usize,
) -> (usize, usize) {
    // Last cluster starting at or before `start`.
    let s = match starts.binary_search(&start) {
        Ok(i) => starts[i],
        Err(i) => i
            .checked_sub(1)
            .and_then(|j| starts.get(j))
            .copied()
            .unwrap_or(0),
    };
    // End of the first cluster whose end reaches `end`: cluster ends are the starts after
    // the first one, then `len`.
    let ends = starts.get(1..).unwrap_or(&[]);
    let e = match ends.binary_search(&end) {
        Ok(i) | Err(i) => ends.get(i).copied().unwrap_or(len),
    };
    (s, e.max(s))
}

/// Characters that are a grapheme cluster of their own next to one another: printable
/// ASCII, Hangul syllables and compatibility jamo, CJK punctuation, hiragana and
/// katakana (not the combining voicing marks), the CJK unified ideographs and the
/// fullwidth and halfwidth forms (not the halfwidth voicing marks) (grapheme break classes Any, LV and LVT, between which UAX #29
/// always breaks). Chat in these scripts is masked without the segmentation tables.
fn stands_alone(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{AC00}'..='\u{D7A3}' | '\u{3131}'..='\u{318E}'
        | '\u{3001}'..='\u{3003}' | '\u{3041}'..='\u{3096}' | '\u{309B}'..='\u{30FF}'
        | '\u{4E00}'..='\u{9FFF}' | '\u{FF01}'..='\u{FF9D}')
}

/// The kana voicing marks, combining (U+3099, U+309A) and halfwidth (U+FF9E, U+FF9F):
/// grapheme break class Extend, so they join the character before them (UAX #29 GB9)
/// and are followed by a break before any [`stands_alone`] character (GB999). `ﾊﾞｶ` is
/// two clusters, `ﾊﾞ` and `ｶ`.
fn voicing_mark(c: char) -> bool {
    matches!(c, '\u{3099}' | '\u{309A}' | '\u{FF9E}' | '\u{FF9F}')
}

/// Whether byte `p` (`0 < p < text.len()`) is certainly a cluster boundary: before a
/// [`stands_alone`] character that follows another or a [`voicing_mark`]. `false` means
/// "ask the segmentation".
fn plain_boundary(text: &str, p: usize) -> bool {
    let before = text.get(..p).and_then(|t| t.chars().next_back());
    let at = text.get(p..).and_then(|t| t.chars().next());
    matches!((before, at), (Some(a), Some(b))
        if (stands_alone(a) || voicing_mark(a)) && stands_alone(b))
}

/// The cluster boundary at or before (`forward = false`) or after `p`, asking the
/// segmentation around `p` only. `None` if the cursor cannot answer from the text.
fn boundary_near(text: &str, p: usize, forward: bool) -> Option<usize> {
    if p == 0 || p >= text.len() || plain_boundary(text, p) {
        return Some(p);
    }
    let mut cursor = GraphemeCursor::new(p, text.len(), true);
    if cursor.is_boundary(text, 0).ok()? {
        return Some(p);
    }
    let next = if forward {
        cursor.next_boundary(text, 0)
    } else {
        cursor.prev_boundary(text, 0)
    };
    next.ok().flatten()
}

/// Widens `[start, end)` (within `text`, `start < end`) to whole grapheme clusters:
/// at once where both ends are [`plain_boundary`]s, else by segmenting around them; by
/// [`widen_to_graphemes`] over the whole text, segmented once (into `starts`), for
/// anything else.
fn widen(text: &str, start: usize, end: usize, starts: &mut Option<Vec<usize>>) -> (usize, usize) {
    let len = text.len();
    if start < end && end <= len && text.is_char_boundary(start) && text.is_char_boundary(end) {
        if let (Some(s), Some(e)) = (
            boundary_near(text, start, false),
            boundary_near(text, end, true),
        ) {
            return (s, e.max(s));
        }
    }
    let starts =
        starts.get_or_insert_with(|| text.grapheme_indices(true).map(|(i, _)| i).collect());
    widen_to_graphemes(starts, len, start, end)
}

/// Applies `edits` (any order, may overlap) to `text`. Overlapping masks merge; a
/// replacement overlapping an earlier-starting edit is dropped.
pub(crate) fn apply(text: &str, mut edits: Vec<Edit<'_>>) -> String {
    let mut starts = None;
    for e in &mut edits {
        let (s, t) = widen(
            text,
            e.start.min(text.len()),
            e.end.min(text.len()),
            &mut starts,
        );
        e.start = s;
        e.end = t;
    }
    edits.sort_by_key(|e| (e.start, std::cmp::Reverse(e.end)));
    let mut merged: Vec<Edit<'_>> = Vec::with_capacity(edits.len());
    for e in edits {
        match merged.last_mut() {
            Some(last) if e.start < last.end => {
                if last.replacement.is_none() && e.replacement.is_none() {
                    last.end = last.end.max(e.end);
                }
            }
            _ => merged.push(e),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for e in merged {
        out.push_str(text.get(pos..e.start).unwrap_or(""));
        match &e.replacement {
            Some(r) => out.push_str(r),
            None => mask(&mut out, text.get(e.start..e.end).unwrap_or(""), e.grawlix),
        }
        pos = e.end;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out
}

/// Appends `seg` masked: one grawlix character (cycling through `grawlix`, `*` when
/// empty) per grapheme cluster; whitespace clusters are kept.
fn mask(out: &mut String, seg: &str, grawlix: &[char]) {
    // The grawlix characters in turn, without a division per character.
    let mut glyphs = grawlix.iter().copied().cycle();
    let mut glyph = move || glyphs.next().unwrap_or('*');
    if seg.chars().all(|c| stands_alone(c) || voicing_mark(c)) {
        // One cluster per character (see `stands_alone`) with the voicing marks after it
        // (see `voicing_mark`; one at the start is a cluster of its own); only a lone
        // ' ' is whitespace.
        let mut chars = seg.chars().peekable();
        while let Some(c) = chars.next() {
            let mut marked = false;
            while chars.next_if(|&m| voicing_mark(m)).is_some() {
                marked = true;
            }
            if c == ' ' && !marked {
                out.push(c);
            } else {
                out.push(glyph());
            }
        }
        return;
    }
    for g in seg.graphemes(true) {
        if g.chars().all(char::is_whitespace) {
            out.push_str(g);
        } else {
            out.push(glyph());
        }
    }
}

/// The longest prefix of `text` made of whole grapheme clusters with at most `max`
/// code points.
pub(crate) fn clamp(text: &str, max: usize) -> &str {
    if text.len() <= max || text.chars().count() <= max {
        return text;
    }
    let mut count = 0;
    let mut end = 0;
    for g in text.graphemes(true) {
        let n = g.chars().count();
        if count + n > max {
            break;
        }
        count += n;
        end += g.len();
    }
    // A single grapheme longer than `max` (zalgo): fall back to code points.
    if end == 0 && max > 0 && !text.is_empty() {
        return text
            .char_indices()
            .nth(max)
            .map_or(text, |(i, _)| &text[..i]);
    }
    &text[..end]
}

/// Adds the comma-separated rule `ids` under `key` while the total stays within 1 KB:
/// whole ids only, in order, with a trailing `+N` for the `N` ids that did not fit;
/// nothing at all when not even one id fits. A value already under `key` (a sender's
/// forgery) is replaced. Returns how many ids were left out.
pub(crate) fn add_rule_ids(base: &mut BTreeMap<String, String>, key: &str, ids: &[&str]) -> usize {
    if ids.is_empty() {
        return 0;
    }
    base.remove(key);
    let budget = MAX_ATTRIBUTES_BYTES.saturating_sub(attributes_size(base) + key.len());
    for keep in (1..=ids.len()).rev() {
        let left_out = ids.len() - keep;
        let mut value = ids[..keep].join(",");
        if left_out > 0 {
            value.push_str(&format!(",+{left_out}"));
        }
        if value.len() <= budget {
            base.insert(key.to_string(), value);
            return left_out;
        }
    }
    ids.len()
}

/// The attributes of an ALLOW, the pack's own first: `tags` ([`add_attributes`]), then
/// the rule `ids` under `ids_key` ([`add_rule_ids`]) take the 1 KB budget before the
/// sender's message attributes; a sender value under one of our keys is dropped (ours
/// replaces it). `None` when the sender's remaining attributes do not fit beside ours:
/// the caller denies the message. Neither side is cut to make room: our tags must never
/// be lost (a sender could otherwise suppress them by filling the budget), and the
/// sender's data is not silently changed. Ours are cut only if they alone exceed 1 KB
/// (a pack whose tags are that large).
pub(crate) fn ours_first(
    sender: &BTreeMap<String, String>,
    tags: &[(String, String)],
    ids_key: &str,
    ids: &[&str],
) -> Option<BTreeMap<String, String>> {
    let mut ours = BTreeMap::new();
    add_attributes(&mut ours, tags);
    add_rule_ids(&mut ours, ids_key, ids);
    let reserved = |k: &str| tags.iter().any(|(t, _)| t == k) || (!ids.is_empty() && k == ids_key);
    let theirs: Vec<(&String, &String)> = sender.iter().filter(|(k, _)| !reserved(k)).collect();
    let theirs_size: usize = theirs.iter().map(|(k, v)| k.len() + v.len()).sum();
    if attributes_size(&ours) + theirs_size > MAX_ATTRIBUTES_BYTES {
        return None;
    }
    ours.extend(theirs.into_iter().map(|(k, v)| (k.clone(), v.clone())));
    Some(ours)
}

/// Adds `ours` to `base` while the total stays within 1 KB, truncating our values (at a
/// char boundary) and dropping keys that do not fit. Returns whether all fitted.
pub(crate) fn add_attributes(
    base: &mut BTreeMap<String, String>,
    ours: &[(String, String)],
) -> bool {
    let mut all = true;
    for (k, v) in ours {
        let used = attributes_size(base) - base.get(k).map_or(0, |old| k.len() + old.len());
        let room = MAX_ATTRIBUTES_BYTES.saturating_sub(used);
        if k.len() >= room {
            all = false;
            continue;
        }
        let mut cut = room - k.len();
        if cut < v.len() {
            all = false;
            while !v.is_char_boundary(cut) {
                cut -= 1;
            }
        }
        base.insert(k.clone(), v[..cut.min(v.len())].to_string());
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(s: usize, e: usize) -> Edit<'static> {
        Edit {
            start: s,
            end: e,
            replacement: None,
            grawlix: &['*'],
        }
    }

    #[test]
    fn characters_that_stand_alone_are_clusters_of_their_own() {
        // Representatives of every `stands_alone` range, and the classes that join.
        let others = [
            'a', '~', ' ', '가', '힣', 'ㅋ', 'ㅤ', 'あ', 'ゖ', 'ア', 'ヺ', '一', '鿿',
        ];
        let alone = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|&c| stands_alone(c));
        let mut n = 0;
        for c in alone {
            n += 1;
            for d in others {
                for pair in [format!("{c}{d}"), format!("{d}{c}")] {
                    assert_eq!(pair.graphemes(true).count(), 2, "{pair:?}");
                }
            }
        }
        assert!(n > 30_000, "{n}");
        // Joining neighbours are never taken for plain boundaries.
        for joined in [
            "e\u{301}",
            "\r\n",
            "\u{1100}\u{1161}",
            "가\u{11A8}",
            "👍🏽",
            "🇩🇪",
        ] {
            let mid = joined.char_indices().nth(1).unwrap().0;
            assert!(!plain_boundary(joined, mid), "{joined:?}");
        }
    }

    #[test]
    fn widening_without_tables_equals_full_segmentation() {
        let texts = [
            "hello world, fuck this",
            "이 시발놈아 ㅅㅂ 진짜 ㅋㅋㅋ",
            "お前死ねよ ﾊﾞｶｰ 今日はいい天気ですね",
            "cafe\u{301} 👍🏽 🇩🇪🇫🇷 x\r\ny",
            "\u{1109}\u{1175}\u{1107}\u{1161}\u{11AF} 시\u{11A8}발 f̸u̞c̴k",
            "ab가ㅋあア一 \u{200D}z",
            "ﾊﾞｶｰ！ ラーメン、は\u{3099}か",
        ];
        for text in texts {
            let starts: Vec<usize> = text.grapheme_indices(true).map(|(i, _)| i).collect();
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for (k, &s) in bounds.iter().enumerate() {
                for &e in &bounds[k + 1..] {
                    let mut lazy = None;
                    assert_eq!(
                        widen(text, s, e, &mut lazy),
                        widen_to_graphemes(&starts, text.len(), s, e),
                        "{text:?} {s}..{e}"
                    );
                }
            }
        }
    }

    /// `apply` of one mask, from the full segmentation alone: the edit widened to the
    /// text's clusters, each non-whitespace cluster one grawlix character.
    fn masked_by_segmentation(text: &str, s: usize, e: usize, grawlix: &[char]) -> String {
        let starts: Vec<usize> = text.grapheme_indices(true).map(|(i, _)| i).collect();
        let (s, e) = widen_to_graphemes(&starts, text.len(), s, e);
        let mut out = text[..s].to_string();
        let mut k = 0;
        for g in text[s..e].graphemes(true) {
            if g.chars().all(char::is_whitespace) {
                out.push_str(g);
            } else {
                out.push(grawlix[k % grawlix.len()]);
                k += 1;
            }
        }
        out.push_str(&text[e..]);
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// The fast paths for kana voicing marks (plain boundaries after them, masking
        /// without the tables) agree with the full segmentation, wherever the marks are:
        /// after a kana, a space, another mark, a Hangul syllable, at either end.
        #[test]
        fn voicing_marks_mask_as_full_segmentation(
            picks in proptest::collection::vec(0usize..14, 1..9)
        ) {
            let alphabet = [
                'ﾊ', 'ｶ', 'ｰ', 'は', 'カ', ' ', 'a', '시', 'ㅅ', '一',
                '\u{FF9E}', '\u{FF9F}', '\u{3099}', '\u{309A}',
            ];
            let text: String = picks.iter().map(|&i| alphabet[i]).collect();
            let starts: Vec<usize> = text.grapheme_indices(true).map(|(i, _)| i).collect();
            let bounds: Vec<usize> =
                text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            for &p in &bounds {
                if p > 0 && p < text.len() && plain_boundary(&text, p) {
                    proptest::prop_assert!(starts.contains(&p), "{:?} at {}", text, p);
                }
            }
            let grawlix = ['@', '#', '$'];
            for (k, &s) in bounds.iter().enumerate() {
                for &e in &bounds[k + 1..] {
                    let edit = Edit { start: s, end: e, replacement: None, grawlix: &grawlix };
                    proptest::prop_assert_eq!(
                        apply(&text, vec![edit]),
                        masked_by_segmentation(&text, s, e, &grawlix),
                        "{:?} {}..{}", text, s, e
                    );
                }
            }
        }
    }

    #[test]
    fn masks_whole_graphemes_byte_exact() {
        let t = "a 👍🏽x é\u{301}b";
        // Masking the first byte of the thumbs-up covers the whole cluster.
        assert_eq!(apply(t, vec![mask(2, 3)]), "a *x é\u{301}b");
        let i = t.find('é').unwrap();
        assert_eq!(apply(t, vec![mask(i, i + 1)]), "a 👍🏽x *b");
    }

    #[test]
    fn grawlix_cycles_and_spaces_survive() {
        let grawlix: Vec<char> = "@#$%".chars().collect();
        let e = Edit {
            start: 0,
            end: 7,
            replacement: None,
            grawlix: &grawlix,
        };
        assert_eq!(apply("f u c k!", vec![e]), "@ # $ %!");
    }

    #[test]
    fn overlapping_edits() {
        assert_eq!(apply("abcdef", vec![mask(0, 3), mask(2, 5)]), "*****f");
        let r = Edit {
            start: 1,
            end: 2,
            replacement: Some("XYZ".into()),
            grawlix: &[],
        };
        assert_eq!(apply("abcdef", vec![mask(0, 3), r.clone()]), "***def");
        assert_eq!(apply("abcdef", vec![r]), "aXYZcdef");
    }

    #[test]
    fn clamp_respects_graphemes() {
        assert_eq!(clamp("héllo", 3), "hél");
        assert_eq!(clamp("ab👍🏽", 3), "ab");
        assert_eq!(clamp("ab👍🏽", 4), "ab👍🏽");
        assert_eq!(clamp("e\u{301}\u{302}\u{303}", 2), "e\u{301}");
    }

    #[test]
    fn attributes_truncate_only_ours() {
        let mut base: BTreeMap<String, String> = [("user".to_string(), "x".repeat(1000))].into();
        let fitted = add_attributes(
            &mut base,
            &[("tag".into(), "y".repeat(100)), ("more".into(), "z".into())],
        );
        assert!(!fitted);
        assert_eq!(base["user"].len(), 1000);
        assert!(attributes_size(&base) <= MAX_ATTRIBUTES_BYTES);
        assert_eq!(base["tag"].len(), 1024 - 1004 - 3);
    }

    fn attrs(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn rule_ids_are_comma_separated_beside_the_senders_attributes() {
        let mut a = attrs(&[("username", "gleningp".into())]);
        assert_eq!(add_rule_ids(&mut a, "ids", &["links", "caps"]), 0);
        assert_eq!(a["ids"], "links,caps");
        assert_eq!(a["username"], "gleningp");
        assert_eq!(add_rule_ids(&mut a, "none", &[]), 0);
        assert!(!a.contains_key("none"));
    }

    #[test]
    fn rule_ids_keep_whole_ids_and_count_the_rest() {
        // 997 + 3 bytes of sender data leave 24 - len("ids") = 21 bytes.
        let mut a = attrs(&[("big", "x".repeat(997))]);
        let left = add_rule_ids(&mut a, "ids", &["rule-one", "rule-two", "rule-three"]);
        assert_eq!(left, 1);
        assert_eq!(a["ids"], "rule-one,rule-two,+1");
        assert_eq!(a["big"].len(), 997);
        assert!(attributes_size(&a) <= MAX_ATTRIBUTES_BYTES);
    }

    #[test]
    fn rule_ids_are_left_out_when_not_one_fits() {
        let mut a = attrs(&[("big", "x".repeat(1015)), ("ids", "forged".into())]);
        assert_eq!(add_rule_ids(&mut a, "ids", &["a-long-rule-id"]), 1);
        assert!(!a.contains_key("ids"), "a forged value must not survive");
        assert!(attributes_size(&a) <= MAX_ATTRIBUTES_BYTES);
    }

    #[test]
    fn rule_ids_replace_a_senders_forgery() {
        let mut a = attrs(&[("ids", "forged".into())]);
        add_rule_ids(&mut a, "ids", &["real"]);
        assert_eq!(a["ids"], "real");
    }

    fn tag(k: &str, v: &str) -> Vec<(String, String)> {
        vec![(k.to_string(), v.to_string())]
    }

    #[test]
    fn a_sender_cannot_crowd_our_tags_out_of_the_budget() {
        // Issue 15 finding 9: the sender's empty `promo` plus 1016 bytes of padding used to
        // leave no room, so `promo=true` was dropped and the sender's `promo=""` kept.
        let sender = attrs(&[("promo", String::new()), ("pad", "x".repeat(1016))]);
        assert_eq!(attributes_size(&sender), 1024);
        // Ours (9 bytes) plus the padding (1019) exceed 1 KB: no answer with ours lost,
        // the caller denies.
        assert_eq!(ours_first(&sender, &tag("promo", "true"), "ids", &[]), None);
        // With 4 bytes less padding both fit: ours replaces the sender's `promo`.
        let sender = attrs(&[("promo", "false".into()), ("pad", "x".repeat(1012))]);
        let a = ours_first(&sender, &tag("promo", "true"), "ids", &[]).unwrap();
        assert_eq!(a["promo"], "true");
        assert_eq!(a["pad"].len(), 1012);
        assert_eq!(attributes_size(&a), MAX_ATTRIBUTES_BYTES);
        let sender = attrs(&[("pad", "x".repeat(1013))]);
        assert_eq!(ours_first(&sender, &tag("promo", "true"), "ids", &[]), None);
    }

    #[test]
    fn rule_ids_are_reserved_like_tags() {
        let sender = attrs(&[("ids", "forged".into()), ("pad", "x".repeat(1010))]);
        let a = ours_first(&sender, &[], "ids", &["real"]).unwrap();
        assert_eq!(a["ids"], "real");
        assert_eq!(a["pad"].len(), 1010);
        let sender = attrs(&[("pad", "x".repeat(1018))]);
        assert_eq!(ours_first(&sender, &[], "ids", &["real"]), None);
        // Nothing of ours: the sender's attributes are kept unchanged, whatever their keys.
        let sender = attrs(&[("ids", "theirs".into())]);
        assert_eq!(ours_first(&sender, &[], "ids", &[]), Some(sender));
    }

    #[test]
    fn ours_alone_over_the_budget_are_cut_and_the_senders_same_keys_dropped() {
        let sender = attrs(&[("note", "sender".into())]);
        let big = tag("note", &"n".repeat(2000));
        let a = ours_first(&sender, &big, "ids", &[]).unwrap();
        assert_eq!(a.len(), 1);
        assert!(a["note"].starts_with("nnn"));
        assert_eq!(attributes_size(&a), MAX_ATTRIBUTES_BYTES);
    }
}
