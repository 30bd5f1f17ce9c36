//! The issuing CA as the core's [`StatusSigner`]: CRLs signed with its key, delegated OCSP
//! responders certified by it, OCSP requests decoded against it.

use std::sync::Arc;

use kaigo_core::error::PkiError;
use kaigo_core::ids::CaGeneration;
use kaigo_core::revocation::pki::{
    CrlContent, NewResponder, OcspFailure, OcspQuery, OcspSigner, StatusSigner,
};
use time::OffsetDateTime;

use crate::constraints::{IssuerFacts, Planned};
use crate::file_ca::FileCa;
use crate::profile::{self, Common};
use crate::responder_key::ResponderKey;
use crate::serial::random_serial;
use crate::signer::{CaSigner, RsaPublicKey};
use crate::validity::{Validity, to_cert_time};
use crate::{builder, crl, ocsp};

pub use crate::responder_key::RESPONDER_KEY_BITS;

fn held(ca: &FileCa, generation: CaGeneration) -> Result<(&IssuerFacts, &dyn CaSigner), PkiError> {
    ca.issuing(generation).ok_or_else(|| {
        PkiError::Key(format!(
            "issuing CA generation {generation} is not loaded in this process"
        ))
    })
}

impl StatusSigner for FileCa {
    fn generations(&self) -> Vec<CaGeneration> {
        let now = self.now();
        self.issuers()
            .into_iter()
            .filter(|(_, issuer)| issuer.not_after > now)
            .map(|(g, _)| g)
            .collect()
    }

    fn generation_end(&self, generation: CaGeneration) -> Option<i64> {
        self.issuing(generation)
            .map(|(issuer, _)| issuer.not_after.unix_timestamp())
    }

    fn sign_crl(
        &self,
        generation: CaGeneration,
        content: &CrlContent,
    ) -> Result<Vec<u8>, PkiError> {
        let (issuer, signer) = held(self, generation)?;
        crl::sign(content, issuer, signer)
    }

    fn new_responder(
        &self,
        generation: CaGeneration,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<NewResponder, PkiError> {
        let (issuer, signer) = held(self, generation)?;
        // Never beyond the issuing CA: in its last weeks the responder just lives shorter.
        let validity = Validity {
            not_before: to_cert_time(not_before),
            not_after: to_cert_time(not_after.min(issuer.not_after)),
        };
        // Checked before a key is made, so a refusal leaves nothing in the token.
        issuer.permit(
            &Planned {
                is_ca: false,
                validity,
                policies: &crate::policy::ALL_POLICIES,
                key_bits: RESPONDER_KEY_BITS,
            },
            self.now(),
        )?;
        let key = ResponderKey::generate(self.token())?;
        let public = RsaPublicKey(key.signer().public_key_der().to_vec());
        let params = profile::ocsp_responder(&Common {
            validity,
            serial: &random_serial()?,
            public_key: &public.0,
        });
        let signed = builder::sign(&params, &public, &issuer.der, signer)
            .and_then(|der| issuer.check_issued(&der).map(|()| der));
        let cert_der = match signed {
            Ok(der) => der,
            Err(e) => {
                // No certificate will name this key: it must not stay in the token.
                if let Ok(stored) = key.to_stored() {
                    let _ = ResponderKey::destroy(&stored, self.token());
                }
                return Err(e);
            }
        };
        Ok(NewResponder {
            cert_der,
            key_pkcs8: key.to_stored()?,
            not_after: validity.not_after.unix_timestamp(),
        })
    }

    fn load_responder(
        &self,
        generation: CaGeneration,
        cert_der: &[u8],
        key_pkcs8: &[u8],
    ) -> Result<Arc<dyn OcspSigner>, PkiError> {
        let (issuer, _) = held(self, generation)?;
        Ok(Arc::new(ocsp::Responder::load(
            cert_der,
            ResponderKey::open(key_pkcs8, self.token())?,
            issuer,
        )?))
    }

    fn destroy_responder_key(&self, key_stored: &[u8]) -> Result<(), PkiError> {
        ResponderKey::destroy(key_stored, self.token())
    }

    fn decode_request(&self, der: &[u8]) -> Result<OcspQuery, OcspFailure> {
        // Only generations that still publish answer: an ended CA's CertIDs are not ours.
        let now = self.now();
        let live: Vec<_> = self
            .issuers()
            .into_iter()
            .filter(|(_, issuer)| issuer.not_after > now)
            .collect();
        ocsp::decode(der, &live)
    }

    fn failure(&self, failure: OcspFailure) -> Vec<u8> {
        ocsp::failure(failure)
    }

    fn root_crl_der(&self) -> Option<Vec<u8>> {
        self.root_crl().map(<[u8]>::to_vec)
    }
}

/// CRLs, responder certificates and OCSP responses read back by OpenSSL, the decoder a relying
/// party uses.
#[cfg(test)]
mod tests {
    use kaigo_core::certificate::revocation::RevocationReason;
    use kaigo_core::ids::Serial;
    use kaigo_core::revocation::pki::{OcspAnswer, SingleAnswer};
    use kaigo_core::revocation::{CertStatus, RevokedEntry};
    use openssl::ocsp::{OcspFlag, OcspResponse, OcspResponseStatus};
    use openssl::x509::{X509, X509Crl};

    use super::*;
    use crate::test_support::{fast_config, load_ca};

    const NOW: i64 = 1_800_000_000;

    fn entry(serial: &str, reason: RevocationReason, invalidity: Option<i64>) -> RevokedEntry {
        RevokedEntry {
            serial: Serial::parse(serial).unwrap(),
            revoked_at: NOW - 60,
            reason,
            invalidity_at: invalidity,
        }
    }

    #[test]
    fn crl_reads_back_with_number_reasons_and_invalidity_date() {
        let ca = load_ca(fast_config());
        let content = CrlContent {
            number: 300,
            this_update: NOW,
            next_update: NOW + 86_400,
            entries: vec![
                entry("0a1b", RevocationReason::KeyCompromise, Some(NOW - 86_400)),
                entry("ff00ee", RevocationReason::Unspecified, None),
            ],
        };
        let der = ca.sign_crl(CaGeneration::FIRST, &content).unwrap();
        let crl = X509Crl::from_der(&der).unwrap();
        let issuer = X509::from_der(ca.issuing_der()).unwrap();
        assert!(crl.verify(&issuer.public_key().unwrap()).unwrap());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crl.der");
        std::fs::write(&path, &der).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["crl", "-inform", "DER", "-noout", "-text", "-in"])
            .arg(&path)
            .output()
            .expect("openssl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.contains("Version 2"), "{text}");
        assert!(
            text.contains("X509v3 CRL Number: \n                300"),
            "{text}"
        );
        assert!(
            text.contains("Key Compromise") && text.contains("Invalidity Date"),
            "{text}"
        );
        // RFC 5280 §5.3.1: no reasonCode for unspecified.
        assert_eq!(text.matches("CRL Reason Code").count(), 1, "{text}");
        let revoked = crl.get_revoked().unwrap();
        assert_eq!(revoked.len(), 2);
        // The authority key identifier is the issuing CA's subject key identifier.
        let ski = issuer.subject_key_id().unwrap().as_slice().to_vec();
        let aki_hex = ski
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        assert!(text.contains(&aki_hex), "AKI {aki_hex} not in {text}");
        let (number, next) = crate::root_crl::crl_facts(&der).unwrap();
        assert_eq!((number, next.unix_timestamp()), (300, NOW + 86_400));
    }

    #[test]
    fn responder_answers_verify_and_name_the_status() {
        let ca = load_ca(fast_config());
        let now = time::OffsetDateTime::now_utc();
        let fresh = ca
            .new_responder(
                CaGeneration::FIRST,
                now - time::Duration::minutes(5),
                now + time::Duration::days(30),
            )
            .unwrap();
        let cert = X509::from_der(&fresh.cert_der).unwrap();
        let text = String::from_utf8(cert.to_text().unwrap()).unwrap();
        assert!(
            text.contains("OCSP Signing") && text.contains("OCSP No Check"),
            "{text}"
        );
        assert!(
            !text.contains("CRL Distribution") && !text.contains("CA:TRUE"),
            "{text}"
        );
        let signer = ca
            .load_responder(CaGeneration::FIRST, &fresh.cert_der, &fresh.key_pkcs8)
            .unwrap();

        let issuer = X509::from_der(ca.issuing_der()).unwrap();
        let serial = [0x12, 0x34];
        let request =
            crate::ocsp_request(ca.issuing_der(), &serial, Some(b"0123456789abcdef")).unwrap();
        let query = ca.decode_request(&request).unwrap();
        assert_eq!(query.items[0].issuer, Some(CaGeneration::FIRST));
        assert_eq!(query.items[0].serial.as_str(), "1234");
        let t = now.unix_timestamp();
        let answer = OcspAnswer {
            produced_at: t,
            answers: vec![SingleAnswer {
                cert_id_der: query.items[0].cert_id_der.clone(),
                status: CertStatus::Revoked {
                    at: t - 10,
                    reason: RevocationReason::CessationOfOperation,
                },
                this_update: t,
                next_update: t + 3600,
            }],
            nonce: query.nonce.clone(),
        };
        let der = signer.sign(&answer).unwrap();
        let resp = OcspResponse::from_der(&der).unwrap();
        assert_eq!(resp.status(), OcspResponseStatus::SUCCESSFUL);
        let basic = resp.basic().unwrap();
        let mut store = openssl::x509::store::X509StoreBuilder::new().unwrap();
        store.add_cert(issuer.clone()).unwrap();
        store
            .add_cert(X509::from_pem(ca.root_pem().as_bytes()).unwrap())
            .unwrap();
        let mut certs = openssl::stack::Stack::new().unwrap();
        certs.push(issuer.clone()).unwrap();
        basic
            .verify(&certs, &store.build(), OcspFlag::empty())
            .expect("the delegated responder's answer verifies against the issuing CA");
        // The status as OpenSSL's printer reads it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("resp.der");
        std::fs::write(&path, &der).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["ocsp", "-noverify", "-resp_text", "-respin"])
            .arg(&path)
            .output()
            .expect("openssl");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Cert Status: revoked"), "{text}");
        assert!(
            text.contains("Revocation Reason: cessationOfOperation"),
            "{text}"
        );
        assert!(text.contains("OCSP Nonce"), "{text}");
        assert!(text.contains("Serial Number: 1234"), "{text}");
        drop(cert);
    }

    #[test]
    fn malformed_and_foreign_requests() {
        let ca = load_ca(fast_config());
        assert_eq!(
            ca.decode_request(&[0x30, 0x03, 0x02, 0x01, 0x00]),
            Err(OcspFailure::MalformedRequest)
        );
        assert_eq!(
            ca.decode_request(b"garbage"),
            Err(OcspFailure::MalformedRequest)
        );
        let ours = crate::ocsp_request(ca.issuing_der(), &[1], None).unwrap();
        assert_eq!(
            ca.decode_request(&ours).unwrap().items[0].issuer,
            Some(CaGeneration::FIRST)
        );
        // A request naming another issuer (here the root) is not ours to answer.
        let root = crate::cert::pem_to_der(ca.root_pem()).unwrap();
        let foreign = crate::ocsp_request(&root, &[1], None).unwrap();
        assert_eq!(ca.decode_request(&foreign).unwrap().items[0].issuer, None);
        assert_eq!(
            ocsp::failure(OcspFailure::MalformedRequest),
            [0x30, 0x03, 0x0a, 0x01, 0x01]
        );
        assert_eq!(
            ocsp::failure(OcspFailure::Unauthorized),
            [0x30, 0x03, 0x0a, 0x01, 0x06]
        );
    }
}
