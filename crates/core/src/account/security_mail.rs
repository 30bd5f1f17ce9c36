//! The セキュリティメールアドレス of an office and the one-time codes mailed to it: to confirm a
//! new address, and to reset a lost login password. Codes are random digits, stored only as a
//! salted SHA-256, expire, allow a few attempts and are used once.

use rand::Rng;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ids::OfficeId;

/// A confirmed security address. An office has at most one; a new address replaces it only
/// once the new one is confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityAddress {
    pub office_id: OfficeId,
    pub email: String,
    pub confirmed_at: i64,
}

/// What a one-time code is for. An office holds at most one code per purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    /// Confirms a (new) security address: the code went to that address.
    ConfirmAddress,
    /// Lets the office set a new login password: the code went to the confirmed address.
    ResetPassword,
}

impl CodePurpose {
    pub fn code(self) -> &'static str {
        match self {
            Self::ConfirmAddress => "address",
            Self::ResetPassword => "reset",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "address" => Some(Self::ConfirmAddress),
            "reset" => Some(Self::ResetPassword),
            _ => None,
        }
    }
}

/// A stored one-time code: only its salted hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneTimeCode {
    pub office_id: OfficeId,
    pub purpose: CodePurpose,
    /// The address the code was sent to (for `ConfirmAddress`, the address being confirmed).
    pub email: String,
    /// `SALT_HEX$SHA256_HEX`, see [`hash_code`].
    pub code_hash: String,
    pub sent_at: i64,
    pub expires_at: i64,
    /// Wrong entries so far.
    pub attempts: i64,
}

/// Digits in a code.
pub const CODE_DIGITS: usize = 8;

/// A new random code of [`CODE_DIGITS`] decimal digits.
pub fn generate_code() -> String {
    let n: u32 = OsRng.gen_range(0..100_000_000);
    format!("{n:08}")
}

fn digest(salt: &[u8], purpose: CodePurpose, office_id: OfficeId, code: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"kaigo-pki one-time code v1\0");
    h.update(salt);
    h.update(purpose.code().as_bytes());
    h.update(office_id.0.to_be_bytes());
    h.update(code.as_bytes());
    h.finalize().into()
}

/// The stored form of a code: a random per-code salt and the SHA-256 bound to the purpose and
/// the office, so that a hash cannot be replayed for another office or purpose.
pub fn hash_code(purpose: CodePurpose, office_id: OfficeId, code: &str) -> String {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let d = digest(&salt, purpose, office_id, code);
    format!("{}${}", hex::encode(salt), hex::encode(d))
}

/// Compares an entered code with a stored hash in constant time. Spaces and hyphens that
/// people type between digit groups, and full-width digits, are ignored/normalised.
pub fn verify_code(stored: &str, purpose: CodePurpose, office_id: OfficeId, entered: &str) -> bool {
    let entered = normalise_code(entered);
    let Some((salt_hex, hash_hex)) = stored.split_once('$') else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (hex::decode(salt_hex), hex::decode(hash_hex)) else {
        return false;
    };
    let d = digest(&salt, purpose, office_id, &entered);
    d.ct_eq(expected.as_slice()).into()
}

/// Full-width digits to ASCII; spaces and hyphens removed.
pub fn normalise_code(entered: &str) -> String {
    entered
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            ' ' | '　' | '-' | 'ー' | '－' => None,
            c => Some(c),
        })
        .collect()
}

/// Does the same work as [`verify_code`] on a fake hash, so that an unknown office takes as
/// long as a known one.
pub fn verify_code_dummy(entered: &str) {
    let _ = verify_code(
        "00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000",
        CodePurpose::ResetPassword,
        OfficeId(0),
        entered,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_digits_and_verify() {
        let c = generate_code();
        assert_eq!(c.len(), CODE_DIGITS);
        assert!(c.chars().all(|d| d.is_ascii_digit()));
        let h = hash_code(CodePurpose::ResetPassword, OfficeId(7), &c);
        assert!(!h.contains(&c));
        assert!(verify_code(&h, CodePurpose::ResetPassword, OfficeId(7), &c));
        let spaced = format!("{} {}", &c[..4], &c[4..]);
        assert!(verify_code(
            &h,
            CodePurpose::ResetPassword,
            OfficeId(7),
            &spaced
        ));
        assert!(!verify_code(
            &h,
            CodePurpose::ConfirmAddress,
            OfficeId(7),
            &c
        ));
        assert!(!verify_code(
            &h,
            CodePurpose::ResetPassword,
            OfficeId(8),
            &c
        ));
        assert!(!verify_code(
            &h,
            CodePurpose::ResetPassword,
            OfficeId(7),
            "12345678x"
        ));
        // Same code, different salt.
        assert_ne!(h, hash_code(CodePurpose::ResetPassword, OfficeId(7), &c));
        assert_eq!(normalise_code("１２３４-５６７８"), "12345678");
    }
}
