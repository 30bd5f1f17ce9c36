//! The portal's マニュアル (セットアップ手順書 電子証明書編) as data: the page renders it, and the
//! AIチャット searches and cites it by section, so each step is written once.

use super::state_fact::StateFact;

/// One numbered step, with the checks listed under it (if any).
#[derive(Clone, Copy, Debug)]
pub struct ManualStep {
    pub text: &'static str,
    pub checks: &'static [&'static str],
}

/// One section of the manual; `id` is its anchor on `/manual`.
#[derive(Clone, Copy, Debug)]
pub struct ManualSection {
    pub id: &'static str,
    pub title: &'static str,
    pub lead: &'static [&'static str],
    pub steps: &'static [ManualStep],
    pub after: &'static [&'static str],
    /// Pages of the portal the section points to: (label, path).
    pub see: &'static [(&'static str, &'static str)],
    /// What of the office's own state the AIチャット adds when it cites the section.
    pub state: &'static [StateFact],
    /// Other ways staff ask for this section (searched, not shown).
    pub phrasings: &'static [&'static str],
}

impl ManualSection {
    /// All the section's text, for the search index (the title and phrasings twice: they
    /// say what the section is about).
    pub fn text(&self) -> String {
        let mut out = vec![self.title, self.title];
        out.extend(self.phrasings);
        out.extend(self.phrasings);
        out.extend(self.lead);
        for s in self.steps {
            out.push(s.text);
            out.extend(s.checks);
        }
        out.extend(self.after);
        out.join(" ")
    }

    /// The section's link on the manual page.
    pub fn href(&self) -> String {
        format!("/manual#{}", self.id)
    }
}

/// Where a step names the deployment's hint on opening the ZIP file (set per deployment).
pub const ZIP_HINT: &str = "{zip_hint}";

const fn step(text: &'static str) -> ManualStep {
    ManualStep { text, checks: &[] }
}

/// The section with this anchor.
pub fn section(id: &str) -> Option<&'static ManualSection> {
    SECTIONS.iter().find(|s| s.id == id)
}

pub const SECTIONS: &[ManualSection] = &[
    ManualSection {
        id: "s0",
        title: "0. 全体ステップ",
        lead: &[],
        steps: &[
            step("証明書発行用パスワードを手元に用意します（1）。"),
            step("電子請求受付システムにログインし、介護保険証明書の発行履歴を確認します（2）。"),
            step(
                "発行履歴がない場合は、介護DX証明書を発行申請してインストールします（3-1、申請・発行に費用はかかりません）。",
            ),
            step(
                "発行履歴がある場合は、発行済みの介護保険証明書をインストールします（3-2、インストールに手数料はかかりません）。",
            ),
        ],
        after: &[],
        see: &[],
        state: &[StateFact::Certificates],
        phrasings: &[
            "全体の流れ",
            "作業の全体像",
            "何から始めればよいか",
            "手順の概要",
        ],
    },
    ManualSection {
        id: "s1",
        title: "1. 証明書発行用パスワードの確認",
        lead: &[
            "証明書発行用パスワードは、証明書の発行申請やインストールの際に必要なパスワードです。国保連合会から通知される「電子請求登録結果に関するお知らせ」の書類に記載されています。ログイン用のパスワードとは別のものです。",
            "書類が見当たらない場合は、「4. 証明書発行用パスワードの再発行方法」をご覧ください。",
        ],
        steps: &[],
        after: &[],
        see: &[],
        state: &[StateFact::Reissue],
        phrasings: &["証明書発行用パスワードを確認する", "発行用パスワードの書類"],
    },
    ManualSection {
        id: "s2",
        title: "2. 介護保険証明書発行履歴の確認",
        lead: &[],
        steps: &[
            step(
                "電子請求受付システムのログイン画面でユーザIDとパスワードを入力し、【ログイン】ボタンを押します。",
            ),
            step("メニューの「証明書」タブを押します。"),
            step(
                "発行履歴（発行申請日・有効開始年月日・有効終了年月日・状況）を確認します。履歴がなければ 3-1 へ、あれば 3-2 へ進みます。",
            ),
        ],
        after: &[],
        see: &[("証明書", "/certificate")],
        state: &[StateFact::Certificates, StateFact::Pending],
        phrasings: &["発行履歴を確認する", "証明書を発行済みか調べる"],
    },
    ManualSection {
        id: "s3-1",
        title: "3-1. 介護DX証明書のインストール",
        lead: &[],
        steps: &[
            step("メニューの「介護DX証明書」タブを押します。"),
            step(
                "「処理を選択し、【次へ】ボタンを押してください。」の画面で「介護DX証明書の発行申請」を選び、【次へ】ボタンを押します。先に「発行申請を行う前に」の注意事項を開いて確認してください。確認していないと「確認せずに証明書の発行申請は行えません。」と表示されます。",
            ),
            step("証明書発行用パスワードを入力し、【次へ】ボタンを押します。"),
            step(
                "利用規約を確認し、【利用規約に同意して送信】ボタンを押します。利用規約は【利用規約をダウンロード】で保存できます。",
            ),
            step(
                "発行申請完了の画面が表示されます。発行が終わると、お知らせに「証明書発行完了通知」が掲載されます。",
            ),
            step(
                "「介護DX証明書をダウンロード・インストールする」を選び、【次へ】ボタンを押します。",
            ),
            step("【ダウンロード】ボタンを押し、ダウンロードしたファイルを開きます。"),
            step(
                "証明書のインポート ウィザードで「現在のユーザー」を選び、【次へ】ボタンを押します。",
            ),
            step(
                "証明書発行用パスワードを入力します。「すべての拡張プロパティを含める」以外のチェックが外れていることを確認し、【次へ】ボタンを押します。",
            ),
            step(
                "「証明書の種類に基づいて、自動的に証明書ストアを選択する」のまま【次へ】、【完了】ボタンを押します。",
            ),
            step("警告が表示された場合は【はい】を押します。"),
            step("「正しくインポートされました。」と表示されれば、インストールは完了です。"),
        ],
        after: &[],
        see: &[("介護DX証明書", "/dx")],
        state: &[StateFact::Certificates, StateFact::Pending],
        phrasings: &[
            "介護DX証明書を入れる手順",
            "介護DX証明書の申請からインストールまで",
        ],
    },
    ManualSection {
        id: "s3-2",
        title: "3-2. 介護保険証明書のインストール",
        lead: &[],
        steps: &[
            step("メニューの「証明書」タブを押します。"),
            step("「証明書をダウンロード・インストールする」を選び、【次へ】ボタンを押します。"),
            step("【ダウンロード】ボタンを押し、ダウンロードしたファイルを開きます。"),
            step(
                "証明書のインポート ウィザードで「現在のユーザー」を選び、【次へ】ボタンを押します。",
            ),
            step("証明書発行用パスワードを入力し、【次へ】ボタンを押します。"),
            step("証明書ストアは自動選択のまま【次へ】、【完了】ボタンを押します。"),
            step("警告が表示された場合は【はい】を押します。"),
            step("「正しくインポートされました。」と表示されれば、インストールは完了です。"),
        ],
        after: &[
            "証明書発行手数料の残高がある間は、新しい介護保険証明書の発行申請はできません。手続きは国保連合会へお問い合わせください。",
        ],
        see: &[("証明書", "/certificate")],
        state: &[StateFact::Certificates, StateFact::Fee],
        phrasings: &[
            "介護保険証明書を入れる手順",
            "発行済みの証明書をインストールする",
        ],
    },
    ManualSection {
        id: "s4",
        title: "4. 証明書発行用パスワードの再発行方法",
        lead: &[],
        steps: &[
            step("証明書のダウンロード画面で「証明書発行用パスワードとは？」を押します。"),
            step("説明画面の下部にある【通知書を紛失してしまった】ボタンを押します。"),
            step("確認画面で【再発行する】ボタンを押します。"),
            step("完了画面で【お知らせ画面を開く】ボタンを押します。"),
            step(
                "お知らせ「証明書発行用パスワード再発行通知」の添付ファイル「証明書発行用パスワード通知書.zip」をダウンロードします。",
            ),
            step(
                "保存したフォルダから通知書のZIPファイルを開きます。ファイルを開く際に求められるパスワードは、電子請求受付システムにログインする際のパスワードです。{zip_hint}",
            ),
            step("通知書に記載された新しい証明書発行用パスワードを確認します。"),
        ],
        after: &[
            "再発行後は新しいパスワードだけが発行申請に使えます。再発行前に作られた証明書ファイルのパスワードは変わりません。",
        ],
        see: &[("証明書発行用パスワードとは？", "/issuance-password/about")],
        state: &[StateFact::Reissue, StateFact::Locks],
        phrasings: &[
            "証明書発行用パスワードを再発行する手順",
            "パスワード通知書の再発行",
        ],
    },
    ManualSection {
        id: "sref",
        title: "参考) 電子証明書の確認方法",
        lead: &["電子証明書のインストールが正しくできているかどうか、事前に確認してください。"],
        steps: &[
            step(
                "Windowsボタンを押し、検索ボックスに「インターネットオプション」と入力して、インターネットオプションを開きます。",
            ),
            step("「コンテンツ」タブの【証明書】ボタンを押します。"),
            ManualStep {
                text: "「個人」タブに、次の条件を満たす電子証明書があることを確認します。",
                checks: &[
                    "確認1: 発行先が「KaigoJigyousho」または「CarePlanJigyousho」であること",
                    "確認2: 発行者が「e-seikyuu CA」であること",
                    "確認3: 有効期限内であること",
                ],
            },
        ],
        after: &[
            "ブラウザからも確認できます。「証明書の確認」のページを開き、「証明書の選択」で発行者が「e-seikyuu CA」の証明書を選ぶと、発行先・発行者・有効期限と、その証明書が使えるかどうかが表示されます。",
        ],
        see: &[("証明書の確認", "/check")],
        state: &[StateFact::Certificates],
        phrasings: &["証明書が入っているか確認", "インストールの確認方法"],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_unique_and_the_zip_hint_has_one_place() {
        let mut ids: Vec<_> = SECTIONS.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), SECTIONS.len());
        let with_hint = SECTIONS
            .iter()
            .flat_map(|s| s.steps)
            .filter(|s| s.text.contains(ZIP_HINT))
            .count();
        assert_eq!(with_hint, 1);
        assert!(section("s4").unwrap().text().contains("再発行"));
    }
}
