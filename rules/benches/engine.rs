//! Criterion benches: evaluation of 200-character messages on the example pack, and
//! cold init (load + compile the pack). Run: `cargo bench -p rules --bench engine`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rules::{normalize, Engine, PackSet, ReviewRequest, Transforms};

#[path = "corpus.rs"]
mod corpus;

fn requests() -> Vec<ReviewRequest> {
    corpus::messages(1000, 200)
        .into_iter()
        .map(|content| ReviewRequest {
            content,
            room_arn: "arn:aws:ivschat:us-east-1:123456789012:room/bench".into(),
            ..Default::default()
        })
        .collect()
}

fn bench_eval(c: &mut Criterion) {
    let engine =
        Engine::compile(&PackSet::load(Path::new(corpus::EXAMPLE_PACK)).expect("example pack"))
            .expect("compile");
    let reqs = requests();
    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("example_pack_200_chars", |b| {
        b.iter(|| {
            i = (i + 1) % reqs.len();
            black_box(engine.evaluate(black_box(&reqs[i])))
        })
    });
    let mut j = 0;
    g.bench_function("normalize_200_chars", |b| {
        b.iter(|| {
            j = (j + 1) % reqs.len();
            black_box(normalize(black_box(&reqs[j].content), Transforms::ALL))
        })
    });
    g.finish();
}

fn bench_compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("cold_init");
    g.sample_size(20);
    g.bench_function("load_and_compile_example_pack", |b| {
        b.iter(|| {
            let set = PackSet::load(Path::new(corpus::EXAMPLE_PACK)).expect("example pack");
            black_box(Engine::compile(&set).expect("compile"))
        })
    });
    g.bench_function("compile_bundled_default", |b| {
        b.iter(|| black_box(Engine::compile(&PackSet::bundled_default())))
    });
    g.finish();
}

criterion_group!(benches, bench_eval, bench_compile);
criterion_main!(benches);
