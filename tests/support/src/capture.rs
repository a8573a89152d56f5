//! A stand-in for an AWS service moto does not have (IVS Chat): an HTTP/1.1 server on a
//! loopback port that records every request exactly as it arrived (method, path,
//! headers, body bytes) and answers each from a reply function the test gives.
//!
//! Bounds: a request's head may be at most 64 KiB and its body at most 1 MiB (past that
//! the connection is closed and the request not recorded); bodies must carry
//! `Content-Length` (what the AWS SDK sends for JSON bodies).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::{AccessKey, SupportError};

const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedRequest {
    /// `POST`, `GET`, ...
    pub method: String,
    /// The request target as sent (path and query).
    pub path: String,
    /// Headers in arrival order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

impl CapturedRequest {
    /// Checks the request's SigV4 `Authorization` header: signed with `key`, and the
    /// signature is the one `aws-sigv4` computes for this method, path, body and the
    /// headers it lists as signed, at its `x-amz-date`, for the region and service its
    /// credential scope names. Returns `(region, service)` of the scope.
    pub fn verify_sigv4(&self, key: &AccessKey) -> Result<(String, String), String> {
        let auth = self
            .header("authorization")
            .ok_or("no Authorization header")?;
        let fields = auth
            .strip_prefix("AWS4-HMAC-SHA256 ")
            .ok_or_else(|| format!("not AWS4-HMAC-SHA256: {auth}"))?;
        let field = |name: &str| {
            fields
                .split(", ")
                .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
                .ok_or_else(|| format!("no {name} in {auth}"))
        };
        let credential: Vec<&str> = field("Credential")?.split('/').collect();
        let [id, _day, region, service, "aws4_request"] = credential.as_slice() else {
            return Err(format!("credential scope: {credential:?}"));
        };
        if *id != key.id {
            return Err(format!("signed with {id}, expected {}", key.id));
        }
        let amz_date = self.header("x-amz-date").ok_or("no x-amz-date header")?;
        let format =
            time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
        let at = time::PrimitiveDateTime::parse(amz_date, &format)
            .map_err(|e| format!("x-amz-date {amz_date}: {e}"))?
            .assume_utc();
        let host = self.header("host").ok_or("no host header")?;
        let url = format!("http://{host}{}", self.path);
        // aws-sigv4 adds x-amz-date itself (from `at`).
        let signed: Vec<(&str, &str)> = field("SignedHeaders")?
            .split(';')
            .filter(|h| *h != "x-amz-date")
            .map(|h| (h, self.header(h).unwrap_or_default()))
            .collect();
        let (_, expected) = crate::iam::sign_request(
            key,
            region,
            service,
            at.into(),
            &self.method,
            &url,
            &signed,
            &self.body,
        )?;
        let got = field("Signature")?;
        if got != expected {
            return Err(format!("signature {got}, expected {expected} ({auth})"));
        }
        Ok((region.to_string(), service.to_string()))
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Extra headers (`Content-Length` is added).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON reply (`Content-Type: application/json`).
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// An AWS JSON (restJson1) error: the status, `x-amzn-errortype: <code>` and a
    /// `{"message": ...}` body.
    pub fn aws_error(status: u16, code: &str, message: &str) -> Reply {
        let mut r = Reply::json(
            status,
            &serde_json::json!({ "message": message }).to_string(),
        );
        r.headers.push(("x-amzn-errortype".into(), code.into()));
        r
    }
}

type ReplyFn = dyn Fn(&CapturedRequest) -> Reply + Send + Sync;

/// The running server; it stops accepting when dropped.
pub struct CaptureServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
    stop: Arc<AtomicBool>,
}

impl CaptureServer {
    /// Starts a server on `127.0.0.1` (a free port) answering every request with
    /// `reply(request)`.
    pub fn start(
        reply: impl Fn(&CapturedRequest) -> Reply + Send + Sync + 'static,
    ) -> Result<CaptureServer, SupportError> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|source| SupportError::Spawn {
            what: "capture server".into(),
            source,
        })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SupportError::Spawn {
                what: "capture server".into(),
                source,
            })?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let reply: Arc<ReplyFn> = Arc::new(reply);
        let (reqs, stopping) = (requests.clone(), stop.clone());
        std::thread::Builder::new()
            .name("capture-server".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stopping.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (reqs, reply) = (reqs.clone(), reply.clone());
                    std::thread::spawn(move || serve(conn, &reqs, &*reply));
                }
            })
            .map_err(|source| SupportError::Spawn {
                what: "capture server thread".into(),
                source,
            })?;
        Ok(CaptureServer {
            addr,
            requests,
            stop,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Forgets the requests recorded so far.
    pub fn clear(&self) {
        if let Ok(mut r) = self.requests.lock() {
            r.clear();
        }
    }
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

/// Serves one keep-alive connection until the client closes it or sends garbage.
fn serve(conn: TcpStream, requests: &Mutex<Vec<CapturedRequest>>, reply: &ReplyFn) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut writer) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    while let Some(request) = read_request(&mut reader) {
        let answer = reply(&request);
        if let Ok(mut r) = requests.lock() {
            r.push(request);
        }
        let mut head = format!("HTTP/1.1 {} X\r\n", answer.status);
        for (k, v) in &answer.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n\r\n", answer.body.len()));
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&answer.body).is_err() {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<CapturedRequest> {
    let mut head_bytes = 0;
    let mut line = String::new();
    let mut next_line = |reader: &mut BufReader<TcpStream>| -> Option<String> {
        line.clear();
        let n = reader.read_line(&mut line).ok()?;
        head_bytes += n;
        (n > 0 && head_bytes <= MAX_HEAD_BYTES)
            .then(|| line.trim_end_matches(['\r', '\n']).to_string())
    };
    let request_line = next_line(reader)?;
    let mut parts = request_line.split(' ');
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let l = next_line(reader)?;
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    if length > MAX_BODY_BYTES {
        return None;
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(CapturedRequest {
        method,
        path,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_requests_and_answers_them() {
        let server = CaptureServer::start(|r| {
            if r.body == b"fail" {
                Reply::aws_error(500, "InternalServerException", "boom")
            } else {
                Reply::json(200, "{}")
            }
        })
        .unwrap();
        let agent = ureq::AgentBuilder::new().build();
        let ok = agent
            .post(&format!("{}/X?a=1", server.endpoint()))
            .set("X-Test", "v")
            .send_bytes(b"hello")
            .unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.into_string().unwrap(), "{}");
        match agent.post(&server.endpoint()).send_bytes(b"fail") {
            Err(ureq::Error::Status(500, r)) => {
                assert_eq!(
                    r.header("x-amzn-errortype"),
                    Some("InternalServerException")
                )
            }
            other => panic!("{other:?}"),
        }
        let got = server.requests();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].method.as_str(), got[0].path.as_str()),
            ("POST", "/X?a=1")
        );
        assert_eq!(got[0].header("x-test"), Some("v"));
        assert_eq!(got[0].body, b"hello");
    }
}
