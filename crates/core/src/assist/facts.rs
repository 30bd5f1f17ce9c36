//! The office's state in reviewed sentences: one function per [`StateFact`], each sentence
//! a fixed template with the office's own values filled in.

use crate::assist::Link;
use crate::assist::state::{CertFact, OfficeState};
use crate::certificate::CertKind;
use crate::certificate::renewal::renewal_opens;
use crate::clock::{jst_date, jst_datetime};
use crate::fee::format_yen;
use crate::inquiry::state_fact::StateFact;

const DAY: i64 = 86_400;

/// The sentences and links for `facts` (in that order, without repeats).
pub fn describe(facts: &[StateFact], s: &OfficeState) -> (Vec<String>, Vec<Link>) {
    let mut lines = Vec::new();
    let mut links = Vec::new();
    let mut seen: Vec<StateFact> = Vec::new();
    for f in facts {
        if seen.contains(f) {
            continue;
        }
        seen.push(*f);
        match f {
            StateFact::Locks => locks(s, &mut lines),
            StateFact::Reissue => reissue(s, &mut lines, &mut links),
            StateFact::Certificates => certificates(s, &mut lines),
            StateFact::Renewal => renewal(s, &mut lines),
            StateFact::Pending => pending(s, &mut lines),
            StateFact::Fee => fee(s, &mut lines),
            StateFact::Revoked => revoked(s, &mut lines),
            StateFact::Unread => unread(s, &mut lines, &mut links),
            StateFact::SecurityMail => security_mail(s, &mut lines),
        }
    }
    (lines, links)
}

fn link(label: &str, href: &str) -> Link {
    Link {
        label: label.to_owned(),
        href: href.to_owned(),
    }
}

fn locks(s: &OfficeState, out: &mut Vec<String>) {
    let login = s.login_locked_until.filter(|t| *t > s.now);
    let issuance = s.issuance_locked_until.filter(|t| *t > s.now);
    if let Some(t) = login {
        out.push(format!(
            "ログイン用パスワードは、続けて誤ったため {} までロックされています。この時刻を過ぎてから、正しいパスワードでログインしてください。",
            jst_datetime(t)
        ));
    }
    if let Some(t) = issuance {
        out.push(format!(
            "証明書発行用パスワードの入力は、続けて誤ったため {} までロックされています。この時刻を過ぎてから、正しいパスワードを入力してください。",
            jst_datetime(t)
        ));
    }
    if login.is_none() && issuance.is_none() {
        out.push(
            "現在、この事業所のログイン用パスワード・証明書発行用パスワードはロックされていません。"
                .to_owned(),
        );
    }
}

fn reissue(s: &OfficeState, out: &mut Vec<String>, links: &mut Vec<Link>) {
    match s.reissued {
        Some(at) => {
            out.push(format!(
                "この事業所は {} に証明書発行用パスワードを再発行しています。新しいパスワードは「証明書発行用パスワード通知書」に記載されています。再発行より前に発行された証明書のファイルは、以前のパスワードのままです。",
                jst_date(at)
            ));
            if let Some(notice) = s.reissue_notice {
                links.push(link(
                    "証明書発行用パスワード再発行通知",
                    &format!("/notices/{notice}"),
                ));
            }
        }
        None => out.push(
            "この事業所は、証明書発行用パスワードを再発行していません。「電子請求登録結果に関するお知らせ」に記載されたパスワードをお使いください。"
                .to_owned(),
        ),
    }
}

/// The certificate of a kind in use now: valid, started, the latest expiry.
fn current(s: &OfficeState, kind: CertKind) -> Option<&CertFact> {
    s.certificates
        .iter()
        .filter(|c| c.kind == kind && !c.revoked && c.not_before <= s.now && s.now <= c.not_after)
        .max_by_key(|c| c.not_after)
}

/// A certificate of a kind issued to start later (a renewal).
fn upcoming(s: &OfficeState, kind: CertKind) -> Option<&CertFact> {
    s.certificates
        .iter()
        .filter(|c| c.kind == kind && !c.revoked && c.not_before > s.now)
        .min_by_key(|c| c.not_before)
}

fn certificates(s: &OfficeState, out: &mut Vec<String>) {
    for kind in [CertKind::KaigoHoken, CertKind::KaigoDx] {
        let label = kind.label();
        let line = match (current(s, kind), upcoming(s, kind)) {
            (Some(c), _) => format!(
                "{label}: 有効な証明書があります（有効期限 {}、残り{}日）。",
                jst_date(c.not_after),
                (c.not_after - s.now) / DAY
            ),
            (None, Some(u)) => format!(
                "{label}: 発行済みの証明書が {} から有効になります。",
                jst_date(u.not_before)
            ),
            (None, None) => match s
                .certificates
                .iter()
                .filter(|c| c.kind == kind)
                .max_by_key(|c| c.not_after)
            {
                None => format!("{label}: 発行履歴はありません。"),
                Some(c) if c.revoked => format!(
                    "{label}: 最新の証明書（有効期限 {}）は失効しています。",
                    jst_date(c.not_after)
                ),
                Some(c) => format!(
                    "{label}: 最新の証明書は {} に有効期限が切れています。",
                    jst_date(c.not_after)
                ),
            },
        };
        out.push(line);
        if let (Some(_), Some(u)) = (current(s, kind), upcoming(s, kind)) {
            out.push(format!(
                "{label}: 更新後の証明書が発行済みです（{} から有効）。",
                jst_date(u.not_before)
            ));
        }
    }
}

fn renewal(s: &OfficeState, out: &mut Vec<String>) {
    for kind in [CertKind::KaigoHoken, CertKind::KaigoDx] {
        let Some(c) = current(s, kind) else {
            continue;
        };
        let label = kind.label();
        if upcoming(s, kind).is_some() {
            out.push(format!(
                "{label}は更新後の証明書が発行済みのため、更新の発行申請は必要ありません。"
            ));
            continue;
        }
        let from = renewal_opens(c.not_after, s.renewal_window);
        let blocked = kind == CertKind::KaigoHoken && s.fee_blocks;
        out.push(if blocked {
            format!(
                "{label}の更新の発行申請は、証明書発行手数料の残高がある間はできません（残高がなければ {} から可能）。",
                jst_date(from)
            )
        } else if from <= s.now {
            format!("{label}の更新の発行申請ができます（{} から可能）。", jst_date(from))
        } else {
            format!("{label}の更新の発行申請は {} から行えます。", jst_date(from))
        });
    }
}

fn pending(s: &OfficeState, out: &mut Vec<String>) {
    if s.pending.is_empty() {
        out.push("発行待ちの発行申請はありません。".to_owned());
    }
    for p in &s.pending {
        out.push(if p.failed {
            format!(
                "{} に申請した{}は「発行失敗」になっています。お手数ですが、お問い合わせください。",
                jst_date(p.requested_at),
                p.kind.label()
            )
        } else {
            format!(
                "{} に申請した{}は発行処理中です（状況: 発行申請中）。",
                jst_date(p.requested_at),
                p.kind.label()
            )
        });
    }
}

fn fee(s: &OfficeState, out: &mut Vec<String>) {
    if s.fee_balance > 0 {
        let mut line = format!(
            "証明書発行手数料の残高が {} 円あります。",
            format_yen(s.fee_balance)
        );
        if s.fee_blocks {
            line.push_str("残高がある間は、介護保険証明書の発行申請はできません。");
        }
        out.push(line);
    } else {
        out.push("証明書発行手数料の残高はありません。".to_owned());
    }
}

fn revoked(s: &OfficeState, out: &mut Vec<String>) {
    let revoked: Vec<&CertFact> = s.certificates.iter().filter(|c| c.revoked).collect();
    if revoked.is_empty() {
        out.push("この事業所の証明書に、失効したものはありません。".to_owned());
    }
    for c in revoked {
        out.push(format!(
            "{}（有効期限 {}）は失効しています。",
            c.kind.label(),
            jst_date(c.not_after)
        ));
    }
}

fn unread(s: &OfficeState, out: &mut Vec<String>, links: &mut Vec<Link>) {
    if s.unread_notices > 0 {
        out.push(format!(
            "未読のお知らせが {} 件あります。",
            s.unread_notices
        ));
        links.push(link("お知らせ", "/notices"));
    } else {
        out.push("未読のお知らせはありません。".to_owned());
    }
}

fn security_mail(s: &OfficeState, out: &mut Vec<String>) {
    out.push(if s.security_mail {
        "セキュリティメールアドレスが登録されています。".to_owned()
    } else {
        "セキュリティメールアドレスは登録されていません。【設定】から登録できます。".to_owned()
    });
}
