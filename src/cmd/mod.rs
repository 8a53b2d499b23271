//! One module per subcommand.

pub(crate) mod backup;
pub(crate) mod bucket;
pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod committees;
pub(crate) mod disputes;
pub(crate) mod export;
pub(crate) mod jobs;
pub(crate) mod moderate;
pub(crate) mod new;
pub(crate) mod private;
pub(crate) mod proposal_file;
pub(crate) mod proposals;
pub(crate) mod publish;
pub(crate) mod purge;
pub(crate) mod refresh;
pub(crate) mod secrets;
pub(crate) mod serve;
pub(crate) mod signatures;
