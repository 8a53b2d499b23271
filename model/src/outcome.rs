//! What a submission (a signature, a comment, a signer's check or withdrawal) can lead to: the stable codes the functions answer with, which name the
//! static result page of each language (`/<lang>/result/<code>/`) and its message.

use serde::{Deserialize, Serialize};

/// The outcome of a signature or a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The signature was counted.
    Signed,
    /// This person had already signed: nothing changed.
    AlreadySigned,
    /// The comment awaits moderation.
    Commented,
    /// No such initiative or consultation.
    NotFound,
    /// Not open yet.
    NotOpen,
    /// Closed, or in a state that takes no more submissions.
    Closed,
    /// A signature sent to a consultation, or a comment to a petition.
    WrongKind,
    /// A required field is empty.
    MissingField,
    /// The CIN does not look like a CIN.
    InvalidCin,
    /// The region is not one of the 12.
    InvalidRegion,
    /// The signer does not live in the territory of a local petition.
    NotEligible,
    /// An eligibility attestation was not ticked.
    AttestationRequired,
    /// The consent box was not ticked.
    ConsentRequired,
    /// A text is longer than allowed.
    TooLong,
    /// The comment targets a section the text does not have.
    InvalidSection,
    /// The request could not be read (not a form, not UTF-8, a robot's field filled).
    BadRequest,
    /// A field holds hidden characters (control, bidirectional or invisible ones), or no
    /// letter at all.
    InvalidText,
    /// The request body is too large.
    TooLarge,
    /// The request came from another site.
    Forbidden,
    /// Too many submissions from one place in a short time.
    RateLimited,
    /// The store is unavailable: try again in a moment.
    Unavailable,
    /// The signature of this receipt is counted.
    Counted,
    /// No signature has this receipt: mistyped, withdrawn, or deleted after the retention
    /// period.
    UnknownReceipt,
    /// The signature was withdrawn and the count lowered.
    Withdrawn,
    /// The initiative no longer collects: its signatures can no longer be withdrawn.
    WithdrawalClosed,
    /// A withdrawal was asked without ticking its confirmation.
    ConfirmationRequired,
    /// A one-time code was sent to the signer's contact: the signature counts once confirmed.
    CodeSent,
    /// The phone number or email address cannot be used.
    InvalidContact,
    /// The code typed is not the one sent.
    WrongCode,
    /// The code was sent more than 15 minutes ago.
    CodeExpired,
    /// Too many wrong codes: this request can no longer be confirmed.
    Locked,
    /// No signing request has this reference (mistyped, or expired after 24 hours).
    UnknownRequest,
    /// A new code was sent.
    Resent,
    /// A new code cannot be sent yet.
    ResendTooSoon,
    /// No more codes can be sent for this request.
    ResendLimit,
    /// This contact has confirmed as many signatures as allowed, for this initiative or today.
    ContactLimit,
    /// A signature with this CIN is already counted, confirmed by another contact.
    CinTaken,
    /// The signer contested the signature counted with their CIN: a moderator will decide.
    Contested,
    /// A one-time code was sent to a person proposing or joining a committee: their seat counts once confirmed.
    SeatCodeSent,
    /// The proposal as typed has problems, each named in the answer.
    InvalidProposal,
    /// The authority addressed does not exist, or may not receive this kind of initiative.
    InvalidTarget,
    /// The person sits on the committee, with their private code.
    Seated,
    /// A member with this CIN already sits on the committee.
    AlreadyMember,
    /// The committee no longer changes: the proposal was submitted, decided or withdrawn, or the committee is full.
    CommitteeClosed,
    /// No proposal has this invitation code.
    UnknownInvitation,
    /// The committee code expired or was mistyped too many times: join (or propose) again.
    SeatCodeVoid,
    /// No committee member has this private code (mistyped, or the member left or was erased).
    UnknownKey,
    /// The committee's private page: the proposal, its state, its committee and the moderators' messages.
    ProposalShown,
    /// The agent's change was saved.
    ProposalSaved,
    /// Submission refused: a committee rule does not hold yet, named in the answer.
    RulesUnmet,
    /// The proposal was sent for review.
    ProposalSubmitted,
    /// The proposal was withdrawn and its committee's personal data erased.
    ProposalWithdrawn,
    /// The member left the committee; their data is erased.
    LeftCommittee,
    /// Someone changed the proposal or its committee meanwhile: nothing was written, read it again.
    ProposalChanged,
}

impl Code {
    /// Every code.
    pub const ALL: [Code; 54] = [
        Code::Signed,
        Code::AlreadySigned,
        Code::Commented,
        Code::NotFound,
        Code::NotOpen,
        Code::Closed,
        Code::WrongKind,
        Code::MissingField,
        Code::InvalidCin,
        Code::InvalidRegion,
        Code::NotEligible,
        Code::AttestationRequired,
        Code::ConsentRequired,
        Code::TooLong,
        Code::InvalidSection,
        Code::BadRequest,
        Code::InvalidText,
        Code::TooLarge,
        Code::Forbidden,
        Code::RateLimited,
        Code::Unavailable,
        Code::Counted,
        Code::UnknownReceipt,
        Code::Withdrawn,
        Code::WithdrawalClosed,
        Code::ConfirmationRequired,
        Code::CodeSent,
        Code::InvalidContact,
        Code::WrongCode,
        Code::CodeExpired,
        Code::Locked,
        Code::UnknownRequest,
        Code::Resent,
        Code::ResendTooSoon,
        Code::ResendLimit,
        Code::ContactLimit,
        Code::CinTaken,
        Code::Contested,
        Code::SeatCodeSent,
        Code::InvalidProposal,
        Code::InvalidTarget,
        Code::Seated,
        Code::AlreadyMember,
        Code::CommitteeClosed,
        Code::UnknownInvitation,
        Code::SeatCodeVoid,
        Code::UnknownKey,
        Code::ProposalShown,
        Code::ProposalSaved,
        Code::RulesUnmet,
        Code::ProposalSubmitted,
        Code::ProposalWithdrawn,
        Code::LeftCommittee,
        Code::ProposalChanged,
    ];

    /// The kebab-case code, used in JSON answers, result page URLs and UI string keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Signed => "signed",
            Code::AlreadySigned => "already-signed",
            Code::Commented => "commented",
            Code::NotFound => "not-found",
            Code::NotOpen => "not-open",
            Code::Closed => "closed",
            Code::WrongKind => "wrong-kind",
            Code::MissingField => "missing-field",
            Code::InvalidCin => "invalid-cin",
            Code::InvalidRegion => "invalid-region",
            Code::NotEligible => "not-eligible",
            Code::AttestationRequired => "attestation-required",
            Code::ConsentRequired => "consent-required",
            Code::TooLong => "too-long",
            Code::InvalidSection => "invalid-section",
            Code::BadRequest => "bad-request",
            Code::InvalidText => "invalid-text",
            Code::TooLarge => "too-large",
            Code::Forbidden => "forbidden",
            Code::RateLimited => "rate-limited",
            Code::Unavailable => "unavailable",
            Code::Counted => "counted",
            Code::UnknownReceipt => "unknown-receipt",
            Code::Withdrawn => "withdrawn",
            Code::WithdrawalClosed => "withdrawal-closed",
            Code::ConfirmationRequired => "confirmation-required",
            Code::CodeSent => "code-sent",
            Code::InvalidContact => "invalid-contact",
            Code::WrongCode => "wrong-code",
            Code::CodeExpired => "code-expired",
            Code::Locked => "locked",
            Code::UnknownRequest => "unknown-request",
            Code::Resent => "resent",
            Code::ResendTooSoon => "resend-too-soon",
            Code::ResendLimit => "resend-limit",
            Code::ContactLimit => "contact-limit",
            Code::CinTaken => "cin-taken",
            Code::Contested => "contested",
            Code::SeatCodeSent => "seat-code-sent",
            Code::InvalidProposal => "invalid-proposal",
            Code::InvalidTarget => "invalid-target",
            Code::Seated => "seated",
            Code::AlreadyMember => "already-member",
            Code::CommitteeClosed => "committee-closed",
            Code::UnknownInvitation => "unknown-invitation",
            Code::SeatCodeVoid => "seat-code-void",
            Code::UnknownKey => "unknown-key",
            Code::ProposalShown => "proposal-shown",
            Code::ProposalSaved => "proposal-saved",
            Code::RulesUnmet => "rules-unmet",
            Code::ProposalSubmitted => "proposal-submitted",
            Code::ProposalWithdrawn => "proposal-withdrawn",
            Code::LeftCommittee => "left-committee",
            Code::ProposalChanged => "proposal-changed",
        }
    }

    /// Whether the submission was taken (or had already been), or the request answered.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Code::Signed
                | Code::AlreadySigned
                | Code::Commented
                | Code::Counted
                | Code::Withdrawn
                | Code::CodeSent
                | Code::Resent
                | Code::Contested
                | Code::SeatCodeSent
                | Code::Seated
                | Code::ProposalShown
                | Code::ProposalSaved
                | Code::ProposalSubmitted
                | Code::ProposalWithdrawn
                | Code::LeftCommittee
        )
    }

    /// Root-relative URL of the static result page of this code in `lang`.
    pub fn page_url(self, lang: crate::Lang) -> String {
        format!("/{}/result/{}/", lang.code(), self.as_str())
    }
}

/// Root-relative URL of the page in `lang` where a signer types the one-time code sent to them.
pub fn confirm_page_url(lang: crate::Lang) -> String {
    format!("/{}/confirm/", lang.code())
}

/// Root-relative URL of the page in `lang` where a citizen proposes a petition or motion.
pub fn propose_page_url(lang: crate::Lang) -> String {
    format!("/{}/propose/", lang.code())
}

/// Root-relative URL of the page in `lang` where a citizen joins a committee with its
/// invitation code.
pub fn join_page_url(lang: crate::Lang) -> String {
    format!("/{}/join/", lang.code())
}

/// Root-relative URL of the page in `lang` where committee members open their private page
/// with their private code.
pub fn committee_page_url(lang: crate::Lang) -> String {
    format!("/{}/committee/", lang.code())
}

/// Root-relative URL of the public list in `lang` of the proposals moderators rejected.
pub fn rejected_page_url(lang: crate::Lang) -> String {
    format!("/{}/proposals/rejected/", lang.code())
}

/// Root-relative URL of the page in `lang` where signers check or withdraw their signature with
/// their receipt code.
pub fn signature_page_url(lang: crate::Lang) -> String {
    format!("/{}/signature/", lang.code())
}
