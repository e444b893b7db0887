//! Reading and checking a dispute bundle never panics, whatever the bytes:
//! every refusal is a `BundleError`.
#![no_main]

use accord_core::bundle::{check, Bundle, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(bundle) = Bundle::from_json(data) {
        let _ = check(&bundle, &Policy::default());
    }
});
