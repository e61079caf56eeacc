//! Fuzz target: bytes into `oqs_net::fuzzing::ntp_reply`, which must name a result, never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let named = oqs_net::fuzzing::ntp_reply(data);
    assert!(!named.is_empty());
});
