//! The office form of the console (and one row of the CSV import): every field checked, all
//! problems reported in the form's order.

use crate::admin::AdminRole;
use crate::ids::{OfficeNumber, PrefectureCode};
use crate::office::admin::{OfficeEdit, parse_office_kind, validate_address, validate_postal_code};
use crate::office::{OfficeKind, validate_email, validate_office_name};

/// The office form (and one CSV row) as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct OfficeForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub prefecture: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub email: String,
}

/// A validated office to register.
#[derive(Clone, Debug)]
pub struct ValidOffice {
    pub number: OfficeNumber,
    pub name: String,
    pub kind: OfficeKind,
    pub prefecture: PrefectureCode,
    pub postal_code: String,
    pub address: String,
    pub email: Option<String>,
}

/// Checks every field of a form; all problems are reported, in the form's order. A federation
/// admin's prefecture is its own (an empty field means it; another one is refused); for a
/// central operator an empty field means the prefecture the 事業所番号 begins with.
pub fn validate_office_form(role: AdminRole, f: &OfficeForm) -> Result<ValidOffice, Vec<String>> {
    let mut errors = Vec::new();
    let number = OfficeNumber::parse(&f.number)
        .map_err(|e| errors.push(e.message))
        .ok();
    let details = validate_details(f, &mut errors);
    let prefecture = match (role, f.prefecture.trim()) {
        (AdminRole::Federation(own), "") => Some(own),
        // Left empty by a central operator (or the CLI): the prefecture the number begins
        // with. A malformed number has its own message; nothing more is said here.
        (_, "") => match number
            .as_ref()
            .map(|n| PrefectureCode::parse(&n.as_str()[..2]))
        {
            Some(Ok(p)) => Some(p),
            Some(Err(_)) => {
                errors.push("都道府県を指定してください。".to_owned());
                None
            }
            None => None,
        },
        (_, raw) => match PrefectureCode::parse(raw) {
            Err(e) => {
                errors.push(e.message);
                None
            }
            Ok(p) if !role.covers(Some(p)) => {
                errors.push(format!(
                    "都道府県 {p} は担当外です。登録できるのは自都道府県の事業所のみです。"
                ));
                None
            }
            Ok(p) => Some(p),
        },
    };
    // The 事業所番号 begins with the prefecture's code: an office of another prefecture cannot
    // be registered (or its number probed) under this one.
    if let (Some(n), Some(p)) = (&number, prefecture)
        && let Err(e) = crate::office::check_number_prefecture(n, p)
    {
        errors.push(e.message);
    }
    match (number, details, prefecture) {
        (Some(number), Some(d), Some(prefecture)) if errors.is_empty() => Ok(ValidOffice {
            number,
            name: d.name,
            kind: d.kind,
            prefecture,
            postal_code: d.postal_code,
            address: d.address,
            email: d.email,
        }),
        _ => Err(errors),
    }
}

/// Checks the fields an admin may edit (name, kind, postal code, address, e-mail), adding each
/// problem to `errors`; `None` if any is wrong.
pub(crate) fn validate_details(f: &OfficeForm, errors: &mut Vec<String>) -> Option<OfficeEdit> {
    let name = validate_office_name(&f.name)
        .map_err(|e| errors.push(e.message))
        .ok();
    let kind = parse_office_kind(&f.kind)
        .map_err(|e| errors.push(e.message))
        .ok();
    let postal_code = validate_postal_code(&f.postal_code)
        .map_err(|e| errors.push(e.message))
        .ok();
    let address = validate_address(&f.address)
        .map_err(|e| errors.push(e.message))
        .ok();
    let email = if f.email.trim().is_empty() {
        Some(None)
    } else {
        validate_email(&f.email)
            .map(Some)
            .map_err(|e| errors.push(e.message))
            .ok()
    };
    Some(OfficeEdit {
        name: name?,
        kind: kind?,
        postal_code: postal_code?,
        address: address?,
        email: email?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(number: &str, prefecture: &str) -> OfficeForm {
        OfficeForm {
            number: number.into(),
            name: "事業所".into(),
            kind: "kaigo".into(),
            prefecture: prefecture.into(),
            postal_code: "100-0001".into(),
            address: "東京都千代田区千代田1-1".into(),
            email: String::new(),
        }
    }

    #[test]
    fn the_number_must_belong_to_the_prefecture() {
        let p13 = PrefectureCode::new(13).unwrap();
        let fed13 = AdminRole::Federation(p13);
        assert!(validate_office_form(fed13, &form("1310000001", "")).is_ok());
        // A federation admin of 13 cannot take a number of prefecture 27.
        let errors = validate_office_form(fed13, &form("2710000001", "")).unwrap_err();
        assert!(errors.iter().any(|e| e.contains("先頭2桁")), "{errors:?}");
        // Nor can a central operator file it under the wrong prefecture.
        assert!(validate_office_form(AdminRole::Central, &form("2710000001", "13")).is_err());
        assert!(validate_office_form(AdminRole::Central, &form("2710000001", "27")).is_ok());
        // Empty for a central operator: the number's prefecture; a malformed number is one error.
        let derived = validate_office_form(AdminRole::Central, &form("2710000001", "")).unwrap();
        assert_eq!(derived.prefecture, PrefectureCode::new(27).unwrap());
        let errors = validate_office_form(AdminRole::Central, &form("27x", "")).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
    }
}
