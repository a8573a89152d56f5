//! A moto server per test run.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::process::{free_port, log_path, log_tail, spawn_guarded, stop};
use crate::SupportError;

const HINT: &str =
    "run scripts/setup.sh (pip install 'moto[server]==5.2.5' into .venv), or set MOTO_SERVER";

/// Static credentials moto accepts; never real ones.
const ACCESS_KEY: &str = "testing";
const SECRET_KEY: &str = "testing";
const REGION: &str = "us-east-1";

/// A running `moto_server` on a loopback port.
pub struct MotoServer {
    child: Mutex<Child>,
    endpoint: String,
    log: PathBuf,
}

impl MotoServer {
    /// Starts a new server on a free port and waits until it answers; it stops when the
    /// returned value drops.
    pub fn start() -> Result<MotoServer, SupportError> {
        let tool = crate::find_tool("moto_server", "MOTO_SERVER", HINT)?;
        // A port found free can be taken before moto binds it: try a few.
        const ATTEMPTS: usize = 3;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = free_port();
            let log = log_path("moto");
            let mut cmd = Command::new(&tool);
            cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
            let child = spawn_guarded(cmd, "moto_server", &log)?;
            let server = MotoServer {
                child: Mutex::new(child),
                endpoint: format!("http://127.0.0.1:{port}"),
                log,
            };
            match server.wait_ready(Duration::from_secs(60)) {
                Ok(()) => return Ok(server),
                Err(e) if attempt >= ATTEMPTS => return Err(e),
                Err(_) => continue,
            }
        }
    }

    /// One server shared by every test of this process, started on first use and stopped
    /// by the kernel when the process exits.
    ///
    /// # Panics
    /// If moto cannot be started: tests that need it must fail, not skip.
    pub fn shared() -> &'static MotoServer {
        static SHARED: OnceLock<MotoServer> = OnceLock::new();
        SHARED.get_or_init(|| match MotoServer::start() {
            Ok(s) => s,
            Err(e) => panic!("moto server unavailable: {e}"),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// An SDK config pointed at this server: static test credentials, `us-east-1`.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        let creds = aws_sdk_s3::config::Credentials::new(
            ACCESS_KEY,
            SECRET_KEY,
            None,
            None,
            "test-support",
        );
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(REGION))
            .credentials_provider(creds)
            .endpoint_url(&self.endpoint)
            .load()
            .await
    }

    /// An S3 client for this server with path-style addressing.
    pub async fn s3_client(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.sdk_config().await)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// The environment a child process needs to use this server through the AWS SDK.
    pub fn child_env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            ("AWS_REGION", REGION),
            ("AWS_DEFAULT_REGION", REGION),
            ("AWS_S3_FORCE_PATH_STYLE", "true"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// Polls the server until it answers an S3 ListBuckets, the child exits, or `limit` passes.
    fn wait_ready(&self, limit: Duration) -> Result<(), SupportError> {
        let started = Instant::now();
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(2))
            .build();
        let not_ready = |detail: String| SupportError::NotReady {
            what: format!("moto_server at {}", self.endpoint),
            detail,
            log: self.log.clone(),
        };
        loop {
            if let Ok(mut child) = self.child.lock() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(not_ready(format!(
                        "exited with {status}: {}",
                        log_tail(&self.log, 2000)
                    )));
                }
            }
            match agent.get(&format!("{}/", self.endpoint)).call() {
                Ok(_) => return Ok(()),
                Err(ureq::Error::Status(code, _)) if code < 500 => return Ok(()),
                Err(e) if started.elapsed() > limit => {
                    return Err(not_ready(format!("no answer after {limit:?}: {e}")));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            stop(&mut child);
        }
    }
}
