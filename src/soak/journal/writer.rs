//! Writing a journal: one buffer and one sync per call, nothing after a failed write, and the
//! exclusive lock that keeps a second soak out of a journal this one is writing.
//!
//! # Test hook
//! `OQS_NET_TEST_JOURNAL_PAUSE_MS=N` ([`PAUSE_ENV`]) makes a journal file's writer write each
//! buffer in two halves N ms apart, so a test can kill the process in the middle of a record and
//! check the torn line is handled.
//! It is read once, when the writer of a file is created, and does nothing unless set.

use super::record::Record;
use super::{JournalError, MAX_LINE};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

/// The test hook's variable (module docs). Not for users: it only slows the journal down.
pub(crate) const PAUSE_ENV: &str = "OQS_NET_TEST_JOURNAL_PAUSE_MS";

/// Where the journal's bytes go: a file, or a stand-in in tests.
pub trait Sink: Write {
    /// Makes what was written durable (fdatasync for a file).
    fn sync(&mut self) -> io::Result<()>;

    /// Lets go of the lock the writer took, if any (when the writer is dropped).
    fn release(&mut self) {}
}

impl Sink for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }

    /// Unlocks at once: closing the file would too, but Windows may take its time over that,
    /// and the soak reads its journal back for the report as soon as the writer is gone.
    fn release(&mut self) {
        let _ = self.unlock();
    }
}

/// Appends records, one buffer and one sync per call. A journal file's writer holds the file's
/// exclusive lock for as long as it lives.
pub struct JournalWriter<W: Sink = File> {
    out: W,
    path: String,
    records: u64,
    /// Test hook (module docs): `Some` only when [`PAUSE_ENV`] was set as a file's writer was
    /// created.
    pause: Option<Duration>,
    /// A write failed; the soak must stop (nothing after it would be trustworthy).
    broken: bool,
}

impl JournalWriter<File> {
    /// Creates a new journal and locks it; refuses to touch an existing file.
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
        lock(&file, &shown)?;
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
        Ok(Self::of_file(file, shown))
    }

    /// Opens an existing journal to append to it, and locks it before touching its tail (another
    /// soak may be in the middle of a record). When its last line is torn (no newline), ends it
    /// first so new records start on their own line; returns a note saying so.
    pub fn reopen(path: &Path) -> Result<(Self, Option<String>), JournalError> {
        let shown = path.display().to_string();
        let open_err = |source| JournalError::Open {
            path: shown.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(open_err)?;
        lock(&file, &shown)?;
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
        Ok((Self::of_file(file, shown), note))
    }

    /// A writer of a journal file, with the test hook read once (module docs).
    fn of_file(file: File, path: String) -> Self {
        let mut w = Self::from_sink(file, path);
        w.pause = std::env::var(PAUSE_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis);
        w
    }
}

/// Takes `file`'s exclusive lock without waiting; it is held until the file is closed. A file
/// system that keeps no locks (some network shares) leaves the journal unlocked, as it must.
fn lock(file: &File, shown: &str) -> Result<(), JournalError> {
    match file.try_lock() {
        Ok(()) | Err(TryLockError::Error(_)) => Ok(()),
        Err(TryLockError::WouldBlock) => Err(JournalError::InUse {
            path: shown.to_string(),
        }),
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

impl<W: Sink> Drop for JournalWriter<W> {
    fn drop(&mut self) {
        self.out.release();
    }
}

impl<W: Sink> JournalWriter<W> {
    pub fn from_sink(out: W, path: String) -> Self {
        JournalWriter {
            out,
            path,
            records: 0,
            pause: None,
            broken: false,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
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
        let written = match self.pause {
            Some(pause) => self.write_in_halves(&buf, pause),
            None => self.out.write_all(&buf),
        };
        written
            .and_then(|_| self.out.flush())
            .and_then(|_| self.out.sync())
            .map_err(|e| fail(self, e))?;
        self.records += records.len() as u64;
        Ok(())
    }

    /// The test hook (module docs): the buffer's first half, a pause, then the rest.
    fn write_in_halves(&mut self, buf: &[u8], pause: Duration) -> io::Result<()> {
        let (a, b) = buf.split_at(buf.len() / 2);
        self.out.write_all(a)?;
        self.out.flush()?;
        std::thread::sleep(pause);
        self.out.write_all(b)
    }
}

#[cfg(test)]
mod tests {
    use super::super::open;
    use super::super::tests::{bytes_of, header, round};
    use super::*;

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
        drop(w);
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

    /// Two writers on one journal (two soaks): the second is refused by name, and gets in once
    /// the first is gone.
    #[test]
    fn a_journal_has_one_writer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut first = JournalWriter::create(&path).unwrap();
        first.write(&[Record::Header(Box::new(header()))]).unwrap();
        let e = JournalWriter::reopen(&path).err().expect("locked");
        assert_eq!(e.as_label(), "journal_in_use");
        assert!(
            e.to_string()
                .contains("j.jsonl is being written by another oqs-net soak"),
            "{e}"
        );
        // The refused writer touched nothing: the first goes on where it was.
        first.write(&[Record::Round(round(1, 1, true))]).unwrap();
        let (_, mut r) = open(&path).unwrap();
        assert!(matches!(r.next_record().unwrap(), Some(Record::Round(ref x)) if x.seq == 1));
        assert!(r.notes().is_empty(), "{:?}", r.notes());
        drop(first);
        let (mut again, note) = JournalWriter::reopen(&path).unwrap();
        assert!(note.is_none());
        again.write(&[Record::Round(round(2, 2, true))]).unwrap();
        assert_eq!(
            JournalWriter::reopen(&path).err().map(|e| e.as_label()),
            Some("journal_in_use")
        );
    }
}
