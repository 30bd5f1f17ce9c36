//! A `kaigo-pki serve` started as a child process, and the banner it prints when it listens:
//! the tests and the load bench run nodes this way, and read the portal's URL (and the other
//! URLs the banner lines give) from here.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

/// The last line `serve` prints before it answers; the URLs it publishes come before it.
pub const BANNER: &str = "kaigo-pki portal:";

/// A started node: the process, the portal's base URL, and every line up to the banner.
/// The caller owns the process (kill or terminate it; nothing here does on drop).
pub struct ServeChild {
    pub child: Child,
    pub base: String,
    pub lines: Vec<String>,
}

impl ServeChild {
    /// Spawns `cmd` (a `kaigo-pki … serve …`, its arguments and environment set by the
    /// caller) with stdout piped, and reads stdout until the banner.
    pub fn spawn(mut cmd: Command) -> anyhow::Result<Self> {
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .context("start kaigo-pki serve")?;
        let out = child.stdout.take().context("serve's stdout")?;
        let mut reader = BufReader::new(out);
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                let _ = child.kill();
                let _ = child.wait();
                bail!("serve exited before its banner");
            }
            let done = line.starts_with(BANNER);
            lines.push(line);
            if done {
                break;
            }
        }
        let base = url_in(lines.last().map(String::as_str).unwrap_or_default())
            .context("no URL in the serve banner")?
            .trim_end_matches("/login")
            .to_owned();
        Ok(Self { child, base, lines })
    }

    /// The URL on the banner line that starts with `prefix` (e.g. `metrics (Prometheus):`).
    pub fn url_after(&self, prefix: &str) -> Option<&str> {
        self.lines
            .iter()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| url_in(l))
    }
}

fn url_in(line: &str) -> Option<&str> {
    line.split_whitespace().find(|w| w.starts_with("http://"))
}

/// Sends SIGTERM to `child` and returns whether it exited cleanly.
pub fn terminate(child: &mut Child) -> bool {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().map(|s| s.success()).unwrap_or(false)
}
