//! Generates a synthetic IVS chat log corpus in the S3 key layout, for benchmarks.
//!
//! `cargo run --release -p log-ingest --example gen_corpus -- OUT_DIR SIZE_MB [OBJECTS]`
//! writes OBJECTS (default 16) gzip objects holding SIZE_MB of uncompressed envelopes in
//! total: ~93% messages (varied lengths and attributes), deletes, disconnects, custom events.
//! Deterministic: the same arguments give the same bytes. The lines come from the
//! workspace's one IVS test-data generator (`test_support::ivs::bench`).

use std::path::PathBuf;

use flate2::write::GzEncoder;
use flate2::Compression;
use test_support::ivs::bench::{corpus_key, corpus_object};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen_corpus OUT_DIR SIZE_MB [OBJECTS]");
        std::process::exit(2);
    }
    let out = PathBuf::from(&args[1]);
    let size_mb: u64 = args[2]
        .parse()
        .expect("SIZE_MB: a whole number of megabytes");
    let objects: u64 = args
        .get(3)
        .map_or(16, |s| s.parse().expect("OBJECTS: a whole number"));
    let per_object = size_mb * 1_000_000 / objects.max(1);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    std::thread::scope(|s| {
        for t in 0..threads {
            let out = out.clone();
            s.spawn(move || {
                for o in (t..objects).step_by(threads as usize) {
                    let path = out.join(corpus_key(o));
                    std::fs::create_dir_all(path.parent().expect("key has a directory"))
                        .expect("create dirs");
                    let file = std::io::BufWriter::new(
                        std::fs::File::create(&path).expect("create object"),
                    );
                    let mut gz = GzEncoder::new(file, Compression::default());
                    corpus_object(o, per_object, &mut gz).expect("write");
                    gz.finish().expect("finish gzip");
                }
            });
        }
    });
}
