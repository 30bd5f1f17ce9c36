//! State scenarios: an office in a given state asks a question; the reply must show that
//! state (and nothing untrue about it).

use crate::assist::decide::NoticeDoc;
use crate::assist::state::{CertFact, OfficeState, PendingFact};
use crate::certificate::CertKind;
use crate::ids::NoticeId;

pub struct Scenario {
    pub name: &'static str,
    pub question: String,
    pub state: OfficeState,
    pub notices: Vec<NoticeDoc>,
    pub expect: Vec<&'static str>,
    pub forbid: Vec<&'static str>,
}

const DAY: i64 = 86_400;
/// 2026-11-28 12:00 JST.
const NOW: i64 = 1_795_834_800;

fn base() -> OfficeState {
    OfficeState {
        now: NOW,
        kokuhoren: Some("東京都国民健康保険団体連合会".into()),
        renewal_window: 90 * DAY,
        ..OfficeState::default()
    }
}

fn cert(kind: CertKind, days_left: i64, revoked: bool) -> CertFact {
    CertFact {
        kind,
        not_before: NOW + days_left * DAY - 365 * DAY,
        not_after: NOW + days_left * DAY,
        revoked,
    }
}

fn s(
    name: &'static str,
    question: &str,
    state: OfficeState,
    expect: Vec<&'static str>,
    forbid: Vec<&'static str>,
) -> Scenario {
    Scenario {
        name,
        question: question.into(),
        state,
        notices: Vec::new(),
        expect,
        forbid,
    }
}

pub fn all() -> Vec<Scenario> {
    let mut out = Vec::new();
    let mut expired = base();
    expired.certificates = vec![cert(CertKind::KaigoHoken, -10, false)];
    out.push(s(
        "expired",
        "証明書の期限が切れてしまった",
        expired,
        vec!["介護保険証明書: 最新の証明書は 2026/11/18 に有効期限が切れています。"],
        vec!["有効な証明書があります"],
    ));
    let mut locked = base();
    locked.login_locked_until = Some(NOW + 20 * 60);
    locked.issuance_locked_until = Some(NOW + 10 * 60);
    out.push(s(
        "locked",
        "パスワードを何回か間違えて入れなくなった",
        locked,
        vec![
            "ログイン用パスワードは、続けて誤ったため 2026/11/28 12:20 までロック",
            "証明書発行用パスワードの入力は、続けて誤ったため 2026/11/28 12:10 までロック",
        ],
        vec!["ロックされていません"],
    ));
    let mut lock_over = base();
    lock_over.login_locked_until = Some(NOW - 60);
    out.push(s(
        "lock over",
        "ロックされた",
        lock_over,
        vec!["ロックされていません"],
        vec!["までロックされています"],
    ));
    let mut balance = base();
    balance.fee_balance = 7_800;
    balance.fee_blocks = true;
    out.push(s(
        "balance due",
        "手数料の残高がありますと出て申請できない",
        balance,
        vec![
            "証明書発行手数料の残高が 7,800 円あります。",
            "介護保険証明書の発行申請はできません",
        ],
        vec!["残高はありません"],
    ));
    let mut renew_open = base();
    renew_open.certificates = vec![cert(CertKind::KaigoHoken, 30, false)];
    out.push(s(
        "renewal open",
        "証明書の更新はどうすればいい",
        renew_open,
        vec![
            "残り30日",
            "介護保険証明書の更新の発行申請ができます（2026/09/29 から可能）。",
        ],
        vec!["から行えます"],
    ));
    let mut renew_later = base();
    renew_later.certificates = vec![cert(CertKind::KaigoDx, 200, false)];
    out.push(s(
        "renewal later",
        "更新の申請はいつからできますか",
        renew_later,
        vec!["介護DX証明書の更新の発行申請は 2027/03/18 から行えます。"],
        vec!["更新の発行申請ができます"],
    ));
    let mut renew_blocked = base();
    renew_blocked.certificates = vec![cert(CertKind::KaigoHoken, 30, false)];
    renew_blocked.fee_balance = 7_800;
    renew_blocked.fee_blocks = true;
    out.push(s(
        "renewal blocked by a balance",
        "更新の申請はいつからできますか",
        renew_blocked,
        vec!["介護保険証明書の更新の発行申請は、証明書発行手数料の残高がある間はできません"],
        vec!["更新の発行申請ができます"],
    ));
    let mut renewed = base();
    let mut next = cert(CertKind::KaigoHoken, 30 + 365, false);
    next.not_before = NOW + 30 * DAY;
    renewed.certificates = vec![next, cert(CertKind::KaigoHoken, 30, false)];
    out.push(s(
        "renewal issued, not yet valid",
        "証明書の更新はどうすればいい",
        renewed,
        vec![
            "介護保険証明書: 有効な証明書があります（有効期限 2026/12/28、残り30日）。",
            "介護保険証明書: 更新後の証明書が発行済みです（2026/12/28 から有効）。",
            "更新の発行申請は必要ありません",
        ],
        vec!["更新の発行申請ができます"],
    ));
    let mut revoked = base();
    revoked.certificates = vec![
        cert(CertKind::KaigoHoken, 100, true),
        cert(CertKind::KaigoDx, 300, false),
    ];
    out.push(s(
        "revoked",
        "証明書が失効になっている",
        revoked,
        vec!["介護保険証明書（有効期限 2027/03/08）は失効しています。"],
        vec!["失効したものはありません", "介護DX証明書（"],
    ));
    let mut pending = base();
    pending.pending = vec![PendingFact {
        kind: CertKind::KaigoDx,
        requested_at: NOW - 3600,
        failed: false,
    }];
    out.push(s(
        "pending",
        "申請したのにまだ証明書が発行されない",
        pending,
        vec!["2026/11/28 に申請した介護DX証明書は発行処理中です（状況: 発行申請中）。"],
        vec!["発行待ちの発行申請はありません"],
    ));
    let mut reissued = base();
    reissued.reissued = Some(NOW - 5 * DAY);
    reissued.reissue_notice = Some(NoticeId(41));
    let mut sc = s(
        "reissued",
        "証明書発行用パスワードを忘れてしまった",
        reissued,
        vec![
            "この事業所は 2026/11/23 に証明書発行用パスワードを再発行しています。",
            "再発行より前に発行された証明書のファイルは、以前のパスワードのままです。",
        ],
        vec!["再発行していません"],
    );
    sc.notices = vec![NoticeDoc {
        id: NoticeId(41),
        title: "証明書発行用パスワード再発行通知".into(),
        body: "再発行された証明書発行用パスワードを通知いたします。".into(),
        created_at: NOW - 5 * DAY,
        read: true,
    }];
    out.push(sc);
    out.push(s(
        "never reissued",
        "証明書発行用パスワードはどの書類に載っていますか",
        base(),
        vec!["再発行していません"],
        vec!["再発行しています"],
    ));
    let mut none = base();
    none.unread_notices = 3;
    out.push(s(
        "no certificates and unread notices",
        "介護保険証明書を発行済みか確認したい",
        none.clone(),
        vec![
            "介護保険証明書: 発行履歴はありません。",
            "介護DX証明書: 発行履歴はありません。",
        ],
        vec!["有効な証明書"],
    ));
    out.push(s(
        "unread",
        "お知らせはどこで見られますか",
        none,
        vec!["未読のお知らせが 3 件あります。"],
        vec!["未読のお知らせはありません"],
    ));
    out
}
