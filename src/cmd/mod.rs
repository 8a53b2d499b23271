//! One module per subcommand.

pub mod build;
pub mod check;
pub mod moderate;
pub mod new;
pub mod publish;
pub mod serve;
