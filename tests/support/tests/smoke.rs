//! Smoke tests: each helper really talks to its server, so a broken install fails CI.

use test_support::{unique_name, LocalLambda, MotoServer};

#[tokio::test]
async fn moto_s3_put_then_get_round_trips() {
    let moto = MotoServer::shared();
    let s3 = moto.s3_client().await;
    let bucket = unique_name("smoke");
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create bucket");
    let body = b"hello from the smoke test".to_vec();
    s3.put_object()
        .bucket(&bucket)
        .key("a/b.txt")
        .body(body.clone().into())
        .send()
        .await
        .expect("put object");
    let got = s3
        .get_object()
        .bucket(&bucket)
        .key("a/b.txt")
        .send()
        .await
        .expect("get object");
    let bytes = got.body.collect().await.expect("read body").into_bytes();
    assert_eq!(bytes.as_ref(), body.as_slice());
}

#[test]
fn owned_moto_stops_on_drop() {
    let moto = MotoServer::start().expect("start moto");
    let endpoint = moto.endpoint().to_string();
    let addr: std::net::SocketAddr = endpoint
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    assert!(
        std::net::TcpStream::connect(addr).is_ok(),
        "moto should listen at {endpoint}"
    );
    drop(moto);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "moto should be stopped after drop"
    );
}

#[test]
fn echo_lambda_answers_through_the_runtime_api() {
    let lambda = LocalLambda::start(env!("CARGO_BIN_EXE_echo-lambda"), &[]).expect("start lambda");
    for i in 0..3 {
        let answer = lambda
            .invoke(&serde_json::json!({ "n": i, "text": "héllo" }))
            .expect("invoke");
        assert_eq!(answer["echo"]["n"], i);
        assert_eq!(answer["echo"]["text"], "héllo");
        assert!(answer["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()));
    }
}

#[test]
fn unique_names_differ_and_are_bucket_safe() {
    let a = unique_name("My_Test Bucket");
    let b = unique_name("My_Test Bucket");
    assert_ne!(a, b);
    for n in [&a, &b] {
        assert!(n.len() <= 63, "{n}");
        assert!(
            n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{n}"
        );
    }
}
