//! Parsing one IVS log envelope (bytes of one JSON object) into a [`ChatRow`].
//!
//! Pure: no I/O. By phase, one file each:
//! - this file: the API ([`parse_envelope_fields`], [`parse_envelope`], [`parse_item`]);
//! - `raw.rs`: the raw fields of an envelope, as read, before any check;
//! - `fast.rs`: a hand-written scanner for the shape IVS writes, filling the raw fields;
//! - `visitors.rs`: the serde visitors that fill the same raw fields from any JSON (known
//!   fields by name, unknown fields kept as JSON text, a wrong type names its field);
//! - `validate.rs`: the contract's checks on the raw fields, shared by both readers, and
//!   every error they give;
//! - `parsed.rs`: the validated form, [`ParsedEnvelope`] (strings borrowed from the
//!   input), and how it becomes a row;
//! - `strmap.rs`: [`StrMap`], the borrowed attribute maps;
//! - `vocab.rs`: the closed vocabularies, [`RecordType`] and [`SystemEvent`].
//!
//! The core, [`parse_envelope_fields`], borrows every string without escapes from the
//! input; [`parse_envelope`] turns that into an owned [`ChatRow`]. The ingestion hot path
//! appends the borrowed form straight into the sinks (see [`ParsedEnvelope::row`]), so
//! both paths share one parser.

use crate::error::IngestError;
use crate::quarantine::{Item, QuarantineEntry};
use crate::record::{ChatRow, Position, SourceContext};

mod fast;
mod parsed;
mod raw;
mod strmap;
mod validate;
mod visitors;
mod vocab;

#[cfg(test)]
mod tests;

pub use parsed::ParsedEnvelope;
pub use strmap::StrMap;
pub use vocab::{RecordType, SystemEvent, SYSTEM_EVENT_PREFIX};

use raw::RawEnvelope;

/// Parses one envelope; `Err` is a record error of [`IngestError`] (what was wrong, what
/// was expected), whose text is the quarantine reason.
pub fn parse_envelope(
    bytes: &[u8],
    ctx: &SourceContext,
    pos: Position,
) -> Result<ChatRow, IngestError> {
    parse_envelope_fields(bytes).map(|e| e.into_row(ctx, pos))
}

/// Parses one envelope into an [`Item`]: the row, or a quarantine entry carrying the raw bytes.
pub fn parse_item(bytes: &[u8], ctx: &SourceContext, pos: Position) -> Item {
    match parse_envelope(bytes, ctx, pos) {
        Ok(r) => Item::Record(Box::new(r)),
        Err(reason) => Item::Quarantined(Box::new(quarantine_entry(bytes, ctx, pos, &reason))),
    }
}

/// The quarantine entry for an envelope that did not parse (`reason` from the parser).
pub fn quarantine_entry(
    bytes: &[u8],
    ctx: &SourceContext,
    pos: Position,
    reason: &IngestError,
) -> QuarantineEntry {
    QuarantineEntry::new(
        &ctx.source,
        pos,
        reason.to_string(),
        bytes,
        bytes.len() as u64,
    )
}

/// Parses one envelope without copying its strings: the validated envelope fields,
/// borrowed from `bytes` (strings with JSON escapes are unescaped into owned copies).
///
/// Same validation and error wording as [`parse_envelope`]; what the delivery knows
/// (account, room, source, position) is added by [`ParsedEnvelope::row`] or
/// [`ParsedEnvelope::into_row`].
///
/// Envelopes in the shape IVS writes go through a hand-written scanner (`fast.rs`);
/// anything it is not sure about goes through serde ([`parse_envelope_fields_serde`]).
/// Both build the same raw fields and share one validation, so the result is the same.
pub fn parse_envelope_fields(bytes: &[u8]) -> Result<ParsedEnvelope<'_>, IngestError> {
    let mut raw = RawEnvelope::default();
    if fast::parse_into(bytes, &mut raw) {
        return raw.validate();
    }
    parse_envelope_fields_serde(bytes)
}

/// [`parse_envelope_fields`] through serde only (the reference the fast path is tested
/// against; not for production use).
#[doc(hidden)]
pub fn parse_envelope_fields_serde(bytes: &[u8]) -> Result<ParsedEnvelope<'_>, IngestError> {
    let raw: RawEnvelope =
        serde_json::from_slice(bytes).map_err(|e| visitors::describe_json_error(&e))?;
    raw.validate()
}

/// True when [`parse_envelope_fields`] takes the fast path for `bytes` (for tests and
/// benchmarks: the fast path must not silently always fall back).
#[doc(hidden)]
pub fn fast_path_handles(bytes: &[u8]) -> bool {
    fast::parse_into(bytes, &mut RawEnvelope::default())
}
