//! The notice's ZIP as a stock PC sees it. Python's `zipfile` and Info-ZIP `unzip` understand
//! only the traditional encryption — the same limit as Windows' Explorer — so they stand in for
//! it; 7-Zip reads both kinds. Each must open the file with the login password and only with it,
//! and show the Japanese name.

use std::process::Command;

use kaigo_core::account::issuance_password::ZipProtection;

const NAME: &str = "証明書発行用パスワード通知書.pdf";
const PASSWORD: &str = "KaigoLogin2026";

fn tool(name: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "required tool `{name}` is missing (.ci/run installs it)"
    );
}

fn zip_file(dir: &std::path::Path, protection: ZipProtection) -> (std::path::PathBuf, Vec<u8>) {
    // Compressible content, as a PDF is in part.
    let contents: Vec<u8> = (0..20_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    let zip = kaigo_docs::encrypted_zip(
        NAME,
        &contents,
        PASSWORD,
        time::macros::datetime!(2026-11-27 09:30 +9),
        protection,
    )
    .unwrap();
    let path = dir.join("証明書発行用パスワード通知書.zip");
    std::fs::write(&path, &zip).unwrap();
    (path, contents)
}

const PYTHON: &str = r#"
import sys, zipfile, struct
path, password, expected = sys.argv[1], sys.argv[2], sys.argv[3]
z = zipfile.ZipFile(path)
info = z.infolist()[0]
raw = info.filename.encode("cp437")          # no UTF-8 flag: the raw bytes
assert info.flag_bits & 0x800 == 0, "UTF-8 flag set"
assert info.flag_bits & 0x1, "not encrypted"
assert info.compress_type == zipfile.ZIP_DEFLATED, info.compress_type
assert raw == expected.encode("cp932"), raw
extra, unicode = info.extra, None
while len(extra) >= 4:
    hid, size = struct.unpack("<HH", extra[:4])
    if hid == 0x7075:
        unicode = extra[9:4 + size].decode("utf-8")
    extra = extra[4 + size:]
assert unicode == expected, unicode
try:
    z.read(info, pwd=b"wrong-password")
    print("WRONG-OPENED")
except RuntimeError:
    pass
data = z.read(info, pwd=password.encode())
sys.stdout.buffer.write(data)
"#;

#[test]
fn traditional_zip_opens_with_the_login_password_in_traditional_only_tools() {
    tool("python3");
    tool("unzip");
    let dir = tempfile::tempdir().unwrap();
    let (path, contents) = zip_file(dir.path(), ZipProtection::Traditional);
    assert!(
        std::fs::metadata(&path).unwrap().len() < contents.len() as u64 / 2,
        "compressed"
    );

    let out = Command::new("python3")
        .args(["-c", PYTHON])
        .arg(&path)
        .args([PASSWORD, NAME])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout == contents, "Python's zipfile read other bytes");

    // Info-ZIP: the name from the Unicode Path field, the contents with the password only.
    // (Debian's unzip adds a zip-bomb check that misreads an encrypted entry followed by a data
    // descriptor and exits 12 after extracting; the bytes it extracts are what counts here.)
    let list = Command::new("unzip").arg("-l").arg(&path).output().unwrap();
    assert!(
        String::from_utf8_lossy(&list.stdout).contains(NAME),
        "unzip -l did not show the name"
    );
    let wrong = Command::new("unzip")
        .args(["-p", "-P", "wrong-password"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        wrong.stdout.is_empty(),
        "unzip extracted with a wrong password"
    );
    // 82: "no files found due to bad decryption password(s)".
    assert_eq!(wrong.status.code(), Some(82), "unzip with a wrong password");
    let right = Command::new("unzip")
        .args(["-p", "-P", PASSWORD])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        right.stdout == contents,
        "unzip did not extract the contents with the password"
    );
}

fn seven_zip() -> &'static str {
    if Command::new("sh")
        .args(["-c", "command -v 7zz"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        "7zz"
    } else {
        tool("7z");
        "7z"
    }
}

#[test]
fn both_protections_open_in_7zip_with_the_password_only() {
    let sz = seven_zip();
    for protection in [ZipProtection::Traditional, ZipProtection::Aes256] {
        let dir = tempfile::tempdir().unwrap();
        let (path, contents) = zip_file(dir.path(), protection);
        let list = Command::new(sz)
            .args(["l", "-slt"])
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&list.stdout);
        assert!(text.contains(NAME), "{protection:?}: {text}");
        let method = if protection == ZipProtection::Traditional {
            "ZipCrypto"
        } else {
            "AES-256"
        };
        assert!(text.contains(method), "{protection:?}: {text}");
        let wrong = Command::new(sz)
            .args(["e", "-so", "-pwrong-password"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            !wrong.status.success() || wrong.stdout != contents,
            "{protection:?}"
        );
        let right = Command::new(sz)
            .args(["e", "-so", &format!("-p{PASSWORD}")])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            right.stdout == contents,
            "{protection:?}: 7-Zip extracted other bytes"
        );
    }
}

#[test]
fn aes_zip_is_closed_to_traditional_only_tools() {
    tool("python3");
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = zip_file(dir.path(), ZipProtection::Aes256);
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); z.read(z.infolist()[0], pwd=sys.argv[2].encode())",
        ])
        .arg(&path)
        .arg(PASSWORD)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "Python's zipfile cannot read AES: this must fail"
    );
}
