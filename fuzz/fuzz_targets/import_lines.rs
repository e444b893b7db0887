//! Reading an export never panics: every line yields an entry or one error,
//! and reading stops at the first error.
#![no_main]

use accord_ledger::export;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut seen_error = false;
    for item in export::read(data) {
        assert!(!seen_error, "reading went on after an error");
        match item {
            Ok(entry) => {
                let line = export::line(&entry);
                assert_eq!(line["seq"].as_u64(), Some(entry.seq()));
            }
            Err(e) => {
                assert!(!e.to_string().contains('\n'), "errors are one line");
                seen_error = true;
            }
        }
    }
});
