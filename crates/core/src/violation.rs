//! Why an entry is refused ([`Violation`]) or cannot be built for a signer
//! ([`SignError`]).
//!
//! Only the refusals live here: each message is one line saying what is
//! wrong. This module decides nothing and must never depend on the gate,
//! the decisions or the fold.

use crate::amendment::AmendFault;
use crate::charter::{CharterError, Role};
use crate::codec::CodecError;
use crate::crypto::KeyError;
use crate::entry::FORMAT_VERSION;
use crate::ids::{
    AllegationId, AmendmentId, BodyId, ClauseId, CommitmentId, EntryHash, KeyId, LedgerId, PartyId,
    RevocationId, RulingId,
};
// issue 14: monitoring
use crate::ids::{MeetingId, RecommendationId, TaskId};
use crate::limits::{MAX_ENTRY_BYTES, SEEN_WINDOW};
use crate::moment::Moment;

/// Why an entry is not admitted. Each message is one line saying what is
/// wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// The entry's bytes are not a canonical encoding.
    #[error("undecodable entry: {0}")]
    Codec(#[from] CodecError),
    /// The entry declares a format version this build cannot read.
    #[error("unsupported format version {0} (this build reads version {FORMAT_VERSION})")]
    Version(u16),
    /// The entry names a ledger id other than this ledger's.
    #[error("belongs to another ledger ({0})")]
    WrongLedger(LedgerId),
    /// The entry's seq is not the next one in the chain.
    #[error("out of sequence: expected seq {expected}, found {found}")]
    Seq {
        /// The seq the chain is waiting for.
        expected: u64,
        /// The seq the entry carries.
        found: u64,
    },
    /// The previous-entry hash does not match the entry before it (its seq).
    #[error("broken chain: the previous-entry hash does not match entry {0}")]
    Prev(u64),
    /// The head the author saw (its seq) is too old or not this ledger's.
    #[error("the head the author saw (seq {0}) is not in this ledger's last {SEEN_WINDOW} entries or its hash differs")]
    Seen(u64),
    /// Entry 0 is not a properly formed, party-signed charter.
    #[error("entry 0 must be the charter, signed by one of its parties with a zero ledger id, previous hash and seen head")]
    Genesis,
    /// A charter appears after entry 0.
    #[error("a charter can only be entry 0")]
    CharterNotFirst,
    /// The charter itself is malformed.
    #[error("invalid charter: {0}")]
    Charter(#[from] CharterError),
    /// The signer is not one of the charter's parties.
    #[error("signer {0} is not a party of the charter")]
    UnknownParty(PartyId),
    /// The entry is signed with a key that is not the party's current one.
    #[error(
        "key {key} is not the current key of party {party} (rotated or revoked keys sign nothing)"
    )]
    WrongKey {
        /// The party that claims to sign.
        party: PartyId,
        /// The key that signed.
        key: KeyId,
    },
    /// The signature does not verify against the signer's key.
    #[error("signature does not verify")]
    Signature,
    /// The party's key was revoked without a replacement, so it cannot sign.
    #[error("{0}'s key was revoked and no replacement was adopted: it can sign nothing")]
    Revoked(PartyId),
    /// The author's own counter is not the next one (a stale or replayed entry).
    #[error("per-author sequence of {party}: expected {expected}, found {found} (stale or replayed entry)")]
    AuthorSeq {
        /// The author.
        party: PartyId,
        /// The author's next counter value.
        expected: u64,
        /// The counter the entry carries.
        found: u64,
    },
    /// The entry's claimed time goes back before the previous entry's.
    #[error("claimed time {} is before the previous entry's time {}", Moment(*time), Moment(*prev))]
    TimeBackwards {
        /// The entry's claimed time (seconds since 1970).
        time: i64,
        /// The previous entry's time (seconds since 1970).
        prev: i64,
    },
    /// An observer tried to sign an entry.
    #[error("{0} is an observer: observers sign nothing")]
    Observer(PartyId),
    /// The signer's role does not permit this kind of entry.
    #[error("{party} is a {role}: only {allowed} may {action}")]
    Role {
        /// The signer.
        party: PartyId,
        /// The signer's role in the charter.
        role: Role,
        /// The roles that may take this action, in words.
        allowed: &'static str,
        /// The action refused, in words.
        action: &'static str,
    },
    /// A new clause, commitment, allegation or ruling reuses an existing id.
    #[error("id {0} is already in use (ids are unique across clauses, commitments, allegations and rulings)")]
    DuplicateId(String),
    /// The entry refers to a record that does not exist.
    #[error("no {kind} {id} is on record")]
    Unknown {
        /// What kind of record was looked for, in words.
        kind: &'static str,
        /// The id that was not found.
        id: String,
    },
    /// An endorsement names a proposal hash other than the proposal's own.
    #[error("{item} names proposal {named} but the proposal entry's hash is {actual}")]
    ProposalMismatch {
        /// The record endorsed.
        item: String,
        /// The proposal hash the entry names.
        named: EntryHash,
        /// The hash of the entry that actually proposed it.
        actual: EntryHash,
    },
    /// The party has already taken this action on the record.
    #[error("{party} has already {done} {item}")]
    Already {
        /// The party repeating itself.
        party: PartyId,
        /// The action already taken, in words.
        done: &'static str,
        /// The record acted on.
        item: String,
    },
    /// The action is reserved to the record's owner.
    #[error("only {owner} may {action} {item}, not {party}")]
    NotYours {
        /// The party that tried.
        party: PartyId,
        /// The party the record belongs to.
        owner: PartyId,
        /// The action refused, in words.
        action: &'static str,
        /// The record acted on.
        item: String,
    },
    /// The record's current state does not allow this action.
    #[error("{item} is {state}: it cannot be {action}")]
    WrongState {
        /// The record acted on.
        item: String,
        /// Its current state, in words.
        state: String,
        /// The action refused, in words.
        action: &'static str,
    },
    /// A commitment's due or until time is before the entry that sets it.
    #[error("commitment {commitment}: the {field} is before the entry's own time")]
    TimeBeforeEntry {
        /// The commitment.
        commitment: CommitmentId,
        /// Which time, in words.
        field: &'static str,
    },
    /// A party accuses itself.
    #[error("allegation {allegation}: a party cannot allege a violation against itself")]
    SelfAllegation {
        /// The allegation.
        allegation: AllegationId,
    },
    /// An allegation accuses an observer, which is bound by nothing.
    #[error("allegation {allegation}: {party} is an observer and bound by nothing")]
    ObserverAccused {
        /// The allegation.
        allegation: AllegationId,
        /// The observer accused.
        party: PartyId,
    },
    /// An allegation cites a commitment the accused did not make.
    #[error("allegation {allegation}: commitment {commitment} is {obligor}'s, not {accused}'s")]
    AllegedNotTheirs {
        /// The allegation.
        allegation: AllegationId,
        /// The commitment cited.
        commitment: CommitmentId,
        /// The party that made the commitment.
        obligor: PartyId,
        /// The party accused.
        accused: PartyId,
    },
    /// An allegation places the incident after the entry reporting it.
    #[error("allegation {allegation}: the incident's time is after the entry's own time")]
    IncidentAfterEntry {
        /// The allegation.
        allegation: AllegationId,
    },
    /// A ruling names breaches without a confirmed finding.
    #[error("ruling {ruling}: breaches can only be named with a confirmed finding")]
    BreachUnconfirmed {
        /// The ruling.
        ruling: RulingId,
    },
    /// A ruling names breaches for an incident it attributes to no one.
    #[error("ruling {ruling}: an unattributable incident cannot breach a commitment")]
    BreachUnattributed {
        /// The ruling.
        ruling: RulingId,
    },
    /// A ruling breaches a commitment of a party other than the one it blames.
    #[error("ruling {ruling}: commitment {commitment} is {obligor}'s, but the incident is attributed to {attributed}")]
    BreachNotAttributed {
        /// The ruling.
        ruling: RulingId,
        /// The commitment named as breached.
        commitment: CommitmentId,
        /// The party that made the commitment.
        obligor: PartyId,
        /// The party the ruling blames.
        attributed: PartyId,
    },
    /// A revocation without a replacement targets a key already revoked.
    #[error("{0}'s key is already revoked: name a replacement key")]
    AlreadyRevoked(PartyId),
    /// A revocation's proposed replacement key has signed something since.
    #[error(
        "revocation {revocation}: its replacement key {key} has been used since it was proposed"
    )]
    ReplacementUsed {
        /// The revocation.
        revocation: RevocationId,
        /// The replacement key, in text.
        key: String,
    },
    /// A new key carried by the entry is not a valid public key.
    #[error("new key: {0}")]
    NewKey(KeyError),
    /// A new key has been used before in this ledger.
    #[error("key {0} has been used before: a key is never reused")]
    KeyReused(String),
    /// A key rotation in the retired form without proof of possession.
    #[error("a key rotation must carry the new key's proof of possession: this older form is retired (docs/FORMAT.md)")]
    RetiredRotation,
    /// The new key's proof of possession does not verify.
    #[error("the new key's proof of possession does not verify: sign the rotation with the new private key (--new)")]
    NoPossession,
    /// A text field is empty, too long or not visible text.
    #[error("{field} must be 1-{max} bytes of visible text")]
    Text {
        /// The field, in words.
        field: &'static str,
        /// Its limit in bytes.
        max: usize,
    },
    /// A text field holds a control character or a misplaced line break.
    #[error("{field} holds a control character or, in a one-line field, a line break: remove it")]
    Control {
        /// The field, in words.
        field: &'static str,
    },
    /// The encoded entry exceeds the size limit.
    #[error("the entry is {size} bytes encoded; the limit is {MAX_ENTRY_BYTES} bytes")]
    TooLarge {
        /// The encoded size in bytes.
        size: usize,
    },
    /// A time falls outside the years the format can print.
    #[error("{field} ({}) is outside the years 0000-9999", Moment(*time))]
    TimeRange {
        /// The field, in words.
        field: &'static str,
        /// The time given (seconds since 1970).
        time: i64,
    },
    /// A list names more items than allowed.
    #[error("{list} may name at most {max} items")]
    TooMany {
        /// The list, in words.
        list: &'static str,
        /// Its limit.
        max: usize,
    },
    /// A list names the same item twice.
    #[error("{item} is named more than once in {list}")]
    Repeated {
        /// The list, in words.
        list: &'static str,
        /// The repeated item.
        item: String,
    },
    /// A ruling attributes the incident to an observer.
    #[error("ruling {ruling}: {party} is an observer and bound by nothing: an incident cannot be attributed to it")]
    ObserverAttributed {
        /// The ruling.
        ruling: String,
        /// The observer blamed.
        party: PartyId,
    },
    /// A shared ruling breaches a commitment of someone other than the accused.
    #[error("ruling {ruling}: commitment {commitment} is {obligor}'s, but a shared ruling can only breach commitments of the accused, {accused}")]
    SharedBreach {
        /// The ruling.
        ruling: String,
        /// The commitment named as breached.
        commitment: String,
        /// The party that made the commitment.
        obligor: PartyId,
        /// The party accused.
        accused: PartyId,
    },
    // issue 13: commitments
    /// A progress report counts more done than there is, or of nothing.
    #[error("commitment {commitment}: progress {done} of {of} is not a count of units done out of at least one")]
    Progress {
        /// The commitment.
        commitment: CommitmentId,
        /// Units reported done.
        done: u64,
        /// Units reported in all.
        of: u64,
    },
    /// The obligor attests its own report.
    #[error("commitment {commitment}: the obligor cannot attest its own report; a monitor or guarantor attests it")]
    SelfAttestation {
        /// The commitment.
        commitment: CommitmentId,
    },
    /// An attestation of a commitment the obligor has not reported on.
    #[error("commitment {commitment}: the obligor has made no report (fulfilment, progress or remedy) to attest")]
    NoReport {
        /// The commitment.
        commitment: CommitmentId,
    },
    /// An attestation names a report other than the latest.
    #[error("commitment {commitment}: the attestation names a report that is not the latest; only the latest report (entry {latest}) can be attested")]
    StaleReport {
        /// The commitment.
        commitment: CommitmentId,
        /// The seq of the latest report.
        latest: u64,
    },
    /// A reschedule that sets the times the commitment already has.
    #[error("commitment {commitment}: the reschedule proposes the times it already has")]
    RescheduleNoChange {
        /// The commitment.
        commitment: CommitmentId,
    },
    /// An agreement to a reschedule when none is pending.
    #[error("commitment {commitment}: no reschedule is pending; propose one first")]
    NoReschedule {
        /// The commitment.
        commitment: CommitmentId,
    },
    /// A correction that corrects nothing.
    #[error("allegation {allegation}: the correction changes no field and adds no evidence")]
    EmptyCorrection {
        /// The allegation.
        allegation: AllegationId,
    },
    /// The endorsement that would adopt a term or reschedule comes after
    /// the time it proposes.
    #[error("{item}: the proposed {field} has passed by this entry, which would adopt it; propose new times")]
    PassedAtAdoption {
        /// The proposal, in words.
        item: String,
        /// Which time, in words.
        field: &'static str,
    },
    /// A deliverable due after its undertaking lapses.
    #[error("commitment {commitment}: the due time is after the until time")]
    DueAfterUntil {
        /// The commitment.
        commitment: CommitmentId,
    },
    // issue 13: clauses
    /// A party to the conflict accepts or declines a clause it already
    /// accepted or declined.
    #[error("{party} has already {did} clause {clause}: a party to the conflict accepts or declines a clause's text once, not both")]
    Answered {
        /// The party.
        party: PartyId,
        /// What it did before: accepted or declined.
        did: &'static str,
        /// The clause.
        clause: ClauseId,
    },
    /// A revision is endorsed or accepted after another revision superseded
    /// the clause it revises.
    #[error("clause {clause} has been superseded by {by}: revision {revision} can no longer be {action}")]
    RevisionOvertaken {
        /// The revision acted on.
        revision: ClauseId,
        /// What was attempted, in words.
        action: &'static str,
        /// The clause it revises.
        clause: ClauseId,
        /// The revision that superseded that clause.
        by: ClauseId,
    },
    /// A term endorsement when no term proposal is pending.
    #[error("clause {clause} has no term proposal pending (it was adopted or never made): propose one first")]
    NoTermPending {
        /// The clause.
        clause: ClauseId,
    },
    /// A proposed term ends before the entry proposing it.
    #[error("clause {clause}: the proposed end (until) is before the entry's own time")]
    UntilBeforeEntry {
        /// The clause.
        clause: ClauseId,
    },
    // issue 13: charter amendments
    /// The secretariat signs something other than what it may.
    #[error("{party} is the secretariat: it convenes and records, and may only propose and table clauses and propose amendments, endorse clauses (not counted), record and cosign meetings, refer items, task teams and rotate its key, not sign an entry of kind {event}")]
    Secretariat {
        /// The secretariat.
        party: PartyId,
        /// The kind of entry refused.
        event: &'static str,
    },
    /// An allegation accuses, or a ruling blames, the secretariat.
    #[error("{item}: {party} is the secretariat and bound by nothing")]
    SecretariatBound {
        /// The allegation or ruling.
        item: String,
        /// The secretariat.
        party: PartyId,
    },
    /// A party removed by an amendment signs again.
    #[error("{party} was removed from the charter by amendment {amendment} at entry {seq}: it can sign nothing")]
    RemovedParty {
        /// The party removed.
        party: PartyId,
        /// The amendment that removed it.
        amendment: AmendmentId,
        /// The seq of the entry that adopted that amendment.
        seq: u64,
    },
    /// A proposed amendment does not apply to the charter in force.
    #[error("amendment {amendment}: {fault}")]
    AmendmentInvalid {
        /// The amendment.
        amendment: AmendmentId,
        /// What is wrong with it.
        fault: AmendFault,
    },
    /// An amendment's adopting endorsement, when the amendment no longer
    /// applies to the charter in force (it changed since the proposal).
    #[error("amendment {amendment} no longer applies to the charter in force ({fault}): it cannot be adopted; propose a new one")]
    AmendmentStale {
        /// The amendment.
        amendment: AmendmentId,
        /// What no longer applies.
        fault: AmendFault,
    },
    // issue 14 (scaffold: removed once every new kind has its rules)
    /// An entry of a kind this build does not decide yet.
    #[error("entries of kind {0} are not accepted yet")]
    NotYet(&'static str),
    // issue 14: actors
    /// An allegation or ruling names an actor that is not on the register now.
    #[error("{item}: {actor} is not a listed actor ({why})")]
    ActorNotListed {
        /// The allegation or ruling.
        item: String,
        /// The actor named.
        actor: String,
        /// "never listed" or "delisted at entry N".
        why: String,
    },
    /// A commitment cited by an allegation binds none of its accused parties.
    #[error("allegation {allegation}: commitment {commitment} is {obligor}'s, not an accused party's (accused: {accused})")]
    AllegedNotAccused {
        /// The allegation.
        allegation: AllegationId,
        /// The commitment cited.
        commitment: CommitmentId,
        /// The party that made the commitment.
        obligor: PartyId,
        /// The accused, in words.
        accused: String,
    },
    /// Someone other than an accused party answers an allegation.
    #[error("only an accused party may answer allegation {allegation} (accused: {accused}), not {party}")]
    NotAccused {
        /// The party that tried.
        party: PartyId,
        /// The allegation.
        allegation: AllegationId,
        /// The accused, in words.
        accused: String,
    },
    /// A ruling attributing to an actor names breaches of commitments it
    /// cannot have made.
    #[error("ruling {ruling}: the incident is attributed to {actor}, a non-signatory actor bound by nothing: it cannot breach commitment {commitment}")]
    BreachActor {
        /// The ruling.
        ruling: String,
        /// The actor.
        actor: String,
        /// The commitment named as breached.
        commitment: CommitmentId,
    },
    /// A shared ruling breaches a commitment of no accused party (several
    /// or none accused).
    #[error("ruling {ruling}: commitment {commitment} is {obligor}'s, but a shared ruling can only breach commitments of the accused parties ({accused})")]
    SharedBreachAccused {
        /// The ruling.
        ruling: String,
        /// The commitment named as breached.
        commitment: String,
        /// The party that made the commitment.
        obligor: PartyId,
        /// The accused, in words.
        accused: String,
    },
    // issue 14: bodies
    /// The signer does not sit on the body the action belongs to.
    #[error("{party} is not a member of body {body}: it cannot {action}")]
    NotMember {
        /// The signer.
        party: PartyId,
        /// The body.
        body: BodyId,
        /// The action refused, in words.
        action: &'static str,
    },
    /// A body rules on an item referred to (held by) another body.
    #[error("{item} is held by body {held} (referred there): body {body} cannot rule on it")]
    HeldElsewhere {
        /// The item.
        item: String,
        /// The body holding it.
        held: BodyId,
        /// The body that tried to rule.
        body: BodyId,
    },
    /// A member accused in the matter sits out of the body's decision.
    #[error("{party} is recused from ruling {ruling}: body {body} recuses members accused in the matter")]
    Recused {
        /// The member.
        party: PartyId,
        /// The ruling.
        ruling: RulingId,
        /// The body.
        body: BodyId,
    },
    /// An endorsement of a consensus ruling after its lapse.
    #[error("ruling {ruling} has no consensus: the lapse passed at {}", Moment(*until))]
    LapsePassed {
        /// The ruling.
        ruling: RulingId,
        /// When the lapse passed.
        until: i64,
    },
    /// A view recorded by a party that votes on the item.
    #[error(
        "{party} votes on {item}: a view is recorded only by a party that does not vote on it"
    )]
    Votes {
        /// The signer.
        party: PartyId,
        /// The item.
        item: String,
    },
    /// A ratification of a ruling by a body without a parent that adopts.
    #[error(
        "ruling {ruling} is not ratified: body {body} has no parent body that adopts its rulings"
    )]
    NoParent {
        /// The ruling.
        ruling: RulingId,
        /// The body that decided it.
        body: BodyId,
    },
    /// A tabled clause's signatory is not a party that may be bound.
    #[error(
        "{party} cannot be a signatory of clause {clause}: a {role} is never bound by a clause"
    )]
    SignatoryRole {
        /// The clause.
        clause: ClauseId,
        /// The party named.
        party: PartyId,
        /// Its role.
        role: Role,
    },
    /// A tabled clause without a guarantor among its signatories.
    #[error("clause {clause} names no guarantor among its signatories: a tabled clause is adopted by its guarantor signatories")]
    NoGuarantorSignatory {
        /// The clause.
        clause: ClauseId,
    },
    /// An act on a tabled clause by a party that is not its signatory.
    #[error("{party} is not a signatory of clause {clause}: it cannot {action}")]
    NotSignatory {
        /// The signer.
        party: PartyId,
        /// The clause.
        clause: ClauseId,
        /// The action refused, in words.
        action: &'static str,
    },
    // issue 14: monitoring
    /// A scale value that is not on the charter's scale of that kind.
    #[error("{kind} {value:?} is not on the charter's {kind} scale ({values})")]
    NotOnScale {
        /// The scale (severity, violation).
        kind: &'static str,
        /// The value given.
        value: String,
        /// The scale's values, in order, comma separated.
        values: String,
    },
    /// A scale value given where the charter defines no such scale.
    #[error("the charter defines no {kind} scale: amend it with --set-scale")]
    NoScale {
        /// The scale (severity, violation).
        kind: &'static str,
    },
    /// An observation by a party that neither monitors nor reports for the body.
    #[error("{party} ({role}) cannot record observations: only monitors and members of the reporting body can")]
    NotObserving {
        /// The party that tried.
        party: PartyId,
        /// Its role.
        role: Role,
    },
    /// An observation answers a task of another team.
    #[error("task {task} is team {team}'s: {party} neither reports for that body nor sits on it")]
    NotTheTeam {
        /// The task.
        task: TaskId,
        /// The team tasked.
        team: BodyId,
        /// The party that tried.
        party: PartyId,
    },
    /// A time that must not be after the entry's own time is.
    #[error("{item}: the {field} is after the entry's own time")]
    AfterEntry {
        /// The item.
        item: String,
        /// Which time, in words.
        field: &'static str,
    },
    /// A due time that must be after the entry's own time is not.
    #[error("{item}: the {field} must be after the entry's own time")]
    NotAfterEntry {
        /// The item.
        item: String,
        /// Which time, in words.
        field: &'static str,
    },
    /// Evidence added with no file.
    #[error("evidence added to {item} must list at least one file")]
    NoExhibits {
        /// The item.
        item: String,
    },
    /// Evidence added to an item of a kind that takes none.
    #[error("{item} takes no added evidence: only allegations, observations, rulings, commitments, recommendations, tasks and meetings do")]
    NoEvidenceOn {
        /// The item.
        item: String,
    },
    /// Evidence added by a party with no standing on the item.
    #[error("{party} may not add evidence to {item}: only its author ({author}), monitors, guarantors, the mediator and members of the body holding it may")]
    MayNotAddEvidence {
        /// The party that tried.
        party: PartyId,
        /// The item.
        item: String,
        /// The item's author.
        author: PartyId,
    },
    /// A referral of an item of a kind that is not referred.
    #[error("{item} cannot be referred: only allegations, observations and rulings are")]
    NotReferable {
        /// The item.
        item: String,
    },
    /// A referral to the body that already holds the item.
    #[error("{item} is already held by body {body}")]
    AlreadyHeld {
        /// The item.
        item: String,
        /// The body holding it.
        body: BodyId,
    },
    /// A referral of an item held by a body the referrer does not sit on.
    #[error("{item} is held by body {body}: only its members refer it on, not {party}")]
    ReferNotHolder {
        /// The item.
        item: String,
        /// The body holding it.
        body: BodyId,
        /// The party that tried.
        party: PartyId,
    },
    /// A referral by a party with no standing to refer.
    #[error("{party} ({role}) may not refer items: only guarantors, the mediator, monitors, the secretariat and members of a body may")]
    MayNotRefer {
        /// The party that tried.
        party: PartyId,
        /// Its role.
        role: Role,
    },
    /// A recommendation to a party that takes no measures.
    #[error("recommendation {recommendation}: {party} is {role}; recommendations go to the parties bound by the charter")]
    NotRecommendable {
        /// The recommendation.
        recommendation: RecommendationId,
        /// The party named.
        party: PartyId,
        /// Its role.
        role: Role,
    },
    /// A meeting record with no attendee.
    #[error("meeting {meeting}: a meeting record names at least one attendee")]
    NoAttendees {
        /// The meeting.
        meeting: MeetingId,
    },
    /// A cosignature by a party that did not attend.
    #[error("{party} did not attend meeting {meeting}: only its attendees cosign its record")]
    NotAttendee {
        /// The meeting.
        meeting: MeetingId,
        /// The party that tried.
        party: PartyId,
    },
    /// A cosignature by the meeting's recorder.
    #[error("meeting {meeting}: {party} recorded it, and its record is its signature; only the other attendees cosign")]
    RecorderCosigns {
        /// The meeting.
        meeting: MeetingId,
        /// The recorder.
        party: PartyId,
    },
}

/// Why an entry could not be built for a signer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The signing key belongs to no party's current key in this ledger.
    #[error("key {0} is not the key of any party of this ledger")]
    UnknownKey(KeyId),
    /// The signing key was a party's, and was rotated or revoked.
    #[error("key {key} was {party}'s until a rotation or revocation (it signs nothing from entry {until} on): sign with {party}'s current key")]
    FormerKey {
        /// The key's id.
        key: KeyId,
        /// The party that held it.
        party: PartyId,
        /// The entry from which it no longer signs.
        until: u64,
    },
    /// The entry could not be encoded.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The signing key was the last key of a party removed by amendment.
    #[error(transparent)]
    Removed(Box<Violation>),
}
