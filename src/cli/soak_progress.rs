//! A soak's live progress on stderr: on a terminal, a bar (elapsed, remaining, rounds, flaps so far)
//! with one line per target (its state, and its flap score while flapping); elsewhere a plain line
//! per round and per event, written only after the round is safely in the journal.

use crate::model::display_target;
use crate::soak::journal::{Event, Record, RoundRecord};
use crate::soak::run::{Clock, Observer};
use crate::soak::track::Tracker;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Targets shown one per line on a terminal; the rest are summed up on one line.
const LINES: usize = 16;

pub enum Progress {
    Bar(Bar),
    Lines(Lines),
    Quiet,
}

impl Progress {
    /// A bar when stderr is a terminal, plain lines otherwise, nothing when `quiet`.
    pub fn new(
        quiet: bool,
        tty: bool,
        color: bool,
        remaining: Option<Duration>,
        rounds: Option<u64>,
        tz: jiff::tz::TimeZone,
    ) -> Progress {
        match (quiet, tty) {
            (true, _) => Progress::Quiet,
            (false, true) => Progress::Bar(Bar::new(remaining, rounds, color)),
            (false, false) => Progress::Lines(Lines { tz }),
        }
    }

    pub fn finish(&mut self) {
        if let Progress::Bar(b) = self {
            b.finish();
        }
    }

    /// Says something between progress updates without tearing the bar.
    pub fn say(&self, text: &str) {
        match self {
            Progress::Bar(b) => b.multi.suspend(|| eprintln!("{text}")),
            _ => eprintln!("{text}"),
        }
    }
}

impl Observer for Progress {
    fn round(&mut self, rec: &RoundRecord, written: &[Record], tracker: &Tracker, clock: &Clock) {
        match self {
            Progress::Bar(b) => b.round(written, tracker, clock),
            Progress::Lines(l) => l.round(rec, written, tracker),
            Progress::Quiet => {}
        }
    }

    fn interrupted(&mut self) {
        self.say("oqs-net: the round in flight was interrupted and is not recorded");
    }
}

fn kind_label(id: &str, kind: &str) -> String {
    format!(
        "{} {}",
        kind.replace('_', " ").to_uppercase(),
        display_target(id)
    )
}

fn event_line(e: &Record) -> Option<String> {
    match e {
        Record::Note(n) => Some(format!("  {}", n.text)),
        Record::Event(ev) => Some(match &ev.event {
            Event::FlapStart { score_pct } => format!(
                "  flapping starts: {} (score {score_pct:.1} %)",
                display_target(&ev.target)
            ),
            Event::FlapEnd {
                score_pct,
                peak_pct,
            } => format!(
                "  flapping ends: {} (score {score_pct:.1} %, peak {peak_pct:.1} %)",
                display_target(&ev.target)
            ),
            Event::SetChanged {
                family,
                added,
                removed,
            } => {
                let mut parts: Vec<String> = removed.iter().map(|a| format!("−{a}")).collect();
                parts.extend(added.iter().map(|a| format!("+{a}")));
                format!(
                    "  answer set of {} ({family}) changed: {}",
                    display_target(&ev.target),
                    parts.join(" ")
                )
            }
        }),
        _ => None,
    }
}

/// One line per round, for logs and pipes.
pub struct Lines {
    tz: jiff::tz::TimeZone,
}

impl Lines {
    fn round(&mut self, rec: &RoundRecord, written: &[Record], tracker: &Tracker) {
        let time = jiff::Timestamp::from_millisecond(rec.ts)
            .map(|t| {
                t.to_zoned_datetime(self.tz.clone())
                    .strftime("%H:%M:%S")
                    .to_string()
            })
            .unwrap_or_default();
        let down: Vec<String> = rec
            .targets
            .iter()
            .filter(|t| !t.up)
            .map(|t| display_target(&t.id))
            .collect();
        let flapping: Vec<String> = tracker
            .targets()
            .filter(|(_, t)| t.flapping())
            .map(|(id, _)| display_target(id))
            .collect();
        let mut line = format!(
            "round {} · {time} · {:.0} ms · {} · up {}/{}",
            rec.seq,
            rec.dur_ms,
            rec.status.as_label(),
            rec.targets.len() - down.len(),
            rec.targets.len()
        );
        if rec.overrun {
            line.push_str(&format!(" · overran ({} slots skipped)", rec.skipped));
        }
        if !down.is_empty() {
            line.push_str(&format!(" · down: {}", down.join(", ")));
        }
        if !flapping.is_empty() {
            line.push_str(&format!(" · flapping: {}", flapping.join(", ")));
        }
        line.push_str(&format!(" · flaps {}", tracker.flaps()));
        let mut err = std::io::stderr().lock();
        for w in written.iter().filter(|r| matches!(r, Record::Note(_))) {
            if let Some(l) = event_line(w) {
                let _ = writeln!(err, "{l}");
            }
        }
        let _ = writeln!(err, "{line}");
        for w in written.iter().filter(|r| matches!(r, Record::Event(_))) {
            if let Some(l) = event_line(w) {
                let _ = writeln!(err, "{l}");
            }
        }
    }
}

#[derive(Default)]
struct Counters {
    rounds: u64,
    flaps: u64,
    overruns: u64,
    down: usize,
    targets: usize,
}

/// The terminal view.
pub struct Bar {
    multi: MultiProgress,
    main: ProgressBar,
    lines: Vec<ProgressBar>,
    more: Option<ProgressBar>,
    counters: Arc<Mutex<Counters>>,
    remaining: Option<Duration>,
    rounds_total: Option<u64>,
    color: bool,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

fn message(
    c: &Counters,
    elapsed: Duration,
    remaining: Option<Duration>,
    total: Option<u64>,
) -> String {
    let left = match remaining {
        Some(r) => format!(
            "{} left",
            crate::model::human_duration(r.saturating_sub(elapsed).as_secs() as f64)
        ),
        None => "until Ctrl-C".into(),
    };
    let rounds = match total {
        Some(t) => format!("{}/{t}", c.rounds),
        None => c.rounds.to_string(),
    };
    format!(
        "{left} · rounds {rounds} · up {}/{} · flaps {} · overruns {}",
        c.targets - c.down,
        c.targets,
        c.flaps,
        c.overruns
    )
}

impl Bar {
    fn new(remaining: Option<Duration>, rounds_total: Option<u64>, color: bool) -> Bar {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let len = remaining.map(|r| r.as_secs().max(1));
        let main = match len {
            Some(l) => multi.add(ProgressBar::new(l)),
            None => multi.add(ProgressBar::new_spinner()),
        };
        let template = if len.is_some() {
            "{elapsed_precise} [{wide_bar:.cyan/blue}] {msg}"
        } else {
            "{spinner} {elapsed_precise} {msg}"
        };
        main.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        let counters = Arc::new(Mutex::new(Counters::default()));
        let ticker = tokio::runtime::Handle::try_current().ok().map(|h| {
            let (bar, counters) = (main.clone(), counters.clone());
            h.spawn(async move {
                let start = tokio::time::Instant::now();
                loop {
                    let elapsed = start.elapsed();
                    bar.set_position(elapsed.as_secs());
                    let msg = {
                        let c = counters.lock().unwrap_or_else(PoisonError::into_inner);
                        message(&c, elapsed, remaining, rounds_total)
                    };
                    bar.set_message(msg);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            })
        });
        Bar {
            multi,
            main,
            lines: Vec::new(),
            more: None,
            counters,
            remaining,
            rounds_total,
            color,
            ticker,
        }
    }

    fn round(&mut self, written: &[Record], tracker: &Tracker, clock: &Clock) {
        for w in written {
            if let Some(l) = event_line(w) {
                self.multi.suspend(|| eprintln!("{l}"));
            }
        }
        let all: Vec<(&str, &crate::soak::track::Tracked)> = tracker.targets().collect();
        {
            let mut c = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
            c.rounds = tracker.rounds();
            c.flaps = tracker.flaps();
            c.overruns = tracker.overruns();
            c.targets = all.len();
            c.down = all.iter().filter(|(_, t)| !t.up).count();
            self.main.set_message(message(
                &c,
                clock.elapsed(),
                self.remaining,
                self.rounds_total,
            ));
        }
        let shown = all.len().min(LINES);
        while self.lines.len() < shown {
            let pb = self.multi.add(ProgressBar::new_spinner());
            pb.set_style(
                ProgressStyle::with_template("  {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            self.lines.push(pb);
        }
        for (pb, (id, t)) in self.lines.iter().zip(&all) {
            let paint = |code: &str, text: &str| {
                if self.color {
                    format!("\x1b[{code}m{text}\x1b[0m")
                } else {
                    text.to_string()
                }
            };
            let state = if t.up {
                paint("32", "UP  ")
            } else {
                paint("31", "DOWN")
            };
            let flap = if t.flapping() {
                format!("  {}", paint("33", &format!("FLAPPING {:.0} %", t.score())))
            } else {
                String::new()
            };
            pb.set_message(format!(
                "{state}  {:<40}  {:>7.3} % up  {} changes{flap}",
                kind_label(id, &t.kind),
                t.up_rounds as f64 * 100.0 / t.rounds.max(1) as f64,
                t.changes
            ));
        }
        if all.len() > LINES {
            let more = self.more.get_or_insert_with(|| {
                let pb = self.multi.add(ProgressBar::new_spinner());
                pb.set_style(
                    ProgressStyle::with_template("  {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                pb
            });
            let rest = &all[LINES..];
            more.set_message(format!(
                "… {} more targets, {} down",
                rest.len(),
                rest.iter().filter(|(_, t)| !t.up).count()
            ));
        }
    }

    fn finish(&mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
        self.main.abandon();
        for l in &self.lines {
            l.abandon();
        }
        if let Some(m) = &self.more {
            m.abandon();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
    }
}
