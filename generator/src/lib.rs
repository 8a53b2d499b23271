//! Static site generator of the Musharaka portal: loads `content/` (Markdown with TOML front
//! matter, one file per language), renders it through the `site-theme/` templates, and writes
//! the trilingual site with its sitemap, feeds and `catalog.json`.
//!
//! The flow: [`Site::load`] reads and checks every file (`content`, `front_matter`, `data`,
//! `site`), then [`Site::build`] runs the stages of `build` (each page through `render`, the
//! tool pages, feeds, sitemap, catalog) into a staging folder swapped in at the end; `serve`
//! re-renders what a save changed with [`Site::update`] and [`Site::write_partial`], and what
//! new counts or the clock changed with [`Site::refresh`].

mod browse;
mod build;
mod catalog;
mod config;
mod content;
mod data;
mod diagnostics;
mod feed;
mod front_matter;
mod incremental;
mod links;
mod map;
mod markdown;
mod open_data;
mod output;
mod participation;
mod refresh;
mod render;
mod search;
mod shortcodes;
mod site;
mod sitemap;
mod theme;
mod tool_pages;

pub use build::{BuildReport, Progress};
pub use catalog::Anchors;
pub use config::{OpenData, SiteConfig};
pub use diagnostics::{Diagnostic, Diagnostics, Severity, SiteErrors};
pub use front_matter::Kind;
pub use refresh::Fresh;
pub use site::{Comments, Daily, Site};
