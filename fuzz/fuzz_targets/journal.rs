//! Fuzz target: bytes into `oqs_net::fuzzing::journal_bytes`, which must name a result, never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let named = oqs_net::fuzzing::journal_bytes(data);
    assert!(!named.is_empty());
});
