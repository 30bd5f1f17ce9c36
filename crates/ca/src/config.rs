//! What an operator can tune: validity, the URLs written into certificates, the PKCS#12
//! protection and the cost of the CA key encryption.

use crate::error::CaError;

/// PBKDF2 iterations for the PKCS#12 bags, and the MAC iterations with them.
///
/// The issuance password is 12 characters drawn at random from a 56-character alphabet
/// (≈ 69.7 bits), so brute force is already out of reach and the count only adds a margin
/// (200,000 ≈ 17.6 more bits). What limits the count is the other side: .NET's
/// `Pkcs12LoaderLimits` refuses files with more than 300,000 iterations in any one KDF or MAC
/// (1,000,000 in total), an old office PC runs the import, and the server runs the KDF for
/// every issuance at the month-start peak. 200,000 stays under every limit with room to spare.
/// See docs/certificate-profile.md.
pub const DEFAULT_PKCS12_ITERATIONS: u32 = 200_000;

/// Above this Windows itself refuses to import the file: the configuration is refused.
pub const MAX_PKCS12_ITERATIONS: u32 = 600_000;

/// Above this .NET's default `Pkcs12LoaderLimits` (300,000 per KDF) refuse the file, so care
/// software built on .NET 9 cannot load it: allowed, with a warning at start.
pub const NET_LOADER_ITERATIONS: u32 = 300_000;

/// PBKDF2-HMAC-SHA256 iterations protecting the CA key files: OWASP's figure for
/// PBKDF2-HMAC-SHA256. The passphrase is chosen by people at a key ceremony, so unlike the
/// issuance password it deserves the full count; it is paid once per process start.
pub const DEFAULT_KEY_FILE_ITERATIONS: u32 = 600_000;

/// How the PKCS#12 file handed to an office is protected.
///
/// Both profiles encrypt the key bag *and* the certificate bag and carry a MAC whose
/// iteration count equals the bag iteration count. PBMAC1 is never used: Windows and
/// OpenSSL 3.0 cannot read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pkcs12Profile {
    /// PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for both bags, HMAC-SHA256 MAC.
    /// Windows 10 1709 and later, Windows Server 2019 and later, every current browser/JDK.
    Modern { iterations: u32 },
    /// pbeWithSHAAnd3-KeyTripleDES-CBC for both bags, HMAC-SHA1 MAC: for Windows releases
    /// before 10 1709 (7, 8.1, Server 2016), which cannot decrypt PBES2.
    Compat { iterations: u32 },
}

impl Pkcs12Profile {
    /// The bag and MAC iteration count.
    pub fn iterations(&self) -> u32 {
        match *self {
            Self::Modern { iterations } | Self::Compat { iterations } => iterations,
        }
    }

    /// A short name for logs and the benchmark output.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Modern { .. } => "modern (AES-256-CBC, PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC)",
            Self::Compat { .. } => "compat (3DES, SHA-1 PKCS#12 KDF, HMAC-SHA1 MAC)",
        }
    }

    /// Checks the iteration count: at least 1, at most [`MAX_PKCS12_ITERATIONS`]; warns above
    /// [`NET_LOADER_ITERATIONS`].
    pub fn validate(&self) -> Result<(), CaError> {
        let n = self.iterations();
        if n == 0 || n > MAX_PKCS12_ITERATIONS {
            return Err(CaError::Config(format!(
                "pkcs12 iterations must be between 1 and {MAX_PKCS12_ITERATIONS} (got {n}); \
                 Windows refuses to import files with more"
            )));
        }
        if n > NET_LOADER_ITERATIONS {
            tracing::warn!(
                iterations = n,
                limit = NET_LOADER_ITERATIONS,
                "pkcs12 iterations above .NET's default loader limit: care software on .NET 9 \
                 will refuse the files; Windows' own import still works"
            );
        }
        Ok(())
    }
}

impl Default for Pkcs12Profile {
    fn default() -> Self {
        Self::Modern {
            iterations: DEFAULT_PKCS12_ITERATIONS,
        }
    }
}

/// Configuration of the CA. A plain struct: the binary fills it from its own config layers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaConfig {
    /// Validity of an office certificate in calendar months (public record: 3 years).
    pub validity_months: u32,
    /// Where relying parties fetch the CRL (DER); written into cRLDistributionPoints.
    pub crl_url: String,
    /// The OCSP responder; written into authorityInfoAccess.
    pub ocsp_url: String,
    /// Where the issuing CA certificate (DER) is served; written into authorityInfoAccess.
    pub ca_issuers_url: String,
    /// Where the root's CRL is served; written into the issuing CA certificate's
    /// cRLDistributionPoints (so a relying party can check the whole chain).
    pub root_crl_url: String,
    /// Where the root certificate (DER) is served; the issuing CA certificate's caIssuers.
    pub root_cert_url: String,
    /// Protection of the PKCS#12 file.
    pub pkcs12: Pkcs12Profile,
    /// Put the root in the file, after the issuing CA. With it Windows' import wizard (store
    /// chosen automatically) also installs the root, asking once with a security warning —
    /// the manual tells offices to answer 「はい」. Without it the root must reach the PC
    /// another way (e.g. group policy).
    pub pkcs12_include_root: bool,
    /// PBKDF2 iterations for the encrypted CA key files written by `init_ca`.
    pub key_file_iterations: u32,
    /// How far in the future a requested start of validity may lie (a renewal may start
    /// when the current certificate ends; the renewal window opens 90 days before).
    pub max_postdate_days: u32,
}

impl Default for CaConfig {
    fn default() -> Self {
        let urls = kaigo_core::certificate::ca_files::PublicUrls::under("http://127.0.0.1:8080");
        Self {
            validity_months: 36,
            crl_url: urls.crl,
            ocsp_url: urls.ocsp,
            ca_issuers_url: urls.ca_issuers,
            root_crl_url: urls.root_crl,
            root_cert_url: urls.root_cert,
            pkcs12: Pkcs12Profile::default(),
            pkcs12_include_root: true,
            key_file_iterations: DEFAULT_KEY_FILE_ITERATIONS,
            max_postdate_days: 180,
        }
    }
}

impl CaConfig {
    /// Checks every value and says which one is wrong.
    pub fn validate(&self) -> Result<(), CaError> {
        if self.validity_months == 0 || self.validity_months > 120 {
            return Err(CaError::Config(format!(
                "validity_months must be between 1 and 120 (got {})",
                self.validity_months
            )));
        }
        for (name, url) in [
            ("crl_url", &self.crl_url),
            ("ocsp_url", &self.ocsp_url),
            ("ca_issuers_url", &self.ca_issuers_url),
            ("root_crl_url", &self.root_crl_url),
            ("root_cert_url", &self.root_cert_url),
        ] {
            check_url(name, url)?;
        }
        self.pkcs12.validate()?;
        if self.key_file_iterations == 0 {
            return Err(CaError::Config(
                "key_file_iterations must be at least 1".to_owned(),
            ));
        }
        Ok(())
    }
}

/// URLs go into IA5String fields and are fetched by relying parties without TLS client
/// setup, so: ASCII, no spaces or controls, http or https, and a host.
fn check_url(name: &str, url: &str) -> Result<(), CaError> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let ok = url.bytes().all(|b| b.is_ascii_graphic())
        && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
    if ok {
        Ok(())
    } else {
        Err(CaError::Config(format!(
            "{name} must be an absolute http(s) URL in ASCII (got {url:?})"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        CaConfig::default().validate().unwrap();
        assert_eq!(CaConfig::default().pkcs12.iterations(), 200_000);
    }

    #[test]
    fn bad_values_are_named() {
        let cfg = CaConfig {
            ocsp_url: "http://exa mple/ocsp".into(),
            ..CaConfig::default()
        };
        assert!(cfg.validate().unwrap_err().to_string().contains("ocsp_url"));
        let cfg = CaConfig {
            crl_url: "ftp://x/crl".into(),
            ..CaConfig::default()
        };
        assert!(cfg.validate().unwrap_err().to_string().contains("crl_url"));
        let cfg = CaConfig {
            ca_issuers_url: "http://ｘ/ca.crt".into(),
            ..CaConfig::default()
        };
        assert!(
            cfg.validate()
                .unwrap_err()
                .to_string()
                .contains("ca_issuers_url")
        );
        let cfg = CaConfig {
            pkcs12: Pkcs12Profile::Compat { iterations: 0 },
            ..CaConfig::default()
        };
        assert!(cfg.validate().is_err());
        let cfg = CaConfig {
            pkcs12: Pkcs12Profile::Modern {
                iterations: 600_001,
            },
            ..CaConfig::default()
        };
        assert!(cfg.validate().is_err());
        // Above .NET's limit but within Windows': allowed (with a warning).
        let cfg = CaConfig {
            pkcs12: Pkcs12Profile::Modern {
                iterations: 400_000,
            },
            ..CaConfig::default()
        };
        assert!(cfg.validate().is_ok());
        let cfg = CaConfig {
            validity_months: 0,
            ..CaConfig::default()
        };
        assert!(
            cfg.validate()
                .unwrap_err()
                .to_string()
                .contains("validity_months")
        );
    }
}
