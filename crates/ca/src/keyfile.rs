//! CA key files: PKCS#8 `EncryptedPrivateKeyInfo` in PEM, PBES2 with PBKDF2-HMAC-SHA256 and
//! AES-256-CBC (RFC 8018), the form `openssl pkey` and every other tool reads.
//!
//! The envelope is encoded here rather than by OpenSSL's PEM writer because that writer
//! offers no way to set the iteration count and uses 2,048, far too few for a CA key. Reading
//! goes through OpenSSL, which makes every load an independent check of the encoding.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::symm::Cipher;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::der;
use crate::error::CaError;
use crate::signer::FileKeySigner;

const OID_PBES2: &[u64] = &[1, 2, 840, 113549, 1, 5, 13];
const OID_PBKDF2: &[u64] = &[1, 2, 840, 113549, 1, 5, 12];
const OID_HMAC_SHA256: &[u64] = &[1, 2, 840, 113549, 2, 9];
const OID_AES256_CBC: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 1, 42];

const PEM_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// Encrypts an unencrypted PKCS#8 DER key under `passphrase`.
pub(crate) fn encrypt_pkcs8_pem(
    pkcs8: &[u8],
    passphrase: &[u8],
    iterations: u32,
) -> Result<String, CaError> {
    let fail = |what: &str| CaError::Key(format!("encrypting the key file: {what}"));
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    openssl::rand::rand_bytes(&mut salt).map_err(|_| fail("random salt"))?;
    openssl::rand::rand_bytes(&mut iv).map_err(|_| fail("random IV"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    openssl::pkcs5::pbkdf2_hmac(
        passphrase,
        &salt,
        iterations as usize,
        MessageDigest::sha256(),
        &mut key[..],
    )
    .map_err(|_| fail("PBKDF2"))?;
    let ciphertext = openssl::symm::encrypt(Cipher::aes_256_cbc(), &key[..], Some(&iv), pkcs8)
        .map_err(|_| fail("AES"))?;

    let prf = der::sequence(&[&der::oid(OID_HMAC_SHA256), &der::null()]);
    let pbkdf2_params = der::sequence(&[
        &der::octet_string(&salt),
        &der::unsigned_integer(u64::from(iterations)),
        &prf,
    ]);
    let kdf = der::sequence(&[&der::oid(OID_PBKDF2), &pbkdf2_params]);
    let scheme = der::sequence(&[&der::oid(OID_AES256_CBC), &der::octet_string(&iv)]);
    let algorithm = der::sequence(&[&der::oid(OID_PBES2), &der::sequence(&[&kdf, &scheme])]);
    let info = der::sequence(&[&algorithm, &der::octet_string(&ciphertext)]);
    Ok(pem_encode(PEM_LABEL, &info))
}

/// Decrypts a key file written by [`encrypt_pkcs8_pem`] (or by `openssl pkcs8 -topk8`) and
/// returns the unencrypted PKCS#8 DER. `path` is only for the error message.
pub(crate) fn decrypt_pkcs8_pem(
    pem: &str,
    passphrase: &[u8],
    path: &Path,
) -> Result<Zeroizing<Vec<u8>>, CaError> {
    if !pem.contains(&format!("-----BEGIN {PEM_LABEL}-----")) {
        return Err(CaError::Key(format!(
            "{} is not an encrypted PKCS#8 PEM key",
            path.display()
        )));
    }
    let pkey = PKey::private_key_from_pem_passphrase(pem.as_bytes(), passphrase).map_err(|_| {
        CaError::WrongPassphrase {
            path: path.to_owned(),
        }
    })?;
    let der = pkey
        .private_key_to_pkcs8()
        .map_err(|e| CaError::Key(format!("re-encoding the CA key: {e}")))?;
    Ok(Zeroizing::new(der))
}

/// PEM with 64-column lines (RFC 7468).
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = openssl::base64::encode_block(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Creates `path` (never overwrites) with `mode` and writes `bytes`, durably. Key files get
/// 0600 at creation, so there is no moment at which they are readable by others.
pub(crate) fn write_new_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), CaError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| CaError::io(path, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| CaError::io(path, e))
}

/// Reads a file that holds secret material, refusing one that others can read: a key file
/// copied with the wrong mode should be noticed, not silently used.
pub(crate) fn read_secret_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, CaError> {
    let mut f = File::open(path).map_err(|e| CaError::io(path, e))?;
    let mode = f
        .metadata()
        .map_err(|e| CaError::io(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(CaError::Config(format!(
            "{} is accessible to group or others (mode {:o}); chmod 600 it",
            path.display(),
            mode & 0o777
        )));
    }
    let mut buf = Zeroizing::new(Vec::new());
    f.read_to_end(&mut buf).map_err(|e| CaError::io(path, e))?;
    Ok(buf)
}

/// Decrypts the PKCS#8 key file at `path` with `passphrase`.
pub(crate) fn open_key_file(
    path: &Path,
    passphrase: &SecretString,
) -> Result<FileKeySigner, CaError> {
    let pem = read_secret_file(path)?;
    let pem = std::str::from_utf8(&pem)
        .map_err(|_| CaError::Key(format!("{} is not a PEM file", path.display())))?;
    let pkcs8 = decrypt_pkcs8_pem(pem, passphrase.expose_secret().as_bytes(), path)?;
    Ok(FileKeySigner::from_pkcs8_der(&pkcs8)?)
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    fn sample_pkcs8() -> Vec<u8> {
        let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
        PKey::from_rsa(rsa).unwrap().private_key_to_pkcs8().unwrap()
    }

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let pkcs8 = sample_pkcs8();
        let pem = encrypt_pkcs8_pem(&pkcs8, b"correct horse battery", 1000).unwrap();
        let back = decrypt_pkcs8_pem(&pem, b"correct horse battery", Path::new("k.pem")).unwrap();
        assert_eq!(&back[..], &pkcs8[..]);
        let e = decrypt_pkcs8_pem(&pem, b"wrong", Path::new("k.pem")).unwrap_err();
        assert!(matches!(e, CaError::WrongPassphrase { .. }), "{e}");
    }

    /// The OpenSSL command line names the algorithms we claim and decrypts the key.
    #[test]
    fn openssl_cli_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        let pem = encrypt_pkcs8_pem(&sample_pkcs8(), b"pass phrase 123", 1234).unwrap();
        write_new_file(&path, pem.as_bytes(), 0o600).unwrap();
        let out = Command::new("openssl")
            .args(["asn1parse", "-in"])
            .arg(&path)
            .output()
            .expect("the `openssl` command line tool is required for this test");
        let text = String::from_utf8_lossy(&out.stdout);
        for needle in ["PBES2", "PBKDF2", "hmacWithSHA256", "aes-256-cbc", ":04D2"] {
            assert!(text.contains(needle), "missing {needle} in\n{text}");
        }
        let ok = Command::new("openssl")
            .args(["pkey", "-noout", "-passin", "pass:pass phrase 123", "-in"])
            .arg(&path)
            .status()
            .expect("the `openssl` command line tool is required for this test");
        assert!(ok.success());
        let bad = Command::new("openssl")
            .args(["pkey", "-noout", "-passin", "pass:nope", "-in"])
            .arg(&path)
            .output()
            .expect("the `openssl` command line tool is required for this test");
        assert!(!bad.status.success());
    }

    #[test]
    fn files_are_private_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        write_new_file(&path, b"x", 0o600).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(write_new_file(&path, b"y", 0o600).is_err());
        assert_eq!(&read_secret_file(&path).unwrap()[..], b"x");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(read_secret_file(&path), Err(CaError::Config(_))));
    }
}
