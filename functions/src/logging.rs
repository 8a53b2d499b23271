//! Structured JSON logs (one object per line, as CloudWatch reads them). Log lines carry
//! outcome codes, ids and timings, never personal data.

/// Installs the JSON subscriber; the level comes from `RUST_LOG` (default `info`).
pub fn init() {
    let _ = subscriber("info").without_time().try_init();
}

/// Installs a subscriber for a program run by hand (`musharaka serve`): JSON lines with their
/// time, on standard error, beside what the program prints on standard output; by default
/// the program's own events and every warning and error, not a line per submission.
pub fn init_stderr() {
    let _ = subscriber("warn,musharaka=info")
        .with_writer(std::io::stderr)
        .try_init();
}

fn subscriber(
    default: &str,
) -> tracing_subscriber::fmt::SubscriberBuilder<
    tracing_subscriber::fmt::format::JsonFields,
    tracing_subscriber::fmt::format::Format<tracing_subscriber::fmt::format::Json>,
    tracing_subscriber::EnvFilter,
> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
}
