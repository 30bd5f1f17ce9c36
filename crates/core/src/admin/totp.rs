//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 30-second steps, 6
//! digits, as every authenticator app uses by default. Also the base32 of RFC 4648 (without
//! padding) in which the secret is shown and carried in the `otpauth://` URI.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Bytes of a generated secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Steps accepted on either side of the current one (clock drift, slow typing).
pub const WINDOW: i64 = 1;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The time step that contains Unix time `unix`.
pub fn step_at(unix: i64) -> i64 {
    unix.div_euclid(STEP_SECONDS)
}

/// The HOTP value (RFC 4226) of `secret` at counter `step`, truncated to `digits` digits.
pub fn hotp(secret: &[u8], step: u64, digits: u32) -> u32 {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let bin = (u32::from(hash[offset]) & 0x7f) << 24
        | u32::from(hash[offset + 1]) << 16
        | u32::from(hash[offset + 2]) << 8
        | u32::from(hash[offset + 3]);
    bin % 10u32.pow(digits)
}

/// The 6-digit code of `secret` at Unix time `unix`, zero-padded.
pub fn code_at(secret: &[u8], unix: i64) -> String {
    let step = u64::try_from(step_at(unix)).unwrap_or(0);
    format!("{:06}", hotp(secret, step, DIGITS))
}

/// The step (within ±[`WINDOW`] of `unix`) whose code is `code`, if any. The comparison does
/// not stop at the first differing digit.
pub fn matching_step(secret: &[u8], code: &str, unix: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix);
    let mut found = None;
    for step in now - WINDOW..=now + WINDOW {
        let Ok(counter) = u64::try_from(step) else {
            continue;
        };
        let expected = format!("{:06}", hotp(secret, counter, DIGITS));
        let same: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into();
        if same && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// A new random secret.
pub fn generate_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// Base32 (RFC 4648 alphabet) without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes base32 (case-insensitive; spaces and `=` padding ignored). `None` on another
/// character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for c in text.bytes() {
        if c == b'=' || c == b' ' {
            continue;
        }
        let c = c.to_ascii_uppercase();
        let value = BASE32.iter().position(|&a| a == c)?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The `otpauth://totp/…` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        percent(issuer),
        percent(account),
        base32_encode(secret),
        percent(issuer)
    )
}

/// Percent-encodes everything but unreserved ASCII (RFC 3986).
fn percent(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 key and the 8-digit values.
    const RFC_KEY: &[u8] = b"12345678901234567890";
    const RFC_VECTORS: &[(i64, u32)] = &[
        (59, 94_287_082),
        (1_111_111_109, 7_081_804),
        (1_111_111_111, 14_050_471),
        (1_234_567_890, 89_005_924),
        (2_000_000_000, 69_279_037),
        (20_000_000_000, 65_353_130),
    ];

    #[test]
    fn rfc6238_sha1_vectors() {
        for &(t, expected) in RFC_VECTORS {
            let step = u64::try_from(step_at(t)).unwrap();
            assert_eq!(hotp(RFC_KEY, step, 8), expected, "T = {t}");
            // The 6-digit code is the same value's last six digits.
            assert_eq!(code_at(RFC_KEY, t), format!("{:06}", expected % 1_000_000));
        }
    }

    #[test]
    fn rfc4226_hotp_vectors() {
        let expected = [
            755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871,
            520_489,
        ];
        for (counter, value) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_KEY, counter as u64, 6), *value);
        }
    }

    #[test]
    fn window_accepts_one_step_either_side() {
        let t = 1_234_567_890;
        let now = step_at(t);
        let code = code_at(RFC_KEY, t);
        assert_eq!(matching_step(RFC_KEY, &code, t), Some(now));
        assert_eq!(matching_step(RFC_KEY, &code, t + 30), Some(now));
        assert_eq!(matching_step(RFC_KEY, &code, t - 30), Some(now));
        assert_eq!(matching_step(RFC_KEY, &code, t + 90), None);
        assert_eq!(matching_step(RFC_KEY, "12345", t), None);
        assert_eq!(matching_step(RFC_KEY, "abcdef", t), None);
    }

    #[test]
    fn base32_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("mzxw6ytboi======").unwrap(), b"foobar");
        assert!(base32_decode("MZ1").is_none());
        let secret = generate_secret();
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn uri_carries_secret_and_issuer() {
        let uri = otpauth_uri("e-seikyuu CA", "central1", b"foobar");
        assert_eq!(
            uri,
            "otpauth://totp/e-seikyuu%20CA:central1?secret=MZXW6YTBOI&issuer=e-seikyuu%20CA&algorithm=SHA1&digits=6&period=30"
        );
    }
}
