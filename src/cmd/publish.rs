//! `musharaka publish --store sqlite:PATH | dynamodb:TABLE`: loads the catalog written by
//! `build` into the store the functions read; the committees of accepted proposals whose
//! collection is open become their first signatures.

use anyhow::{Context, Result, bail};
use musharaka_functions::store;
use musharaka_model::catalog::{Catalog, SCHEMA_VERSION};
use std::path::Path;
use std::process::ExitCode;

/// Reads and checks a catalog file.
pub(crate) fn read_catalog(path: &Path) -> Result<Catalog> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read {} (run `musharaka build` first)",
            path.display()
        )
    })?;
    let catalog: Catalog = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a valid catalog", path.display()))?;
    if catalog.version != SCHEMA_VERSION {
        bail!(
            "{}: catalog schema version {} but this program reads version {SCHEMA_VERSION}: rebuild the site",
            path.display(),
            catalog.version
        );
    }
    Ok(catalog)
}

/// Runs `musharaka publish`.
pub(crate) fn run(spec: &str, catalog: &Path, create_table: bool, data: &Path) -> Result<ExitCode> {
    let catalog = read_catalog(catalog)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        if create_table {
            let Some(("dynamodb", table)) = spec.split_once(':') else {
                bail!("--create-table applies to a `dynamodb:TABLE` store");
            };
            store::dynamo::DynamoStore::from_env(table)
                .await?
                .create_table()
                .await
                .with_context(|| format!("cannot create table {table}"))?;
        }
        let store = store::open_admin(spec).await?;
        let n = store
            .publish(&catalog)
            .await
            .with_context(|| format!("cannot publish into {spec}"))?;
        println!("published {n} entries into {spec}");
        let secrets = || super::secrets::existing_secrets(data);
        let seated =
            super::committees::seat(&*store, &catalog, secrets, chrono::Utc::now()).await?;
        if seated > 0 {
            println!(
                "counted {seated} committee members as the first signatures of their initiatives"
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}
