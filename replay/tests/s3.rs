//! The CLI reading a recording prefix and chat logs from S3 (moto, path-style).

mod common;

use std::path::Path;

use common::*;
use test_support::{unique_name, MotoServer};

/// Uploads every file under `dir` to `bucket` below `prefix`.
async fn upload(client: &aws_sdk_s3::Client, bucket: &str, prefix: &str, dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/");
            let body = aws_sdk_s3::primitives::ByteStream::from(std::fs::read(&p).unwrap());
            client
                .put_object()
                .bucket(bucket)
                .key(format!("{prefix}{rel}"))
                .body(body)
                .send()
                .await
                .unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_recording_and_chat_match_the_local_run() {
    let moto = MotoServer::shared();
    let client = moto.s3_client().await;
    let bucket = unique_name("replay-s3");
    client.create_bucket().bucket(&bucket).send().await.unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let rec = recording(tmp.path());
    let chat = write_chat(tmp.path());
    let rec_prefix = "ivs/v1/123456789012/AsXego4U6tnj/2023/1/5/14/0/AbCdEf123456/";
    upload(&client, &bucket, rec_prefix, &rec).await;
    upload(&client, &bucket, "chat/", &chat).await;

    let local = tmp.path().join("local.json");
    let remote = tmp.path().join("remote.json");
    let args = |rec: &str, chat: &str, out: &Path| -> Vec<String> {
        [
            "render",
            "--recording",
            rec,
            "--chat",
            chat,
            "--latency-ms",
            "0",
            "--room",
            "abc123",
            "--json",
            s(out),
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let env = moto.child_env();
    let a = args(s(&rec), s(&chat), &local);
    replay_ok(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let rec_url = format!("s3://{bucket}/{rec_prefix}");
    let chat_url = format!("s3://{bucket}/chat/");
    let b = args(&rec_url, &chat_url, &remote);
    let run = replay_ok(&b.iter().map(String::as_str).collect::<Vec<_>>(), &env);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&format!(
            "s3://{bucket}/{rec_prefix}media/hls/custom-720/pl.m3u8"
        )),
        "{stderr}"
    );

    let local_track: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&local).unwrap()).unwrap();
    let remote_track: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&remote).unwrap()).unwrap();
    assert_eq!(offsets(&remote_track).len(), 4, "{remote_track}");
    assert_eq!(local_track, remote_track);

    // A prefix without a recording: a clear not-found error naming the S3 location.
    let missing = format!("s3://{bucket}/ivs/v1/nothing/");
    let out = replay(
        &[
            "render",
            "--recording",
            &missing,
            "--chat",
            &chat_url,
            "--json",
            s(&remote),
        ],
        &env,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains(&missing) && stderr.contains("not found"),
        "{stderr}"
    );

    // Metadata whose paths leave the prefix (S3 keys are not normalised, but URLs
    // and the preview are): refused with the field and value, as for a local recording.
    let hostile = "ivs/v1/123456789012/AsXego4U6tnj/2023/1/5/14/0/Hostile00001/";
    let meta = ended_json(8_504).replace(
        "\"path\":\"media/hls\"",
        "\"path\":\"../../../../../../../../../../chat\"",
    );
    client
        .put_object()
        .bucket(&bucket)
        .key(format!("{hostile}events/recording-ended.json"))
        .body(aws_sdk_s3::primitives::ByteStream::from(meta.into_bytes()))
        .send()
        .await
        .unwrap();
    let hostile_url = format!("s3://{bucket}/{hostile}");
    let out = replay(&["timeline", "--recording", &hostile_url], &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && stderr.contains(&format!("{hostile_url}events/recording-ended.json"))
            && stderr.contains("field `media.hls.path`")
            && stderr.contains("\"../../../../../../../../../../chat\""),
        "{stderr}"
    );
}
