//! `kaigo-pki bench crl`: a CRL of many entries (500,000 by default) signed by our code and by
//! `openssl ca -gencrl` from the same list with the same key, each in its own process under
//! GNU time, so wall time and peak RSS compare like for like. `openssl crl` then reads ours,
//! as a relying party loads it.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use kaigo_ca::{CaConfig, FileCa};
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::ids::Serial;
use kaigo_core::revocation::RevokedEntry;
use kaigo_core::revocation::pki::{CrlContent, StatusSigner};
use secrecy::SecretString;

const PASSPHRASE: &str = "bench-crl-passphrase";
const REASONS: [RevocationReason; 4] = [
    RevocationReason::KeyCompromise,
    RevocationReason::Superseded,
    RevocationReason::CessationOfOperation,
    RevocationReason::AffiliationChanged,
];

fn config() -> CaConfig {
    CaConfig {
        key_file_iterations: 1000,
        ..CaConfig::default()
    }
}

/// The list: 16-byte serials, revocation times over the last three years, four reasons.
fn write_entries(path: &Path, n: usize, now: i64) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..n {
        let mut serial = [0u8; 16];
        for chunk in serial.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_be_bytes());
        }
        serial[0] = (serial[0] & 0x7f) | 0x10;
        let at = now - (i as i64 % (3 * 365 * 86_400));
        writeln!(
            out,
            "{} {} {}",
            hex::encode(serial),
            at,
            REASONS[i % 4].name()
        )?;
    }
    Ok(())
}

fn read_entries(path: &Path) -> anyhow::Result<Vec<RevokedEntry>> {
    let text = std::fs::read_to_string(path)?;
    text.lines()
        .map(|l| {
            let mut parts = l.split(' ');
            let (Some(s), Some(at), Some(r)) = (parts.next(), parts.next(), parts.next()) else {
                bail!("bad entry line {l:?}");
            };
            Ok(RevokedEntry {
                serial: Serial::parse(s).map_err(|e| anyhow::anyhow!("{e}"))?,
                revoked_at: at.parse()?,
                reason: RevocationReason::from_name(r).context("reason")?,
                invalidity_at: None,
            })
        })
        .collect()
}

/// The child process: loads the CA, reads the list, signs, writes the DER.
pub fn sign_child(ca_dir: &Path, entries: &Path, out: &Path) -> anyhow::Result<()> {
    let ca = FileCa::load(ca_dir, &SecretString::from(PASSPHRASE.to_owned()), config())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let content = CrlContent {
        number: 2,
        this_update: now,
        next_update: now + 2 * 86_400,
        entries: read_entries(entries)?,
    };
    let der = ca.sign_crl(kaigo_core::ids::CaGeneration::FIRST, &content)?;
    std::fs::write(out, der)?;
    Ok(())
}

/// Wall seconds and peak RSS (KiB) of a command, from GNU time.
fn timed(cmd: Command, what: &str, dir: &Path) -> anyhow::Result<(f64, u64)> {
    let report = dir.join(format!("{what}.time"));
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&report)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let out = timed
        .output()
        .with_context(|| format!("{what}: /usr/bin/time is needed (apt-get install time)"))?;
    if !out.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = std::fs::read_to_string(&report)?;
    let mut it = text.split_whitespace();
    let secs: f64 = it.next().context("time output")?.parse()?;
    let kib: u64 = it.next().context("time output")?.parse()?;
    Ok((secs, kib))
}

fn openssl_time(t: i64) -> String {
    let d =
        time::OffsetDateTime::from_unix_timestamp(t).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        d.year() % 100,
        d.month() as u8,
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// The same list as an `openssl ca` database.
fn write_openssl_db(dir: &Path, entries: &Path, now: i64) -> anyhow::Result<PathBuf> {
    let text = std::fs::read_to_string(entries)?;
    let mut index = std::io::BufWriter::new(std::fs::File::create(dir.join("index.txt"))?);
    let expiry = openssl_time(now + 365 * 86_400);
    for l in text.lines() {
        let mut parts = l.split(' ');
        let (Some(s), Some(at), Some(r)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let at: i64 = at.parse()?;
        writeln!(
            index,
            "R\t{expiry}\t{},{r}\t{}\tunknown\t/CN=x",
            openssl_time(at),
            s.to_ascii_uppercase()
        )?;
    }
    index.flush()?;
    std::fs::write(dir.join("crlnumber"), "02\n")?;
    let cnf = dir.join("openssl.cnf");
    std::fs::write(
        &cnf,
        format!(
            "[ca]\ndefault_ca = bench\n[bench]\ndatabase = {}\ncrlnumber = {}\ndefault_md = sha256\n\
             default_crl_days = 2\ncrl_extensions = crl_ext\n[crl_ext]\nauthorityKeyIdentifier = keyid:always\n",
            dir.join("index.txt").display(),
            dir.join("crlnumber").display()
        ),
    )?;
    Ok(cnf)
}

pub fn run(entries: usize) -> anyhow::Result<String> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    let ca_dir = dir.join("ca");
    std::fs::create_dir(&ca_dir)?;
    kaigo_ca::init_ca(
        &ca_dir,
        &SecretString::from(PASSPHRASE.to_owned()),
        &config(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let list = dir.join("entries.txt");
    let t = Instant::now();
    write_entries(&list, entries, now)?;
    let gen_secs = t.elapsed().as_secs_f64();

    let ours = dir.join("ours.der");
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(&exe);
    cmd.args(["bench", "crl-sign", "--ca-dir"])
        .arg(&ca_dir)
        .arg("--entries")
        .arg(&list)
        .arg("--out")
        .arg(&ours)
        .env("KAIGO_PKI_LOG", "warn");
    let (our_secs, our_kib) = timed(cmd, "ours", dir)?;

    let cnf = write_openssl_db(dir, &list, now)?;
    let theirs = dir.join("openssl.pem");
    let mut cmd = Command::new("openssl");
    cmd.args(["ca", "-gencrl", "-batch", "-config"])
        .arg(&cnf)
        .arg("-keyfile")
        .arg(ca_dir.join(kaigo_ca::files::ISSUING_KEY))
        .arg("-cert")
        .arg(ca_dir.join(kaigo_ca::files::ISSUING_CERT))
        .arg("-passin")
        .arg(format!("pass:{PASSPHRASE}"))
        .arg("-out")
        .arg(&theirs);
    let (ssl_secs, ssl_kib) = timed(cmd, "openssl-gencrl", dir)?;

    let mut cmd = Command::new("openssl");
    cmd.args(["crl", "-inform", "DER", "-noout", "-in"])
        .arg(&ours);
    let (read_secs, read_kib) = timed(cmd, "openssl-crl", dir)?;

    // Both list every entry: count them in ours with OpenSSL.
    let text = Command::new("openssl")
        .args(["crl", "-inform", "DER", "-noout", "-text", "-in"])
        .arg(&ours)
        .output()?;
    let listed = String::from_utf8_lossy(&text.stdout)
        .matches("Serial Number:")
        .count();
    if listed != entries {
        bail!("our CRL lists {listed} entries, expected {entries}");
    }
    let our_size = std::fs::metadata(&ours)?.len();
    let mut out = String::new();
    let mib = |k: u64| k as f64 / 1024.0;
    writeln!(
        out,
        "CRL of {entries} entries (list written in {gen_secs:.2} s), issuing CA key RSA 3072, each signer in its own process under GNU time:"
    )?;
    writeln!(
        out,
        "  kaigo-pki (rcgen, our signer)     {our_secs:6.2} s   peak RSS {:7.1} MiB   {:.1} MiB DER",
        mib(our_kib),
        our_size as f64 / 1048576.0
    )?;
    writeln!(
        out,
        "  openssl ca -gencrl (same list)    {ssl_secs:6.2} s   peak RSS {:7.1} MiB",
        mib(ssl_kib)
    )?;
    writeln!(
        out,
        "  ratio kaigo-pki / openssl          time {:.2}   memory {:.2}",
        our_secs / ssl_secs.max(0.01),
        our_kib as f64 / ssl_kib.max(1) as f64
    )?;
    writeln!(
        out,
        "  openssl crl reading ours           {read_secs:6.2} s   peak RSS {:7.1} MiB  (a relying party loading it)",
        mib(read_kib)
    )?;
    Ok(out)
}
