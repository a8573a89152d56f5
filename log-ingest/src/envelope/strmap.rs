//! [`StrMap`]: the string maps of an envelope (`Attributes`, `Sender.Attributes`),
//! borrowed from the input.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// A JSON object of string values (`Attributes`, `Sender.Attributes`), in key order,
/// each key once (the last occurrence wins, as in a `BTreeMap`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrMap<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> StrMap<'a> {
    /// Builds a map from pairs in input order: sorted by key, later duplicates win.
    pub fn from_pairs(mut pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>) -> Self {
        if pairs.windows(2).any(|w| w[0].0 >= w[1].0) {
            // Stable sort keeps input order among equal keys; keep the last of each run.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(pairs.len());
            for p in pairs {
                match out.last_mut() {
                    Some(last) if last.0 == p.0 => *last = p,
                    _ => out.push(p),
                }
            }
            pairs = out;
        }
        StrMap(pairs)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Cow<'a, str>> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Cow<'a, str>> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| self.0.remove(i).1)
    }

    /// Sets `key` (replacing an existing value), keeping the key order.
    pub fn insert(&mut self, key: Cow<'a, str>, value: Cow<'a, str>) {
        match self
            .0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key.as_ref()))
        {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// Pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the map has no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An owned copy.
    pub fn to_btree(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}
