//! Generates a synthetic IVS chat log corpus in the S3 key layout, for benchmarks.
//!
//! `cargo run --release -p log-ingest --example gen_corpus -- OUT_DIR SIZE_MB [OBJECTS]`
//! writes OBJECTS (default 16) gzip objects holding SIZE_MB of uncompressed envelopes in
//! total: ~93% messages (varied lengths and attributes), deletes, disconnects, custom events.
//! Deterministic: the same arguments give the same bytes.

use std::io::Write;
use std::path::PathBuf;

use flate2::write::GzEncoder;
use flate2::Compression;

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "gg",
    "lol",
    "nice",
    "play",
    "what",
    "a",
    "shot",
    "hello",
    "chat",
    "is",
    "this",
    "live",
    "wow",
    "pog",
    "clip",
    "that",
    "😀",
    "héllo",
    "no",
    "way",
    "again",
    "first",
    "time",
    "here",
    "love",
    "the",
    "stream",
    "🔥",
    "\\\"quoted\\\"",
];

fn id(rng: &mut Rng) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..12)
        .map(|_| A[rng.below(A.len() as u64) as usize] as char)
        .collect()
}

fn line(rng: &mut Rng, ts_ms: i64, last_msg: &str) -> String {
    let secs = ts_ms / 1000;
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    let ms = ts_ms % 1000;
    let ts = format!("2023-01-05T{h:02}:{m:02}:{s:02}.{ms:03}Z");
    let send = format!(
        "2023-01-05T{h:02}:{m:02}:{s:02}.{ms:03}{:06}Z",
        rng.below(1_000_000)
    );
    let roll = rng.below(100);
    if roll < 93 {
        let n = 1 + rng.below(24) as usize;
        let content: Vec<&str> = (0..n)
            .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
            .collect();
        let user = rng.below(5000);
        format!(
            r##"{{"event_timestamp":"{ts}","type":"MESSAGE","version":"1.0","payload":{{"Type":"MESSAGE","Id":"{}","RequestId":"{}","Content":"{}","Attributes":{{"username":"viewer{user}","color":"#{:06x}"}},"SendTime":"{send}","Sender":{{"UserId":"{:08x}-7e1f-4c1e-9a57-{:012x}","Attributes":{{"displayName":"Viewer {user}","role":"{}"}}}}}}}}"##,
            id(rng),
            if rng.below(2) == 0 {
                String::new()
            } else {
                id(rng)
            },
            content.join(" "),
            rng.below(0xffffff),
            user,
            user,
            if user.is_multiple_of(50) {
                "moderator"
            } else {
                "viewer"
            }
        )
    } else if roll < 96 {
        format!(
            r#"{{"event_timestamp":"{ts}","type":"EVENT","version":"1.0","payload":{{"Type":"EVENT","Id":"{}","RequestId":"{}","EventName":"aws:DELETE_MESSAGE","SendTime":"{send}","Attributes":{{"MessageID":"{last_msg}","Reason":"Spam"}}}}}}"#,
            id(rng),
            id(rng)
        )
    } else if roll < 97 {
        format!(
            r#"{{"event_timestamp":"{ts}","type":"EVENT","version":"1.0","payload":{{"Type":"EVENT","Id":"{}","RequestId":"{}","EventName":"aws:DISCONNECT_USER","SendTime":"{send}","Attributes":{{"UserId":"viewer{}","Reason":"abuse"}}}}}}"#,
            id(rng),
            id(rng),
            rng.below(5000)
        )
    } else {
        format!(
            r#"{{"event_timestamp":"{ts}","type":"EVENT","version":"1.0","payload":{{"Type":"EVENT","Id":"{}","RequestId":"","EventName":"app:poll_vote","SendTime":"{send}","Attributes":{{"poll":"p{}","choice":"{}"}}}}}}"#,
            id(rng),
            rng.below(10),
            rng.below(4)
        )
    }
}

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
                    let room = format!("room{:08}", o % 4);
                    let key = format!(
                        "AWSLogs/123456789012/IVSChatLogs/1.0/us-east-1/room_{room}/2023/01/05/14/123456789012_IVSChatLogs_1.0_us-east-1_room_{room}_20230105T1400Z_{o:08x}.log.gz"
                    );
                    let path = out.join(key);
                    std::fs::create_dir_all(path.parent().expect("key has a directory")).expect("create dirs");
                    let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create object"));
                    let mut gz = GzEncoder::new(file, Compression::default());
                    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (o + 1).wrapping_mul(0x1000_0000_01b3));
                    let mut written = 0u64;
                    let mut ts = 50_400_000i64;
                    let mut last = String::from("AAAAAAAAAAAA");
                    while written < per_object {
                        ts += rng.below(40) as i64;
                        let l = line(&mut rng, ts, &last);
                        if let Some(i) = l.find(r#""Id":""#) {
                            last = l[i + 6..i + 18].to_string();
                        }
                        gz.write_all(l.as_bytes()).expect("write");
                        gz.write_all(b"\n").expect("write");
                        written += l.len() as u64 + 1;
                    }
                    gz.finish().expect("finish gzip");
                }
            });
        }
    });
}
