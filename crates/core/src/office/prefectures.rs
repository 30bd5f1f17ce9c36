//! The 47 prefectures and their 国民健康保険団体連合会 (the issuer of estimates and invoices).

use crate::ids::PrefectureCode;
use crate::office::Office;

/// Prefecture names by JIS code 01..47.
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// The name of a prefecture, e.g. 13 → 東京都.
pub fn prefecture_name(code: PrefectureCode) -> &'static str {
    let n: usize = code.to_string().parse().unwrap_or(13);
    PREFECTURES[n.clamp(1, 47) - 1]
}

/// The 国保連合会 of a prefecture, e.g. 13 → 東京都国民健康保険団体連合会.
pub fn kokuhoren_name(code: PrefectureCode) -> String {
    format!("{}国民健康保険団体連合会", prefecture_name(code))
}

/// The prefecture an office belongs to: its registered prefecture, else the first two digits
/// of its 事業所番号 (the prefecture code of a 介護保険事業所番号).
pub fn office_prefecture(office: &Office) -> Option<PrefectureCode> {
    office
        .prefecture
        .or_else(|| PrefectureCode::parse(&office.number.to_string()[..2]).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PrefectureCode {
        PrefectureCode::parse(s).unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(prefecture_name(p("01")), "北海道");
        assert_eq!(kokuhoren_name(p("13")), "東京都国民健康保険団体連合会");
        assert_eq!(kokuhoren_name(p("26")), "京都府国民健康保険団体連合会");
        assert_eq!(kokuhoren_name(p("27")), "大阪府国民健康保険団体連合会");
        assert_eq!(kokuhoren_name(p("47")), "沖縄県国民健康保険団体連合会");
        assert_eq!(kokuhoren_name(p("14")), "神奈川県国民健康保険団体連合会");
        assert!(
            PREFECTURES
                .iter()
                .all(|n| n.ends_with(['都', '道', '府', '県']))
        );
    }
}
