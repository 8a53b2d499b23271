//! Static site generator of the Musharaka portal: loads `content/` (Markdown with TOML front
//! matter, one file per language), renders it through the `site-theme/` templates, and writes
//! the trilingual site with its sitemap, feeds and `catalog.json`.

pub mod build;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod feed;
pub mod forms;
pub mod front_matter;
pub mod incremental;
pub mod links;
pub mod markdown;
pub mod output;
pub mod render;
pub mod shortcodes;
pub mod site;
pub mod sitemap;
pub mod theme;

pub use config::SiteConfig;
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use site::{BuildReport, Site};
