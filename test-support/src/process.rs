//! A server binary as a child process: started on a port of its choosing, killed on drop.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// What the server prints once it listens, before its address.
const LISTENING: &str = "Qualify listening on http://";

/// A running server process.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Spawns `command` (which should bind `127.0.0.1:0`) and waits until the process
    /// prints the address it listens on.
    pub fn start(mut command: Command) -> ServerProcess {
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server binary");
        let stdout = child.stdout.take().expect("the server's stdout");
        let (tx, rx) = mpsc::channel();
        // Reads the address, then keeps draining so that the pipe never fills.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix(LISTENING) {
                    let _ = tx.send(rest.trim_end_matches("/graphql").to_owned());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints its address")
            .parse()
            .expect("a socket address");
        ServerProcess { child, addr }
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// `kill -TERM`, then waits (at most `within`) for the process to exit: its status, or
    /// `None` if it did not exit in time (it is then killed).
    pub fn terminate(self, within: Duration) -> Option<std::process::ExitStatus> {
        self.signal_term();
        self.wait_exit(within)
    }

    /// `kill -TERM`, without waiting.
    pub fn signal_term(&self) {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid}");
    }

    /// Waits (at most `within`) for the process to exit: its status, or `None` if it did
    /// not exit in time (it is then killed).
    pub fn wait_exit(mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// `kill -9`: no shutdown, no flushing, nothing finishes.
    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("reaped");
        assert!(!status.success(), "killed, not exited: {status}");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
