//! Password rules, generation and Argon2id hashing for the login and the issuance password.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use rand::rngs::OsRng;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::CoreError;
use crate::ids::UserId;

/// Characters used in generated IDs and passwords: letters and digits without the look-alikes
/// (0/O/o, 1/l/I) that office staff would mistype from a printed letter.
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";

/// A rule of the login password that a new password breaks; each has its own message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    Length,
    Charset,
    NeedsLetterAndDigit,
    SameAsCurrent,
    ConfirmationMismatch,
}

impl PasswordProblem {
    pub fn message(self) -> &'static str {
        match self {
            Self::Length => "パスワードは8文字以上16文字以内で入力してください。",
            Self::Charset => "パスワードに使用できるのは半角英字と半角数字のみです。",
            Self::NeedsLetterAndDigit => {
                "パスワードには英字と数字をそれぞれ1文字以上含めてください。"
            }
            Self::SameAsCurrent => {
                "新しいパスワードには現在のパスワードと異なるものを指定してください。"
            }
            Self::ConfirmationMismatch => {
                "新しいパスワードと新しいパスワード（確認）が一致しません。"
            }
        }
    }
}

/// Checks a new login password against the rules: 8–16 characters, ASCII letters and digits
/// only, both present, different from the current one, typed the same twice.
pub fn check_new_password(current: &str, new: &str, confirm: &str) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    let n = new.chars().count();
    if !(8..=16).contains(&n) {
        problems.push(PasswordProblem::Length);
    }
    if !new.chars().all(|c| c.is_ascii_alphanumeric()) {
        problems.push(PasswordProblem::Charset);
    }
    let has_letter = new.chars().any(|c| c.is_ascii_alphabetic());
    let has_digit = new.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        problems.push(PasswordProblem::NeedsLetterAndDigit);
    }
    if new == current {
        problems.push(PasswordProblem::SameAsCurrent);
    }
    if new != confirm {
        problems.push(PasswordProblem::ConfirmationMismatch);
    }
    problems
}

fn pick(rng: &mut impl Rng, set: &[u8]) -> char {
    set[rng.gen_range(0..set.len())] as char
}

fn random_mixed(len: usize) -> String {
    let mut rng = OsRng;
    let all: Vec<u8> = [UPPER, LOWER, DIGITS].concat();
    loop {
        let s: String = (0..len).map(|_| pick(&mut rng, &all)).collect();
        let letters = s.chars().any(|c| c.is_ascii_alphabetic());
        let digits = s.chars().any(|c| c.is_ascii_digit());
        if letters && digits {
            return s;
        }
    }
}

/// A new user ID: "KJ" and 12 upper-case letters or digits.
pub fn generate_user_id() -> UserId {
    let mut rng = OsRng;
    let set: Vec<u8> = [UPPER, DIGITS].concat();
    let tail: String = (0..12).map(|_| pick(&mut rng, &set)).collect();
    UserId::parse(&format!("KJ{tail}")).unwrap_or_else(|_| unreachable!("generated ID is valid"))
}

/// A temporary login password for the registration letter: 12 characters, letters and digits
/// (about 68 bits).
pub fn generate_login_password() -> SecretString {
    SecretString::from(random_mixed(12))
}

/// A 証明書発行用パスワード: 12 characters, letters and digits. It protects the PKCS#12 file, so
/// it is as strong as the login password and printed in the same unambiguous alphabet.
pub fn generate_issuance_password() -> SecretString {
    SecretString::from(random_mixed(12))
}

/// Memory cost (KiB) of [`PasswordHasher::hash_generated`].
pub const GENERATED_M_COST: u32 = 1024;
/// Time cost of [`PasswordHasher::hash_generated`].
pub const GENERATED_T_COST: u32 = 1;

/// Argon2id hashing with the crate's recommended parameters (19 MiB, t=2, p=1) for passwords
/// that people choose, and lighter parameters for the machine-generated secrets of
/// registration letters (see [`hash_generated`](Self::hash_generated)).
///
/// The `*_async` methods run the work on tokio's blocking pool, at most `concurrency` at once
/// (default: the number of cores), so that a flood of logins neither occupies the async
/// workers that answer every other request nor queues unbounded memory-hard work: each
/// full-cost hash holds 19 MiB while it runs.
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    generated: Argon2<'static>,
    limit: Arc<tokio::sync::Semaphore>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        let params = Params::new(GENERATED_M_COST, GENERATED_T_COST, 1, None)
            .unwrap_or_else(|_| unreachable!("constant Argon2 parameters are valid"));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            argon: Argon2::default(),
            generated: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            limit: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHasher(argon2id)")
    }
}

impl PasswordHasher {
    /// At most `n` (≥ 1) hashes or verifications run at once through the `*_async` methods.
    #[must_use]
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.limit = Arc::new(tokio::sync::Semaphore::new(n.max(1)));
        self
    }

    /// Runs `work` on the blocking pool under the concurrency bound. The permit moves into
    /// the blocking task and is released when the work ends, not when the caller stops
    /// waiting: a client that hangs up mid-login cannot free a slot while its hash still runs.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Self) -> T + Send + 'static,
    ) -> Result<T, CoreError> {
        let permit = self
            .limit
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| CoreError::Hash(e.to_string()))?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let result = work(&this);
            drop(permit);
            result
        })
        .await
        .map_err(|e| CoreError::Hash(e.to_string()))
    }

    /// [`hash`](Self::hash) on the blocking pool.
    pub async fn hash_async(&self, password: &SecretString) -> Result<String, CoreError> {
        let password = password.clone();
        self.blocking(move |h| h.hash(&password)).await?
    }

    /// [`verify`](Self::verify) on the blocking pool; `None` spends the time of a dummy
    /// verification and answers false (unknown account).
    pub async fn verify_async(&self, password: &str, phc: Option<&str>) -> bool {
        let password = Zeroizing::new(password.to_owned());
        let phc = phc.map(str::to_owned);
        self.blocking(move |h| match phc {
            Some(phc) => h.verify(&password, &phc),
            None => {
                h.verify_dummy(&password);
                false
            }
        })
        .await
        .unwrap_or(false)
    }

    pub fn hash(&self, password: &SecretString) -> Result<String, CoreError> {
        self.argon
            .hash_password(password.expose_secret().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| CoreError::Hash(e.to_string()))
    }

    /// Hashes a secret that this program generated (a temporary login password or an
    /// issuance password from [`generate_login_password`] / [`generate_issuance_password`])
    /// with lighter Argon2id parameters (1 MiB, t=1): registering 10,000 offices hashes 20,000
    /// secrets, which the default cost (~20 ms each) would turn into minutes.
    ///
    /// Why this is sound: the memory-hard cost of Argon2 exists to slow down guessing of
    /// *human-chosen* passwords, which sit in small, predictable spaces. These secrets are 12
    /// characters drawn uniformly from a 56-symbol alphabet (about 69 bits): even at a
    /// billion guesses per second an attacker holding the hash needs ~10,000 years on
    /// average, whatever the Argon2 cost. The temporary login password is also replaced at
    /// the first login (`must_change_password`), and the new one, chosen by a person, is
    /// hashed with the full cost. Never use this for a password a person typed.
    pub fn hash_generated(&self, password: &SecretString) -> Result<String, CoreError> {
        self.generated
            .hash_password(password.expose_secret().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| CoreError::Hash(e.to_string()))
    }

    /// True when `password` matches `phc`. A malformed stored hash never matches.
    ///
    /// A hash made with lighter parameters ([`hash_generated`](Self::hash_generated)) is
    /// padded with one full-cost dummy verification, so that the time of a login does not
    /// tell which accounts still hold their temporary password.
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            self.verify_dummy(password);
            return false;
        };
        let ok = self
            .argon
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        if is_light(&parsed) {
            self.verify_dummy(password);
        }
        ok
    }

    /// Spends the time of one full-cost verification, so that an unknown user ID answers as
    /// slowly as a known one.
    pub fn verify_dummy(&self, password: &str) {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let phc = DUMMY.get_or_init(|| {
            Argon2::default()
                .hash_password(b"dummy-password-for-timing")
                .map(|h| h.to_string())
                .unwrap_or_default()
        });
        if let Ok(parsed) = PasswordHash::new(phc) {
            let _ = self.argon.verify_password(password.as_bytes(), &parsed);
        }
    }
}

/// Whether a stored hash uses less memory than the full-cost default.
fn is_light(phc: &PasswordHash) -> bool {
    let m = phc
        .params
        .get_decimal("m")
        .unwrap_or(Params::DEFAULT_M_COST);
    m < Params::DEFAULT_M_COST
}

#[cfg(test)]
mod blocking_tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// On a runtime with one thread, a full-cost verification must not stop other tasks: it
    /// runs on the blocking pool, so a task ticking meanwhile keeps ticking. (Run inline, the
    /// verification would hold the only thread and the ticker would not move until it ends.)
    #[tokio::test(flavor = "current_thread")]
    async fn verification_leaves_the_async_thread_free() {
        let hasher = PasswordHasher::default();
        let phc = hasher
            .hash(&SecretString::from("pw-for-test-1".to_owned()))
            .unwrap();
        let ticks = Arc::new(AtomicUsize::new(0));
        let ticker = {
            let ticks = ticks.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        tokio::task::yield_now().await;
        let before = ticks.load(Ordering::Relaxed);
        let mut ok = true;
        for _ in 0..3 {
            ok &= hasher.verify_async("pw-for-test-1", Some(&phc)).await;
        }
        let after = ticks.load(Ordering::Relaxed);
        ticker.abort();
        assert!(ok);
        assert!(
            after > before,
            "the ticker moved while hashing ({before} → {after})"
        );
        assert!(!hasher.verify_async("wrong", Some(&phc)).await);
        assert!(!hasher.verify_async("pw-for-test-1", None).await);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_each_reported() {
        assert!(check_new_password("old12345", "abc12345", "abc12345").is_empty());
        assert_eq!(
            check_new_password("x", "abc123", "abc123"),
            vec![PasswordProblem::Length]
        );
        assert!(
            check_new_password("x", "abcdefgh", "abcdefgh")
                .contains(&PasswordProblem::NeedsLetterAndDigit)
        );
        assert!(
            check_new_password("x", "abcd1234!", "abcd1234!").contains(&PasswordProblem::Charset)
        );
        assert!(
            check_new_password("x", "ａｂｃｄ1234", "ａｂｃｄ1234")
                .contains(&PasswordProblem::Charset)
        );
        assert_eq!(
            check_new_password("abc12345", "abc12345", "abc12345"),
            vec![PasswordProblem::SameAsCurrent]
        );
        assert_eq!(
            check_new_password("x", "abc12345", "abc12346"),
            vec![PasswordProblem::ConfirmationMismatch]
        );
        assert!(
            check_new_password("x", "abcdefgh12345678z", "abcdefgh12345678z")
                .contains(&PasswordProblem::Length)
        );
    }

    #[test]
    fn generated_values_follow_rules() {
        for _ in 0..50 {
            let id = generate_user_id();
            assert!(UserId::parse(id.as_str()).is_ok());
            let pw = generate_login_password();
            assert!(check_new_password("", pw.expose_secret(), pw.expose_secret()).is_empty());
        }
    }

    #[test]
    fn hash_and_verify() {
        let h = PasswordHasher::default();
        let phc = h.hash(&SecretString::from("abc12345")).unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("abc12345", &phc));
        assert!(!h.verify("abc12346", &phc));
        assert!(!h.verify("abc12345", "not a hash"));
    }

    #[test]
    fn generated_hashes_are_light_and_verify() {
        let h = PasswordHasher::default();
        let pw = generate_login_password();
        let phc = h.hash_generated(&pw).unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(
            phc.contains(&format!("m={GENERATED_M_COST},t={GENERATED_T_COST},p=1")),
            "{phc}"
        );
        assert!(h.verify(pw.expose_secret(), &phc));
        assert!(!h.verify("abc12345", &phc));
        assert!(is_light(&PasswordHash::new(&phc).unwrap()));
        let full = h.hash(&pw).unwrap();
        assert!(!is_light(&PasswordHash::new(&full).unwrap()));
    }

    #[test]
    fn light_hash_verification_is_padded_to_full_cost() {
        let h = PasswordHasher::default();
        let pw = SecretString::from("Abc234567xyz");
        let light = h.hash_generated(&pw).unwrap();
        let full = h.hash(&pw).unwrap();
        h.verify_dummy("warm-up");
        let time = |phc: &str| {
            let start = std::time::Instant::now();
            for _ in 0..3 {
                let _ = h.verify("wrong-password1", phc);
            }
            start.elapsed()
        };
        let (t_light, t_full) = (time(&light), time(&full));
        // Unpadded, the light hash would take a small fraction of the full one.
        assert!(
            t_light * 10 >= t_full * 8,
            "light {t_light:?} vs full {t_full:?}: not padded"
        );
        // And hashing itself is much cheaper than the full cost.
        let start = std::time::Instant::now();
        for _ in 0..3 {
            h.hash_generated(&pw).unwrap();
        }
        let t_gen = start.elapsed();
        let start = std::time::Instant::now();
        for _ in 0..3 {
            h.hash(&pw).unwrap();
        }
        assert!(
            t_gen * 4 < start.elapsed(),
            "generated hashing is not lighter"
        );
    }
}
