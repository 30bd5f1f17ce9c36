//! The issuing CA as the core's [`StatusSigner`]: CRLs signed with its key, delegated OCSP
//! responders certified by it, OCSP requests decoded against it.

use std::sync::Arc;

use aws_lc_rs::signature::KeyPair as _;
use kaigo_core::error::PkiError;
use kaigo_core::revocation::pki::{
    CrlContent, NewResponder, OcspFailure, OcspQuery, OcspSigner, StatusSigner,
};
use time::OffsetDateTime;

use crate::constraints::Planned;
use crate::file_ca::FileCa;
use crate::profile::{self, Common};
use crate::serial::random_serial;
use crate::signer::RsaPublicKey;
use crate::validity::{Validity, to_cert_time};
use crate::{builder, crl, keys, ocsp};

/// The responder signs every uncached answer; 2048 bits keeps that cheap, and the key lives
/// only as long as its certificate (30 days by default).
pub const RESPONDER_KEY_BITS: usize = 2048;

impl StatusSigner for FileCa {
    fn sign_crl(&self, content: &CrlContent) -> Result<Vec<u8>, PkiError> {
        crl::sign(content, self.issuer(), self.signer())
    }

    fn new_responder(
        &self,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<NewResponder, PkiError> {
        let key = keys::generate_rsa(RESPONDER_KEY_BITS)?;
        let public = RsaPublicKey(key.public_key().as_ref().to_vec());
        let validity = Validity {
            not_before: to_cert_time(not_before),
            not_after: to_cert_time(not_after),
        };
        self.issuer().permit(
            &Planned {
                is_ca: false,
                validity,
                policies: &[],
                key_bits: RESPONDER_KEY_BITS,
            },
            self.now(),
        )?;
        let params = profile::ocsp_responder(&Common {
            validity,
            serial: &random_serial()?,
            public_key: &public.0,
        });
        let cert_der = builder::sign(&params, &public, &self.issuer().der, self.signer())?;
        self.issuer().check_issued(&cert_der)?;
        Ok(NewResponder {
            cert_der,
            key_pkcs8: keys::pkcs8_der(&key)?,
            not_after: validity.not_after.unix_timestamp(),
        })
    }

    fn load_responder(
        &self,
        cert_der: &[u8],
        key_pkcs8: &[u8],
    ) -> Result<Arc<dyn OcspSigner>, PkiError> {
        Ok(Arc::new(ocsp::Responder::load(
            cert_der,
            key_pkcs8,
            self.issuer(),
        )?))
    }

    fn decode_request(&self, der: &[u8]) -> Result<OcspQuery, OcspFailure> {
        ocsp::decode(der, self.issuer())
    }

    fn failure(&self, failure: OcspFailure) -> Vec<u8> {
        ocsp::failure(failure)
    }

    fn root_crl_der(&self) -> Option<Vec<u8>> {
        self.root_crl().map(<[u8]>::to_vec)
    }
}
