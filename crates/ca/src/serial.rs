//! Certificate serial numbers: 16 bytes from the system CSPRNG with the top bit cleared, so
//! 127 random bits (RFC 5280 allows up to 20 octets; CA/Browser practice asks for at least 64
//! random bits, which makes serials unpredictable and collisions negligible without a counter
//! shared between issuing processes).

use kaigo_core::error::PkiError;

/// Length of a serial in bytes.
pub const SERIAL_LEN: usize = 16;

/// A fresh serial: positive (top bit clear, so DER needs no sign byte) and never zero.
pub(crate) fn random_serial() -> Result<[u8; SERIAL_LEN], PkiError> {
    loop {
        let mut bytes = [0u8; SERIAL_LEN];
        aws_lc_rs::rand::fill(&mut bytes)
            .map_err(|_| PkiError::Certificate("random source failed".into()))?;
        bytes[0] &= 0x7f;
        // All-zero has probability 2^-127; the loop makes "non-zero" a fact, not a hope.
        if bytes.iter().any(|b| *b != 0) {
            return Ok(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn positive_distinct_and_full_width() {
        let mut seen = HashSet::new();
        let mut top_bits_used = 0u8;
        for _ in 0..20_000 {
            let s = random_serial().unwrap();
            assert_eq!(s[0] & 0x80, 0, "top bit must be clear");
            assert!(s.iter().any(|b| *b != 0));
            top_bits_used |= s[0];
            assert!(seen.insert(s), "duplicate serial");
        }
        // The remaining 7 bits of the first byte are random too, not stuck at zero.
        assert_eq!(top_bits_used, 0x7f);
    }
}
