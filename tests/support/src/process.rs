//! Spawning child servers that cannot outlive the test process, and free loopback ports.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

use crate::SupportError;

type SpawnReply = mpsc::Sender<std::io::Result<Child>>;

/// All children are spawned from one thread that lives as long as the process, because
/// `PR_SET_PDEATHSIG` fires when the *thread* that spawned a child exits: a test thread
/// ending must not kill a shared server, but the test process ending must.
fn spawner() -> &'static Mutex<mpsc::Sender<(Command, SpawnReply)>> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<(Command, SpawnReply)>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<(Command, SpawnReply)>();
        std::thread::Builder::new()
            .name("test-support-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
                // The channel lives in a static and is never closed: park for good so the
                // children keep their parent thread until the process exits.
                loop {
                    std::thread::park();
                }
            })
            .expect("spawn the test-support spawner thread");
        Mutex::new(tx)
    })
}

/// Spawns `cmd` so that the kernel sends it SIGTERM when this test process exits, with its
/// stdout and stderr appended to `log`.
pub(crate) fn spawn_guarded(
    mut cmd: Command,
    what: &str,
    log: &Path,
) -> Result<Child, SupportError> {
    let spawn_err = |source| SupportError::Spawn {
        what: what.to_string(),
        source,
    };
    let out = std::fs::File::create(log).map_err(spawn_err)?;
    let err = out.try_clone().map_err(spawn_err)?;
    cmd.stdout(out)
        .stderr(err)
        .stdin(std::process::Stdio::null());
    // SAFETY: prctl is async-signal-safe; the closure touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (reply_tx, reply_rx) = mpsc::channel();
    let sent = spawner()
        .lock()
        .map_err(|_| std::io::Error::other("spawner lock poisoned"))
        .and_then(|tx| {
            tx.send((cmd, reply_tx))
                .map_err(|_| std::io::Error::other("spawner thread gone"))
        });
    sent.map_err(spawn_err)?;
    reply_rx
        .recv()
        .map_err(|_| std::io::Error::other("spawner thread gone"))
        .and_then(|r| r)
        .map_err(spawn_err)
}

/// Stops a child by PID: SIGTERM, a short grace period, then SIGKILL; always reaps it.
pub(crate) fn stop(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // SAFETY: plain kill(2) on the PID of a child we own and have not reaped yet.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    for _ in 0..50 {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A loopback port that was free a moment ago.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// A fresh log file path for a child server's output, under the workspace's target dir.
pub(crate) fn log_path(name: &str) -> PathBuf {
    let dir = crate::workspace_root().join("target").join("test-logs");
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("{name}-{}.log", crate::unique_name("run")))
}

/// The last `max` bytes of a log file, for error messages.
pub(crate) fn log_tail(log: &Path, max: usize) -> String {
    let text = std::fs::read(log).unwrap_or_default();
    let start = text.len().saturating_sub(max);
    String::from_utf8_lossy(&text[start..]).into_owned()
}
