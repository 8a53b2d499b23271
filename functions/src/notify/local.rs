//! The local outbox of `musharaka serve` when no provider is configured: each message is a
//! text file under `data/outbox/` (readable by its owner only), which the loopback server lists
//! at `/outbox/`, so that a newcomer signs end to end on a fresh machine.

use super::{Deliver, Message, Rendered};
use async_trait::async_trait;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// A folder of delivered messages.
pub struct LocalOutbox {
    dir: PathBuf,
    serial: AtomicU64,
}

impl LocalOutbox {
    /// Messages go to `dir` (created when missing).
    pub fn new(dir: PathBuf) -> LocalOutbox {
        LocalOutbox {
            dir,
            serial: AtomicU64::new(0),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

#[async_trait]
impl Deliver for LocalOutbox {
    async fn deliver(&self, message: &Message, rendered: &Rendered) -> anyhow::Result<()> {
        let now = chrono::Utc::now();
        let n = self.serial.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}-{n:06}.txt", now.format("%Y%m%dT%H%M%S%.6f"));
        let channel = if message.is_sms() { "sms" } else { "email" };
        let content = format!(
            "To: {}\nChannel: {channel}\nLang: {}\nDate: {}\nSubject: {}\n\n{}\n",
            message.to,
            message.lang,
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            rendered.subject,
            rendered.text
        );
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || write_private(&dir, &name, content.as_bytes()))
            .await??;
        Ok(())
    }
}

/// Writes `dir/name` readable by its owner only, through a temporary name, so that a reader
/// never sees half a message. (Not synced to disk: this outbox is for a portal on one machine
/// without a provider, where a surge must not wait on the disk.)
fn write_private(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    std::fs::rename(&tmp, dir.join(name))
}
