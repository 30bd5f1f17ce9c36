//! Shared fixtures for the unit tests: one CA per test binary (RSA-4096 generation is the
//! slow part), low iteration counts, and request builders.

use std::sync::OnceLock;

use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::pki::IssueRequest;
use kaigo_core::ids::{OfficeNumber, UserId};
use kaigo_core::office::OfficeKind;
use secrecy::SecretString;
use time::OffsetDateTime;

use crate::config::{CaConfig, Pkcs12Profile};
use crate::file_ca::FileCa;
use crate::init::{CaSummary, init_ca};

pub(crate) const PASSPHRASE: &str = "test passphrase for the CA";

/// Fast settings: the iteration counts are the only thing lowered.
pub(crate) fn fast_config() -> CaConfig {
    CaConfig {
        pkcs12: Pkcs12Profile::Modern { iterations: 1_000 },
        key_file_iterations: 1_000,
        ..CaConfig::default()
    }
}

pub(crate) struct Fixture {
    /// Every file `init_ca` wrote: (name, contents, mode). Kept in memory so that no
    /// directory outlives the test binary; [`Fixture::materialize`] writes them out again.
    files: Vec<(String, Vec<u8>, u32)>,
    pub summary: CaSummary,
}

impl Fixture {
    /// A fresh directory holding the CA files with their original modes.
    pub(crate) fn materialize(&self) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, mode) in &self.files {
            crate::keyfile::write_new_file(&dir.path().join(name), bytes, *mode).unwrap();
        }
        dir
    }

    pub(crate) fn file(&self, name: &str) -> &[u8] {
        &self
            .files
            .iter()
            .find(|(n, ..)| n == name)
            .expect("file written by init_ca")
            .1
    }
}

/// The CA shared by the tests of this binary.
pub(crate) fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let summary = init_ca(dir.path(), &SecretString::from(PASSPHRASE), &fast_config()).unwrap();
        let files = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let mode = e.metadata().unwrap().permissions().mode() & 0o777;
                (
                    e.file_name().into_string().unwrap(),
                    std::fs::read(e.path()).unwrap(),
                    mode,
                )
            })
            .collect();
        Fixture { files, summary }
    })
}

pub(crate) fn load_ca(cfg: CaConfig) -> FileCa {
    let dir = fixture().materialize();
    FileCa::load(dir.path(), &SecretString::from(PASSPHRASE), cfg).unwrap()
}

pub(crate) fn request(
    kind: CertKind,
    office_kind: OfficeKind,
    not_before: OffsetDateTime,
) -> IssueRequest {
    IssueRequest {
        kind,
        office_kind,
        office_number: OfficeNumber::parse("1310000001").unwrap(),
        office_name: "請求事業所A".to_owned(),
        user_id: UserId::parse("KJ0123456789AB").unwrap(),
        not_before,
    }
}
