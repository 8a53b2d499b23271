//! Storage of the functions: one trait, two implementations with the same semantics
//! (DynamoDB for the cloud, SQLite for one machine), one conformance suite for both
//! (`tests/conformance.rs`).

mod committee;
pub mod dynamo;
#[cfg(feature = "table-schema")]
pub mod schema;
pub mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use musharaka_model::Lang;
pub use musharaka_model::catalog::Count;
use musharaka_model::catalog::{Catalog, Entry, PageFrame, Refusal};
use musharaka_model::moderation::{ModerationState, PublishedComment, RejectReason};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use committee::{Asked, CommitteeChange, Member, Members, NewMember, Seated, StoredProposal};
use musharaka_model::proposal::{Proposal, ProposalState};

/// A signature ready to store: no personal data in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSignature {
    /// Initiative id.
    pub initiative: String,
    /// Keyed hash of initiative and CIN: the dedupe key.
    pub signer: String,
    /// The key the signature is counted under (counts by region are not personal): the
    /// signer's region, or their province's HCP code for a region council's petition
    /// ([`musharaka_model::target::Target::count_key`]).
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
    /// Keyed hash of the contact that confirmed it.
    pub contact: String,
    /// The contact's email domain or calling code, for fraud statistics.
    pub group: String,
    /// Keyed hash of the client address the request came from.
    pub client: String,
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

/// A signing request, waiting for its one-time code: not counted, not exported.
#[derive(Clone, PartialEq, Eq)]
pub struct NewRequest {
    /// Its reference, given to the signer with the code.
    pub reference: String,
    /// The signature it becomes once confirmed (its receipt still empty).
    pub signature: NewSignature,
    /// Keyed hash of the one-time code.
    pub code: String,
    /// When the code stops being valid (epoch seconds).
    pub code_expires: i64,
    /// When the request is deleted if never confirmed (epoch seconds).
    pub expires: i64,
}

impl std::fmt::Debug for NewRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NewRequest {{ reference: {:?}, .. }}", self.reference)
    }
}

/// A message waiting in the outbox, sealed (contact and code are never stored in clear).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Unique id.
    pub id: String,
    /// The message, sealed with the data key (as `notify` opens it).
    pub sealed: Vec<u8>,
}

/// Where a signing request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestState {
    /// Waiting for its code.
    Pending,
    /// Confirmed and counted.
    Counted,
    /// Confirmed, but its contact had already confirmed a signature with this CIN.
    Same,
    /// Confirmed, but a signature with this CIN was counted from another contact.
    Other,
    /// Confirmed, and its signer contested the signature counted with their CIN.
    Contested,
}

impl RequestState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Counted => "counted",
            RequestState::Same => "same",
            RequestState::Other => "other",
            RequestState::Contested => "contested",
        }
    }

    /// From the stored name (unknown names read as pending).
    pub fn parse(s: &str) -> RequestState {
        match s {
            "counted" => RequestState::Counted,
            "same" => RequestState::Same,
            "other" => RequestState::Other,
            "contested" => RequestState::Contested,
            _ => RequestState::Pending,
        }
    }
}

/// A stored signing request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Initiative id.
    pub initiative: String,
    /// The dedupe key of its CIN.
    pub signer: String,
    /// The signer's personal data and contact, sealed (emptied once confirmed, unless the
    /// request may still contest).
    pub sealed: Vec<u8>,
    /// Keyed hash of the one-time code last sent.
    pub code: String,
    /// When that code stops being valid (epoch seconds).
    pub code_expires: i64,
    /// Wrong codes typed so far.
    pub attempts: u32,
    /// Codes sent again so far.
    pub resends: u32,
    /// When the last code was sent (epoch seconds).
    pub sent: i64,
    /// Where it stands.
    pub state: RequestState,
    /// The signer's language.
    pub lang: Lang,
}

/// What became of a signing request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// Stored with its message.
    Done,
    /// No such initiative.
    NotFound,
    /// It takes no signature now.
    Refused(Refusal),
    /// The contact asked for too many codes today.
    ContactLimit,
}

/// What a confirmation needs besides the request.
#[derive(Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Keyed hash of the code typed.
    pub code: String,
    /// Keyed hash of the receipt code the signature gets.
    pub receipt: String,
}

/// What became of a confirmation with the right code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// Counted on the initiative named; its new count when it could be read.
    Counted(String, Option<Count>),
    /// This contact had already confirmed a signature with this CIN.
    SameContact,
    /// A signature with this CIN was counted from another contact.
    OtherContact,
    /// The contact has confirmed as many signatures as allowed on this initiative.
    ContactLimit,
    /// The request changed meanwhile (another confirmation, a wrong code, expiry): read it again.
    Changed,
    /// No such request.
    NotFound,
    /// The initiative takes no signature now.
    Refused(Refusal),
}

/// A contested signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispute {
    /// Its id (the contesting request's reference).
    pub id: String,
    /// Initiative id.
    pub initiative: String,
    /// The dedupe key both signatures share.
    pub signer: String,
    /// The contester's personal data, sealed like a signature's.
    pub sealed: Vec<u8>,
    /// Keyed hash of the contester's contact.
    pub contact: String,
    /// The contester's region.
    pub region: String,
    /// The contester's language.
    pub lang: Lang,
    /// When it was contested (epoch seconds).
    pub created: i64,
    /// `open`, `kept` or `struck`.
    pub state: String,
    /// Who decided, and when (epoch seconds).
    pub decision: Option<(String, i64)>,
}

/// What fraud tools may read of a signature: no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureMeta {
    /// The dedupe key.
    pub signer: String,
    /// Region.
    pub region: String,
    /// When it was confirmed (epoch seconds).
    pub created: i64,
    /// Keyed hash of the client address.
    pub client: String,
    /// Email domain or calling code of the contact.
    pub group: String,
    /// `counted`, `disputed` or `struck`.
    pub state: String,
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
    /// Who sent it, as a short keyed hash of their address: what a moderator filters a flood
    /// by, never the address itself.
    pub sender: String,
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
    /// The keyed hash of the address it came from (see [`NewComment::sender`]).
    #[serde(skip)]
    pub sender: Option<String>,
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

/// The key under which the store keeps the page frame of `lang`, beside the catalog's
/// entries (an entry's id never starts with `~`).
pub(crate) fn frame_id(lang: Lang) -> String {
    format!("~frame-{}", lang.code())
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// What the functions need of a database.
#[async_trait]
pub trait Store: Send + Sync {
    /// The stored catalog entry `id`.
    async fn entry(&self, id: &str) -> StoreResult<Option<Entry>>;

    /// The site's page in `lang` around the answers the functions write as whole pages, as
    /// last published.
    async fn frame(&self, lang: Lang) -> StoreResult<Option<PageFrame>>;

    /// Stores a signature in one atomic step: only if the initiative takes signatures at
    /// `now`, only if this signer has not signed, and counted with it.
    async fn sign(&self, signature: &NewSignature, now: DateTime<Utc>) -> StoreResult<Stored>;

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

    /// Stores a signing request and the message carrying its code, in one atomic step: only
    /// if the initiative takes signatures at `now`, and only if its contact asked for fewer
    /// than `per_day` codes on the day of `now`.
    async fn request(
        &self,
        request: &NewRequest,
        message: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Requested>;

    /// The request `reference`, unless gone.
    async fn pending(&self, reference: &str) -> StoreResult<Option<Pending>>;

    /// Counts one wrong code typed for the request `reference`, whatever its state (a request
    /// that may contest is locked by wrong codes too).
    async fn wrong_code(&self, reference: &str) -> StoreResult<()>;

    /// Replaces the code of the request `reference` and queues its message, only if it was
    /// resent `seen` times so far (false otherwise: another resend came first).
    async fn resend(
        &self,
        reference: &str,
        seen: u32,
        code: &str,
        code_expires: i64,
        message: &Outgoing,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Confirms the request `reference` in one atomic step, only while it is pending with
    /// `confirmation.code`, not locked and not expired at `now`: its signature is stored and
    /// counted unless this CIN was already counted, or its contact reached the initiative's
    /// `per_contact` limit.
    async fn confirm(
        &self,
        reference: &str,
        confirmation: &Confirmation,
        now: DateTime<Utc>,
    ) -> StoreResult<Confirmed>;

    /// Contests, for the request `reference` (confirmed, but whose CIN was counted from another
    /// contact), the signature counted with its CIN: it is set aside until a moderator
    /// decides. False when the request is not in that state.
    async fn contest(&self, reference: &str, now: DateTime<Utc>) -> StoreResult<bool>;

    /// Stores a new proposal, not confirmed, with its agent waiting for their code and the
    /// message carrying it, in one atomic step, only if the contact asked for fewer than
    /// `per_day` codes on the day of `now`.
    async fn propose(
        &self,
        proposal: &Proposal,
        agent: &NewMember,
        message: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Asked>;

    /// Stores a request to join the committee of `member.proposal` with the message carrying
    /// its code, in one atomic step: only while the proposal is confirmed and open, its
    /// committee holds fewer than [`MAX_MEMBERS`](musharaka_model::committee::MAX_MEMBERS)
    /// people, and the contact asked for fewer than `per_day` codes on the day of `now`.
    async fn join(
        &self,
        member: &NewMember,
        message: &Outgoing,
        per_day: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Asked>;

    /// The proposal `id`.
    async fn proposal(&self, id: &str) -> StoreResult<Option<StoredProposal>>;

    /// The committee of `proposal`, joined or waiting for their code: its agent, then the
    /// others in the order they asked.
    async fn members(&self, proposal: &str) -> StoreResult<Vec<Member>>;

    /// The proposal and member reference whose private code hashes to `key`.
    async fn keyed(&self, key: &str) -> StoreResult<Option<(String, String)>>;

    /// Seats the member `reference` of `proposal` in one atomic step, only while they wait
    /// with `code`, locked by fewer than the allowed wrong codes and before it expires at
    /// `now`, and while the committee is open and has no member with their CIN; their private
    /// code hashes to `key`. The agent's seat confirms the proposal.
    async fn seat(
        &self,
        proposal: &str,
        reference: &str,
        code: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Seated>;

    /// Counts one wrong code typed for the member `reference` of `proposal`.
    async fn member_wrong_code(&self, proposal: &str, reference: &str) -> StoreResult<()>;

    /// Applies `change` to the committee of `proposal` in one atomic step, only while it is
    /// open and at version `seen` (false otherwise: read it again).
    async fn change_committee(
        &self,
        proposal: &str,
        change: &CommitteeChange,
        seen: u64,
    ) -> StoreResult<bool>;

    /// Writes `proposal` over its stored version, only if that is `seen` (false otherwise:
    /// read it again), in one atomic step with what it does to the committee's data and the
    /// message telling the agent. A draft never submitted keeps its deadline; any other state
    /// has none.
    async fn save_proposal(
        &self,
        proposal: &Proposal,
        seen: u64,
        members: Members<'_>,
        message: Option<&Outgoing>,
        now: DateTime<Utc>,
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

    /// Every counted signature of an initiative that is neither disputed nor struck, oldest
    /// first.
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

    /// Proposals in `state`, oldest change first, `limit` at most after the page mark `after`;
    /// with the mark of the next page, if any (from an index on the state: no scan).
    async fn proposals(
        &self,
        state: ProposalState,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<(Vec<StoredProposal>, Option<String>)>;

    /// Deletes the drafts never submitted, past their deadline at `now`, with their
    /// committees (DynamoDB does it by itself with its TTL). Returns how many.
    async fn erase_drafts(&self, now: DateTime<Utc>) -> StoreResult<usize>;

    /// Queues a message for the sender.
    async fn enqueue(&self, message: &Outgoing) -> StoreResult<()>;

    /// Disputes, open first, then by date.
    async fn disputes(&self) -> StoreResult<Vec<Dispute>>;

    /// Decides the open dispute `id`: keep the signature counted, or strike it and count the
    /// contester's in its place. Returns the dispute as it was, and the sealed data of the
    /// signature it was about, for the messages to both signers.
    async fn resolve(
        &self,
        id: &str,
        keep: bool,
        moderator: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Dispute, SealedSignature)>>;

    /// The signature of `signer` on `initiative`, whatever its state (a moderator reads a
    /// disputed one).
    async fn signature(
        &self,
        initiative: &str,
        signer: &str,
    ) -> StoreResult<Option<SealedSignature>>;

    /// What fraud tools may read of every signature of `initiative`.
    async fn signature_meta(&self, initiative: &str) -> StoreResult<Vec<SignatureMeta>>;

    /// Signing requests ever made for `initiative`, confirmed or not.
    async fn requested(&self, initiative: &str) -> StoreResult<u64>;

    /// Strikes the counted signatures of `initiative` with these dedupe keys: they stop
    /// counting and are left out of exports. Returns how many were struck.
    async fn strike(&self, initiative: &str, signers: &[String]) -> StoreResult<usize>;

    /// Deletes signing requests never confirmed, past their deadline at `now` (DynamoDB does it
    /// by itself with its TTL). Returns how many.
    async fn erase_requests(&self, now: DateTime<Utc>) -> StoreResult<usize>;

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
    /// Signatures were struck as fraudulent.
    Invalidate,
    /// A dispute was decided.
    Dispute,
}

impl Action {
    /// The name stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Export => "export",
            Action::Purge => "purge",
            Action::Invalidate => "invalidate",
            Action::Dispute => "dispute",
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
