//! Amazon IVS Chat message review handler Lambda (work in progress).

fn main() {}
