//! The download step: which certificates an office can install (the one valid today first,
//! then a renewal's), the file itself, and 「Mac・古いWindows用のファイル」.

use std::sync::Arc;

use crate::account::throttle::Attempt;
use crate::audit::AuditAction;
use crate::certificate::apply::{ApplicationService, HistoryRow, issuance_key};
use crate::certificate::{CertKind, CertStatus, CertificateRecord};
use crate::clock::jst_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::CertificateId;
use crate::office::Office;

/// The outcome of 「Mac・古いWindows用のファイル」.
pub enum CompatDownload {
    File(String, Vec<u8>),
    Wrong,
    Locked(i64),
}

impl ApplicationService {
    /// The office's certificates of this kind it can install: not revoked, not expired. The
    /// one valid today comes first (a new PC needs it now), then a renewal's, which starts when
    /// the current one ends.
    pub async fn downloadable(
        &self,
        office: &Office,
        kind: CertKind,
    ) -> CoreResult<Vec<CertificateRecord>> {
        let now = self.deps.clock.unix();
        let mut certs: Vec<CertificateRecord> = self
            .deps
            .store
            .certificates_for_office(office.id, kind)
            .await?
            .into_iter()
            .filter(|c| c.status == CertStatus::Valid && c.not_after >= now)
            .collect();
        certs.sort_by_key(|c| {
            (
                c.not_before > now,
                c.not_before,
                std::cmp::Reverse(c.issued_at),
            )
        });
        Ok(certs)
    }

    /// The office's current certificate of this kind: the first of [`Self::downloadable`].
    pub async fn current_certificate(
        &self,
        office: &Office,
        kind: CertKind,
    ) -> CoreResult<Option<CertificateRecord>> {
        Ok(self.downloadable(office, kind).await?.into_iter().next())
    }

    /// The history rows of the downloadable certificates, in [`Self::downloadable`]'s order,
    /// each with whether it is valid today.
    pub async fn download_rows(
        &self,
        office: &Office,
        kind: CertKind,
    ) -> CoreResult<Vec<(HistoryRow, bool)>> {
        let now = self.deps.clock.unix();
        let certs = self.downloadable(office, kind).await?;
        let history = self.history(office, kind).await?;
        Ok(certs
            .iter()
            .filter_map(|c| {
                history
                    .iter()
                    .find(|r| r.certificate_id == Some(c.id))
                    .map(|r| (r.clone(), c.not_before <= now))
            })
            .collect())
    }

    /// The same file for Macs and older Windows (3DES, SHA-1 MAC), made now from the stored
    /// one under the issuance password the office types (the one of that file: an earlier
    /// file keeps the password it was made with). Wrong entries count toward the issuance
    /// password's lock, like the application step.
    pub async fn download_compat(
        &self,
        office: &Office,
        kind: CertKind,
        which: Option<CertificateId>,
        password: &str,
        source: &str,
    ) -> CoreResult<CompatDownload> {
        let d = &self.deps;
        let certs = self.downloadable(office, kind).await?;
        let cert = match which {
            Some(id) => certs.into_iter().find(|c| c.id == id),
            None => certs.into_iter().next(),
        }
        .ok_or(CoreError::NotFound)?;
        let stored = d.store.pkcs12(cert.id).await?.ok_or(CoreError::NotFound)?;
        let made = Arc::new(std::sync::Mutex::new(None));
        let (factory, pw, slot) = (
            d.factory.clone(),
            secrecy::SecretString::from(password.to_owned()),
            made.clone(),
        );
        let verify = async move {
            let result =
                tokio::task::spawn_blocking(move || factory.compat_copy(&stored, &pw)).await;
            match result {
                Ok(Ok(bytes)) => {
                    if let Ok(mut s) = slot.lock() {
                        *s = Some(bytes);
                    }
                    true
                }
                _ => false,
            }
        };
        match d.attempt(&issuance_key(office), verify).await? {
            Attempt::Ok => {}
            Attempt::Wrong => return Ok(CompatDownload::Wrong),
            Attempt::Locked(until) => return Ok(CompatDownload::Locked(until)),
        }
        let bytes = made
            .lock()
            .ok()
            .and_then(|mut s| s.take())
            .ok_or_else(|| CoreError::Pki(crate::error::PkiError::Pkcs12("no file".into())))?;
        d.audit(
            office.user_id.as_str(),
            AuditAction::CertificateDownload,
            &format!("certificate:{}", cert.serial),
            source,
            &format!("{} compat", kind.code()),
        )
        .await;
        Ok(CompatDownload::File(
            format!(
                "{}_{}_{}_compat.p12",
                kind.file_prefix(),
                office.number,
                jst_date(crate::certificate::shown_start(cert.not_before)).replace('/', "")
            ),
            bytes,
        ))
    }

    /// The PKCS#12 file of the current certificate, or of `which` if it is one of the
    /// office's downloadable certificates of this kind, with a file name for the download.
    pub async fn download(
        &self,
        office: &Office,
        kind: CertKind,
        which: Option<CertificateId>,
        source: &str,
    ) -> CoreResult<(String, Vec<u8>)> {
        let d = &self.deps;
        let certs = self.downloadable(office, kind).await?;
        let cert = match which {
            Some(id) => certs.into_iter().find(|c| c.id == id),
            None => certs.into_iter().next(),
        }
        .ok_or(CoreError::NotFound)?;
        let bytes = d.store.pkcs12(cert.id).await?.ok_or(CoreError::NotFound)?;
        d.audit(
            office.user_id.as_str(),
            AuditAction::CertificateDownload,
            &format!("certificate:{}", cert.serial),
            source,
            kind.code(),
        )
        .await;
        let prefix = kind.file_prefix();
        Ok((
            format!(
                "{prefix}_{}_{}.p12",
                office.number,
                jst_date(crate::certificate::shown_start(cert.not_before)).replace('/', "")
            ),
            bytes,
        ))
    }
}
