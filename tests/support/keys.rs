//! A data folder with fresh local keys, as `musharaka serve` would make it (0600), for the tests
//! of the command line.

use musharaka_functions::crypto::Secrets;
use std::path::{Path, PathBuf};

/// Writes `data/secrets.toml` under `site` with new keys; returns the folder and the keys.
pub(crate) fn local_keys(site: &Path) -> (PathBuf, Secrets) {
    let data = site.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let (pepper, key) = Secrets::generate().unwrap();
    std::fs::write(
        data.join("secrets.toml"),
        format!("pepper = \"{pepper}\"\ndata_key = \"{key}\"\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    let private = std::fs::Permissions::from_mode(0o600);
    std::fs::set_permissions(data.join("secrets.toml"), private).unwrap();
    (data, Secrets::from_base64(&pepper, &key).unwrap())
}
