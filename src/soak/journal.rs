//! The journal: JSON Lines, append-only, one record per line, readable with `jq` or any text tool.
//! A header names the profile, the version and the settings; then a record per finished round,
//! events (flap start and end, answer-set changes), notes, resume markers and an end marker.
//!
//! # Crash safety
//! Each round's lines are serialised into one buffer, written with one `write_all` under the
//! journal's lock, then `fdatasync`ed, before anything reports the round as done. A crash, kill -9
//! or power loss can therefore cut only the record being written; the reader detects a torn last
//! line and skips it with a note, and a resumed soak first ends that line so its own records start
//! on a fresh line.
//!
//! # Hostile input
//! A journal is read as untrusted text: lines longer than [`MAX_LINE`] are skipped with a note
//! (never buffered), damaged lines and unknown record types are skipped with a note, and notes are
//! bounded. Depends on `model` only.
//!
//! # Test hook
//! `OQS_NET_JOURNAL_PAUSE_MS=N` makes the writer write each buffer in two halves N ms apart, so a
//! test can kill the process in the middle of a record and check the torn line is handled.

use crate::model::{RoundSettings, StartFacts, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Bumped when a record's field is removed or changes meaning (additions keep the number).
pub const JOURNAL_VERSION: u32 = 1;
/// Longest line the reader accepts (a round of a few hundred targets fits easily).
pub const MAX_LINE: usize = 1 << 20;
/// Notes kept by the reader; more are only counted.
const MAX_NOTES: usize = 100;

/// The first line: what was soaked, how, and by which version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub journal_version: u32,
    pub tool_version: String,
    pub started_at: String,
    /// Unix milliseconds.
    pub ts: i64,
    pub profile: ProfileRef,
    pub settings: Settings,
}

/// The profile a soak ran, enough to run it again on `--resume`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileRef {
    pub name: String,
    /// `builtin:NAME` or the file it was read from.
    pub source: String,
    pub mode: String,
    pub environment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// A profile file's text, so a resume does not depend on the file still being there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toml: Option<String>,
}

/// The soak's settings as given (after defaults), for the report and for `--resume`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub interval_ms: u64,
    /// `None`: until stopped.
    pub duration_ms: Option<u64>,
    /// Stop after this many rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u64>,
    pub flap_high_pct: f64,
    pub flap_low_pct: f64,
    /// What shapes every round (the flags of `probe` too): `--resume` restores all of it.
    #[serde(flatten)]
    pub round: RoundSettings,
    /// The certificate presented and the proxy sources, as the soak found them at its start.
    #[serde(default, skip_serializing_if = "is_default")]
    pub started: StartFacts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<LabSettings>,
}

fn is_default(s: &StartFacts) -> bool {
    *s == StartFacts::default()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabSettings {
    /// A built-in scenario name or a scenario file's absolute path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// A built-in fault schedule's name, or the file it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<String>,
    /// A fault file's text, so a resume runs the same schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults_toml: Option<String>,
    #[serde(default)]
    pub latency_ms: u64,
    /// The lab's NTP port, so a resumed soak's lab serves the same addresses (target names
    /// include the port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntp_port: Option<u16>,
}

/// One finished round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    /// 1, 2, 3... over the whole journal, resumes included.
    pub seq: u64,
    /// When the round started, Unix milliseconds (the segment's start plus monotonic time).
    pub ts: i64,
    pub at: String,
    pub dur_ms: f64,
    /// It ran past the start of the next slot.
    #[serde(default, skip_serializing_if = "is_false")]
    pub overrun: bool,
    /// Slots skipped because of the overrun.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped: u64,
    pub status: Status,
    pub targets: Vec<TargetRecord>,
}

/// One target's result in a round: a "probe record".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetRecord {
    pub id: String,
    pub kind: String,
    pub up: bool,
    pub status: Status,
    /// Finding codes the round gave this target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
    /// For an address: the names that led to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    /// Latencies in ms per phase (`dns`: each answered query; `ntp`: each exchange's delay).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lat: BTreeMap<String, Vec<f64>>,
    /// NTP: the minimum-delay sample's offset, server minus local, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_ms: Option<f64>,
    /// DNS: the answer set per family (`ipv4`, `ipv6`), sorted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sets: BTreeMap<String, Vec<String>>,
    /// `proxy:settings`: whether "Automatically detect settings" (WPAD) was on in the deciding
    /// settings. Absent elsewhere, and in journals written before it was recorded: unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_detect: Option<bool>,
    /// `proxy:settings`: the source whose settings decided (`wininet`, `environment`...);
    /// absent when none did (everything DIRECT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_source: Option<String>,
}

/// Something the soak noticed as it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    pub ts: i64,
    pub at: String,
    /// The round that caused it.
    pub seq: u64,
    pub target: String,
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    FlapStart {
        score_pct: f64,
    },
    FlapEnd {
        score_pct: f64,
        peak_pct: f64,
    },
    SetChanged {
        family: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteRecord {
    pub ts: i64,
    pub at: String,
    pub text: String,
}

/// A resumed soak starts a new segment here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResumeRecord {
    pub ts: i64,
    pub at: String,
    pub tool_version: String,
    /// What was left of the duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_ms: Option<u64>,
    /// The round settings the resumed soak runs with (the header's; only where the PFX password
    /// comes from may differ). Absent in journals written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<RoundSettings>,
    /// The certificate and proxy sources as the resumed soak found them.
    #[serde(default, skip_serializing_if = "is_default")]
    pub started: StartFacts,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The duration (or the number of rounds) was reached.
    Completed,
    /// Stopped with Ctrl-C.
    Interrupted,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndRecord {
    pub ts: i64,
    pub at: String,
    pub reason: EndReason,
    /// Rounds recorded in this segment.
    pub rounds: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Header(Box<Header>),
    Round(RoundRecord),
    Event(EventRecord),
    Note(NoteRecord),
    Resume(Box<ResumeRecord>),
    End(EndRecord),
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

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
    pub fn as_label(&self) -> &'static str {
        match self {
            JournalError::Exists { .. } => "journal_exists",
            JournalError::Create { .. } => "journal_create",
            JournalError::Open { .. } => "journal_open",
            JournalError::Write { .. } => "journal_write",
            JournalError::Read { .. } => "journal_read",
            JournalError::NotAJournal { .. } => "journal_invalid",
            JournalError::TooNew { .. } => "journal_too_new",
        }
    }
}

/// Where the journal's bytes go: a file, or a stand-in in tests.
pub trait Sink: Write {
    /// Makes what was written durable (fdatasync for a file).
    fn sync(&mut self) -> io::Result<()>;
}

impl Sink for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// Appends records, one buffer and one sync per call.
pub struct JournalWriter<W: Sink = File> {
    out: W,
    path: String,
    records: u64,
    /// Test hook (module docs).
    pause: Option<Duration>,
    /// A write failed; the soak must stop (nothing after it would be trustworthy).
    broken: bool,
}

impl JournalWriter<File> {
    /// Creates a new journal; refuses to touch an existing file.
    pub fn create(path: &Path) -> Result<Self, JournalError> {
        let shown = path.display().to_string();
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(path)
            .map_err(|source| match source.kind() {
                io::ErrorKind::AlreadyExists => JournalError::Exists {
                    path: shown.clone(),
                },
                _ => JournalError::Create {
                    path: shown.clone(),
                    source,
                },
            })?;
        // Make the new file's name durable too, so a power cut cannot lose the whole journal.
        if let Some(dir) = path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(Self::from_sink(file, shown))
    }

    /// Opens an existing journal to append to it (see [`JournalWriter::continue_file`]).
    pub fn open_existing(path: &Path) -> Result<File, JournalError> {
        OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(|source| JournalError::Open {
                path: path.display().to_string(),
                source,
            })
    }

    /// Continues a journal opened with [`JournalWriter::open_existing`] (and locked by the
    /// caller). When its last line is torn (no newline), ends it first so new records start on
    /// their own line; returns a note saying so.
    pub fn continue_file(
        mut file: File,
        path: &Path,
    ) -> Result<(Self, Option<String>), JournalError> {
        let shown = path.display().to_string();
        let open_err = |source| JournalError::Open {
            path: shown.clone(),
            source,
        };
        let len = file.metadata().map_err(open_err)?.len();
        let mut note = None;
        if len > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))
                .and_then(|_| file.read_exact(&mut last))
                .map_err(open_err)?;
            if last[0] != b'\n' {
                let tail = torn_tail_len(&mut file, len).map_err(open_err)?;
                file.write_all(b"\n")
                    .and_then(|_| file.sync_data())
                    .map_err(|source| JournalError::Write {
                        path: shown.clone(),
                        records: 0,
                        source,
                    })?;
                note = Some(format!(
                    "the journal's last record was torn ({tail} bytes, cut off while it was being written); it was ended with a newline and is skipped"
                ));
            }
        }
        Ok((Self::from_sink(file, shown), note))
    }

    /// [`JournalWriter::open_existing`] then [`JournalWriter::continue_file`], unlocked.
    pub fn reopen(path: &Path) -> Result<(Self, Option<String>), JournalError> {
        Self::continue_file(Self::open_existing(path)?, path)
    }
}

/// Length of the last, unterminated line of a file of `len` bytes.
fn torn_tail_len(file: &mut File, len: u64) -> io::Result<u64> {
    let start = len.saturating_sub(MAX_LINE as u64 + 1);
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::new();
    file.take(len - start).read_to_end(&mut buf)?;
    Ok(match buf.iter().rposition(|&b| b == b'\n') {
        Some(i) => (buf.len() - i - 1) as u64,
        None => buf.len() as u64,
    })
}

impl<W: Sink> JournalWriter<W> {
    pub fn from_sink(out: W, path: String) -> Self {
        let pause = std::env::var("OQS_NET_JOURNAL_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis);
        JournalWriter {
            out,
            path,
            records: 0,
            pause,
            broken: false,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Where the records go (the journal's file).
    pub fn sink(&self) -> &W {
        &self.out
    }

    /// Records written by this writer.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Writes `records` as one buffer and syncs it. After an error the writer refuses further
    /// writes, so nothing is appended after a torn record.
    pub fn write(&mut self, records: &[Record]) -> Result<(), JournalError> {
        let fail = |w: &mut Self, source| {
            w.broken = true;
            JournalError::Write {
                path: w.path.clone(),
                records: w.records,
                source,
            }
        };
        if self.broken {
            return Err(fail(
                self,
                io::Error::other("an earlier write failed; the journal is closed"),
            ));
        }
        let mut buf = Vec::with_capacity(1024);
        for r in records {
            serde_json::to_writer(&mut buf, r).map_err(|e| fail(self, io::Error::other(e)))?;
            buf.push(b'\n');
        }
        let result = match self.pause {
            Some(pause) if buf.len() > 1 => {
                let (a, b) = buf.split_at(buf.len() / 2);
                self.out
                    .write_all(a)
                    .and_then(|_| self.out.flush())
                    .and_then(|_| {
                        std::thread::sleep(pause);
                        self.out.write_all(b)
                    })
            }
            _ => self.out.write_all(&buf),
        };
        result
            .and_then(|_| self.out.flush())
            .and_then(|_| self.out.sync())
            .map_err(|e| fail(self, e))?;
        self.records += records.len() as u64;
        Ok(())
    }
}

/// How one line read went.
enum Line {
    /// In `buf`, newline stripped.
    Complete,
    /// The last line had no newline; in `buf`.
    Unterminated,
    /// Longer than [`MAX_LINE`]; discarded.
    Overlong {
        len: usize,
    },
    Eof,
}

/// Reads records one line at a time, in bounded memory, noting what it had to skip.
pub struct JournalReader<R> {
    inner: R,
    buf: Vec<u8>,
    line: u64,
    notes: Vec<String>,
    notes_total: u64,
}

impl<R: BufRead> JournalReader<R> {
    pub fn new(inner: R) -> Self {
        JournalReader {
            inner,
            buf: Vec::with_capacity(4096),
            line: 0,
            notes: Vec::new(),
            notes_total: 0,
        }
    }

    /// Line number of the record last returned.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// What was skipped, and why (at most a hundred, then a count).
    pub fn notes(&self) -> Vec<String> {
        let mut v = self.notes.clone();
        if self.notes_total > self.notes.len() as u64 {
            v.push(format!(
                "{} more notes not shown",
                self.notes_total - self.notes.len() as u64
            ));
        }
        v
    }

    fn note(&mut self, text: String) {
        self.notes_total += 1;
        if self.notes.len() < MAX_NOTES {
            self.notes.push(text);
        }
    }

    fn read_line(&mut self) -> io::Result<Line> {
        self.buf.clear();
        let mut overlong = false;
        let mut total = 0usize;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                return Ok(match (total, overlong) {
                    (0, _) => Line::Eof,
                    (len, true) => Line::Overlong { len },
                    _ => Line::Unterminated,
                });
            }
            let newline = avail.iter().position(|&b| b == b'\n');
            let chunk = &avail[..newline.unwrap_or(avail.len())];
            total += chunk.len();
            if !overlong {
                if self.buf.len() + chunk.len() > MAX_LINE {
                    overlong = true;
                    self.buf = Vec::with_capacity(4096);
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            let used = chunk.len() + usize::from(newline.is_some());
            self.inner.consume(used);
            if newline.is_some() {
                return Ok(if overlong {
                    Line::Overlong { len: total }
                } else {
                    Line::Complete
                });
            }
        }
    }

    /// The next readable record, skipping (with a note) what cannot be read.
    pub fn next_record(&mut self) -> io::Result<Option<Record>> {
        loop {
            let kind = self.read_line()?;
            self.line += 1;
            let line = self.line;
            match kind {
                Line::Eof => return Ok(None),
                Line::Overlong { len } => {
                    self.note(format!(
                        "line {line}: {len} bytes, longer than the {MAX_LINE} a record may be; skipped"
                    ));
                    continue;
                }
                Line::Complete | Line::Unterminated => {}
            }
            let text = trim_ascii(&self.buf);
            if text.is_empty() {
                continue;
            }
            match parse(text) {
                Ok(r) => return Ok(Some(r)),
                Err(e) => {
                    let len = text.len();
                    let torn = matches!(kind, Line::Unterminated) || is_torn_fragment(text);
                    let note = if matches!(kind, Line::Unterminated) {
                        format!(
                            "line {line}: torn last record ({len} bytes, cut off while it was being written); skipped"
                        )
                    } else if torn {
                        format!(
                            "line {line}: torn record ({len} bytes, cut off by a crash before a resume); skipped"
                        )
                    } else {
                        format!("line {line}: unreadable record skipped ({e})")
                    };
                    self.note(note);
                }
            }
        }
    }
}

/// A line that starts like a record but stops in the middle (what a crash leaves).
fn is_torn_fragment(text: &[u8]) -> bool {
    text.starts_with(b"{\"type\":\"") && !text.ends_with(b"}")
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &b[start..end]
}

#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

/// One line into a record. Round records (nearly every line) go straight into their struct;
/// anything else through the tagged enum. Unknown record types are an error the caller notes.
fn parse(text: &[u8]) -> Result<Record, String> {
    if text.starts_with(br#"{"type":"round","#) {
        return serde_json::from_slice::<RoundRecord>(text)
            .map(Record::Round)
            .map_err(|e| e.to_string());
    }
    match serde_json::from_slice::<Record>(text) {
        Ok(r) => Ok(r),
        Err(e) => match serde_json::from_slice::<TypeOnly>(text) {
            Ok(t)
                if !matches!(
                    t.kind.as_ref(),
                    "header" | "round" | "event" | "note" | "resume" | "end"
                ) =>
            {
                Err(format!("unknown record type `{}`", t.kind))
            }
            _ => Err(e.to_string()),
        },
    }
}

/// Opens a journal for reading and checks its header.
pub fn open(path: &Path) -> Result<(Header, JournalReader<BufReader<File>>), JournalError> {
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|source| JournalError::Open {
        path: shown.clone(),
        source,
    })?;
    let meta = file.metadata().map_err(|source| JournalError::Open {
        path: shown.clone(),
        source,
    })?;
    if meta.is_dir() {
        return Err(JournalError::NotAJournal {
            path: shown,
            reason: "it is a directory".into(),
        });
    }
    let mut reader = JournalReader::new(BufReader::with_capacity(1 << 16, file));
    let header = read_header(&mut reader, &shown)?;
    Ok((header, reader))
}

/// The first record, which must be a header of a format this version reads.
pub fn read_header<R: BufRead>(
    reader: &mut JournalReader<R>,
    shown: &str,
) -> Result<Header, JournalError> {
    let first = reader.next_record().map_err(|source| JournalError::Read {
        path: shown.to_string(),
        source,
    })?;
    match first {
        Some(Record::Header(h)) if h.journal_version <= JOURNAL_VERSION => Ok(*h),
        Some(Record::Header(h)) => Err(JournalError::TooNew {
            path: shown.to_string(),
            found: h.journal_version,
        }),
        Some(_) => Err(JournalError::NotAJournal {
            path: shown.to_string(),
            reason: format!("line {} is not a header record", reader.line()),
        }),
        None => Err(JournalError::NotAJournal {
            path: shown.to_string(),
            reason: match reader.notes().first() {
                Some(n) => format!("no header ({n})"),
                None => "it is empty".to_string(),
            },
        }),
    }
}

/// The journal's path as given, made absolute for the header and messages.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

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
                round: RoundSettings {
                    deadline_ms: 900,
                    ..RoundSettings::default()
                },
                started: StartFacts::default(),
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
            }],
        }
    }

    fn bytes_of(records: &[Record]) -> Vec<u8> {
        let mut v = Vec::new();
        for r in records {
            serde_json::to_writer(&mut v, r).unwrap();
            v.push(b'\n');
        }
        v
    }

    fn read_all(bytes: &[u8]) -> (Vec<Record>, Vec<String>) {
        let mut r = JournalReader::new(bytes);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push(rec);
        }
        (out, r.notes())
    }

    #[test]
    fn records_round_trip_and_read_as_plain_json_lines() {
        let records = vec![
            Record::Header(Box::new(header())),
            Record::Round(round(1, 1_700_000_000_000, true)),
            Record::Event(EventRecord {
                ts: 1_700_000_001_000,
                at: rfc3339(1_700_000_001_000),
                seq: 2,
                target: "ntp:127.0.0.12:123".into(),
                event: Event::FlapStart { score_pct: 35.5 },
            }),
            Record::Note(NoteRecord {
                ts: 1,
                at: rfc3339(1),
                text: "lab: member down".into(),
            }),
            Record::Resume(Box::new(ResumeRecord {
                ts: 2,
                at: rfc3339(2),
                tool_version: "0.1.0".into(),
                remaining_ms: Some(5),
                round: None,
                started: StartFacts::default(),
            })),
            Record::End(EndRecord {
                ts: 3,
                at: rfc3339(3),
                reason: EndReason::Completed,
                rounds: 1,
            }),
        ];
        let bytes = bytes_of(&records);
        let text = String::from_utf8(bytes.clone()).unwrap();
        // Every line is a JSON object whose first key names its type.
        for line in text.lines() {
            assert!(line.starts_with("{\"type\":\""), "{line}");
            let _: serde_json::Value = serde_json::from_str(line).unwrap();
        }
        assert!(text.contains(r#""event":"flap_start""#), "{text}");
        let (back, notes) = read_all(&bytes);
        assert_eq!(back, records);
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn torn_last_line_is_skipped_with_a_note() {
        let mut bytes = bytes_of(&[
            Record::Header(Box::new(header())),
            Record::Round(round(1, 1_700_000_000_000, true)),
        ]);
        let whole = bytes_of(&[Record::Round(round(2, 1_700_000_001_000, true))]);
        bytes.extend_from_slice(&whole[..whole.len() / 2]);
        let (back, notes) = read_all(&bytes);
        assert_eq!(back.len(), 2);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("line 3: torn last record"), "{notes:?}");
        // Ended with a newline by a resume, then continued: a torn record in the middle.
        bytes.push(b'\n');
        bytes.extend(bytes_of(&[Record::Round(round(
            3,
            1_700_000_002_000,
            true,
        ))]));
        let (back, notes) = read_all(&bytes);
        assert_eq!(back.len(), 3);
        assert!(notes[0].contains("line 3: torn record"), "{notes:?}");
    }

    #[test]
    fn hostile_lines_are_bounded_and_named() {
        let mut bytes = bytes_of(&[Record::Header(Box::new(header()))]);
        bytes.extend(vec![b'x'; MAX_LINE + 10]);
        bytes.push(b'\n');
        bytes.extend_from_slice(b"not json at all\n");
        bytes.extend_from_slice(b"{\"type\":\"wormhole\",\"x\":1}\n");
        bytes.extend_from_slice(b"\n   \n");
        bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
        bytes.extend_from_slice(b"{\"type\":\"round\",\"seq\":\"NaN\"}\n");
        bytes.extend(bytes_of(&[Record::Round(round(1, 5, false))]));
        let (back, notes) = read_all(&bytes);
        assert_eq!(back.len(), 2, "{notes:?}");
        assert!(notes[0].contains("longer than"), "{notes:?}");
        assert!(notes[1].contains("line 3: unreadable"), "{notes:?}");
        assert!(
            notes[2].contains("unknown record type `wormhole`"),
            "{notes:?}"
        );
        assert!(notes[3].contains("line 7: unreadable"), "{notes:?}");
        assert!(notes[4].contains("line 8: unreadable"), "{notes:?}");
        assert_eq!(notes.len(), 5);
        // Thousands of bad lines: notes stay bounded.
        let junk = b"junk\n".repeat(5000);
        let (_, notes) = read_all(&junk);
        assert_eq!(notes.len(), MAX_NOTES + 1);
        assert!(
            notes[MAX_NOTES].contains("4900 more notes"),
            "{:?}",
            notes.last()
        );
    }

    #[test]
    fn header_is_required_and_versions_checked() {
        let err = |bytes: &[u8]| {
            let mut r = JournalReader::new(bytes);
            read_header(&mut r, "j").unwrap_err()
        };
        assert_eq!(err(b"").as_label(), "journal_invalid");
        assert!(err(b"").to_string().contains("empty"));
        assert_eq!(
            err(&bytes_of(&[Record::Round(round(1, 1, true))])).as_label(),
            "journal_invalid"
        );
        let mut h = header();
        h.journal_version = JOURNAL_VERSION + 1;
        assert_eq!(
            err(&bytes_of(&[Record::Header(Box::new(h))])).as_label(),
            "journal_too_new"
        );
    }

    /// A sink that fails once `limit` bytes have been written, as a full disk does.
    struct Full {
        written: Vec<u8>,
        limit: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let room = self.limit.saturating_sub(self.written.len());
            if room == 0 {
                return Err(io::Error::from_raw_os_error(28));
            }
            let n = room.min(buf.len());
            self.written.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sink for Full {
        fn sync(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_disk_is_a_named_error_and_closes_the_journal() {
        let head = bytes_of(&[Record::Header(Box::new(header()))]).len();
        let mut w = JournalWriter::from_sink(
            Full {
                written: Vec::new(),
                limit: head + 40,
            },
            "j.jsonl".into(),
        );
        w.write(&[Record::Header(Box::new(header()))]).unwrap();
        let e = w
            .write(&[Record::Round(round(1, 1, true))])
            .expect_err("disk full");
        assert_eq!(e.as_label(), "journal_write");
        let text = e.to_string();
        assert!(
            text.contains("j.jsonl") && text.contains("after 1 records"),
            "{text}"
        );
        assert!(text.to_lowercase().contains("no space"), "{text}");
        // Nothing more is written after the failure.
        let e = w.write(&[Record::Round(round(2, 2, true))]).unwrap_err();
        assert!(e.to_string().contains("earlier write failed"), "{e}");
        assert_eq!(w.records(), 1);
    }

    #[test]
    fn create_refuses_an_existing_file_and_reopen_ends_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut w = JournalWriter::create(&path).unwrap();
        w.write(&[Record::Header(Box::new(header()))]).unwrap();
        drop(w);
        assert_eq!(
            JournalWriter::create(&path).err().map(|e| e.as_label()),
            Some("journal_exists")
        );
        // Tear a record by hand, as a crash would.
        let whole = bytes_of(&[Record::Round(round(1, 1, true))]);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&whole[..20]).unwrap();
        drop(f);
        let (mut w, note) = JournalWriter::reopen(&path).unwrap();
        assert!(note.unwrap().contains("20 bytes"));
        w.write(&[Record::Round(round(2, 2, true))]).unwrap();
        let (_, mut r) = open(&path).unwrap();
        let rec = r.next_record().unwrap().unwrap();
        assert!(matches!(rec, Record::Round(ref x) if x.seq == 2));
        assert!(r.notes()[0].contains("torn record"), "{:?}", r.notes());
        // A clean journal reopens without a note.
        let (_, note) = JournalWriter::reopen(&path).unwrap();
        assert!(note.is_none());
        assert_eq!(
            JournalWriter::create(&dir.path().join("no/such/dir/j.jsonl"))
                .err()
                .map(|e| e.as_label()),
            Some("journal_create")
        );
        assert_eq!(
            open(dir.path()).err().map(|e| e.as_label()),
            Some("journal_invalid")
        );
    }
}
