//! `rules` CLI: check, test and evaluate rule packs.
fn main() {}
