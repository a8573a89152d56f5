//! A moto server per test run: the ordinary one (any credentials accepted), or one that
//! enforces IAM for every request after the first few.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::iam::{self, AccessKey, Principal};
use crate::process::{free_port, log_path, log_tail, spawn_guarded, stop};
use crate::SupportError;

const HINT: &str =
    "run scripts/setup.sh (pip install 'moto[server]==5.2.5' into .venv), or set MOTO_SERVER";

const REGION: &str = "us-east-1";

/// The account moto puts every resource (and IAM user) in.
pub const ACCOUNT_ID: &str = "123456789012";

/// How many requests an IAM-enforcing server serves unauthenticated: exactly the three
/// IAM calls that create its admin user (CreateUser, PutUserPolicy, CreateAccessKey).
const ADMIN_SETUP_REQUESTS: u32 = 3;

/// The admin user of an IAM-enforcing server: allowed everything, used by the tests to
/// set up resources and principals and to read results.
const ADMIN_USER: &str = "test-admin";
const ADMIN_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// A running `moto_server` on a loopback port.
pub struct MotoServer {
    child: Mutex<Child>,
    endpoint: String,
    log: PathBuf,
    /// What [`MotoServer::sdk_config`] and [`MotoServer::child_env`] sign with: the static
    /// test key, or the admin user's key on an IAM-enforcing server.
    key: AccessKey,
    enforces_iam: bool,
}

impl MotoServer {
    /// Starts a new server on a free port and waits until it answers; it stops when the
    /// returned value drops.
    pub fn start() -> Result<MotoServer, SupportError> {
        Self::spawn(None)
    }

    /// Starts a server that enforces IAM like AWS does for identity policies: moto's
    /// `INITIAL_NO_AUTH_ACTION_COUNT` lets exactly the first three requests through
    /// unauthenticated, which create an admin user (policy `*` on `*`); from then on every
    /// request must be signed with the key of an IAM user of the server and is allowed
    /// only if that user's policies allow its action on its resource.
    ///
    /// [`MotoServer::sdk_config`] and [`MotoServer::child_env`] use the admin key; create
    /// the principals under test with [`MotoServer::create_principal`] and use
    /// [`MotoServer::sdk_config_as`] / [`MotoServer::child_env_as`].
    ///
    /// What moto checks, and what it does not (so what a test on this server proves): see
    /// `infra/README.md`, "How the IAM-enforced tests prove it".
    pub fn start_iam_enforced() -> Result<MotoServer, SupportError> {
        let mut server = Self::spawn(Some(ADMIN_SETUP_REQUESTS))?;
        let admin = iam::create_principal(
            &server.endpoint,
            &AccessKey::unchecked(),
            ADMIN_USER,
            ADMIN_POLICY,
        )?;
        server.key = admin.key;
        server.enforces_iam = true;
        server.check_enforced()?;
        Ok(server)
    }

    /// One IAM-enforcing server shared by every test of this process (see
    /// [`MotoServer::start_iam_enforced`]).
    ///
    /// # Panics
    /// If moto cannot be started or does not enforce IAM: tests that need it must fail.
    pub fn shared_iam_enforced() -> &'static MotoServer {
        static SHARED: OnceLock<MotoServer> = OnceLock::new();
        SHARED.get_or_init(|| match MotoServer::start_iam_enforced() {
            Ok(s) => s,
            Err(e) => panic!("IAM-enforcing moto server unavailable: {e}"),
        })
    }

    /// Creates IAM user `name` with `policy` (a JSON policy document) as its only policy,
    /// and an access key for it. Only on an IAM-enforcing server.
    pub fn create_principal(&self, name: &str, policy: &str) -> Result<Principal, SupportError> {
        self.require_iam(name)?;
        iam::create_principal(&self.endpoint, &self.key, name, policy)
    }

    /// Replaces the policy of a principal made by [`MotoServer::create_principal`]
    /// (moto applies it to the next request).
    pub fn put_principal_policy(
        &self,
        principal: &Principal,
        policy: &str,
    ) -> Result<(), SupportError> {
        self.require_iam(&principal.user)?;
        iam::put_policy(&self.endpoint, &self.key, &principal.user, policy)
    }

    fn require_iam(&self, name: &str) -> Result<(), SupportError> {
        if self.enforces_iam {
            return Ok(());
        }
        Err(SupportError::Http {
            url: self.endpoint.clone(),
            detail: format!(
                "principal {name}: this server does not enforce IAM (use start_iam_enforced)"
            ),
        })
    }

    /// Fails unless a request signed with an unknown key is refused.
    fn check_enforced(&self) -> Result<(), SupportError> {
        match iam::call(&self.endpoint, &AccessKey::unchecked(), "ListUsers", &[]) {
            Err(SupportError::Http { detail, .. }) if detail.contains("403") => Ok(()),
            other => Err(SupportError::NotReady {
                what: format!("IAM-enforcing moto_server at {}", self.endpoint),
                detail: format!(
                    "a request with an unknown access key was not refused with 403: {other:?}"
                ),
                log: self.log.clone(),
            }),
        }
    }

    fn spawn(no_auth_requests: Option<u32>) -> Result<MotoServer, SupportError> {
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
            if let Some(n) = no_auth_requests {
                cmd.env("INITIAL_NO_AUTH_ACTION_COUNT", n.to_string());
            }
            let child = spawn_guarded(cmd, "moto_server", &log)?;
            let server = MotoServer {
                child: Mutex::new(child),
                endpoint: format!("http://127.0.0.1:{port}"),
                log,
                key: AccessKey::unchecked(),
                enforces_iam: false,
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

    /// An SDK config pointed at this server, `us-east-1`: static test credentials (the
    /// admin user's on an IAM-enforcing server).
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        self.sdk_config_as(&self.key).await
    }

    /// An SDK config pointed at this server that signs with `key`.
    pub async fn sdk_config_as(&self, key: &AccessKey) -> aws_config::SdkConfig {
        let creds = aws_sdk_s3::config::Credentials::new(
            key.id.clone(),
            key.secret.clone(),
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

    /// Calls an AWS JSON-protocol API of this server (DynamoDB, DynamoDB Streams, ...)
    /// without an SDK, signed with `key`: `signing_name` is the SigV4 service name
    /// (`dynamodb` for both of those), `target` the `X-Amz-Target`
    /// (`DynamoDB_20120810.GetItem`, `DynamoDBStreams_20120810.GetRecords`). Returns the
    /// JSON answer; an error answer is [`SupportError::Http`] with `status <code>: <body>`
    /// (an IAM denial is a 400 `AccessDeniedException`).
    pub fn json_call(
        &self,
        key: &AccessKey,
        signing_name: &str,
        target: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, SupportError> {
        let text = iam::signed_post(
            &self.endpoint,
            key,
            (REGION, signing_name),
            &[
                ("content-type", "application/x-amz-json-1.0"),
                ("x-amz-target", target),
            ],
            body.to_string().as_bytes(),
        )?;
        serde_json::from_str(&text).map_err(|source| SupportError::BadJson {
            url: format!("{} ({target})", self.endpoint),
            source,
            body: text,
        })
    }

    /// The static test key on an ordinary server, the admin's on an IAM-enforcing one.
    pub fn admin_key(&self) -> &AccessKey {
        &self.key
    }

    /// An S3 client for this server with path-style addressing.
    pub async fn s3_client(&self) -> aws_sdk_s3::Client {
        self.s3_client_as(&self.key).await
    }

    /// An S3 client for this server with path-style addressing that signs with `key`.
    pub async fn s3_client_as(&self, key: &AccessKey) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.sdk_config_as(key).await)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// The environment a child process needs to use this server through the AWS SDK.
    pub fn child_env(&self) -> Vec<(String, String)> {
        self.child_env_as(&self.key)
    }

    /// [`MotoServer::child_env`] with the credentials `key` (a principal under test).
    pub fn child_env_as(&self, key: &AccessKey) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", key.id.as_str()),
            ("AWS_SECRET_ACCESS_KEY", key.secret.as_str()),
            ("AWS_REGION", REGION),
            ("AWS_DEFAULT_REGION", REGION),
            ("AWS_S3_FORCE_PATH_STYLE", "true"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// Polls the server until it answers (moto's own API, which neither needs credentials
    /// nor counts against `INITIAL_NO_AUTH_ACTION_COUNT`), the child exits, or `limit` passes.
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
            match agent
                .get(&format!("{}/moto-api/data.json", self.endpoint))
                .call()
            {
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
