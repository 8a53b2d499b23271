//! The embedded store: one SQLite file in WAL mode, one transaction per signature (check the
//! initiative is open, insert the signature unless present, count it), for `serve` and small
//! deployments.

use super::{Asked, CommitteeChange, Member, Members, NewMember, Seated, StoredProposal};
use super::{
    Confirmation, Confirmed, Count, NewComment, NewRequest, NewSignature, Outgoing, Pending,
    Receipted, Requested, Store, StoreError, StoreResult, Stored, StoredComment, Withdrawal,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musharaka_model::Lang;
use musharaka_model::catalog::{Entry, PageFrame};
use musharaka_model::moderation::RejectReason;
use musharaka_model::proposal::Proposal;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod admin;
mod proposals;
mod requests;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signatures (
    initiative TEXT NOT NULL,
    signer TEXT NOT NULL,
    region TEXT NOT NULL,
    lang TEXT NOT NULL,
    sealed BLOB NOT NULL,
    created INTEGER NOT NULL,
    receipt BLOB,
    expires INTEGER,
    contact TEXT,
    grp TEXT,
    client TEXT,
    state TEXT NOT NULL DEFAULT 'counted',
    PRIMARY KEY (initiative, signer)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (
    reference TEXT PRIMARY KEY,
    initiative TEXT NOT NULL,
    signer TEXT NOT NULL,
    region TEXT NOT NULL,
    lang TEXT NOT NULL,
    sealed BLOB NOT NULL,
    contact TEXT NOT NULL,
    grp TEXT NOT NULL,
    client TEXT NOT NULL,
    code TEXT NOT NULL,
    code_expires INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    resends INTEGER NOT NULL DEFAULT 0,
    sent INTEGER NOT NULL,
    state TEXT NOT NULL,
    expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT NOT NULL UNIQUE,
    sealed BLOB NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    initiative TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS contacts (
    initiative TEXT NOT NULL,
    contact TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (initiative, contact)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS disputes (
    id TEXT PRIMARY KEY,
    initiative TEXT NOT NULL,
    signer TEXT NOT NULL,
    sealed BLOB NOT NULL,
    contact TEXT NOT NULL,
    region TEXT NOT NULL,
    lang TEXT NOT NULL,
    created INTEGER NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT,
    decided_at INTEGER
);
CREATE TABLE IF NOT EXISTS counts (
    initiative TEXT NOT NULL,
    region TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (initiative, region)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS comments (
    id TEXT PRIMARY KEY,
    consultation TEXT NOT NULL,
    section TEXT,
    text TEXT NOT NULL,
    display_name TEXT,
    lang TEXT NOT NULL,
    state TEXT NOT NULL,
    created INTEGER NOT NULL,
    decided_by TEXT,
    decided_at INTEGER,
    reason TEXT,
    retained INTEGER,
    retained_reason TEXT,
    sender TEXT
);
CREATE INDEX IF NOT EXISTS comments_by_state ON comments (state, consultation, created);
CREATE TABLE IF NOT EXISTS proposals (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated INTEGER NOT NULL,
    version INTEGER NOT NULL,
    confirmed INTEGER NOT NULL,
    expires INTEGER,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS proposals_by_state ON proposals (state, updated, id);
CREATE TABLE IF NOT EXISTS members (
    proposal TEXT NOT NULL,
    reference TEXT NOT NULL,
    role TEXT NOT NULL,
    region TEXT NOT NULL,
    signer TEXT NOT NULL,
    sealed BLOB NOT NULL,
    contact TEXT NOT NULL,
    code TEXT NOT NULL,
    code_expires INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    joined INTEGER NOT NULL DEFAULT 0,
    key TEXT,
    created INTEGER NOT NULL,
    lang TEXT NOT NULL,
    expires INTEGER,
    PRIMARY KEY (proposal, reference)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS members_by_key ON members (key) WHERE key IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS members_seated ON members (proposal, signer) WHERE joined = 1;
CREATE TABLE IF NOT EXISTS audit (
    action TEXT NOT NULL,
    initiative TEXT NOT NULL,
    who TEXT NOT NULL,
    at INTEGER NOT NULL,
    rows INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rate (
    client TEXT NOT NULL,
    window INTEGER NOT NULL,
    n INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    PRIMARY KEY (client, window)
) WITHOUT ROWID;
";

/// A SQLite file.
pub struct SqliteStore {
    /// The one thread that owns the connection runs the store's work in arrival order:
    /// writes to SQLite are serial anyway, and a queue serves them fairly.
    jobs: std::sync::mpsc::Sender<Job>,
    /// Submissions per client address in the current window. On one machine they live in
    /// memory: a limit of a minute needs no disk, and every submission spares a write.
    rate: RateWindows,
    /// Asks for a truncating checkpoint; dropped with the store, which stops the checkpoints
    /// after a last one.
    checkpoints: std::sync::mpsc::Sender<Truncate>,
}

/// A request to fold the whole write-ahead log back and cut it to nothing, answered once done.
type Truncate = tokio::sync::oneshot::Sender<()>;

/// Bytes the write-ahead log is cut back to after a checkpoint.
const JOURNAL_LIMIT: i64 = 64 << 20;

/// How often the write-ahead log is folded back into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Folds the write-ahead log back into the database file every [`CHECKPOINT_EVERY`], on a
/// connection of its own: a passive checkpoint never waits for the writer, so a surge of
/// signatures never waits for one either. Asked to (after personal data was deleted, and
/// when the store closes), a truncating checkpoint empties the log file, so that no copy of
/// a deleted row is left in it and the database file alone holds everything.
///
/// A connection that could only read (the file was not writable when it was opened) is opened
/// again until it can write.
fn checkpoints(path: PathBuf, mut conn: Connection, asks: std::sync::mpsc::Receiver<Truncate>) {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        if read_only(&conn)
            && let Ok(fresh) = checkpointer(&path)
        {
            conn = fresh;
        }
        match asks.recv_timeout(CHECKPOINT_EVERY) {
            Err(RecvTimeoutError::Timeout) => {
                let _ = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)");
            }
            Ok(first) => {
                // Every request waiting now is served by one truncation.
                let mut waiting = vec![first];
                waiting.extend(asks.try_iter());
                truncate(&conn);
                for done in waiting {
                    let _ = done.send(());
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                truncate(&conn);
                return;
            }
        }
    }
}

/// A truncating checkpoint, tried again a little later while a reader holds it back (each
/// try waits up to the checkpointer's busy timeout, during which new writes wait too).
fn truncate(conn: &Connection) {
    for attempt in 1..=3 {
        let busy: rusqlite::Result<i64> =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0));
        match busy {
            Ok(0) => return,
            Ok(_) if attempt < 3 => std::thread::sleep(std::time::Duration::from_millis(200)),
            Ok(_) => tracing::warn!(
                "the write-ahead log could not be truncated: a reader held it; the next truncation will"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "the write-ahead log could not be truncated");
                return;
            }
        }
    }
}

/// Submissions per client in the current window of each.
#[derive(Default)]
struct RateWindows(std::sync::Mutex<std::collections::HashMap<String, (i64, u64, u32)>>);

impl RateWindows {
    /// Most clients remembered before the windows that ended are forgotten.
    const MAX_CLIENTS: usize = 100_000;

    /// Counts one submission of `client` at `now` in the window of `secs` seconds starting at
    /// `window`; false past `max`.
    fn allow(&self, client: &str, now: i64, (window, secs): (i64, u64), max: u32) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::MAX_CLIENTS && !map.contains_key(client) {
            // Forget the windows that ended, whatever their length.
            map.retain(|_, (start, length, _)| *start + *length as i64 > now);
        }
        let slot = map.entry(client.to_string()).or_insert((window, secs, 0));
        if slot.0 != window {
            *slot = (window, secs, 0);
        }
        slot.2 = slot.2.saturating_add(1);
        slot.2 <= max
    }
}

/// A piece of work on the connection; what it returns answers its caller once the work is
/// committed (`true`) or rolled back with the others of its group (`false`).
type Job = Box<dyn FnOnce(&mut Connection) -> Reply + Send>;
type Reply = Box<dyn FnOnce(bool) + Send>;

/// Most jobs committed together.
const GROUP: usize = 64;

/// Runs the jobs of `queue` on `conn` until every sender is gone. Jobs waiting together run in
/// one transaction (each in a savepoint of its own, so that one job's failure undoes that job
/// alone), and their callers hear back once it is committed: under a surge, one commit serves
/// many signatures.
///
/// A connection that met a failure of the file itself (read-only, an I/O error, a file that
/// cannot be opened) is replaced by a new one before the next group: once the disk is
/// writable again, the store serves again without a restart.
fn serve_jobs(path: PathBuf, mut conn: Connection, queue: std::sync::mpsc::Receiver<Job>) {
    FILE_FAILED.with(|f| f.set(read_only(&conn)));
    while let Ok(first) = queue.recv() {
        if FILE_FAILED.with(|f| f.replace(false)) {
            match connect(&path) {
                Ok(fresh) => {
                    // Still read-only: try again before the next group.
                    FILE_FAILED.with(|f| f.set(read_only(&fresh)));
                    conn = fresh;
                }
                Err(e) => {
                    tracing::error!(error = %e, "the store cannot be reopened");
                    FILE_FAILED.with(|f| f.set(true));
                }
            }
        }
        let mut group = vec![first];
        while group.len() < GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        // The write lock first (waiting for another process's writer, if any): a job never
        // finds, halfway, that the database changed under its reads. Without it, each job
        // commits its own savepoint.
        let grouped = conn.execute_batch("BEGIN IMMEDIATE").is_ok();
        let replies: Vec<Reply> = group.into_iter().map(|job| job(&mut conn)).collect();
        let committed = !grouped || conn.execute_batch("COMMIT").is_ok();
        if !committed {
            let _ = conn.execute_batch("ROLLBACK");
            FILE_FAILED.with(|f| f.set(true));
        }
        for reply in replies {
            reply(committed);
        }
    }
}

thread_local! {
    /// Set when the store's thread met a failure of the file itself.
    static FILE_FAILED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && matches!(
            f.code,
            rusqlite::ErrorCode::ReadOnly
                | rusqlite::ErrorCode::SystemIoFailure
                | rusqlite::ErrorCode::CannotOpen
                | rusqlite::ErrorCode::DiskFull
                | rusqlite::ErrorCode::DatabaseCorrupt
                | rusqlite::ErrorCode::NotADatabase
        )
    {
        tracing::error!(error = %e, "the store's file failed");
        FILE_FAILED.with(|f| f.set(true));
    }
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::Unavailable(other.to_string()),
    }
}

impl SqliteStore {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> anyhow::Result<SqliteStore> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        create_private(path)?;
        let conn = connect(path)?;
        conn.execute_batch(SCHEMA)?;
        migrate(&conn)?;
        if read_only(&conn) {
            tracing::error!(
                path = %path.display(),
                "the store can only be read: submissions fail until its file can be written (it is reopened then)"
            );
        }
        let folder = checkpointer(path)?;
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let owned = path.to_path_buf();
        std::thread::Builder::new()
            .name("sqlite-store".into())
            .spawn(move || serve_jobs(owned, conn, queue))?;
        let (checkpoint, asks) = std::sync::mpsc::channel::<Truncate>();
        let owned = path.to_path_buf();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoints(owned, folder, asks))?;
        Ok(SqliteStore {
            jobs,
            rate: RateWindows::default(),
            checkpoints: checkpoint,
        })
    }

    /// Folds the write-ahead log into the database file and cuts it to nothing: after
    /// personal data was deleted (no copy of it stays in the log), and before the process
    /// stops (the database file alone is then the whole store).
    pub async fn truncate_log(&self) {
        if let Some(done) = self.ask_truncation() {
            let _ = done.await;
        }
    }

    /// Asks the checkpointer for a truncation; answers once it is done (`None` when the
    /// checkpointer stopped).
    fn ask_truncation(&self) -> Option<tokio::sync::oneshot::Receiver<()>> {
        let (done, wait) = tokio::sync::oneshot::channel();
        self.checkpoints.send(done).ok().map(|()| wait)
    }

    /// Runs `f`, then truncates the log: for work that deletes personal data, done by an
    /// operator (the command waits for it, and may end right after).
    async fn erasing<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let result = self.with(f).await;
        self.truncate_log().await;
        result
    }

    /// Runs `f`, then asks for a truncation of the log without waiting for it: for a
    /// citizen's request that deletes personal data (the checkpointer does it a moment later,
    /// once for every request waiting).
    async fn erasing_soon<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let result = self.with(f).await;
        let _ = self.ask_truncation();
        result
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            Box::new(move |committed| {
                let _ = reply.send(if committed {
                    result
                } else {
                    Err(StoreError::Unavailable(
                        "the transaction could not be committed".into(),
                    ))
                });
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Unavailable("the store's thread stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the store's thread stopped".into()))?
    }
}

/// Copies the store at `db` into a new file `out` through SQLite's online backup: one
/// consistent copy while the portal keeps serving (its writers are not held back), written
/// beside `out` and renamed once whole, readable by its owner only. Returns its size in bytes.
pub fn backup(db: &Path, out: &Path) -> anyhow::Result<u64> {
    use anyhow::Context;
    if !db.is_file() {
        anyhow::bail!("no store at {}", db.display());
    }
    if out.exists() {
        anyhow::bail!("{} exists already: choose another file", out.display());
    }
    let source = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", db.display()))?;
    source.busy_timeout(std::time::Duration::from_secs(5))?;
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    create_private(&partial)?;
    let copied = (|| -> anyhow::Result<()> {
        let mut target = Connection::open(&partial)?;
        {
            // All pages in one step: one read snapshot, never restarted by a write.
            let b = rusqlite::backup::Backup::new(&source, &mut target)?;
            let mut done = false;
            for _ in 0..100 {
                if b.step(-1)? == rusqlite::backup::StepResult::Done {
                    done = true;
                    break;
                }
                // A writer held the lock for a moment: try again.
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            anyhow::ensure!(done, "the store stayed locked for 5 seconds: try again");
        }
        // The copy stands alone: no log beside it.
        target.pragma_update(None, "journal_mode", "DELETE")?;
        let ok: String = target.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        anyhow::ensure!(ok == "ok", "the copy fails its integrity check: {ok}");
        Ok(())
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e.context(format!("cannot back up {}", db.display())));
    }
    std::fs::rename(&partial, out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(std::fs::metadata(out)?.len())
}

/// Whether `conn` can only read: SQLite opens a file it may not write read-only, silently.
fn read_only(conn: &Connection) -> bool {
    conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true)
}

/// Opens the existing file at `path` (never creating one: a store whose file was deleted
/// stays unavailable rather than starting empty).
fn reopen(path: &Path) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
}

/// The connection the checkpoints run on: a truncation waits at most 2 seconds for readers.
fn checkpointer(path: &Path) -> rusqlite::Result<Connection> {
    let conn = reopen(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    Ok(conn)
}

/// The store's connection to the file at `path`: write-ahead log, deleted data overwritten.
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = reopen(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Deleted personal data is overwritten, not left in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    // Checkpoints run on a connection of their own (see `checkpoints`), never in the way
    // of a signature; the log file is cut back to this size once checkpointed.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    conn.pragma_update(None, "journal_size_limit", JOURNAL_LIMIT)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

/// Creates the database file readable by its owner only (its log files take its mode), or
/// makes an existing one so where it can.
fn create_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)?;
        }
        // Nobody but the owner; what the owner may do is left as it is. A file that cannot be
        // changed now is opened read-only, and reopened once it can.
        let mut files = vec![path.as_os_str().to_owned()];
        for log in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(log);
            files.push(name);
        }
        for file in files {
            if let Ok(meta) = std::fs::metadata(&file) {
                let mode = meta.permissions().mode() & 0o7700;
                let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode));
            }
        }
    }
    let _ = path;
    Ok(())
}

/// Brings a file made by an earlier version up to date: columns of moderation, receipts and
/// retention, and the log of exports become the log of actions.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let add = |table: &str, wanted: &[(&str, &str)]| -> rusqlite::Result<()> {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for (column, ty) in wanted {
            if !columns.iter().any(|c| c == column) {
                conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {ty}"))?;
            }
        }
        Ok(())
    };
    add(
        "comments",
        &[
            ("decided_by", "TEXT"),
            ("decided_at", "INTEGER"),
            ("reason", "TEXT"),
            ("sender", "TEXT"),
        ],
    )?;
    add(
        "signatures",
        &[
            ("receipt", "BLOB"),
            ("expires", "INTEGER"),
            ("contact", "TEXT"),
            ("grp", "TEXT"),
            ("client", "TEXT"),
            ("state", "TEXT NOT NULL DEFAULT 'counted'"),
        ],
    )?;
    let old_log: bool = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'exports'")?
        .exists([])?;
    if old_log {
        conn.execute_batch(
            "INSERT INTO audit (action, initiative, who, at, rows)
               SELECT 'export', initiative, who, at, rows FROM exports;
             DROP TABLE exports;",
        )?;
    }
    // No index on `expires`: the daily purge reads the table once, while an index would cost
    // every signature one more write.
    conn.execute_batch(
        "CREATE UNIQUE INDEX IF NOT EXISTS signatures_by_receipt ON signatures (receipt)
           WHERE receipt IS NOT NULL;
         DROP INDEX IF EXISTS signatures_by_expiry;",
    )
}

/// How a receipt's keyed hash is kept: its first 128 bits as bytes (plenty to tell 80-bit
/// codes apart), so that the index every signature writes into stays small; anything that is
/// not a hex hash is kept as it is.
fn receipt_key(receipt: &str) -> Vec<u8> {
    let hex = receipt.len() >= 32 && receipt.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex {
        return receipt.as_bytes().to_vec();
    }
    (0..16)
        .map(|i| u8::from_str_radix(&receipt[2 * i..2 * i + 2], 16).unwrap_or_default())
        .collect()
}

fn load_entry(conn: &Connection, id: &str) -> StoreResult<Option<Entry>> {
    load_json(conn, id)
}

/// The JSON of the catalog item `id` (an entry, a page frame), read as `T`.
fn load_json<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    id: &str,
) -> StoreResult<Option<T>> {
    let json: Option<String> = conn
        .prepare_cached("SELECT json FROM entries WHERE id = ?1")
        .map_err(err)?
        .query_row([id], |r| r.get(0))
        .optional()
        .map_err(err)?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Invalid(e.to_string())))
        .transpose()
}

/// One signature in one transaction: check the initiative is open, insert unless present, count.
fn sign_in(conn: &mut Connection, s: &NewSignature, now: DateTime<Utc>) -> StoreResult<Stored> {
    let tx = conn.savepoint().map_err(err)?;
    let Some(entry) = load_entry(&tx, &s.initiative)? else {
        return Ok(Stored::NotFound);
    };
    if let Err(refusal) = entry.accepts_signature(now.fixed_offset()) {
        return Ok(Stored::Refused(refusal));
    }
    if !insert_signature(&tx, s, now)? {
        return Ok(Stored::Duplicate);
    }
    tx.commit().map_err(err)?;
    Ok(Stored::Done)
}

/// Inserts a signature unless its signer signed, and counts it (by region, and for its
/// contact). False when it was already there.
fn insert_signature(conn: &Connection, s: &NewSignature, now: DateTime<Utc>) -> StoreResult<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO signatures (initiative, signer, region, lang, sealed, created, receipt, expires, contact, grp, client, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'counted') ON CONFLICT (initiative, signer) DO NOTHING",
        )
        .map_err(err)?
        .execute(params![
            s.initiative,
            s.signer,
            s.region,
            s.lang.code(),
            s.sealed,
            now.timestamp(),
            receipt_key(&s.receipt),
            s.expires,
            s.contact,
            s.group,
            s.client,
        ])
        .map_err(err)?;
    if inserted == 0 {
        return Ok(false);
    }
    add_count(conn, &s.initiative, &s.region, 1)?;
    add_contact(conn, &s.initiative, &s.contact, 1)?;
    Ok(true)
}

/// Adds `delta` to the count of `initiative` in `region`.
fn add_count(conn: &Connection, initiative: &str, region: &str, delta: i64) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO counts (initiative, region, n) VALUES (?1, ?2, MAX(?3, 0))
         ON CONFLICT (initiative, region) DO UPDATE SET n = MAX(n + ?3, 0)",
    )
    .map_err(err)?
    .execute(params![initiative, region, delta])
    .map_err(err)?;
    Ok(())
}

/// Adds `delta` to the signatures `contact` confirmed on `initiative`.
fn add_contact(conn: &Connection, initiative: &str, contact: &str, delta: i64) -> StoreResult<()> {
    if contact.is_empty() {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO contacts (initiative, contact, n) VALUES (?1, ?2, MAX(?3, 0))
         ON CONFLICT (initiative, contact) DO UPDATE SET n = MAX(n + ?3, 0)",
    )
    .map_err(err)?
    .execute(params![initiative, contact, delta])
    .map_err(err)?;
    Ok(())
}

/// The count of initiative `id`, total and by region.
fn count_of(conn: &Connection, id: &str) -> StoreResult<Count> {
    let mut count = Count::default();
    let mut by_region = conn
        .prepare_cached("SELECT region, n FROM counts WHERE initiative = ?1 AND n > 0")
        .map_err(err)?;
    let rows = by_region
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .map_err(err)?;
    for row in rows {
        let (region, n) = row.map_err(err)?;
        count.total += n as u64;
        count.regions.insert(region, n as u64);
    }
    Ok(count)
}

const COMMENT_COLUMNS: &str = "id, consultation, section, text, display_name, lang, state, created, decided_by, decided_at, reason, retained, retained_reason, sender";

fn comment_row(r: &rusqlite::Row) -> rusqlite::Result<StoredComment> {
    let state: String = r.get(6)?;
    let decided_by: Option<String> = r.get(8)?;
    let decided_at: Option<i64> = r.get(9)?;
    let reason: Option<String> = r.get(10)?;
    let retained: Option<bool> = r.get(11)?;
    let retained_reason: Option<String> = r.get(12)?;
    Ok(StoredComment {
        retained: retained.map(|yes| (yes, retained_reason.unwrap_or_default())),
        sender: r.get(13)?,
        id: r.get(0)?,
        consultation: r.get(1)?,
        section: r.get(2)?,
        text: r.get(3)?,
        display_name: r.get(4)?,
        lang: r.get(5)?,
        state: state
            .parse()
            .unwrap_or(musharaka_model::moderation::ModerationState::Pending),
        created: r.get(7)?,
        decision: decided_by.map(|by| {
            (
                by,
                decided_at.unwrap_or_default(),
                reason.and_then(|x| x.parse::<RejectReason>().ok()),
            )
        }),
    })
}

fn load_comment(conn: &Connection, id: &str) -> StoreResult<Option<StoredComment>> {
    conn.prepare_cached(&format!(
        "SELECT {COMMENT_COLUMNS} FROM comments WHERE id = ?1"
    ))
    .map_err(err)?
    .query_row([id], comment_row)
    .optional()
    .map_err(err)
}

#[async_trait]
impl Store for SqliteStore {
    async fn entry(&self, id: &str) -> StoreResult<Option<Entry>> {
        let id = id.to_string();
        self.with(move |conn| load_entry(conn, &id)).await
    }

    async fn frame(&self, lang: Lang) -> StoreResult<Option<PageFrame>> {
        let id = super::frame_id(lang);
        self.with(move |conn| load_json(conn, &id)).await
    }

    async fn sign(&self, s: &NewSignature, now: DateTime<Utc>) -> StoreResult<Stored> {
        let s = s.clone();
        self.with(move |conn| sign_in(conn, &s, now)).await
    }

    async fn comment(&self, c: &NewComment, now: DateTime<Utc>) -> StoreResult<Stored> {
        let c = c.clone();
        self.with(move |conn| {
            let tx = conn.savepoint().map_err(err)?;
            let Some(entry) = load_entry(&tx, &c.consultation)? else {
                return Ok(Stored::NotFound);
            };
            if let Err(refusal) = entry.accepts_comment(now.fixed_offset()) {
                return Ok(Stored::Refused(refusal));
            }
            tx.execute(
                "INSERT INTO comments (id, consultation, section, text, display_name, lang, state, created, sender)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8)",
                params![c.id, c.consultation, c.section, c.text, c.display_name, c.lang.code(), now.timestamp(), c.sender],
            )
            .map_err(err)?;
            tx.commit().map_err(err)?;
            Ok(Stored::Done)
        })
        .await
    }

    async fn receipted(&self, receipt: &str) -> StoreResult<Option<Receipted>> {
        let receipt = receipt_key(receipt);
        self.with(move |conn| {
            conn.prepare_cached(
                "SELECT initiative, created FROM signatures WHERE receipt = ?1 AND state != 'struck'",
            )
                .map_err(err)?
                .query_row([receipt], |r| {
                    Ok(Receipted {
                        initiative: r.get(0)?,
                        created: r.get(1)?,
                    })
                })
                .optional()
                .map_err(err)
        })
        .await
    }

    async fn withdraw(&self, receipt: &str, now: DateTime<Utc>) -> StoreResult<Withdrawal> {
        let receipt = receipt_key(receipt);
        self.erasing_soon(move |conn| {
            let tx = conn.savepoint().map_err(err)?;
            let found = tx
                .prepare_cached(
                    "SELECT initiative, signer, region, created, COALESCE(contact, '') FROM signatures WHERE receipt = ?1 AND state != 'struck'",
                )
                .map_err(err)?
                .query_row([&receipt], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })
                .optional()
                .map_err(err)?;
            let Some((initiative, signer, region, created, contact)) = found else {
                return Ok(Withdrawal::NotFound);
            };
            let Some(entry) = load_entry(&tx, &initiative)? else {
                return Ok(Withdrawal::NotFound);
            };
            if let Err(refusal) = entry.accepts_signature(now.fixed_offset()) {
                return Ok(Withdrawal::Refused(refusal));
            }
            tx.prepare_cached("DELETE FROM signatures WHERE initiative = ?1 AND signer = ?2")
                .map_err(err)?
                .execute(params![initiative, signer])
                .map_err(err)?;
            add_count(&tx, &initiative, &region, -1)?;
            add_contact(&tx, &initiative, &contact, -1)?;
            let count = count_of(&tx, &initiative)?;
            tx.commit().map_err(err)?;
            Ok(Withdrawal::Done(
                Receipted {
                    initiative,
                    created,
                },
                Some(count),
            ))
        })
        .await
    }

    async fn counts(&self, ids: &[String]) -> StoreResult<BTreeMap<String, Count>> {
        let ids = ids.to_vec();
        self.with(move |conn| {
            let mut out = BTreeMap::new();
            for id in ids {
                let known = conn
                    .prepare_cached("SELECT 1 FROM entries WHERE id = ?1")
                    .map_err(err)?
                    .exists([&id])
                    .map_err(err)?;
                if known {
                    let count = count_of(conn, &id)?;
                    out.insert(id, count);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn allow(
        &self,
        client: &str,
        now: DateTime<Utc>,
        window_secs: u64,
        max: u32,
    ) -> StoreResult<bool> {
        Ok(self.rate.allow(
            client,
            now.timestamp(),
            (super::window_start(now, window_secs), window_secs),
            max,
        ))
    }

    async fn request(
        &self,
        r: &NewRequest,
        m: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Requested> {
        let (r, m) = (r.clone(), m.clone());
        self.with(move |conn| requests::request(conn, &r, &m, per_day, now))
            .await
    }

    async fn pending(&self, reference: &str) -> StoreResult<Option<Pending>> {
        let reference = reference.to_string();
        self.with(move |conn| requests::pending(conn, &reference))
            .await
    }

    async fn wrong_code(&self, reference: &str) -> StoreResult<()> {
        let reference = reference.to_string();
        self.with(move |conn| requests::wrong_code(conn, &reference))
            .await
    }

    async fn resend(
        &self,
        reference: &str,
        seen: u32,
        code: &str,
        code_expires: i64,
        m: &Outgoing,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (reference, code, m) = (reference.to_string(), code.to_string(), m.clone());
        self.with(move |conn| {
            requests::resend(conn, &reference, seen, &code, code_expires, &m, now)
        })
        .await
    }

    async fn confirm(
        &self,
        reference: &str,
        c: &Confirmation,
        now: DateTime<Utc>,
    ) -> StoreResult<Confirmed> {
        let (reference, c) = (reference.to_string(), c.clone());
        self.with(move |conn| requests::confirm(conn, &reference, &c, now))
            .await
    }

    async fn contest(&self, reference: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let reference = reference.to_string();
        self.with(move |conn| requests::contest(conn, &reference, now))
            .await
    }

    async fn propose(
        &self,
        p: &Proposal,
        agent: &NewMember,
        m: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Asked> {
        let (p, agent, m) = (p.clone(), agent.clone(), m.clone());
        self.with(move |conn| proposals::propose(conn, &p, &agent, &m, per_day, now))
            .await
    }

    async fn join(
        &self,
        member: &NewMember,
        m: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Asked> {
        let (member, m) = (member.clone(), m.clone());
        self.with(move |conn| proposals::join(conn, &member, &m, per_day, now))
            .await
    }

    async fn proposal(&self, id: &str) -> StoreResult<Option<StoredProposal>> {
        let id = id.to_string();
        self.with(move |conn| proposals::proposal(conn, &id)).await
    }

    async fn members(&self, proposal: &str) -> StoreResult<Vec<Member>> {
        let proposal = proposal.to_string();
        self.with(move |conn| proposals::members(conn, &proposal))
            .await
    }

    async fn keyed(&self, key: &str) -> StoreResult<Option<(String, String)>> {
        let key = key.to_string();
        self.with(move |conn| proposals::keyed(conn, &key)).await
    }

    async fn seat(
        &self,
        proposal: &str,
        reference: &str,
        code: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Seated> {
        let args = [proposal, reference, code, key].map(str::to_string);
        self.with(move |conn| {
            let [proposal, reference, code, key] = &args;
            proposals::seat(conn, proposal, reference, code, key, now)
        })
        .await
    }

    async fn member_wrong_code(&self, proposal: &str, reference: &str) -> StoreResult<()> {
        let (proposal, reference) = (proposal.to_string(), reference.to_string());
        self.with(move |conn| proposals::member_wrong_code(conn, &proposal, &reference))
            .await
    }

    async fn change_committee(
        &self,
        proposal: &str,
        change: &CommitteeChange,
        seen: u64,
    ) -> StoreResult<bool> {
        let (proposal, change) = (proposal.to_string(), change.clone());
        self.erasing_soon(move |conn| proposals::change_committee(conn, &proposal, &change, seen))
            .await
    }

    async fn save_proposal(
        &self,
        p: &Proposal,
        seen: u64,
        members: Members<'_>,
        m: Option<&Outgoing>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (p, m) = (p.clone(), m.cloned());
        let (keep, until, erase) = (members.keep.to_vec(), members.until, members.erase.to_vec());
        self.erasing_soon(move |conn| {
            let members = Members {
                keep: &keep,
                until,
                erase: &erase,
            };
            proposals::save_proposal(conn, &p, seen, members, m.as_ref(), now)
        })
        .await
    }
}

impl SqliteStore {
    /// The oldest `max` messages of the outbox, for the local sender.
    pub async fn outbox(&self, max: usize) -> StoreResult<Vec<Outgoing>> {
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT id, sealed FROM outbox ORDER BY rowid LIMIT ?1")
                .map_err(err)?;
            let rows = stmt
                .query_map([max as i64], |r| {
                    Ok(Outgoing {
                        id: r.get(0)?,
                        sealed: r.get(1)?,
                    })
                })
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
        .await
    }

    /// Removes sent messages from the outbox.
    pub async fn sent(&self, ids: Vec<String>) -> StoreResult<()> {
        self.with(move |conn| {
            let tx = conn.savepoint().map_err(err)?;
            for id in &ids {
                tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")
                    .map_err(err)?
                    .execute([id])
                    .map_err(err)?;
            }
            tx.commit().map_err(err)
        })
        .await
    }
}
