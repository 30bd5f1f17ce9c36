//! docs/config.example.toml is the operators' list of every setting: it must parse as the
//! configuration (no stale key survives `deny_unknown_fields`), state the true defaults, and
//! explain every key `init` writes, so that a new setting cannot land without its line there.

use kaigo_pki::config::AppConfig;

const EXAMPLE: &str = include_str!("../../../docs/config.example.toml");

#[test]
fn the_example_names_every_setting_with_its_default_and_an_explanation() {
    let parsed: AppConfig = toml::from_str(EXAMPLE).expect("the example parses as config.toml");
    parsed.validate().expect("the example's values are valid");
    assert_eq!(
        parsed.to_toml(),
        AppConfig::default().to_toml(),
        "the example states the defaults"
    );

    let written: toml::Table = toml::from_str(&AppConfig::default().to_toml()).unwrap();
    let lines: Vec<&str> = EXAMPLE.lines().collect();
    for (section, keys) in &written {
        let header = format!("[{section}]");
        let start = lines
            .iter()
            .position(|l| *l == header)
            .unwrap_or_else(|| panic!("no {header} in the example"));
        let end = lines[start + 1..]
            .iter()
            .position(|l| l.starts_with('['))
            .map_or(lines.len(), |i| start + 1 + i);
        for key in keys.as_table().unwrap().keys() {
            let at = (start..end)
                .find(|&i| lines[i].starts_with(&format!("{key} = ")))
                .unwrap_or_else(|| panic!("{section}.{key} is not in the example"));
            assert!(
                lines[at - 1].starts_with("# "),
                "{section}.{key} has no explanation above it"
            );
        }
    }
}

#[test]
fn a_wrong_key_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("config.toml"), "[mail]\nmax_attempt = 3\n").unwrap();
    let err = AppConfig::load(&kaigo_pki::datadir::DataDir::new(data.clone())).unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("max_attempt") && text.contains("config.toml"),
        "{text}"
    );
    std::fs::write(data.join("config.toml"), "[mail]\nmax_attempts = 99\n").unwrap();
    let err = AppConfig::load(&kaigo_pki::datadir::DataDir::new(data)).unwrap_err();
    assert!(format!("{err:#}").contains("mail.max_attempts must be between 1 and 30"));
}
