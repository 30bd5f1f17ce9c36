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
/// This is a model, and slightly generous: the MAC key (and, in the compat profile, the bag
/// keys) come from the PKCS#12 KDF, whose iteration is one hash rather than PBKDF2's HMAC
/// (two), while the compat bags need extra output blocks for the 3DES key and IV. The
/// certificate profile document compares the model with whole-file timings.
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
        openssl::pkcs5::pbkdf2_hmac(b"Ab3dEf6hJk9m", &salt, iterations, digest, &mut out).expect("PBKDF2");
        std::hint::black_box(&out);
    }
    start.elapsed()
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
    }
}
