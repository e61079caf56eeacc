//! Picking up an interrupted soak: one pass over its journal rebuilds the live tracker (by
//! replaying the recorded states) and works out what the original still had to run.

use super::journal::{self, Header, JournalError, Record};
use super::report::{Aggregator, Charts, header_thresholds};
use super::track::Tracker;
use crate::model::SoakReport;
use std::path::Path;
use std::time::Duration;

/// What a journal says about the soak it records.
pub struct Scan {
    pub header: Header,
    pub last_seq: u64,
    pub tracker: Tracker,
    pub report: SoakReport,
}

impl Scan {
    /// Time the soak still has to run (`None`: it runs until stopped).
    pub fn remaining(&self) -> Option<Duration> {
        let total = self.header.settings.duration_ms?;
        let active = (self.report.active_s * 1000.0).round().max(0.0) as u64;
        Some(Duration::from_millis(total.saturating_sub(active)))
    }

    /// Rounds it still has to run, when it was given a number of rounds.
    pub fn rounds_left(&self) -> Option<u64> {
        self.header
            .settings
            .rounds
            .map(|n| n.saturating_sub(self.report.rounds))
    }

    /// Nothing is left: it completed, or its time or rounds are used up.
    pub fn finished(&self) -> bool {
        self.report.complete
            || self.remaining().is_some_and(|r| r.is_zero())
            || self.rounds_left() == Some(0)
    }
}

pub fn scan(path: &Path) -> Result<Scan, JournalError> {
    let (header, mut reader) = journal::open(path)?;
    // The summary and the tracker are what a resume needs; the HTML charts' latency columns
    // (megabytes for a long soak) would only be dropped again.
    let mut agg = Aggregator::new(&header, None).charts(Charts::Timelines);
    let mut tracker = Tracker::new(header_thresholds(&header));
    let mut last_seq = 0;
    while let Some(rec) = reader
        .next_record()
        .map_err(|source| JournalError::read(path, source))?
    {
        if let Record::Round(r) = &rec {
            tracker.observe(r);
            last_seq = last_seq.max(r.seq);
        }
        agg.add(&rec);
    }
    Ok(Scan {
        header,
        last_seq,
        tracker,
        report: agg.finish(reader.notes()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::journal::tests::{header, round};
    use super::super::journal::{EndReason, EndRecord, JournalWriter, Record};
    use super::*;

    #[test]
    fn remaining_time_and_rounds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut w = JournalWriter::create(&path).unwrap();
        // A 60 s soak at 1 s, interrupted after 25 rounds (the slots 0..24 s, each a second).
        w.write(&[Record::Header(Box::new(header()))]).unwrap();
        for i in 0..25 {
            // Rounds start a few milliseconds late, as they do (the last one 3 ms): the slots
            // still count whole, so exactly 35 slots are left.
            let late = (i * 7 % 5) as i64;
            w.write(&[Record::Round(round(
                i + 1,
                1_700_000_000_000 + 1000 * i as i64 + late,
                true,
            ))])
            .unwrap();
        }
        let s = scan(&path).unwrap();
        assert_eq!(s.last_seq, 25);
        assert_eq!(s.remaining(), Some(Duration::from_secs(35)));
        assert_eq!(s.rounds_left(), None);
        assert!(!s.finished());
        assert_eq!(s.tracker.rounds(), 25);
        w.write(&[Record::End(EndRecord {
            ts: 0,
            at: String::new(),
            reason: EndReason::Completed,
            rounds: 25,
        })])
        .unwrap();
        assert!(scan(&path).unwrap().finished());
    }
}
