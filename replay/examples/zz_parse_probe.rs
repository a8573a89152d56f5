use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let data = std::fs::read(&path).unwrap();
    let lines: Vec<&[u8]> = data
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    for _ in 0..2 {
        let t = Instant::now();
        let mut n = 0;
        for l in &lines {
            if serde_json::from_slice::<serde::de::IgnoredAny>(l).is_ok() {
                n += 1;
            }
        }
        println!("ignoredany {:?} {n}", t.elapsed());
        let t = Instant::now();
        let mut n = 0;
        for l in &lines {
            if let Ok(e) = log_ingest::envelope::parse_envelope_fields(l) {
                n += e.id.len();
            }
        }
        println!("fields {:?} {n}", t.elapsed());
        let t = Instant::now();
        let p = replay::input::parse_chat("x", &data, None);
        println!(
            "parse_chat(2 threads) {:?} {}",
            t.elapsed(),
            p.records.len()
        );
        let t = Instant::now();
        drop(p);
        println!("drop {:?}", t.elapsed());
    }
}
