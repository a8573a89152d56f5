//! Dumps the normalised view of every stdin line under four transform settings (all,
//! none, no leetspeak, no Korean/Japanese steps): the view, then per view character its
//! original byte span and run length. Two builds' dumps are equal exactly when their
//! normalisers agree on those texts; `bench/rules-identity.sh` compares them.
//! Run: `cargo run --release -p rules --example view_dump < texts.txt`.

use std::fmt::Write as _;
use std::io::{BufRead, Write as _};

use rules::{normalize, Transforms};

fn main() -> std::io::Result<()> {
    let settings = [
        Transforms::ALL,
        Transforms::NONE,
        Transforms {
            leetspeak: false,
            ..Transforms::ALL
        },
        Transforms {
            hangul: false,
            kana: false,
            keyboard: false,
            hangul_spacing: false,
            ..Transforms::ALL
        },
    ];
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut line_out = String::new();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        for t in settings {
            let v = normalize(&line, t);
            line_out.clear();
            line_out.push_str(v.as_str());
            line_out.push('\t');
            for (i, c) in v.as_str().char_indices() {
                let end = i + c.len_utf8();
                let runs: Vec<u32> = v.runs(i, end).collect();
                let _ = write!(line_out, "{:?}{:?};", v.source_span(i, end), runs);
            }
            writeln!(out, "{line_out}")?;
        }
    }
    out.flush()
}
