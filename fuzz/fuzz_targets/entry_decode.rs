//! Entry decoding never panics, and whatever decodes re-encodes to exactly
//! the input (one encoding per value).
#![no_main]

use accord_core::Sealed;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = Sealed::from_bytes(data.to_vec()) {
        let again = Sealed::seal(entry.entry.clone()).expect("a decoded entry encodes");
        assert_eq!(again.bytes, data, "decode then encode changed the bytes");
        assert_eq!(again.hash, entry.hash);
        // Checking a signature or a seen head on garbage must not panic.
        let _ = entry.signature_valid(&accord_core::PublicKey([9; 32]));
    }
});
