//! The soak loop: a round every interval on a fixed grid of slots (so the schedule never drifts),
//! never two at once, each journalled and synced before anyone is told it finished. A round that
//! runs past the next slot is marked as overrun and the missed slots are skipped and counted.
//! Time is tokio's, so tests can run it on a paused clock. Knows rounds only through
//! [`RoundSource`]; depends on `model` and the soak's own modules.

use super::extract;
use super::journal::{
    EndReason, EndRecord, JournalError, JournalWriter, NoteRecord, Record, RoundRecord, rfc3339,
};
use super::track::Tracker;
use crate::model::Round;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Something that runs one round of checks.
pub trait RoundSource {
    /// Runs a round. `Ok(None)` when `cancel` fired before it finished: that round is dropped,
    /// never journalled half-done. `Err` when the harness itself broke.
    fn round(
        &mut self,
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<Option<Round>, String>>;
}

/// Told about every round once it is safely in the journal.
pub trait Observer {
    /// `written` is everything journalled with the round: notes before it, events after.
    fn round(&mut self, rec: &RoundRecord, written: &[Record], tracker: &Tracker, clock: &Clock);
    /// A round was cut short by Ctrl-C and dropped.
    fn interrupted(&mut self) {}
}

/// An observer that says nothing.
pub struct Silent;

impl Observer for Silent {
    fn round(&mut self, _: &RoundRecord, _: &[Record], _: &Tracker, _: &Clock) {}
}

/// When to run and when to stop.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Time between round starts; zero runs them back to back.
    pub interval: Duration,
    /// Time left to run (the whole duration, or what a resumed soak still had); `None`: until
    /// stopped.
    pub remaining: Option<Duration>,
    /// Rounds left to run.
    pub rounds: Option<u64>,
    /// Sequence number of the first round (1, or the next after a resumed journal's last).
    pub first_seq: u64,
}

/// The segment's time base: a monotonic origin and the wall clock read once at it, so a clock
/// step during the soak (NTP setting the time) does not bend the journal's timeline.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    pub origin: Instant,
    pub origin_ms: i64,
}

impl Clock {
    pub fn start() -> Clock {
        Clock {
            origin: Instant::now(),
            origin_ms: super::journal::now_ms(),
        }
    }

    pub fn ms_at(&self, at: Instant) -> i64 {
        self.origin_ms + at.saturating_duration_since(self.origin).as_millis() as i64
    }

    pub fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// Notes from elsewhere (the lab's fault schedule) to journal with the next round.
pub type Notes = mpsc::UnboundedReceiver<(Instant, String)>;

#[derive(Debug, thiserror::Error)]
pub enum SoakError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("a round could not be run: {0}")]
    Round(String),
}

impl SoakError {
    pub fn as_label(&self) -> &'static str {
        match self {
            SoakError::Journal(e) => e.as_label(),
            SoakError::Round(_) => "round",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub reason: EndReason,
    /// Rounds journalled by this run.
    pub rounds: u64,
}

/// The first slot at or after `elapsed` that comes after `slot`, and whether `slot`'s round
/// overran (ended after its successor slot began).
pub fn next_slot(slot: u64, elapsed: Duration, interval: Duration) -> (u64, bool) {
    if interval.is_zero() {
        return (slot + 1, false);
    }
    let i = interval.as_nanos();
    let due = elapsed.as_nanos().div_ceil(i);
    let due = u64::try_from(due).unwrap_or(u64::MAX);
    let overrun = elapsed.as_nanos() > i * u128::from(slot + 1);
    (due.max(slot + 1), overrun)
}

/// A journal shared with whoever must be able to stop the process without tearing a record.
pub type SharedJournal = Arc<Mutex<JournalWriter>>;

pub fn write(journal: &SharedJournal, records: &[Record]) -> Result<(), JournalError> {
    journal
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .write(records)
}

/// What a soak run works with besides its source of rounds and its observer.
pub struct Session<'a> {
    pub journal: &'a SharedJournal,
    pub tracker: &'a mut Tracker,
    pub schedule: &'a Schedule,
    pub clock: Clock,
    pub notes: &'a mut Notes,
    pub cancel: &'a CancellationToken,
}

/// Runs rounds until the schedule ends or `cancel` fires; writes an end record either way.
pub async fn run<S: RoundSource, O: Observer>(
    source: &mut S,
    observer: &mut O,
    session: Session<'_>,
) -> Result<Outcome, SoakError> {
    let Session {
        journal,
        tracker,
        schedule,
        clock,
        notes,
        cancel,
    } = session;
    let mut slot: u64 = 0;
    let mut done: u64 = 0;
    let mut seq = schedule.first_seq;
    let reason = loop {
        if cancel.is_cancelled() {
            break EndReason::Interrupted;
        }
        if schedule.rounds.is_some_and(|n| done >= n) {
            break EndReason::Completed;
        }
        let offset = schedule
            .interval
            .checked_mul(u32::try_from(slot).unwrap_or(u32::MAX))
            .unwrap_or(Duration::MAX);
        if schedule.remaining.is_some_and(|r| offset >= r) {
            break EndReason::Completed;
        }
        let start = clock.origin + offset;
        tokio::select! {
            _ = cancel.cancelled() => break EndReason::Interrupted,
            _ = tokio::time::sleep_until(start) => {}
        }
        let began = Instant::now();
        let round = tokio::select! {
            r = source.round(cancel) => r.map_err(SoakError::Round)?,
            _ = cancel.cancelled() => None,
        };
        let Some(round) = round else {
            observer.interrupted();
            break EndReason::Interrupted;
        };
        let (next, overrun) = next_slot(slot, clock.origin.elapsed(), schedule.interval);
        let ts = clock.ms_at(began);
        let rec = RoundRecord {
            seq,
            ts,
            at: rfc3339(ts),
            dur_ms: (round.duration_ms * 1000.0).round() / 1000.0,
            overrun,
            skipped: next - slot - 1,
            status: round.status,
            targets: extract::targets(&round),
        };
        let mut records: Vec<Record> = Vec::new();
        while let Ok((at, text)) = notes.try_recv() {
            let ts = clock.ms_at(at);
            records.push(Record::Note(NoteRecord {
                ts,
                at: rfc3339(ts),
                text,
            }));
        }
        let events: Vec<Record> = tracker
            .observe(&rec)
            .into_iter()
            .map(Record::Event)
            .collect();
        records.push(Record::Round(rec.clone()));
        records.extend(events);
        write(journal, &records)?;
        done += 1;
        seq += 1;
        observer.round(&rec, &records, tracker, &clock);
        slot = next;
    };
    let ts = clock.ms_at(Instant::now());
    write(
        journal,
        &[Record::End(EndRecord {
            ts,
            at: rfc3339(ts),
            reason,
            rounds: done,
        })],
    )?;
    Ok(Outcome {
        reason,
        rounds: done,
    })
}

#[cfg(test)]
mod tests {
    use super::super::flap::Thresholds;
    use super::super::journal::{self, JournalWriter};
    use super::*;
    use crate::model::{Environment, Mode, Status};

    #[test]
    fn slots_hold_the_grid() {
        let s = Duration::from_secs;
        // Finished inside its slot: the next slot, no overrun.
        assert_eq!(next_slot(0, Duration::from_millis(300), s(1)), (1, false));
        // Finished exactly at the next slot's start: that slot runs, not an overrun.
        assert_eq!(next_slot(0, s(1), s(1)), (1, false));
        // Ran 2.5 intervals: slots 1 and 2 are skipped, 3 is next.
        assert_eq!(next_slot(0, Duration::from_millis(3500), s(1)), (4, true));
        assert_eq!(next_slot(4, Duration::from_millis(5001), s(1)), (6, true));
        // Back to back.
        assert_eq!(next_slot(7, s(100), Duration::ZERO), (8, false));
    }

    /// A round that takes the given times in turn, on tokio's (paused) clock.
    struct Fake {
        takes: Vec<Duration>,
        n: usize,
        starts: Vec<Duration>,
        origin: Instant,
    }

    impl RoundSource for Fake {
        async fn round(&mut self, cancel: &CancellationToken) -> Result<Option<Round>, String> {
            self.starts.push(self.origin.elapsed());
            let take = self.takes[self.n % self.takes.len()];
            self.n += 1;
            tokio::select! {
                _ = tokio::time::sleep(take) => {}
                _ = cancel.cancelled() => return Ok(None),
            }
            let p = crate::profile::shipped_for(Mode::Ipsec, Environment::Production);
            let m = crate::model::Measurements {
                started_at: std::time::SystemTime::UNIX_EPOCH,
                duration: take,
                dns: vec![],
                ntp: vec![],
                cut_off: vec![],
                resolvers: vec![],
                resolver_error: None,
                tls: Default::default(),
                path: Default::default(),
                proxy: None,
                line: Default::default(),
            };
            Ok(Some(crate::judge::judge(&p, &m)))
        }
    }

    fn journal() -> (tempfile::TempDir, SharedJournal, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let w = JournalWriter::create(&path).unwrap();
        (dir, Arc::new(Mutex::new(w)), path)
    }

    fn rounds_in(path: &std::path::Path) -> Vec<RoundRecord> {
        let mut r = journal::JournalReader::new(std::io::BufReader::new(
            std::fs::File::open(path).unwrap(),
        ));
        let mut out = vec![];
        while let Some(rec) = r.next_record().unwrap() {
            if let Record::Round(x) = rec {
                out.push(x);
            }
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn rounds_start_on_the_grid_and_overruns_skip_slots() {
        let (_dir, j, path) = journal();
        let origin = Instant::now();
        let ms = Duration::from_millis;
        let mut src = Fake {
            // The third round takes 2.5 intervals.
            takes: vec![ms(100), ms(100), ms(2500), ms(100), ms(100), ms(100)],
            n: 0,
            starts: vec![],
            origin,
        };
        let schedule = Schedule {
            interval: ms(1000),
            remaining: Some(ms(8000)),
            rounds: None,
            first_seq: 1,
        };
        let clock = Clock {
            origin,
            origin_ms: 1_700_000_000_000,
        };
        let (_tx, mut notes) = mpsc::unbounded_channel();
        let mut tracker = Tracker::new(Thresholds::DEFAULT);
        let out = run(
            &mut src,
            &mut Silent,
            Session {
                journal: &j,
                tracker: &mut tracker,
                schedule: &schedule,
                clock,
                notes: &mut notes,
                cancel: &CancellationToken::new(),
            },
        )
        .await
        .unwrap();
        assert_eq!(out.reason, EndReason::Completed);
        // Slots 0, 1, 2 (overruns to 4.5 s), then 5, 6, 7; slots 3 and 4 skipped; 8 is past the end.
        let starts: Vec<u128> = src.starts.iter().map(|d| d.as_millis()).collect();
        assert_eq!(starts, [0, 1000, 2000, 5000, 6000, 7000]);
        let recs = rounds_in(&path);
        assert_eq!(recs.len(), 6);
        assert_eq!(out.rounds, 6);
        assert!(recs[2].overrun && recs[2].skipped == 2, "{:?}", recs[2]);
        assert!(recs.iter().enumerate().all(|(i, r)| i == 2 || !r.overrun));
        assert_eq!(recs[3].ts, 1_700_000_005_000, "timestamps follow the grid");
        assert_eq!(
            recs.iter().map(|r| r.seq).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
        assert_eq!(recs[0].status, Status::Fail, "no NTP server found");
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_drops_the_round_in_flight_and_ends_the_journal() {
        let (_dir, j, path) = journal();
        let origin = Instant::now();
        let mut src = Fake {
            takes: vec![Duration::from_millis(400)],
            n: 0,
            starts: vec![],
            origin,
        };
        let schedule = Schedule {
            interval: Duration::from_secs(1),
            remaining: None,
            rounds: None,
            first_seq: 41,
        };
        let cancel = CancellationToken::new();
        let c = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(2200)).await;
            c.cancel();
        });
        let (tx, mut notes) = mpsc::unbounded_channel();
        tx.send((
            origin + Duration::from_millis(500),
            "lab: member down".to_string(),
        ))
        .unwrap();
        let out = run(
            &mut src,
            &mut Silent,
            Session {
                journal: &j,
                tracker: &mut Tracker::new(Thresholds::DEFAULT),
                schedule: &schedule,
                clock: Clock {
                    origin,
                    origin_ms: 0,
                },
                notes: &mut notes,
                cancel: &cancel,
            },
        )
        .await
        .unwrap();
        assert_eq!(out.reason, EndReason::Interrupted);
        assert_eq!(
            out.rounds, 2,
            "the third round was cut off at 2.2 s and dropped"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(last["type"], "end");
        assert_eq!(last["reason"], "interrupted");
        assert_eq!(last["rounds"], 2);
        assert!(text.contains(r#""text":"lab: member down""#));
        let recs = rounds_in(&path);
        assert_eq!(recs.iter().map(|r| r.seq).collect::<Vec<_>>(), [41, 42]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_round_limit_and_back_to_back_rounds() {
        let (_dir, j, path) = journal();
        let origin = Instant::now();
        let mut src = Fake {
            takes: vec![Duration::from_millis(10)],
            n: 0,
            starts: vec![],
            origin,
        };
        let schedule = Schedule {
            interval: Duration::ZERO,
            remaining: None,
            rounds: Some(5),
            first_seq: 1,
        };
        let (_tx, mut notes) = mpsc::unbounded_channel();
        let out = run(
            &mut src,
            &mut Silent,
            Session {
                journal: &j,
                tracker: &mut Tracker::new(Thresholds::DEFAULT),
                schedule: &schedule,
                clock: Clock::start(),
                notes: &mut notes,
                cancel: &CancellationToken::new(),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            out,
            Outcome {
                reason: EndReason::Completed,
                rounds: 5
            }
        );
        let starts: Vec<u128> = src.starts.iter().map(|d| d.as_millis()).collect();
        assert_eq!(starts, [0, 10, 20, 30, 40]);
        assert_eq!(rounds_in(&path).len(), 5);
    }
}
