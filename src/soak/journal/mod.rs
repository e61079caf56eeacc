//! The journal: JSON Lines, append-only, one record per line, readable with `jq` or any text tool.
//! A header names the profile, the version and the settings; then a record per finished round,
//! events (flap start and end, answer-set changes), notes, resume markers and an end marker.
//! The records are in [`record`], the writer in [`writer`], the reader in [`reader`]; everything
//! is used through this module's paths. Depends on `model` (and `platform` to name a lock
//! violation) only.
//!
//! # Crash safety
//! Each round's lines are serialised into one buffer, written with one `write_all` under the
//! journal's lock, then `fdatasync`ed, before anything reports the round as done. A crash, kill -9
//! or power loss can therefore cut only the record being written; the reader detects a torn last
//! line and skips it with a note, and a resumed soak first ends that line so its own records start
//! on a fresh line.
//!
//! # One writer
//! A writer holds an exclusive lock on its journal's file for as long as it lives (on every
//! system: `flock` on Linux, `LockFileEx` on Windows), so a second soak on the same journal is
//! refused with [`JournalError::InUse`] instead of interleaving its records.
//!
//! # Hostile input
//! A journal is read as untrusted text: lines longer than [`MAX_LINE`] are skipped with a note
//! (never buffered), damaged lines and unknown record types are skipped with a note, and notes are
//! bounded.

mod reader;
mod record;
mod writer;

pub use reader::{JournalReader, open, read_header};
pub use record::{
    EndReason, EndRecord, Event, EventRecord, Header, LabSettings, NoteRecord, ProfileRef, Record,
    ResumeRecord, RoundRecord, Settings, TargetRecord,
};
pub use writer::{JournalWriter, Sink};

use std::io;
use std::path::{Path, PathBuf};

/// Bumped when a record's field is removed or changes meaning (additions keep the number).
pub const JOURNAL_VERSION: u32 = 1;
/// Longest line the reader accepts (a round of a few hundred targets fits easily).
pub const MAX_LINE: usize = 1 << 20;

/// RFC 3339 (UTC, milliseconds) of Unix milliseconds.
pub fn rfc3339(ts_ms: i64) -> String {
    crate::model::Stamp(ts_ms).rfc3339()
}

/// Wall-clock now in Unix milliseconds.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "the journal {path} already exists: continue it with `oqs-net soak --resume {path}`, or give another --journal"
    )]
    Exists { path: String },
    /// Another soak holds the journal's lock: it is writing there now.
    #[error(
        "the journal {path} is being written by another oqs-net soak; stop that one first, or give another --journal"
    )]
    InUse { path: String },
    #[error("cannot create the journal {path}: {source}")]
    Create {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot open the journal {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot write the journal {path} (after {records} records were safely written): {source}"
    )]
    Write {
        path: String,
        records: u64,
        #[source]
        source: io::Error,
    },
    #[error("cannot read the journal {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not an oqs-net journal: {reason}")]
    NotAJournal { path: String, reason: String },
    #[error(
        "{path} is journal format {found}; this oqs-net reads format {JOURNAL_VERSION} or older"
    )]
    TooNew { path: String, found: u32 },
}

impl JournalError {
    /// A failed read of the journal at `path`. Where locks bar reading (Windows), a journal
    /// another soak holds is named as such rather than as an I/O error.
    pub fn read(path: &Path, source: io::Error) -> JournalError {
        let path = path.display().to_string();
        if crate::platform::is_lock_violation(&source) {
            JournalError::InUse { path }
        } else {
            JournalError::Read { path, source }
        }
    }

    pub fn as_label(&self) -> &'static str {
        match self {
            JournalError::Exists { .. } => "journal_exists",
            JournalError::InUse { .. } => "journal_in_use",
            JournalError::Create { .. } => "journal_create",
            JournalError::Open { .. } => "journal_open",
            JournalError::Write { .. } => "journal_write",
            JournalError::Read { .. } => "journal_read",
            JournalError::NotAJournal { .. } => "journal_invalid",
            JournalError::TooNew { .. } => "journal_too_new",
        }
    }
}

/// The journal's path as given, made absolute for the header and messages.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
pub(crate) mod tests {
    //! Records the tests of the journal, the report and the soak build on.
    use super::*;
    use crate::model::Status;
    use std::collections::BTreeMap;

    pub(crate) fn header() -> Header {
        Header {
            journal_version: JOURNAL_VERSION,
            tool_version: "0.1.0".into(),
            started_at: rfc3339(1_700_000_000_000),
            ts: 1_700_000_000_000,
            profile: ProfileRef {
                name: "ipsec-production".into(),
                source: "builtin:ipsec-production".into(),
                mode: "ipsec".into(),
                environment: "production".into(),
                provider: None,
                toml: None,
            },
            settings: Settings {
                interval_ms: 1000,
                duration_ms: Some(60_000),
                rounds: None,
                flap_high_pct: 30.0,
                flap_low_pct: 20.0,
                slowness: Default::default(),
                round: crate::model::RoundSettings {
                    deadline_ms: 900,
                    ..Default::default()
                },
                started: Default::default(),
                lab: None,
            },
        }
    }

    pub(crate) fn round(seq: u64, ts: i64, up: bool) -> RoundRecord {
        RoundRecord {
            seq,
            ts,
            at: rfc3339(ts),
            dur_ms: 3.5,
            overrun: false,
            skipped: 0,
            status: if up { Status::Pass } else { Status::Fail },
            targets: vec![TargetRecord {
                id: "ntp:127.0.0.12:123".into(),
                kind: "ntp".into(),
                up,
                status: if up { Status::Pass } else { Status::Fail },
                codes: if up {
                    vec![]
                } else {
                    vec!["ntp.no_reply".into()]
                },
                via: vec!["ntp.example".into()],
                lat: if up {
                    BTreeMap::from([("ntp".to_string(), vec![0.25, 0.5])])
                } else {
                    BTreeMap::new()
                },
                offset_ms: up.then_some(0.125),
                sets: BTreeMap::new(),
                auto_detect: None,
                proxy_source: None,
                cert: None,
                way: None,
            }],
        }
    }

    pub(crate) fn bytes_of(records: &[Record]) -> Vec<u8> {
        let mut v = Vec::new();
        for r in records {
            serde_json::to_writer(&mut v, r).unwrap();
            v.push(b'\n');
        }
        v
    }
}
