//! FAQ (よくある質問) entries and the Japanese-aware search over them.
//!
//! Both the query and the text are folded the same way: NFKC (full-width ASCII and half-width
//! katakana become their usual forms), lower case, and katakana → hiragana. So 「ＰＫＣＳ」,
//! 「pkcs」, 「ﾊﾟｽﾜｰﾄﾞ」, 「パスワード」 and 「ぱすわーど」 find the same entries.

use unicode_normalization::UnicodeNormalization;

/// One question and its answer (paragraphs separated by blank lines).
#[derive(Clone, Copy, Debug)]
pub struct FaqEntry {
    pub id: &'static str,
    pub topic: &'static str,
    pub question: &'static str,
    pub answer: &'static str,
}

/// Folds text for matching: NFKC, lower case, katakana to hiragana, spaces dropped.
pub fn fold(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            // ァ (U+30A1) .. ヶ (U+30F6) map onto ぁ (U+3041) .. ゖ (U+3096).
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Entries matching `query`, best first (ranked retrieval: [`super::search`]); every
/// white-space separated word must match. An empty query returns all entries in their order.
pub fn search(query: &str) -> Vec<&'static FaqEntry> {
    if query.trim().is_empty() {
        return ENTRIES.iter().collect();
    }
    static INDEX: std::sync::OnceLock<super::search::Index> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let texts: Vec<String> = ENTRIES
            .iter()
            .map(|e| format!("{} {} {}", e.topic, e.question, e.answer))
            .collect();
        super::search::Index::new(texts.iter().map(String::as_str))
    });
    index
        .search(query)
        .into_iter()
        .map(|(i, _)| &ENTRIES[i])
        .collect()
}

/// The FAQ, in our own words, consistent with the setup manual.
pub const ENTRIES: &[FaqEntry] = &[
    FaqEntry {
        id: "pw-what",
        topic: "パスワード",
        question: "証明書発行用パスワードとは何ですか。",
        answer: "証明書の発行申請時と、証明書のインストール時に入力するパスワードです。ログイン用のパスワードとは別のものです。\n\n国保連合会から通知される「電子請求登録結果に関するお知らせ」に記載されています。パソコンの買い替えなどで証明書を再インストールするときにも使いますので、厳重に管理し、保管してください。",
    },
    FaqEntry {
        id: "pw-lost",
        topic: "パスワード",
        question: "証明書発行用パスワードの通知書を紛失しました。",
        answer: "証明書のダウンロード画面の「証明書発行用パスワードとは？」から【通知書を紛失してしまった】ボタンを押し、【再発行する】ボタンを押してください。新しいパスワードを記載した「証明書発行用パスワード通知書」がお知らせ（カテゴリ: 証明書）に添付されます。\n\n再発行後は新しいパスワードだけが発行申請に使えます。以前のパスワードで作られた証明書ファイルは以前のパスワードのままです。分からなくなった場合は、証明書を改めて発行申請してください（介護DX証明書は無料です）。",
    },
    FaqEntry {
        id: "pw-zip",
        topic: "パスワード",
        question: "証明書発行用パスワード通知書のZIPファイルが開けません。",
        answer: "保存したフォルダでZIPファイルをダブルクリックして開き、中の通知書を開いてください。ファイルを開く際に求められるパスワードは、電子請求受付システムにログインする際のパスワードです（証明書発行用パスワードではありません）。\n\nパスワードを求められずにエラーになる場合は、無料のツール「7-Zip」などでもお試しください。それでも開けない場合はヘルプデスクにお問い合わせください。",
    },
    FaqEntry {
        id: "pw-lock",
        topic: "パスワード",
        question: "パスワードを続けて間違えたら画面に入れなくなりました。",
        answer: "ログイン用パスワード、証明書発行用パスワードとも、3回続けて誤るとロックされ、30分間は入力できません。30分経ってから正しいパスワードで操作してください。",
    },
    FaqEntry {
        id: "pw-login-lost",
        topic: "パスワード",
        question: "ログイン用パスワードを忘れました。",
        answer: "ログイン画面の「パスワード等を紛失した方はこちら」から手続きしてください。セキュリティメールアドレスを登録している場合は、そのアドレスに届く確認コードで新しいパスワードを設定できます。登録していない場合は国保連合会へお問い合わせください。",
    },
    FaqEntry {
        id: "cert-kinds",
        topic: "証明書",
        question: "介護保険証明書と介護DX証明書の違いは何ですか。",
        answer: "介護保険証明書は電子請求に使う証明書で、発行時に証明書発行手数料がかかります。介護DX証明書は介護情報基盤の利用に使う証明書で、申請・発行に費用はかかりません。\n\n発行済みの介護保険証明書をインストールするだけであれば、手数料は不要です。",
    },
    FaqEntry {
        id: "cert-history",
        topic: "証明書",
        question: "介護保険証明書が発行済みかどうかを確認するには。",
        answer: "ログイン後、証明書タブを開くと発行履歴が表示されます（発行申請日・有効開始年月日・有効終了年月日・状況）。発行履歴がなければ、証明書の発行申請から行ってください。",
    },
    FaqEntry {
        id: "cert-fee",
        topic: "証明書",
        question: "証明書の発行申請ができません（手数料の残高があると表示されます）。",
        answer: "証明書発行手数料の残高がある間は、介護保険証明書の発行申請はできません。支払の手続きについては国保連合会へお問い合わせください。見積書が必要な場合は、証明書タブの「見積書を作成する（必要な場合のみ）」から作成できます。",
    },
    FaqEntry {
        id: "cert-renew",
        topic: "証明書",
        question: "証明書の有効期限が近づいたらどうすればよいですか。",
        answer: "有効期限の90日前に「証明書有効期限切れ事前通知」がお知らせに掲載されます。証明書タブから更新の発行申請をしてください。有効開始日は、今の証明書が切れる日を選ぶこともできます。",
    },
    FaqEntry {
        id: "install-steps",
        topic: "インストール",
        question: "ダウンロードした証明書をWindowsにインストールする手順を教えてください。",
        answer: "ダウンロードした証明書ファイル（.p12）をダブルクリックすると「証明書のインポート ウィザード」が始まります。保存場所は「現在のユーザー」を選んで【次へ】、ファイル名を確認して【次へ】、パスワード欄に証明書発行用パスワードを入力して【次へ】、「証明書の種類に基づいて、自動的に証明書ストアを選択する」のまま【次へ】、【完了】を押します。「正しくインポートされました。」と表示されれば完了です。",
    },
    FaqEntry {
        id: "install-check",
        topic: "インストール",
        question: "証明書が正しくインストールされたか確認するには。",
        answer: "Windowsボタンを押し、検索ボックスに「インターネットオプション」と入力して開きます。「コンテンツ」タブの【証明書】ボタンを押し、「個人」タブで次の3点を確認してください。\n\n確認1: 発行先が KaigoJigyousho または CarePlanJigyousho であること。確認2: 発行者が e-seikyuu CA であること。確認3: 有効期限内であること。",
    },
    FaqEntry {
        id: "install-password-error",
        topic: "エラー",
        question: "インストール時に「入力されたパスワードが正しくありません」と表示されます。",
        answer: "証明書ファイルのパスワードは、ログイン用パスワードではなく証明書発行用パスワードです。全角・半角、大文字・小文字、Caps Lock の状態を確認してください。パスワードを再発行した場合、再発行前に作られた証明書ファイルは以前のパスワードのままです。",
    },
    FaqEntry {
        id: "install-other-pc",
        topic: "インストール",
        question: "パソコンを買い替えました。証明書はどうなりますか。",
        answer: "新しいパソコンでログインし、証明書タブ（介護DX証明書は介護DX証明書タブ）から発行済みの証明書をダウンロードしてインストールしてください。インストールには証明書発行用パスワードが必要です。",
    },
    FaqEntry {
        id: "error-notes",
        topic: "エラー",
        question: "「確認せずに証明書の発行申請は行えません。」と表示されます。",
        answer: "介護DX証明書の発行申請の前に、「発行申請を行う前に」の注意事項を開いて確認する必要があります。リンクから注意事項を表示し、内容を確認してから【次へ】を押してください。",
    },
    FaqEntry {
        id: "error-expired-screen",
        topic: "エラー",
        question: "「画面の有効期限が切れました」と表示されます。",
        answer: "画面を開いたまま時間が経ったか、別の画面から送信されたためです。もう一度メニューから操作をやり直してください。",
    },
    FaqEntry {
        id: "ca-certs",
        topic: "証明書",
        question: "認証局（e-seikyuu CA）の証明書はどこで入手できますか。",
        answer: "ダウンロードタブから、ルート認証局と発行認証局の証明書（PEM形式・DER形式）をダウンロードできます。通常の事業所での操作には不要で、証明書を検証するシステムの担当者向けです。",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(q: &str) -> Vec<&'static str> {
        search(q).into_iter().map(|e| e.id).collect()
    }

    #[test]
    fn folds_width_case_and_kana() {
        assert_eq!(fold("ＰＫＣＳ１２"), "pkcs12");
        assert_eq!(fold("ﾊﾟｽﾜｰﾄﾞ"), fold("パスワード"));
        assert_eq!(fold("パスワード"), "ぱすわーど");
        assert_eq!(fold("Ｚｉｐ"), "zip");
    }

    #[test]
    fn variants_find_the_same_entries() {
        let base = ids("パスワード");
        assert!(base.len() >= 3);
        assert_eq!(ids("ﾊﾟｽﾜｰﾄﾞ"), base);
        assert_eq!(ids("ぱすわーど"), base);
        assert_eq!(ids("ＺＩＰ"), ids("zip"));
        assert!(ids("zip").contains(&"pw-zip"));
        assert_eq!(ids("７－ｚｉｐ"), ids("7-Zip"));
        assert!(ids("ｅ－ｓｅｉｋｙｕｕ").contains(&"install-check"));
    }

    #[test]
    fn questions_as_staff_type_them_find_their_answer_first() {
        for (q, want) in [
            (
                "証明書発行用パスワードを忘れてしまったのですが、どうすればいいですか？",
                "pw-lost",
            ),
            ("ログインのパスワードを忘れた", "pw-login-lost"),
            (
                "パソコンを買い替えたら証明書はどうなりますか",
                "install-other-pc",
            ),
            ("介護DX証明書と介護保険証明書はどう違うの", "cert-kinds"),
            ("証明書の有効期限が近い", "cert-renew"),
        ] {
            let got = ids(q);
            assert_eq!(got.first().copied(), Some(want), "{q}: {got:?}");
        }
    }

    #[test]
    fn words_and_empty_query() {
        assert_eq!(search("").len(), ENTRIES.len());
        assert_eq!(ids("インストール　ウィザード"), vec!["install-steps"]);
        assert!(ids("存在しない語句").is_empty());
    }
}
