//! The result of a check, with the words the manual uses (発行先, 発行者, 有効期限) and a
//! verdict in plain Japanese.

use kaigo_core::certificate::CertKind;
use kaigo_core::clock::JST;
use serde::Serialize;
use time::OffsetDateTime;

/// Where the revocation status came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RevocationSource {
    Ocsp,
    Crl,
}

/// What the certificate is good for now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Usable,
    Expired {
        at: i64,
    },
    /// A renewal's certificate before its 有効開始日.
    NotYetValid {
        from: i64,
    },
    Revoked {
        at: i64,
        reason: Option<String>,
    },
    /// Not issued by e-seikyuu CA (or altered, or not an office certificate).
    NotOurs {
        why: String,
    },
    /// The chain is right but no revocation information could be had.
    StatusUnavailable {
        why: String,
    },
    /// The issuing CA (or the root) is outside its validity or revoked.
    IssuerInvalid {
        why: String,
    },
}

impl Verdict {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Usable => "usable",
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::Revoked { .. } => "revoked",
            Self::NotOurs { .. } => "not_ours",
            Self::StatusUnavailable { .. } => "status_unavailable",
            Self::IssuerInvalid { .. } => "issuer_invalid",
        }
    }

    pub fn is_usable(&self) -> bool {
        matches!(self, Self::Usable)
    }

    /// The verdict in one plain sentence.
    pub fn message(&self) -> String {
        match self {
            Self::Usable => "この証明書は有効です。そのままご利用いただけます。".into(),
            Self::Expired { at } => format!("この証明書は{}に有効期限が切れています。", date(*at)),
            Self::NotYetValid { from } => format!(
                "この証明書はまだ有効期間前です。{}から利用できます。",
                date(*from)
            ),
            Self::Revoked { at, .. } => format!(
                "この証明書は{}に失効しています。利用できません。",
                date(*at)
            ),
            Self::NotOurs { .. } => {
                "この証明書は e-seikyuu CA が発行した事業所の証明書ではありません。".into()
            }
            Self::StatusUnavailable { .. } => {
                "証明書の失効状態を確認できませんでした。しばらくしてからもう一度確認してください。"
                    .into()
            }
            Self::IssuerInvalid { .. } => {
                "この証明書を発行した認証局の証明書が、現在有効ではありません。".into()
            }
        }
    }

    /// What to do next.
    pub fn next_step(&self) -> &'static str {
        match self {
            Self::Usable => {
                "介護電子請求受付システムや介護保険資格確認等WEBサービスで、この証明書を選択してください。"
            }
            Self::Expired { .. } => {
                "ポータルにログインし、証明書の発行申請を行ってください（更新の申請は有効期限の90日前からできます）。発行された新しい証明書をインストールしてください。"
            }
            Self::NotYetValid { .. } => {
                "有効期間が始まるまでは、現在お使いの証明書をそのままご利用ください。"
            }
            Self::Revoked { .. } => {
                "この証明書は使えません。パソコンの証明書一覧から削除し、ポータルで新しい証明書を申請してインストールしてください。心当たりがない場合はヘルプデスクにお問い合わせください。"
            }
            Self::NotOurs { .. } => {
                "ブラウザの「証明書の選択」で、発行者が e-seikyuu CA の証明書を選んでください。見つからない場合は、証明書をインストールしてください。"
            }
            Self::StatusUnavailable { .. } => {
                "続けて確認できない場合はヘルプデスクにお問い合わせください。"
            }
            Self::IssuerInvalid { .. } => {
                "この証明書は使えません。ヘルプデスクにお問い合わせください。"
            }
        }
    }
}

/// A date as offices read it: 2029年11月27日 (JST).
pub fn date(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| {
            let t = t.to_offset(JST);
            format!("{}年{}月{}日", t.year(), t.month() as u8, t.day())
        })
        .unwrap_or_default()
}

/// What a check found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// 発行先: the subject CN (KaigoJigyousho / CarePlanJigyousho).
    pub issued_to: String,
    /// 発行者: the issuer CN (e-seikyuu CA).
    pub issued_by: String,
    pub not_before: i64,
    /// 有効期限.
    pub not_after: i64,
    pub serial: String,
    #[serde(skip)]
    pub kind: Option<CertKind>,
    /// The kind's label (介護DX証明書 / 介護保険証明書).
    pub kind_label: Option<String>,
    /// 事業所番号 (subject serialNumber).
    pub office_number: Option<String>,
    /// The login user ID (subject uid).
    pub user_id: Option<String>,
    /// フレンドリ名, when the certificate came from a PKCS#12 file that carries one.
    pub friendly_name: Option<String>,
    pub verdict: Verdict,
    pub revocation_source: Option<RevocationSource>,
}

impl Report {
    /// A report about nothing readable: only the verdict (and the friendly name, if known).
    pub fn bare(verdict: Verdict, friendly_name: Option<String>) -> Self {
        Self {
            issued_to: String::new(),
            issued_by: String::new(),
            not_before: 0,
            not_after: 0,
            serial: String::new(),
            kind: None,
            kind_label: None,
            office_number: None,
            user_id: None,
            friendly_name,
            verdict,
            revocation_source: None,
        }
    }

    /// 有効期限 as the manual shows it.
    pub fn expiry(&self) -> String {
        date(self.not_after)
    }

    /// The lines `kaigo-pki verify` prints.
    pub fn to_text(&self) -> String {
        let none = "-".to_owned();
        let mut lines = vec![
            format!("発行先:       {}", self.issued_to),
            format!("発行者:       {}", self.issued_by),
            format!("有効期限:     {}", self.expiry()),
            format!(
                "フレンドリ名: {}",
                self.friendly_name.as_ref().unwrap_or(&none)
            ),
            format!(
                "種類:         {}",
                self.kind_label.as_ref().unwrap_or(&none)
            ),
            format!(
                "事業所番号:   {}",
                self.office_number.as_ref().unwrap_or(&none)
            ),
            format!("シリアル番号: {}", self.serial),
            format!("判定:         {}", self.verdict.message()),
            format!("次の操作:     {}", self.verdict.next_step()),
        ];
        match &self.verdict {
            Verdict::NotOurs { why }
            | Verdict::StatusUnavailable { why }
            | Verdict::IssuerInvalid { why } => {
                lines.push(format!("詳細:         {why}"));
            }
            Verdict::Revoked {
                reason: Some(r), ..
            } => lines.push(format!("失効理由:     {r}")),
            _ => {}
        }
        if let Some(src) = self.revocation_source {
            lines.push(format!(
                "失効確認:     {}",
                match src {
                    RevocationSource::Ocsp => "OCSP",
                    RevocationSource::Crl => "CRL",
                }
            ));
        }
        lines.join("\n") + "\n"
    }
}
