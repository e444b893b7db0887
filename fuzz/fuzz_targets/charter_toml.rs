//! Charter parsing never panics; whatever it accepts is a valid charter
//! that encodes canonically.
#![no_main]

use accord_ledger::charter_toml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(charter) = charter_toml::parse(text, |_| Err("no files".into())) {
        charter.validate().expect("parse only returns valid charters");
        let bytes = accord_core::codec::encode(&charter).expect("encodes");
        let back: accord_core::Charter = accord_core::codec::decode(&bytes).expect("decodes");
        assert_eq!(back, charter);
    }
});
