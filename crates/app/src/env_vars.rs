//! Plain `KAIGO_PKI_*` settings from the environment (secret ones: `secret_env.rs`). An empty
//! variable counts as unset; a value that does not parse is refused, naming the variable.

/// The variable's value, if set and not empty.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Parses the variable into `slot` when it is set.
pub fn env_parse<T: std::str::FromStr>(name: &str, slot: &mut T) -> anyhow::Result<()> {
    if let Some(v) = env(name) {
        *slot = v.parse().map_err(|_| {
            anyhow::anyhow!("environment variable {name} has an invalid value {v:?}")
        })?;
    }
    Ok(())
}
