//! Size limits that the codec and the rules enforce. They are part of the
//! format: changing one changes which entries are valid.

/// Largest encoded entry accepted by the decoder, in bytes.
pub const MAX_ENTRY_BYTES: usize = 1 << 20;
/// Longest identifier (party, clause), in bytes.
pub const MAX_ID_BYTES: usize = 64;
/// Longest title or name, in bytes.
pub const MAX_TITLE_BYTES: usize = 256;
/// Longest free text (a clause's text), in bytes.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Most parties a charter may name.
pub const MAX_PARTIES: usize = 256;
/// How far back (in entries) the head an author saw when signing may lie.
pub const SEEN_WINDOW: u64 = 256;
/// Most evidence files one allegation or response may list.
pub const MAX_EVIDENCE: usize = 256;
/// Most commitments an allegation or a ruling may name.
pub const MAX_LIST: usize = 256;
/// Earliest time an entry may carry (or name): 0000-01-01T00:00:00Z.
pub const MIN_TIME: i64 = -62_167_219_200;
/// Latest time an entry may carry (or name): 9999-12-31T23:59:59Z. Every
/// time in range has an RFC 3339 form.
pub const MAX_TIME: i64 = 253_402_300_799;
