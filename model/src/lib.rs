//! Domain model of the Musharaka portal, shared by the generator, the functions and the CLI.
//! Pure data and rules, no I/O: languages, plural rules, dates, regions, legal thresholds,
//! committees and the subjects the law excludes.

pub mod catalog;
pub mod committee;
pub mod contact;
pub mod date;
pub mod geography;
pub mod html;
pub mod i18n;
pub mod lang;
pub mod moderation;
pub mod number;
pub mod outcome;
pub mod plural;
pub mod proposal;
pub mod proposal_text;
pub mod region;
pub mod retention;
pub mod rules;
pub mod signer;
pub mod signing;
pub mod state;
pub mod target;
pub mod text;

pub use lang::{Dir, Lang, Localized};
