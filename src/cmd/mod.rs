//! One module per subcommand.

pub mod build;
pub mod check;
pub mod disputes;
pub mod export;
pub mod moderate;
pub mod new;
pub mod publish;
pub mod purge;
pub mod secrets;
pub mod serve;
pub mod signatures;
