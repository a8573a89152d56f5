//! Placeholder created by the lead so the workspace manifest parses; replace freely.
fn main() {}
