//! How the ZIP of the 証明書発行用パスワード通知書 is encrypted, and how the texts tell offices
//! to open it.

/// How the ZIP of the notice is encrypted (under the login password).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ZipProtection {
    /// The traditional PKWARE encryption (ZipCrypto): what Windows' Explorer and the Mac open
    /// without any tool, exactly as the manual describes. Weak against an attacker who holds
    /// the file (see docs/account.md), so the file is reachable only by the logged-in office
    /// and only while the notice is shown.
    #[default]
    Traditional,
    /// AES-256 (WinZip AE-2): strong, but Explorer cannot open it; for sites that deploy 7-Zip.
    Aes256,
}

impl ZipProtection {
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "traditional" => Some(Self::Traditional),
            "aes256" => Some(Self::Aes256),
            _ => None,
        }
    }

    /// How to open the ZIP, for the notice and the pages that describe it.
    pub fn open_hint(self) -> &'static str {
        match self {
            Self::Traditional => {
                "保存したフォルダでZIPファイルをダブルクリックして開き、中の通知書を開いてください。パスワードを求められたら、ログイン用パスワードを入力してください。"
            }
            Self::Aes256 => {
                "ZIPファイルはAES-256で暗号化されているため、Windows標準のエクスプローラーでは開けません。7-Zip（無料）などのAES暗号化に対応したツールで開いてください。"
            }
        }
    }
}
