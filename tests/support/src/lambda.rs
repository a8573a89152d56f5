//! One of our Lambda binaries under the Runtime API of `cargo lambda watch`.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::process::{free_port, log_path, log_tail, spawn_guarded, stop};
use crate::SupportError;

const HINT: &str =
    "run scripts/setup.sh (pip install 'cargo-lambda==1.9.2' into .venv), or set CARGO_LAMBDA";

/// With `--only-lambda-apis`, cargo-lambda routes this function name to the one runtime
/// client that polls `/.rt`.
const FUNCTION_NAME: &str = "_";

/// A Lambda binary running its real `lambda_runtime` loop against `cargo lambda watch
/// --only-lambda-apis` on a loopback port. Both processes stop when this value drops.
pub struct LocalLambda {
    watch: Mutex<Child>,
    function: Mutex<Option<Child>>,
    port: u16,
    watch_log: PathBuf,
    function_log: PathBuf,
    agent: ureq::Agent,
}

impl LocalLambda {
    /// Starts the Runtime API and the prebuilt `binary` with the extra environment `env`.
    pub fn start(
        binary: impl AsRef<Path>,
        env: &[(String, String)],
    ) -> Result<LocalLambda, SupportError> {
        let binary = binary.as_ref();
        if !binary.is_file() {
            return Err(SupportError::ToolMissing {
                tool: "Lambda binary",
                path: binary.to_path_buf(),
                hint: "build it first (cargo build --bins)",
            });
        }
        let tool = crate::find_tool("cargo-lambda", "CARGO_LAMBDA", HINT)?;
        let port = free_port();
        let watch_log = log_path("cargo-lambda-watch");
        let mut watch = Command::new(tool);
        watch
            .current_dir(crate::workspace_root())
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--invoke-address",
                "127.0.0.1",
            ])
            .args(["--invoke-port", &port.to_string()]);
        let watch = spawn_guarded(watch, "cargo lambda watch", &watch_log)?;
        let name = binary
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let function_log = log_path(&name);
        // Start it only once the Runtime API listens, else its first poll fails.
        let mut lambda = LocalLambda {
            watch: Mutex::new(watch),
            function: Mutex::new(None),
            port,
            watch_log,
            function_log,
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(60))
                .build(),
        };
        lambda.wait_listening(Duration::from_secs(60))?;
        let mut function = Command::new(binary);
        function
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("AWS_LAMBDA_FUNCTION_NAME", FUNCTION_NAME)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{port}/.rt"),
            );
        let child = spawn_guarded(function, &name, &lambda.function_log)?;
        if let Ok(mut slot) = lambda.function.lock() {
            *slot = Some(child);
        }
        Ok(lambda)
    }

    /// The URL that invokes the function (the Lambda Invoke API path).
    pub fn invoke_url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{FUNCTION_NAME}/invocations",
            self.port
        )
    }

    /// Invokes the function with raw bytes; returns the HTTP status and body.
    pub fn invoke_raw(&self, body: &[u8]) -> Result<(u16, Vec<u8>), SupportError> {
        let url = self.invoke_url();
        let response = match self
            .agent
            .post(&url)
            .set("content-type", "application/json")
            .send_bytes(body)
        {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => {
                return Err(SupportError::Http {
                    url,
                    detail: format!("{e}; {}", self.logs()),
                });
            }
        };
        let status = response.status();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).map_err(|e| {
            SupportError::Http {
                url,
                detail: e.to_string(),
            }
        })?;
        Ok((status, bytes))
    }

    /// Invokes the function with a JSON event and returns its JSON answer; a non-2xx
    /// status (a function error) is an error carrying the body.
    pub fn invoke(&self, event: &serde_json::Value) -> Result<serde_json::Value, SupportError> {
        let url = self.invoke_url();
        let (status, body) = self.invoke_raw(event.to_string().as_bytes())?;
        if !(200..300).contains(&status) {
            return Err(SupportError::Http {
                url,
                detail: format!("status {status}: {}", String::from_utf8_lossy(&body)),
            });
        }
        serde_json::from_slice(&body).map_err(|source| SupportError::BadJson {
            url,
            source,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// The function's output so far (its stdout and stderr), e.g. to check log lines.
    pub fn function_output(&self) -> String {
        std::fs::read_to_string(&self.function_log).unwrap_or_default()
    }

    /// True once the function process has exited (its init failed, or it crashed): an
    /// invocation would then wait for a runtime that never polls.
    pub fn function_exited(&self) -> bool {
        self.function
            .lock()
            .ok()
            .and_then(|mut f| f.as_mut().map(|c| c.try_wait().ok().flatten().is_some()))
            .unwrap_or(true)
    }

    fn logs(&self) -> String {
        format!(
            "cargo lambda watch log ({}): {}\nfunction log ({}): {}",
            self.watch_log.display(),
            log_tail(&self.watch_log, 1500),
            self.function_log.display(),
            log_tail(&self.function_log, 1500)
        )
    }

    fn wait_listening(&mut self, limit: Duration) -> Result<(), SupportError> {
        let started = Instant::now();
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            let exited = self
                .watch
                .lock()
                .ok()
                .and_then(|mut c| c.try_wait().ok().flatten());
            if exited.is_some() || started.elapsed() > limit {
                return Err(SupportError::NotReady {
                    what: format!("cargo lambda watch on port {}", self.port),
                    detail: match exited {
                        Some(status) => {
                            format!("exited with {status}: {}", log_tail(&self.watch_log, 2000))
                        }
                        None => format!("not listening after {limit:?}"),
                    },
                    log: self.watch_log.clone(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for LocalLambda {
    fn drop(&mut self) {
        if let Ok(mut function) = self.function.lock() {
            if let Some(c) = function.as_mut() {
                stop(c);
            }
        }
        if let Ok(mut watch) = self.watch.lock() {
            stop(&mut watch);
        }
    }
}
