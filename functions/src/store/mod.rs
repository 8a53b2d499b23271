//! Storage of the functions: one trait, two implementations with the same semantics
//! (DynamoDB for the cloud, SQLite for one machine), one conformance suite for both
//! (`tests/conformance.rs`).

pub mod dynamo;
pub mod schema;
pub mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musharaka_model::Lang;
pub use musharaka_model::catalog::Count;
use musharaka_model::catalog::{Catalog, Entry, Refusal};
use musharaka_model::moderation::{ModerationState, PublishedComment, RejectReason};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A signature ready to store: no personal data in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSignature {
    /// Initiative id.
    pub initiative: String,
    /// Keyed hash of initiative and CIN: the dedupe key.
    pub signer: String,
    /// Region of the signer (counts by region are not personal).
    pub region: String,
    /// Language of the form.
    pub lang: Lang,
    /// Name, CIN and address, sealed with the data key.
    pub sealed: Vec<u8>,
    /// Keyed hash of the receipt code shown to the signer, with which they check or withdraw
    /// their signature.
    pub receipt: String,
    /// When the signature must be gone whatever happened (epoch seconds): the initiative's
    /// retention deadline, which DynamoDB's TTL enforces.
    pub expires: i64,
}

impl std::fmt::Debug for NewSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NewSignature {{ initiative: {:?}, region: {:?}, .. }}",
            self.initiative, self.region
        )
    }
}

/// A comment ready to store, pending moderation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    /// Unique id (time-ordered).
    pub id: String,
    /// Consultation id.
    pub consultation: String,
    /// Section anchor, or the whole text.
    pub section: Option<String>,
    /// Plain text.
    pub text: String,
    /// Name to show, if any.
    pub display_name: Option<String>,
    /// Language of the form.
    pub lang: Lang,
}

/// A comment as stored, with its moderation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredComment {
    /// Unique id.
    pub id: String,
    /// Consultation id.
    pub consultation: String,
    /// Section anchor, or the whole text.
    pub section: Option<String>,
    /// Plain text.
    pub text: String,
    /// Name to show, if any.
    pub display_name: Option<String>,
    /// Language of the form.
    pub lang: String,
    /// Pending, approved or rejected.
    pub state: ModerationState,
    /// When it was sent (epoch seconds).
    pub created: i64,
    /// Who decided, when (epoch seconds), and why for a rejection.
    pub decision: Option<(String, i64, Option<RejectReason>)>,
    /// Whether the authority's synthesis retained it, and its short reason.
    pub retained: Option<(bool, String)>,
}

impl StoredComment {
    /// The comment as the site shows it.
    pub fn published(&self) -> PublishedComment {
        PublishedComment {
            section: self.section.clone(),
            text: self.text.clone(),
            display_name: self.display_name.clone(),
            created: self.created,
            retained: self.retained.clone(),
        }
    }
}

/// A stored signature, still sealed.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSignature {
    /// The dedupe key (keyed hash).
    pub signer: String,
    /// Name, CIN and address, sealed with the data key.
    pub sealed: Vec<u8>,
    /// When it was made (epoch seconds).
    pub created: i64,
}

/// A signature found by its receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipted {
    /// Initiative id.
    pub initiative: String,
    /// When it was made (epoch seconds).
    pub created: i64,
}

/// What became of a withdrawal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Withdrawal {
    /// The signature and its data are deleted and the count lowered; the initiative's new
    /// count, when it could be read.
    Done(Receipted, Option<Count>),
    /// No signature has this receipt.
    NotFound,
    /// The initiative no longer collects: nothing changed.
    Refused(Refusal),
}

/// What became of a moderation decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// Recorded.
    Done,
    /// No comment has this id.
    NotFound,
    /// The comment was already approved or rejected: nothing changed.
    AlreadyDecided,
}

/// What became of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored (and counted, for a signature).
    Done,
    /// This signer had already signed: nothing changed.
    Duplicate,
    /// No such entry in the stored catalog.
    NotFound,
    /// The entry takes no submission now.
    Refused(Refusal),
}

/// The store could not do its work; nothing was half written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached now: try again.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The stored data is not what this version expects.
    #[error("store data invalid: {0}")]
    Invalid(String),
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// What the functions need of a database.
#[async_trait]
pub trait Store: Send + Sync {
    /// The stored catalog entry `id`.
    async fn entry(&self, id: &str) -> StoreResult<Option<Entry>>;

    /// Stores a signature in one atomic step: only if the initiative takes signatures at
    /// `now`, only if this signer has not signed, and counted with it.
    async fn sign(&self, signature: &NewSignature, now: DateTime<Utc>) -> StoreResult<Stored>;

    /// [`Store::sign`], then the initiative's count when the signature was taken or had
    /// already been (stores that can do both in one step override this).
    async fn sign_and_count(
        &self,
        signature: &NewSignature,
        now: DateTime<Utc>,
    ) -> StoreResult<(Stored, Option<Count>)> {
        let stored = self.sign(signature, now).await?;
        let count = if matches!(stored, Stored::Done | Stored::Duplicate) {
            let id = signature.initiative.clone();
            self.counts(std::slice::from_ref(&id))
                .await
                .ok()
                .and_then(|mut c| c.remove(&id))
        } else {
            None
        };
        Ok((stored, count))
    }

    /// Stores a comment as pending moderation, only if the consultation is open at `now`.
    async fn comment(&self, comment: &NewComment, now: DateTime<Utc>) -> StoreResult<Stored>;

    /// Current counts of `ids` (initiatives without signatures count zero; unknown ids are
    /// left out).
    async fn counts(&self, ids: &[String]) -> StoreResult<BTreeMap<String, Count>>;

    /// The signature whose receipt hashes to `receipt`.
    async fn receipted(&self, receipt: &str) -> StoreResult<Option<Receipted>>;

    /// Withdraws the signature whose receipt hashes to `receipt` in one atomic step: only
    /// while its initiative takes signatures at `now`; the signature and its data are
    /// deleted and the count lowered.
    async fn withdraw(&self, receipt: &str, now: DateTime<Utc>) -> StoreResult<Withdrawal>;

    /// Counts one submission from `client` in the window holding `now`; false once more than
    /// `max` were made in that window of `window_secs` seconds.
    async fn allow(
        &self,
        client: &str,
        now: DateTime<Utc>,
        window_secs: u64,
        max: u32,
    ) -> StoreResult<bool>;
}

/// What moderators, operators and the build need of a database besides the functions' needs:
/// the catalog, moderation, the filing export and retention. Apart from [`Store`] so that the
/// Lambda functions do not carry (nor may call) any of it.
#[async_trait]
pub trait AdminStore: Store {
    /// Loads the catalog: adds new entries, updates the others (state, dates), keeps
    /// signatures and counts. Returns the number of entries written.
    async fn publish(&self, catalog: &Catalog) -> StoreResult<usize>;

    /// Pending comments, of one consultation or of all, by consultation, then section, oldest
    /// first (from an index on the state: no scan).
    async fn pending_comments(&self, consultation: Option<&str>)
    -> StoreResult<Vec<StoredComment>>;

    /// The comment `id`.
    async fn stored_comment(&self, id: &str) -> StoreResult<Option<StoredComment>>;

    /// Approved comments of a consultation, by section, oldest first.
    async fn approved_comments(&self, consultation: &str) -> StoreResult<Vec<StoredComment>>;

    /// Marks an approved comment as retained or not by the authority's synthesis, with a
    /// short reason (`NotFound` for a comment that is not approved).
    async fn set_retained(&self, id: &str, retained: bool, reason: &str) -> StoreResult<Decided>;

    /// Approves (`reason` none) or rejects a pending comment, recording who and when.
    async fn decide(
        &self,
        id: &str,
        reason: Option<RejectReason>,
        moderator: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Decided>;

    /// Every counted signature of an initiative, oldest first.
    async fn signatures(&self, initiative: &str) -> StoreResult<Vec<SealedSignature>>;

    /// Deletes the personal data of every signature of `initiative` (its counts stay).
    /// Returns how many signatures were deleted.
    async fn erase_signatures(&self, initiative: &str) -> StoreResult<usize>;

    /// Deletes the signatures past their retention deadline at `now`, whatever their
    /// initiative (DynamoDB does it by itself with its TTL). Returns how many, by initiative.
    async fn erase_expired(&self, now: DateTime<Utc>) -> StoreResult<BTreeMap<String, usize>>;

    /// Deletes the comments rejected before `decided_before` (epoch seconds of the decision).
    /// Returns how many.
    async fn erase_rejected_comments(&self, decided_before: i64) -> StoreResult<usize>;

    /// Records an action on the signatures of `initiative` (`export`, `purge`): who, when,
    /// how many rows.
    async fn log_action(
        &self,
        action: Action,
        initiative: &str,
        who: &str,
        now: DateTime<Utc>,
        rows: usize,
    ) -> StoreResult<()>;
}

/// An action on signers' personal data that the store logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The filing list was exported.
    Export,
    /// The personal data was deleted under the retention policy.
    Purge,
}

impl Action {
    /// The name stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Export => "export",
            Action::Purge => "purge",
        }
    }
}

/// A store shared by handlers.
pub type SharedStore = Arc<dyn Store>;

/// A store shared by moderators, operators and the build.
pub type SharedAdminStore = Arc<dyn AdminStore>;

/// Opens a store from `sqlite:PATH` or `dynamodb:TABLE` for the functions (the endpoint of
/// DynamoDB comes from `AWS_ENDPOINT_URL_DYNAMODB` when set, for local servers).
pub async fn open(spec: &str) -> anyhow::Result<SharedStore> {
    Ok(match parse_spec(spec)? {
        Spec::Sqlite(path) => Arc::new(sqlite::SqliteStore::open(path)?),
        Spec::Dynamo(table) => Arc::new(dynamo::DynamoStore::from_env(table).await?),
    })
}

/// Opens a store like [`open`], with what moderation, export, purge and the build need.
pub async fn open_admin(spec: &str) -> anyhow::Result<SharedAdminStore> {
    Ok(match parse_spec(spec)? {
        Spec::Sqlite(path) => Arc::new(sqlite::SqliteStore::open(path)?),
        Spec::Dynamo(table) => Arc::new(dynamo::DynamoStore::from_env(table).await?),
    })
}

enum Spec<'a> {
    Sqlite(&'a std::path::Path),
    Dynamo(&'a str),
}

fn parse_spec(spec: &str) -> anyhow::Result<Spec<'_>> {
    match spec.split_once(':') {
        Some(("sqlite", path)) if !path.is_empty() => Ok(Spec::Sqlite(std::path::Path::new(path))),
        Some(("dynamodb", table)) if !table.is_empty() => Ok(Spec::Dynamo(table)),
        _ => anyhow::bail!("store {spec:?} must be `sqlite:PATH` or `dynamodb:TABLE`"),
    }
}

/// The instant of the start of the window of `window_secs` holding `now`, in seconds.
pub fn window_start(now: DateTime<Utc>, window_secs: u64) -> i64 {
    let t = now.timestamp();
    t - t.rem_euclid(window_secs as i64)
}
