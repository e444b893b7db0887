//! The canonical codec: the only module that calls bincode.
//!
//! Bytes are bincode 2.0.1 with one pinned configuration (fixed-width little
//! endian integers, a size limit), which is byte-identical to bincode 1's
//! `serialize`. Decoding is strict: every input byte must be consumed and the
//! decoded value must re-encode to exactly the input, so each value has one
//! and only one encoding. docs/FORMAT.md is the contract; this is one
//! implementation of it.

use serde::{de::DeserializeOwned, Serialize};

use crate::limits::MAX_ENTRY_BYTES;

const CONFIG: bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Fixint,
    bincode::config::Limit<MAX_ENTRY_BYTES>,
> = bincode::config::standard()
    .with_little_endian()
    .with_fixed_int_encoding()
    .with_limit::<MAX_ENTRY_BYTES>();

/// Derived data (state snapshots) is not signed and may be large; it uses
/// the same encoding with a higher size limit.
const DERIVED_CONFIG: bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Fixint,
    bincode::config::Limit<MAX_DERIVED_BYTES>,
> = bincode::config::standard()
    .with_little_endian()
    .with_fixed_int_encoding()
    .with_limit::<MAX_DERIVED_BYTES>();
const MAX_DERIVED_BYTES: usize = 1 << 30;

/// Why a value could not be encoded, or bytes are not the canonical encoding of one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The value cannot be encoded (the encoder's reason).
    #[error("cannot encode: {0}")]
    Encode(String),
    /// The bytes do not decode (the decoder's reason).
    #[error("malformed encoding: {0}")]
    Decode(String),
    /// Bytes are left over after a complete value (how many).
    #[error("{0} trailing bytes after the value")]
    Trailing(usize),
    /// The bytes decode, but are not the value's one canonical encoding.
    #[error("non-canonical encoding (re-encoding gives different bytes)")]
    NonCanonical,
    /// The encoding exceeds the size limit (its size in bytes).
    #[error("the encoding is {0} bytes; the limit is {MAX_ENTRY_BYTES} bytes")]
    TooLarge(usize),
}

/// Encodes a value in the canonical form, refusing one larger than an
/// entry may be (bincode's limit binds only its decoder), so nothing can be
/// signed or stored that a reader would refuse.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    let bytes = bincode::serde::encode_to_vec(value, CONFIG)
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    if bytes.len() > MAX_ENTRY_BYTES {
        return Err(CodecError::TooLarge(bytes.len()));
    }
    Ok(bytes)
}

/// Decodes a value, accepting only its canonical encoding.
pub fn decode<T: Serialize + DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, used): (T, usize) = bincode::serde::decode_from_slice(bytes, CONFIG)
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    if used != bytes.len() {
        return Err(CodecError::Trailing(bytes.len() - used));
    }
    if encode(&value)? != bytes {
        return Err(CodecError::NonCanonical);
    }
    Ok(value)
}

/// Encodes derived (unsigned) data such as a state snapshot.
pub fn encode_derived<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    bincode::serde::encode_to_vec(value, DERIVED_CONFIG)
        .map_err(|e| CodecError::Encode(e.to_string()))
}

/// Decodes derived data; trailing bytes are refused.
pub fn decode_derived<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, used): (T, usize) = bincode::serde::decode_from_slice(bytes, DERIVED_CONFIG)
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    if used != bytes.len() {
        return Err(CodecError::Trailing(bytes.len() - used));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_little_endian() {
        assert_eq!(encode(&1u64).unwrap(), [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            encode(&"ab".to_string()).unwrap(),
            [2, 0, 0, 0, 0, 0, 0, 0, b'a', b'b']
        );
    }

    #[test]
    fn rejects_trailing_bytes() {
        assert_eq!(
            decode::<u32>(&[1, 0, 0, 0, 9]),
            Err(CodecError::Trailing(1))
        );
    }

    #[test]
    fn rejects_non_canonical_bool() {
        assert!(decode::<bool>(&[2]).is_err());
    }

    #[test]
    fn refuses_to_encode_what_it_would_refuse_to_decode() {
        let fits = vec![7u8; MAX_ENTRY_BYTES - 8];
        let bytes = encode(&fits).unwrap();
        assert_eq!(bytes.len(), MAX_ENTRY_BYTES);
        assert_eq!(decode::<Vec<u8>>(&bytes).unwrap(), fits);
        let over = vec![7u8; MAX_ENTRY_BYTES - 7];
        assert_eq!(
            encode(&over),
            Err(CodecError::TooLarge(MAX_ENTRY_BYTES + 1))
        );
    }

    #[test]
    fn rejects_oversize_length() {
        let mut bytes = (u64::MAX).to_le_bytes().to_vec();
        bytes.push(0);
        assert!(decode::<String>(&bytes).is_err());
    }
}
