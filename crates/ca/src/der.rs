//! The little DER we write by hand: the extensions rcgen has no field for (authorityInfoAccess,
//! certificatePolicies) and the envelope of the encrypted CA key files. Only definite-length
//! encodings of the few types those need; everything written here is re-parsed in tests by
//! independent decoders (x509-parser, OpenSSL).

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;

/// One tag-length-value.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    push_length(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// DER lengths: one byte below 128, else 0x80|n followed by n big-endian bytes, minimal n.
fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push(0x80 | (bytes.len() - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

/// SEQUENCE of already-encoded elements.
pub(crate) fn sequence(elements: &[&[u8]]) -> Vec<u8> {
    tlv(TAG_SEQUENCE, &elements.concat())
}

pub(crate) fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(TAG_OCTET_STRING, bytes)
}

pub(crate) fn null() -> Vec<u8> {
    tlv(TAG_NULL, &[])
}

/// A non-negative INTEGER: big-endian, no redundant leading zero, a zero byte added when the
/// high bit would otherwise make it negative.
pub(crate) fn unsigned_integer(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let skip = bytes
        .iter()
        .take_while(|b| **b == 0)
        .count()
        .min(bytes.len() - 1);
    let mut content = Vec::with_capacity(9);
    if bytes[skip] & 0x80 != 0 {
        content.push(0);
    }
    content.extend_from_slice(&bytes[skip..]);
    tlv(TAG_INTEGER, &content)
}

/// OBJECT IDENTIFIER. The arcs are this crate's constants, so a malformed one is a
/// programming error caught by the tests, not an input error.
pub(crate) fn oid(arcs: &[u64]) -> Vec<u8> {
    assert!(
        arcs.len() >= 2 && arcs[0] <= 2 && (arcs[0] == 2 || arcs[1] < 40),
        "malformed OID {arcs:?}"
    );
    let mut content = Vec::new();
    push_base128(&mut content, arcs[0] * 40 + arcs[1]);
    for &arc in &arcs[2..] {
        push_base128(&mut content, arc);
    }
    tlv(TAG_OID, &content)
}

/// Base-128, most significant group first, continuation bit on all but the last byte.
fn push_base128(out: &mut Vec<u8>, mut n: u64) {
    let mut groups = [0u8; 10];
    let mut i = groups.len();
    loop {
        i -= 1;
        groups[i] = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            break;
        }
    }
    let last = groups.len() - 1;
    for (j, g) in groups.iter().enumerate().skip(i) {
        out.push(if j == last { *g } else { g | 0x80 });
    }
}

/// Dotted form of an OID, for comparisons with parsers and for display.
pub(crate) fn oid_string(arcs: &[u64]) -> String {
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(tlv(0x04, &[]), [0x04, 0x00]);
        assert_eq!(&tlv(0x04, &[0; 127])[..2], [0x04, 0x7f]);
        assert_eq!(&tlv(0x04, &[0; 128])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(&tlv(0x04, &[0; 256])[..4], [0x04, 0x82, 0x01, 0x00]);
        assert_eq!(
            &tlv(0x04, &[0; 70_000])[..5],
            [0x04, 0x83, 0x01, 0x11, 0x70]
        );
    }

    #[test]
    fn oids() {
        // id-ad-ocsp, a textbook encoding.
        assert_eq!(
            oid(&[1, 3, 6, 1, 5, 5, 7, 48, 1]),
            [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01]
        );
        // rsadsi arc: 840 = 0x86 0x48, 113549 = 0x86 0xf7 0x0d.
        assert_eq!(
            oid(&[1, 2, 840, 113549]),
            [0x06, 0x06, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]
        );
        assert_eq!(oid_string(&[1, 2, 840]), "1.2.840");
    }

    #[test]
    fn integers() {
        assert_eq!(unsigned_integer(0), [0x02, 0x01, 0x00]);
        assert_eq!(unsigned_integer(127), [0x02, 0x01, 0x7f]);
        assert_eq!(unsigned_integer(128), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(unsigned_integer(600_000), [0x02, 0x03, 0x09, 0x27, 0xc0]);
    }
}
