//! The keys of a portal run on one machine: from the environment when set, else from
//! `data/secrets.toml`, created with fresh random keys on first use.

use super::private::{private_dir, refuse_if_shared, write_private};
use anyhow::{Context, Result};
use musharaka_functions::crypto::Secrets;
use std::path::Path;

/// The secrets of a local portal: from the environment when set, else from
/// `data/secrets.toml`, created with fresh random keys (readable by the owner only, in a folder
/// only the owner may open); refused when others may read it.
pub(crate) fn local_secrets(data: &Path) -> Result<Secrets> {
    read_secrets(data, true)
}

/// The secrets that sealed existing data: from the environment, else from
/// `data/secrets.toml`; an error when there are none (fresh keys could open nothing).
pub(crate) fn existing_secrets(data: &Path) -> Result<Secrets> {
    read_secrets(data, false)
}

fn read_secrets(data: &Path, create: bool) -> Result<Secrets> {
    if let (Ok(p), Ok(k)) = (
        std::env::var("MUSHARAKA_PEPPER"),
        std::env::var("MUSHARAKA_DATA_KEY"),
    ) {
        return Secrets::from_base64(&p, &k);
    }
    let path = data.join("secrets.toml");
    if !path.exists() && !create {
        anyhow::bail!(
            "no data key: set MUSHARAKA_PEPPER and MUSHARAKA_DATA_KEY, or point --data at the folder whose secrets.toml sealed the signatures ({} does not exist); nothing was written",
            path.display()
        );
    }
    if !path.exists() {
        let (pepper, key) = Secrets::generate()?;
        private_dir(data)?;
        write_private(
            &path,
            format!("pepper = \"{pepper}\"\ndata_key = \"{key}\"\n").as_bytes(),
        )?;
    }
    refuse_if_shared(&path)?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{}: invalid", path.display()))?;
    let get = |k: &str| {
        table
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    Secrets::from_base64(&get("pepper"), &get("data_key"))
        .with_context(|| format!("{}: invalid keys", path.display()))
}
