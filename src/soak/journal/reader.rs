//! Reading a journal: one line at a time in bounded memory, as untrusted text (the module docs of
//! [`super`] say what is skipped and how), and the header check every reader starts with.

use super::record::{Header, Record, RoundRecord};
use super::{JOURNAL_VERSION, JournalError, MAX_LINE};
use serde::Deserialize;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// Notes kept by the reader; more are only counted.
const MAX_NOTES: usize = 100;

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
            if overlong && newline.is_none() {
                // The rest of the line is not kept: skip it with std's search (a gigabyte line
                // takes well under a second), then say where the line ended.
                let skipped = self.inner.skip_until(b'\n')?;
                let at_eof = self.inner.fill_buf()?.is_empty();
                // At the end of the file the last byte skipped may or may not be a newline; the
                // length noted is then at most one byte long.
                let newline = skipped > 0 && !at_eof;
                return Ok(Line::Overlong {
                    len: total + skipped - usize::from(newline),
                });
            }
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
                    let torn =
                        matches!(kind, Line::Unterminated) || is_torn_fragment(text, e.cut_short);
                    let note = if matches!(kind, Line::Unterminated) {
                        format!(
                            "line {line}: torn last record ({len} bytes, cut off while it was being written); skipped"
                        )
                    } else if torn {
                        format!(
                            "line {line}: torn record ({len} bytes, cut off by a crash before a resume); skipped"
                        )
                    } else {
                        format!("line {line}: unreadable record skipped ({})", e.why)
                    };
                    self.note(note);
                }
            }
        }
    }
}

/// A line that starts like a record but stops in the middle (what a crash leaves): the JSON
/// ends before the record does, even where the cut happens to fall just after a `}`.
fn is_torn_fragment(text: &[u8], cut_short: bool) -> bool {
    text.starts_with(b"{\"type\":\"") && (cut_short || !text.ends_with(b"}"))
}

/// Why a line is not a record.
struct Unreadable {
    why: String,
    /// The JSON stopped before it was complete.
    cut_short: bool,
}

impl From<serde_json::Error> for Unreadable {
    fn from(e: serde_json::Error) -> Unreadable {
        Unreadable {
            cut_short: e.is_eof(),
            why: e.to_string(),
        }
    }
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
fn parse(text: &[u8]) -> Result<Record, Unreadable> {
    if text.starts_with(br#"{"type":"round","#) {
        return Ok(Record::Round(serde_json::from_slice::<RoundRecord>(text)?));
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
                Err(Unreadable {
                    why: format!("unknown record type `{}`", t.kind),
                    cut_short: false,
                })
            }
            _ => Err(e.into()),
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
    let first = reader
        .next_record()
        .map_err(|source| JournalError::read(Path::new(shown), source))?;
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

#[cfg(test)]
mod tests {
    use super::super::record::{
        EndReason, EndRecord, Event, EventRecord, NoteRecord, ResumeRecord,
    };
    use super::super::rfc3339;
    use super::super::tests::{bytes_of, header, round};
    use super::*;

    fn read_all(bytes: &[u8]) -> (Vec<Record>, Vec<String>) {
        let mut r = JournalReader::new(bytes);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push(rec);
        }
        (out, r.notes())
    }

    /// Issue 13: an overlong line is skipped without being held, its length noted exactly, and
    /// the records after it (across the reader's buffer boundaries) are read.
    #[test]
    fn an_overlong_line_is_skipped_and_measured_across_buffers() {
        let mut bytes = bytes_of(&[Record::Header(Box::new(header()))]);
        bytes.extend(std::iter::repeat_n(b'x', MAX_LINE + 70_001));
        bytes.push(b'\n');
        bytes.extend(bytes_of(&[Record::Round(round(
            1,
            1_700_000_000_000,
            true,
        ))]));
        let mut r = JournalReader::new(io::BufReader::with_capacity(4096, bytes.as_slice()));
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push(rec);
        }
        assert_eq!(out.len(), 2);
        let notes = r.notes();
        assert!(
            notes[0].starts_with(&format!("line 2: {} bytes", MAX_LINE + 70_001)),
            "{notes:?}"
        );
        // The same line last in the file, with and without its newline.
        for tail in [&b"\n"[..], b""] {
            let mut b = bytes_of(&[Record::Header(Box::new(header()))]);
            b.extend(std::iter::repeat_n(b'x', MAX_LINE + 5));
            b.extend_from_slice(tail);
            let (recs, notes) = read_all(&b);
            assert_eq!(recs.len(), 1);
            assert_eq!(notes.len(), 1, "{notes:?}");
        }
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
                started: Default::default(),
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

    /// A crash can cut a record just after a `}` inside it; ended by a resume, that line is
    /// still named torn, not unreadable.
    #[test]
    fn a_record_cut_after_a_brace_is_torn() {
        let whole = bytes_of(&[Record::Round(round(2, 1_700_000_001_000, true))]);
        let cut = whole.iter().position(|&b| b == b'}').unwrap() + 1;
        assert!(cut < whole.len() - 2, "a brace inside the record");
        let mut bytes = bytes_of(&[Record::Header(Box::new(header()))]);
        bytes.extend_from_slice(&whole[..cut]);
        bytes.push(b'\n');
        bytes.extend(bytes_of(&[Record::Round(round(
            3,
            1_700_000_002_000,
            true,
        ))]));
        let (back, notes) = read_all(&bytes);
        assert_eq!(back.len(), 2);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains(&format!("line 2: torn record ({cut} bytes")),
            "{notes:?}"
        );
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
}
