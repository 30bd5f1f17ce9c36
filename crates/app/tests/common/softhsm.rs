//! A private SoftHSM2 token for the tests that keep CA keys in a PKCS#11 token.

use std::path::{Path, PathBuf};

use super::require_tool;

pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const TOKEN: &str = "kaigo-ca-test";
pub const PIN: &str = "531902";

/// A private SoftHSM2 token directory with one initialised token.
pub struct SoftHsm {
    pub conf: PathBuf,
}

impl SoftHsm {
    pub fn new(dir: &Path) -> Self {
        require_tool("softhsm2-util", "apt-get install softhsm2");
        require_tool("pkcs11-tool", "apt-get install opensc");
        assert!(
            Path::new(MODULE).exists(),
            "the SoftHSM2 module {MODULE} is missing: apt-get install softhsm2 (.ci/run installs it)"
        );
        let tokens = dir.join("tokens");
        std::fs::create_dir_all(&tokens).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let out = std::process::Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", &conf)
            .args([
                "--init-token",
                "--free",
                "--label",
                TOKEN,
                "--pin",
                PIN,
                "--so-pin",
                "86420975",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self { conf }
    }

    pub fn conf(&self) -> &str {
        self.conf.to_str().unwrap()
    }

    /// The environment that points `kaigo-pki` at the token.
    pub fn env<'a>(&'a self, pin: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("SOFTHSM2_CONF", self.conf()),
            ("KAIGO_PKI_HSM_MODULE", MODULE),
            ("KAIGO_PKI_HSM_TOKEN", TOKEN),
            ("KAIGO_PKI_HSM_PIN", pin),
        ]
    }

    /// `pkcs11-tool` with the token's module and label, logged in.
    pub fn tool(&self, args: &[&str]) -> (bool, String) {
        let out = std::process::Command::new("pkcs11-tool")
            .env("SOFTHSM2_CONF", &self.conf)
            .args([
                "--module",
                MODULE,
                "--token-label",
                TOKEN,
                "--login",
                "--pin",
                PIN,
            ])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }
}

/// The private key objects `pkcs11-tool --list-objects` shows: (label, access line).
pub fn private_keys(listing: &str) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    let mut lines = listing.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.starts_with("Private Key Object") {
            continue;
        }
        let (mut label, mut access) = (String::new(), String::new());
        while let Some(next) = lines.peek() {
            if !next.starts_with(' ') {
                break;
            }
            let l = lines.next().unwrap().trim();
            if let Some(v) = l.strip_prefix("label:") {
                label = v.trim().to_owned();
            } else if let Some(v) = l.strip_prefix("Access:") {
                access = v.trim().to_owned();
            }
        }
        keys.push((label, access));
    }
    keys
}
