//! The check itself: chain to the e-seikyuu root, the validity period, revocation by OCSP
//! with the CRL as the fallback, and the kind by certificate policy. OpenSSL does the
//! signature, chain and OCSP verification (an implementation independent of the CA's own).

use std::sync::Arc;

use kaigo_core::certificate::revocation::RevocationReason;
use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::hash::MessageDigest;
use openssl::ocsp::{
    OcspCertId, OcspCertStatus, OcspFlag, OcspRequest, OcspResponse, OcspResponseStatus,
};
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{CrlStatus, ReasonCode, X509, X509Crl, X509StoreContext};
use x509_parser::prelude::*;

use crate::fetch::Fetch;
use crate::report::{Report, RevocationSource, Verdict};

/// How far a relying party tolerates clock differences in OCSP times (seconds).
const OCSP_SKEW: u32 = 300;

/// Checks office certificates against one e-seikyuu root and its issuing CA(s).
pub struct Verifier {
    root: X509,
    issuers: Vec<X509>,
    store: X509Store,
    fetch: Arc<dyn Fetch>,
    /// Use these instead of the URLs in the certificate (a given server or mirror).
    ocsp_url: Option<String>,
    crl_url: Option<String>,
}

fn cert(bytes: &[u8]) -> Result<X509, String> {
    X509::from_der(bytes)
        .or_else(|_| X509::from_pem(bytes))
        .map_err(|e| format!("not a certificate: {e}"))
}

fn unix(t: &Asn1TimeRef) -> i64 {
    Asn1Time::from_unix(0)
        .ok()
        .and_then(|epoch| epoch.diff(t).ok())
        .map(|d| i64::from(d.days) * 86_400 + i64::from(d.secs))
        .unwrap_or(0)
}

/// Unix seconds of a time as OpenSSL prints it: `Nov  7 22:04:33 2026 GMT`.
fn printed_unix(text: &str) -> Option<i64> {
    let mut it = text.split_whitespace();
    let month = it.next()?;
    let day: u8 = it.next()?.parse().ok()?;
    let hms = it.next()?;
    let year: i32 = it.next()?.parse().ok()?;
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = months.iter().position(|n| *n == month)? as u8 + 1;
    let mut parts = hms.split(':').map(|p| p.parse::<u8>().ok());
    let (h, mi, se) = (parts.next()??, parts.next()??, parts.next()??);
    let date =
        ::time::Date::from_calendar_date(year, ::time::Month::try_from(m).ok()?, day).ok()?;
    let t = ::time::Time::from_hms(h, mi, se).ok()?;
    Some(
        ::time::PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp(),
    )
}

fn reason_label(code: i64) -> Option<String> {
    RevocationReason::ALL
        .into_iter()
        .find(|r| i64::from(r.code()) == code)
        .map(|r| r.label().to_owned())
}

enum Status {
    Good,
    Revoked {
        at: i64,
        reason: Option<String>,
    },
    /// The CA's responder has no record of the serial: final, never retried on the CRL.
    Unknown,
}

impl Verifier {
    /// `root` and each of `issuers` in DER or PEM.
    pub fn new(root: &[u8], issuers: &[&[u8]], fetch: Arc<dyn Fetch>) -> Result<Self, String> {
        let root = cert(root)?;
        let issuers = issuers
            .iter()
            .map(|i| cert(i))
            .collect::<Result<Vec<_>, _>>()?;
        let mut b = X509StoreBuilder::new().map_err(|e| e.to_string())?;
        b.add_cert(root.clone()).map_err(|e| e.to_string())?;
        b.set_flags(X509VerifyFlags::NO_CHECK_TIME)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            root,
            issuers,
            store: b.build(),
            fetch,
            ocsp_url: None,
            crl_url: None,
        })
    }

    /// Asks the server at `base` (its `/ocsp` and issuing CA CRL) instead of the URLs written
    /// in the certificate.
    pub fn with_server(mut self, base: &str) -> Self {
        let urls = kaigo_core::certificate::ca_files::PublicUrls::under(base);
        self.ocsp_url = Some(urls.ocsp);
        // The CRL's file name comes from each certificate (every issuing CA generation has
        // its own); only the server is replaced.
        self.crl_url = Some(format!("{}/ca/", base.trim_end_matches('/')));
        self
    }

    /// The root this verifier trusts.
    pub fn root(&self) -> &X509 {
        &self.root
    }

    /// Checks `leaf` (DER) at `now` (unix seconds).
    pub async fn check(&self, leaf: &[u8], friendly_name: Option<String>, now: i64) -> Report {
        let mut report = match describe(leaf) {
            Ok(r) => r,
            Err(why) => return Report::bare(Verdict::NotOurs { why }, friendly_name),
        };
        report.friendly_name = friendly_name;
        let x509 = match X509::from_der(leaf) {
            Ok(x) => x,
            Err(e) => {
                report.verdict = Verdict::NotOurs { why: e.to_string() };
                return report;
            }
        };
        let issuer = match self.chain(&x509) {
            Ok(i) => i,
            Err(why) => {
                report.verdict = Verdict::NotOurs { why };
                return report;
            }
        };
        if report.kind.is_none() {
            report.verdict = Verdict::NotOurs {
                why: "no e-seikyuu office certificate policy".into(),
            };
            return report;
        }
        if let Err(why) = self.issuer_usable(&issuer, now).await {
            report.verdict = why;
            return report;
        }
        let status = self.revocation(&x509, &issuer, now).await;
        report.verdict = match status {
            Ok((Status::Unknown, src)) => {
                report.revocation_source = Some(src);
                Verdict::NotOurs {
                    why: "the CA's OCSP responder has no record of this certificate".into(),
                }
            }
            Ok((Status::Revoked { at, reason }, src)) => {
                report.revocation_source = Some(src);
                Verdict::Revoked { at, reason }
            }
            _ if now > report.not_after => Verdict::Expired {
                at: report.not_after,
            },
            _ if now < report.not_before => Verdict::NotYetValid {
                from: report.not_before,
            },
            Ok((Status::Good, src)) => {
                report.revocation_source = Some(src);
                Verdict::Usable
            }
            Err(why) => Verdict::StatusUnavailable { why },
        };
        report
    }

    /// The issuing CA that signed `leaf`, checked up to the root.
    fn chain(&self, leaf: &X509) -> Result<X509, String> {
        let issuer = self
            .issuers
            .iter()
            .find(|i| {
                i.subject_name().to_der().ok() == leaf.issuer_name().to_der().ok()
                    && i.public_key()
                        .and_then(|k| leaf.verify(&k))
                        .unwrap_or(false)
            })
            .ok_or("not signed by e-seikyuu CA")?
            .clone();
        let mut untrusted = Stack::new().map_err(|e| e.to_string())?;
        untrusted.push(issuer.clone()).map_err(|e| e.to_string())?;
        let mut ctx = X509StoreContext::new().map_err(|e| e.to_string())?;
        let ok = ctx
            .init(&self.store, leaf, &untrusted, |c| {
                Ok(c.verify_cert()?.then_some(()).ok_or_else(|| c.error()))
            })
            .map_err(|e| e.to_string())?;
        ok.map_err(|e| format!("chain: {e}"))?;
        Ok(issuer)
    }

    /// The issuing CA must be within its validity (so must the root) and not revoked on the
    /// root's CRL, when it names one (issuing CAs made before issue 10 do not).
    async fn issuer_usable(&self, issuer: &X509, now: i64) -> Result<(), Verdict> {
        let invalid = |why: String| Verdict::IssuerInvalid { why };
        for (what, c) in [("issuing CA", issuer), ("root", &self.root)] {
            let (from, to) = (unix(c.not_before()), unix(c.not_after()));
            if now < from || now > to {
                return Err(invalid(format!("the {what} certificate is not valid now")));
            }
        }
        let Some(url) = crl_url(issuer) else {
            return Ok(());
        };
        match self.crl_status(issuer, &self.root, &url, now).await {
            Ok(Status::Good) => Ok(()),
            Ok(_) => Err(invalid(
                "the issuing CA is revoked on the root's CRL".into(),
            )),
            Err(why) => Err(Verdict::StatusUnavailable {
                why: format!("root CRL: {why}"),
            }),
        }
    }

    async fn revocation(
        &self,
        leaf: &X509,
        issuer: &X509,
        now: i64,
    ) -> Result<(Status, RevocationSource), String> {
        match self.ocsp(leaf, issuer).await {
            Ok(s) => Ok((s, RevocationSource::Ocsp)),
            // Only a responder that could not be asked, or whose answer did not verify, sends
            // us to the CRL.
            Err(ocsp_err) => match self.crl(leaf, issuer, now).await {
                Ok(s) => Ok((s, RevocationSource::Crl)),
                Err(crl_err) => Err(format!("{ocsp_err}; {crl_err}")),
            },
        }
    }

    async fn ocsp(&self, leaf: &X509, issuer: &X509) -> Result<Status, String> {
        let url = match &self.ocsp_url {
            Some(u) => u.clone(),
            None => leaf
                .ocsp_responders()
                .ok()
                .and_then(|s| s.iter().next().map(|u| u.to_string()))
                .ok_or("no OCSP responder in the certificate")?,
        };
        let e = |e: openssl::error::ErrorStack| format!("OCSP: {e}");
        let id = || OcspCertId::from_cert(MessageDigest::sha1(), leaf, issuer).map_err(e);
        let mut req = OcspRequest::new().map_err(e)?;
        req.add_id(id()?).map_err(e)?;
        let der = self.fetch.ocsp(&url, req.to_der().map_err(e)?).await?;
        let resp = OcspResponse::from_der(&der).map_err(e)?;
        if resp.status() != OcspResponseStatus::SUCCESSFUL {
            return Err(format!("OCSP: response status {}", resp.status().as_raw()));
        }
        let basic = resp.basic().map_err(e)?;
        let mut certs = Stack::new().map_err(e)?;
        certs.push(issuer.clone()).map_err(e)?;
        let mut b = X509StoreBuilder::new().map_err(e)?;
        b.add_cert(self.root.clone()).map_err(e)?;
        b.add_cert(issuer.clone()).map_err(e)?;
        let store = b.build();
        basic
            .verify(&certs, &store, OcspFlag::empty())
            .map_err(|err| format!("OCSP response does not verify: {err}"))?;
        let id = id()?;
        let status = basic
            .find_status(&id)
            .ok_or("OCSP: no answer for the certificate")?;
        status
            .check_validity(OCSP_SKEW, None)
            .map_err(|err| format!("OCSP answer out of date: {err}"))?;
        if status.status == OcspCertStatus::GOOD {
            Ok(Status::Good)
        } else if status.status == OcspCertStatus::REVOKED {
            Ok(Status::Revoked {
                at: status
                    .revocation_time
                    .and_then(|t| printed_unix(&t.to_string()))
                    .unwrap_or(0),
                reason: reason_label(i64::from(status.reason.as_raw())),
            })
        } else {
            Ok(Status::Unknown)
        }
    }

    async fn crl(&self, leaf: &X509, issuer: &X509, now: i64) -> Result<Status, String> {
        let own = crl_url(leaf).ok_or("no CRL distribution point in the certificate")?;
        let url = match &self.crl_url {
            Some(dir) => format!("{dir}{}", own.rsplit('/').next().unwrap_or_default()),
            None => own,
        };
        self.crl_status(leaf, issuer, &url, now).await
    }

    /// `subject`'s status on the CRL at `url`, which `issuer` must have signed and which must
    /// be current.
    async fn crl_status(
        &self,
        subject: &X509,
        issuer: &X509,
        url: &str,
        now: i64,
    ) -> Result<Status, String> {
        let der = self.fetch.crl(url).await?;
        let e = |e: openssl::error::ErrorStack| format!("CRL: {e}");
        let crl = X509Crl::from_der(&der).map_err(e)?;
        if crl.issuer_name().to_der().ok() != issuer.subject_name().to_der().ok() {
            return Err("CRL issued by another CA".into());
        }
        let key = issuer.public_key().map_err(e)?;
        if !crl.verify(&key).map_err(e)? {
            return Err("CRL signature does not verify".into());
        }
        if unix(crl.last_update()) > now + i64::from(OCSP_SKEW) {
            return Err("CRL is from the future".into());
        }
        if crl.next_update().map(unix).unwrap_or(0) < now {
            return Err("CRL is past its nextUpdate".into());
        }
        Ok(match crl.get_by_cert(subject) {
            CrlStatus::Revoked(r) => Status::Revoked {
                at: unix(r.revocation_date()),
                reason: r
                    .extension::<ReasonCode>()
                    .ok()
                    .flatten()
                    .and_then(|(_, v)| v.get_i64().ok())
                    .and_then(reason_label),
            },
            _ => Status::Good,
        })
    }
}

fn crl_url(leaf: &X509) -> Option<String> {
    let points = leaf.crl_distribution_points()?;
    points.iter().find_map(|p| {
        p.distpoint()?
            .fullname()?
            .iter()
            .find_map(|n| n.uri().map(str::to_owned))
    })
}

/// What the certificate says about itself.
fn describe(der: &[u8]) -> Result<Report, String> {
    let (_, c) = parse_x509_certificate(der).map_err(|e| format!("not a certificate: {e}"))?;
    let cn = |name: &X509Name<'_>| {
        name.iter_common_name()
            .next()
            .and_then(|a| a.as_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let attr = |oid: &str| {
        c.subject()
            .iter_attributes()
            .find(|a| a.attr_type().to_id_string() == oid)
            .and_then(|a| a.as_str().ok())
            .map(str::to_owned)
    };
    let kind = c
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::CertificatePolicies(p) => p
                .iter()
                .find_map(|pi| kaigo_ca::policy::kind_for_policy(&pi.policy_id.to_id_string())),
            _ => None,
        });
    Ok(Report {
        issued_to: cn(c.subject()),
        issued_by: cn(c.issuer()),
        not_before: c.validity().not_before.timestamp(),
        not_after: c.validity().not_after.timestamp(),
        serial: kaigo_core::ids::Serial::from_bytes(c.raw_serial()).to_string(),
        kind,
        kind_label: kind.map(|k| k.label().to_owned()),
        office_number: attr("2.5.4.5"),
        user_id: attr("0.9.2342.19200300.100.1.1"),
        friendly_name: None,
        verdict: Verdict::Usable,
        revocation_source: None,
    })
}
