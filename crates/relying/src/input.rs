//! Reading the certificate to check from what an office or operator has: the .p12 file the
//! portal handed out (with its 証明書発行用パスワード), or a PEM or DER certificate.

use openssl::pkcs12::Pkcs12;
use openssl::x509::X509;

/// The certificate and what the file said about it.
pub struct Loaded {
    pub der: Vec<u8>,
    /// The PKCS#12 friendlyName of the certificate, if the file had one.
    pub friendly_name: Option<String>,
}

/// Loads a certificate from a .p12 (needs `password`), PEM or DER file's bytes.
pub fn load_certificate(bytes: &[u8], password: Option<&str>) -> Result<Loaded, String> {
    if let Ok(x) = X509::from_der(bytes).or_else(|_| X509::from_pem(bytes)) {
        return Ok(Loaded {
            der: x.to_der().map_err(|e| e.to_string())?,
            friendly_name: None,
        });
    }
    let p12 = Pkcs12::from_der(bytes)
        .map_err(|_| "the file is not a certificate (.p12, PEM or DER)".to_owned())?;
    let password = password.ok_or("the .p12 file needs its password (--password)")?;
    let parsed = p12
        .parse2(password)
        .map_err(|_| "the password does not open the .p12 file".to_owned())?;
    let cert = parsed.cert.ok_or("the .p12 file holds no certificate")?;
    let friendly_name = cert
        .alias()
        .map(|a| String::from_utf8_lossy(a).into_owned());
    Ok(Loaded {
        der: cert.to_der().map_err(|e| e.to_string())?,
        friendly_name,
    })
}
