//! Prints the ordinary words each lexicon language's terms would fire on.
//! `cargo run -p rules --example lexicon_lint -- ko /usr/share/hunspell/ko.dic [LIMIT]`
//! `cargo run -p rules --example lexicon_lint -- ja /tmp/ipadic-words.txt`

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(code), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: lexicon_lint LANG WORDLIST [LIMIT]");
        return std::process::ExitCode::from(2);
    };
    let limit = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(8);
    let Some(lang) = rules::lexicon::Lang::from_code(code) else {
        eprintln!("unknown language {code}");
        return std::process::ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match rules::lexicon_lint::collisions(lang, &text, limit) {
        Ok(c) => {
            for (term, words) in &c {
                println!("{term}\t{}\t{}", words.len(), words.join(" "));
            }
            println!("# {} terms hit dictionary words", c.len());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(2)
        }
    }
}
