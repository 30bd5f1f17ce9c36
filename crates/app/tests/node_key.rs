//! A node whose server key is not the one the database was sealed with refuses to start and
//! says which file to copy, instead of failing on the first queued application. Two data dirs
//! stand for two nodes sharing one database (the embedded SQLite file is copied with it).

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{kaigo, stderr};

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    let ok = std::process::Command::new("cp")
        .args(["-a"])
        .arg(from)
        .arg(to)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn a_node_with_another_server_key_refuses_to_start() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("node-1");
    let o = kaigo(&first, &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The first command that opens the service records the check.
    let o = kaigo(&first, &["cert", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // The second node was provisioned without the first one's server.key.
    let second = tmp.path().join("node-2");
    copy_dir(&first, &second);
    std::fs::remove_file(second.join("server.key")).unwrap();
    for args in [
        &["cert", "list", "--json"][..],
        &["serve", "--listen", "127.0.0.1:0"][..],
    ] {
        let o = kaigo(&second, args);
        assert!(!o.status.success(), "{args:?} started with another key");
        let err = stderr(&o);
        assert!(
            err.contains("server key does not match the database") && err.contains("server.key"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }

    // With the first node's key it starts.
    std::fs::copy(first.join("server.key"), second.join("server.key")).unwrap();
    std::fs::set_permissions(
        second.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let o = kaigo(&second, &["cert", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
}
