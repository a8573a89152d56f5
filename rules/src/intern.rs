//! A string interner for building term tables: every distinct string once, in one text
//! buffer, numbered in the order first seen.
//!
//! The term tables of an every-language pack hold some 6,000 patterns; keeping them as
//! one `String` with spans, indexed by a hash table of ids, costs no allocation per
//! string (a `HashMap<String, u32>` costs one per key and a second copy for the list).

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

/// Distinct strings in first-seen order, each with a dense `u32` id.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// Every string, back to back.
    text: String,
    /// Byte range of string `id` in `text`.
    spans: Vec<(u32, u32)>,
    /// Ids, hashed by their string.
    table: HashTable<u32>,
    hasher: FixedState,
}

impl Interner {
    /// The id of `s`, and whether it was added now.
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        let hash = self.hasher.hash_one(s);
        let Interner {
            text,
            spans,
            table,
            hasher,
        } = self;
        // One probe: the entry borrows only the table, so the text can grow after it.
        let entry = table.entry(
            hash,
            |&id| span_str(text, spans, id) == s,
            |&id| hasher.hash_one(span_str(text, spans, id)),
        );
        match entry {
            Entry::Occupied(e) => (*e.get(), false),
            Entry::Vacant(e) => {
                let id = spans.len() as u32;
                let start = text.len() as u32;
                text.push_str(s);
                spans.push((start, text.len() as u32));
                e.insert(id);
                (id, true)
            }
        }
    }

    /// The string of `id` (empty for an unknown id).
    pub fn str(&self, id: u32) -> &str {
        span_str(&self.text, &self.spans, id)
    }

    /// How many distinct strings there are.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Every string, by id.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.spans.len() as u32).map(|id| self.str(id))
    }
}

fn span_str<'a>(text: &'a str, spans: &[(u32, u32)], id: u32) -> &'a str {
    spans
        .get(id as usize)
        .and_then(|&(s, e)| text.get(s as usize..e as usize))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_string_gets_one_id_in_first_seen_order() {
        let mut i = Interner::default();
        assert_eq!(i.len(), 0);
        assert_eq!(i.intern("시발"), (0, true));
        assert_eq!(i.intern("ass"), (1, true));
        assert_eq!(i.intern("시발"), (0, false));
        assert_eq!(i.intern(""), (2, true));
        assert_eq!(i.intern("ass"), (1, false));
        assert_eq!(i.str(0), "시발");
        assert_eq!(i.str(9), "");
        assert_eq!(i.iter().collect::<Vec<_>>(), ["시발", "ass", ""]);
        assert_eq!(i.len(), 3);
    }

    #[test]
    fn survives_table_growth() {
        let mut i = Interner::default();
        for n in 0..5000u32 {
            assert_eq!(i.intern(&n.to_string()), (n, true));
        }
        for n in (0..5000u32).rev() {
            assert_eq!(i.intern(&n.to_string()), (n, false));
            assert_eq!(i.str(n), n.to_string());
        }
    }
}
