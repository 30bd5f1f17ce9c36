//! Measurements for the application's benchmark command: the two CPU costs of issuing one
//! office certificate, RSA key generation and the PKCS#12 password hashing.

use std::time::{Duration, Instant};

use openssl::hash::MessageDigest;

use crate::config::Pkcs12Profile;

/// Total time of `n` raw aws-lc RSA-2048 key generations (what each issuance does once).
pub fn bench_rsa2048_keygen(n: usize) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        let key = crate::keys::generate_rsa(2048).expect("RSA-2048 generation");
        std::hint::black_box(&key);
    }
    start.elapsed()
}

/// PBKDF2 derivations one PKCS#12 file costs: the key bag, the certificate bag and the MAC.
///
/// This is a model. The MAC key (and, in the compat profile, the bag keys and IVs) come from
/// the PKCS#12 KDF rather than PBKDF2, and OpenSSL computes the MAC twice (once in
/// `PKCS12_create`, again when the MAC digest is set). Measured on the development machine
/// the model matches the modern profile closely and overstates the compat profile about
/// twofold; [`bench_pkcs12_build`] measures whole files. docs/certificate-profile.md has the
/// numbers.
pub const PKCS12_KDF_RUNS_PER_FILE: usize = 3;

/// Total time of the PBKDF2 work of `n` PKCS#12 files at the profile's iteration count, using
/// the same OpenSSL PBKDF2 the builder uses (HMAC-SHA256 for Modern, HMAC-SHA1 for Compat).
pub fn bench_pkcs12_kdf(profile: &Pkcs12Profile, n: usize) -> Duration {
    let digest = match profile {
        Pkcs12Profile::Modern { .. } => MessageDigest::sha256(),
        Pkcs12Profile::Compat { .. } => MessageDigest::sha1(),
    };
    let iterations = profile.iterations() as usize;
    let salt = [0x5au8; 16];
    let mut out = [0u8; 32];
    let start = Instant::now();
    for _ in 0..n * PKCS12_KDF_RUNS_PER_FILE {
        openssl::pkcs5::pbkdf2_hmac(b"Ab3dEf6hJk9m", &salt, iterations, digest, &mut out)
            .expect("PBKDF2");
        std::hint::black_box(&out);
    }
    start.elapsed()
}

/// Total time of building `n` whole PKCS#12 files (key, leaf, no chain) with the real
/// builder: the ground truth the PBKDF2 model above approximates.
pub fn bench_pkcs12_build(profile: &Pkcs12Profile, n: usize) -> Duration {
    let key = crate::keys::generate_rsa(2048).expect("RSA-2048 generation");
    let pkcs8 = crate::keys::pkcs8_der(&key).expect("PKCS#8");
    let cert_der = throwaway_certificate(&pkcs8);
    let contents = crate::pkcs12::Contents {
        key_pkcs8: &pkcs8,
        cert_der: &cert_der,
        chain: &[],
        friendly_name: "介護保険証明書",
    };
    let start = Instant::now();
    for _ in 0..n {
        let file = crate::pkcs12::build(&contents, "Ab3dEf6hJk9m", profile).expect("PKCS#12");
        std::hint::black_box(&file);
    }
    start.elapsed()
}

/// A self-signed certificate for `pkcs8`, only so the benchmark has something to pack.
/// Times `n` rounds of what issuance cannot avoid: a fresh RSA-2048 key, a self-signed
/// certificate for it (one RSA signature) and a real PKCS#12 file built by OpenSSL at the
/// profile's iteration count. The benchmark uses it as the machine's limit for the pipeline.
pub fn bench_keygen_and_pkcs12(profile: &Pkcs12Profile, n: usize) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        let key = crate::keys::generate_rsa(2048).expect("RSA-2048 generation");
        let pkcs8 = crate::keys::pkcs8_der(&key).expect("PKCS#8");
        let cert_der = throwaway_certificate(&pkcs8);
        let contents = crate::pkcs12::Contents {
            key_pkcs8: &pkcs8,
            cert_der: &cert_der,
            chain: &[],
            friendly_name: "介護DX証明書",
        };
        let file = crate::pkcs12::build(&contents, "Ab3dEf6hJk9m", profile).expect("PKCS#12");
        std::hint::black_box(&file);
    }
    start.elapsed()
}

fn throwaway_certificate(pkcs8: &[u8]) -> Vec<u8> {
    let signer = crate::signer::FileKeySigner::from_pkcs8_der(pkcs8).expect("key");
    let params = rcgen::CertificateParams::default();
    crate::builder::self_sign(&params, &signer).expect("certificate")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cost must grow with the iteration count, or the benchmark measures nothing.
    #[test]
    fn kdf_cost_follows_iterations() {
        let low = bench_pkcs12_kdf(&Pkcs12Profile::Modern { iterations: 1_000 }, 3);
        let high = bench_pkcs12_kdf(&Pkcs12Profile::Modern { iterations: 50_000 }, 3);
        assert!(high > low * 5, "low {low:?} high {high:?}");
        assert!(bench_rsa2048_keygen(1) > Duration::ZERO);
        let low = bench_pkcs12_build(&Pkcs12Profile::Compat { iterations: 1_000 }, 2);
        let high = bench_pkcs12_build(&Pkcs12Profile::Compat { iterations: 50_000 }, 2);
        assert!(high > low * 5, "low {low:?} high {high:?}");
    }
}
