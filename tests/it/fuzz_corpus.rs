//! Issue 13: the fuzz targets' corpora (`fuzz/corpus/TARGET/*`, kept minimised) replayed on stable
//! Rust without a fuzzer, through the same entry points the targets call: every input the fuzzers
//! kept ends in a named result, never a panic. The fuzzers themselves run apart (README,
//! development).

use std::path::PathBuf;
use std::time::Instant;

type Entry = fn(&[u8]) -> Vec<String>;

/// Each fuzz target and the entry point it calls (`fuzz/fuzz_targets/TARGET.rs`).
const TARGETS: [(&str, Entry); 5] = [
    ("ntp_reply", oqs_net::fuzzing::ntp_reply),
    ("dns_reply", oqs_net::fuzzing::dns_reply),
    ("pac_result", oqs_net::fuzzing::pac_result),
    ("profile", oqs_net::fuzzing::profile_file),
    ("journal", oqs_net::fuzzing::journal_bytes),
];

#[test]
fn every_fuzz_corpus_input_ends_in_a_named_result() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (target, entry) in TARGETS {
        let dir = root.join(target);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(files.len() >= 5, "{target}: {} inputs", files.len());
        let started = Instant::now();
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let named = entry(&bytes);
            assert!(
                !named.is_empty() && named.iter().all(|n| !n.is_empty()),
                "{}: {named:?}",
                f.display()
            );
        }
        eprintln!(
            "{target}: {} inputs replayed in {:?}",
            files.len(),
            started.elapsed()
        );
    }
}
