//! The report: any journal, finished or not, streamed record by record into a [`SoakReport`] in
//! bounded memory (fixed-size latency histograms, a hundred offset buckets, capped lists), so a
//! million probe records cost seconds and megabytes. Flapping is recomputed from the recorded
//! states with the same detector the soak ran, so thresholds can be changed after the fact.
//! Depends on `model` and the soak's own journal and flap modules.
//!
//! # Time
//! Each round stands for its slot: a target's time up or down runs from one round to the next
//! within a segment, and the last round of a segment counts one interval. The gap between an
//! interruption and its resume counts as neither, and an outage open at an interruption is closed
//! there and marked `cut`.
//!
//! # 補17
//! When the distribution server (`tls:distribution`, or its way through the proxy settings,
//! `proxy:distribution`) flaps and a round of the flapping period recorded WPAD auto-detect on
//! (the `proxy:settings` target's `auto_detect`), the report adds `proxy.autodetect_on` beside
//! `soak.flapping`: the probe's verdict, over the soak's periods. Known off, or not recorded
//! (journals from before it was, soaks without the proxy section), adds nothing.

use super::flap::{FlapDetector, Thresholds, Transition};
use super::journal::{self, EndReason, Header, JournalError, Record, RoundRecord, TargetRecord};
use super::track::pct;
use crate::model::{
    Code, CodeCount, DriftFit, Finding, FlapPeriod, NtpOffsets, OffsetBucket, Outage, PhaseLatency,
    SOAK_SCHEMA_VERSION, SetChange, SoakHeader, SoakReport, Stamp, Status, StatusCounts,
    TargetReport, display_target, human_duration,
};
use hdrhistogram::Histogram;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Targets reported at most; more are counted in a note.
const MAX_TARGETS: usize = 1024;
const MAX_OUTAGES: usize = 1000;
const MAX_FLAPS: usize = 1000;
const MAX_SET_CHANGES: usize = 200;
const MAX_PHASES: usize = 8;
const MAX_CODES: usize = 64;
const MAX_VIA: usize = 16;
const BUCKETS: i64 = 100;
/// Latencies are kept from 1 µs to a minute (a round's deadline is shorter).
const LAT_MAX_US: u64 = 60_000_000;

/// Clock drift worth a finding: at least this many ppm, three standard errors from zero, over at
/// least a minute and ten rounds.
pub const DRIFT_WARN_PPM: f64 = 10.0;
const DRIFT_MIN_SPAN_S: f64 = 60.0;
const DRIFT_MIN_SAMPLES: u64 = 10;

/// The distribution server's targets whose flapping WPAD auto-detect can cause (補17).
const DISTRIBUTION: [&str; 2] = ["tls:distribution", "proxy:distribution"];
/// The target whose record says whether WPAD auto-detect was on.
const PROXY_SETTINGS: &str = "proxy:settings";

/// What one round's proxy settings said about WPAD auto-detect.
#[derive(Clone, Copy, Debug, Default)]
struct Wpad<'a> {
    /// `None`: not recorded.
    on: Option<bool>,
    /// The source that decided.
    source: Option<&'a str>,
}

impl<'a> Wpad<'a> {
    fn of(r: &'a RoundRecord) -> Wpad<'a> {
        r.targets
            .iter()
            .find(|t| t.id == PROXY_SETTINGS)
            .map_or(Wpad::default(), |t| Wpad {
                on: t.auto_detect,
                source: t.proxy_source.as_deref(),
            })
    }
}

/// Reads a journal and summarises it. `thresholds` overrides the journal's flap thresholds.
pub fn from_path(path: &Path, thresholds: Option<Thresholds>) -> Result<SoakReport, JournalError> {
    let (header, mut reader) = journal::open(path)?;
    let mut agg = Aggregator::new(&header, thresholds);
    while let Some(rec) = reader
        .next_record()
        .map_err(|source| JournalError::read(path, source))?
    {
        agg.add(&rec);
    }
    Ok(agg.finish(reader.notes()))
}

/// The thresholds a header names, or the defaults when they are not valid.
pub fn header_thresholds(h: &Header) -> Thresholds {
    Thresholds::new(h.settings.flap_high_pct, h.settings.flap_low_pct).unwrap_or_default()
}

/// One segment's extent: its first round's start and its last round's start and length.
#[derive(Clone, Copy, Debug, Default)]
struct Segment {
    first: Option<i64>,
    last: i64,
    last_len: i64,
}

impl Segment {
    /// The segment's rounds times their slot. With an interval, the span is counted in whole
    /// slots, so the milliseconds a round starts late do not add up (a resume must run exactly
    /// the slots that are left).
    fn active_ms(&self, interval_ms: i64) -> i64 {
        let Some(first) = self.first else {
            return 0;
        };
        let span = (self.last - first).max(0);
        let span = if interval_ms > 0 {
            (span as f64 / interval_ms as f64).round() as i64 * interval_ms
        } else {
            span
        };
        span + self.last_len
    }
}

/// Streaming state behind a report.
pub struct Aggregator {
    header: SoakHeader,
    thresholds: Thresholds,
    interval_ms: i64,
    index: HashMap<String, usize>,
    targets: Vec<Agg>,
    ignored: u64,
    rounds: u64,
    status: StatusCounts,
    worst: Status,
    overruns: u64,
    skipped: u64,
    segments: u64,
    complete: bool,
    first: Option<i64>,
    last: Option<i64>,
    segment: Segment,
    active_ms: i64,
    local: OffsetAgg,
    notes: Vec<String>,
}

impl Aggregator {
    pub fn new(h: &Header, thresholds: Option<Thresholds>) -> Aggregator {
        let s = &h.settings;
        let thresholds = thresholds.unwrap_or_else(|| header_thresholds(h));
        Aggregator {
            header: SoakHeader {
                journal_version: h.journal_version,
                written_by: h.tool_version.clone(),
                started_at: Stamp(h.ts),
                profile: h.profile.name.clone(),
                profile_source: h.profile.source.clone(),
                mode: h.profile.mode.clone(),
                environment: h.profile.environment.clone(),
                interval_s: s.interval_ms as f64 / 1000.0,
                duration_s: s.duration_ms.map(|d| d as f64 / 1000.0),
                flap_high_pct: thresholds.high_pct(),
                flap_low_pct: thresholds.low_pct(),
                lab: s.lab.is_some(),
                lab_faults: s.lab.as_ref().and_then(|l| l.faults.clone()),
            },
            thresholds,
            interval_ms: s.interval_ms.min(i64::MAX as u64) as i64,
            index: HashMap::new(),
            targets: Vec::new(),
            ignored: 0,
            rounds: 0,
            status: StatusCounts::default(),
            worst: Status::Pass,
            overruns: 0,
            skipped: 0,
            segments: 1,
            complete: false,
            first: None,
            last: None,
            segment: Segment::default(),
            active_ms: 0,
            local: OffsetAgg::new(s.interval_ms.min(i64::MAX as u64) as i64),
            notes: Vec::new(),
        }
    }

    pub fn add(&mut self, rec: &Record) {
        match rec {
            Record::Round(r) => self.round(r),
            Record::Resume(_) => {
                self.close_segment();
                self.segments += 1;
                self.complete = false;
            }
            Record::End(e) => self.complete = e.reason == EndReason::Completed,
            Record::Header(_) => self
                .notes
                .push("a second header inside the journal was ignored".into()),
            Record::Event(_) | Record::Note(_) => {}
        }
    }

    /// How long one round stands for.
    fn slot_ms(&self, r: &RoundRecord) -> i64 {
        if self.interval_ms > 0 {
            self.interval_ms
        } else {
            r.dur_ms.max(0.0).round() as i64
        }
    }

    fn close_segment(&mut self) {
        self.active_ms += self.segment.active_ms(self.interval_ms);
        let len = self.segment.last_len;
        self.segment = Segment::default();
        for t in &mut self.targets {
            t.end_segment(len);
        }
    }

    fn round(&mut self, r: &RoundRecord) {
        self.rounds += 1;
        self.status.add(r.status);
        self.worst = self.worst.max(r.status);
        self.overruns += u64::from(r.overrun);
        self.skipped += r.skipped;
        self.first = Some(self.first.map_or(r.ts, |f| f.min(r.ts)));
        self.last = Some(self.last.map_or(r.ts, |l| l.max(r.ts)));
        let slot = self.slot_ms(r);
        self.segment.first.get_or_insert(r.ts);
        self.segment.last = r.ts;
        self.segment.last_len = slot;

        let wpad = Wpad::of(r);
        let mut offsets: Vec<f64> = Vec::new();
        for t in &r.targets {
            if let Some(o) = t.offset_ms.filter(|o| o.is_finite()) {
                offsets.push(o);
            }
            let i = match self.index.get(t.id.as_str()) {
                Some(&i) => i,
                None if self.targets.len() >= MAX_TARGETS => {
                    self.ignored += 1;
                    continue;
                }
                None => {
                    self.index.insert(t.id.clone(), self.targets.len());
                    self.targets
                        .push(Agg::new(t, self.thresholds, self.interval_ms));
                    self.targets.len() - 1
                }
            };
            self.targets[i].observe(r.ts, t, wpad);
        }
        if !offsets.is_empty() {
            offsets.sort_by(f64::total_cmp);
            let n = offsets.len();
            let median = if n % 2 == 1 {
                offsets[n / 2]
            } else {
                (offsets[n / 2 - 1] + offsets[n / 2]) / 2.0
            };
            self.local.add(r.ts, median);
        }
    }

    pub fn finish(mut self, mut notes: Vec<String>) -> SoakReport {
        self.active_ms += self.segment.active_ms(self.interval_ms);
        let len = self.segment.last_len;
        let mut findings = Vec::new();
        let mut wpad = WpadOn::default();
        let targets: Vec<TargetReport> = self
            .targets
            .into_iter()
            .map(|t| t.finish(len, &mut findings, &mut wpad))
            .collect();
        findings.extend(wpad.finding());
        let local_clock = self.local.finish();
        if let Some(fit) = local_clock.as_ref().and_then(|o| o.fit.as_ref())
            && drift_matters(fit)
        {
            findings.push(
                Finding::new(Code::SoakClockDrift, Status::Warn, "local clock")
                    .with("ppm", format!("{:+.1}", fit.local_drift_ppm))
                    .with(
                        "per_day_s",
                        format!("{:.1}", fit.local_drift_ppm.abs() * 86_400.0 / 1e6),
                    )
                    .with("span", human_duration(fit.span_s)),
            );
        }
        if self.ignored > 0 {
            self.notes.push(format!(
                "{} target results beyond the first {MAX_TARGETS} targets were not counted",
                self.ignored
            ));
        }
        self.notes.append(&mut notes);
        let status = if self.rounds == 0 {
            self.notes
                .push("no round was recorded: nothing was measured".into());
            Status::Error
        } else {
            findings
                .iter()
                .map(|f| f.severity)
                .fold(self.worst, Status::max)
        };
        SoakReport {
            schema_version: SOAK_SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            header: self.header,
            first_round: self.first.map(Stamp),
            last_round: self.last.map(Stamp),
            active_s: self.active_ms as f64 / 1000.0,
            rounds: self.rounds,
            round_status: self.status,
            overruns: self.overruns,
            skipped_slots: self.skipped,
            segments: self.segments,
            complete: self.complete,
            status,
            targets,
            local_clock,
            findings,
            notes: self.notes,
        }
    }
}

fn drift_matters(fit: &DriftFit) -> bool {
    fit.local_drift_ppm.abs() >= DRIFT_WARN_PPM
        && fit.local_drift_ppm.abs() >= 3.0 * fit.stderr_ppm
        && fit.span_s >= DRIFT_MIN_SPAN_S
        && fit.samples >= DRIFT_MIN_SAMPLES
}

/// Streaming statistics of one target.
struct Agg {
    id: String,
    kind: String,
    via: Vec<String>,
    interval_ms: i64,
    rounds: u64,
    up_rounds: u64,
    changes: u64,
    /// The last observation (state, time), across segments.
    last: Option<(bool, i64)>,
    /// Whether `last` is in the current segment (time is attributed only within one).
    in_segment: bool,
    up_ms: i64,
    down_ms: i64,
    detector: FlapDetector<bool>,
    flap_open: Option<(i64, f64)>,
    flaps: Vec<FlapPeriod>,
    /// Open outage: start, rounds, last down time.
    outage: Option<(i64, u64, i64)>,
    outages: Vec<Outage>,
    outages_total: u64,
    longest: Option<Outage>,
    /// Per phase: the histogram (3 significant digits) and the exact extremes.
    lat: BTreeMap<String, (Histogram<u64>, f64, f64)>,
    ntp: Option<OffsetAgg>,
    sets: BTreeMap<String, Vec<String>>,
    first_sets: Vec<SetChange>,
    set_changes: Vec<SetChange>,
    set_changes_total: u64,
    codes: BTreeMap<String, u64>,
    /// For the distribution server's targets only: auto-detect across its flap periods.
    wpad: Option<WpadWatch>,
}

impl Agg {
    fn new(t: &TargetRecord, thresholds: Thresholds, interval_ms: i64) -> Agg {
        Agg {
            id: t.id.clone(),
            kind: t.kind.clone(),
            via: Vec::new(),
            interval_ms,
            rounds: 0,
            up_rounds: 0,
            changes: 0,
            last: None,
            in_segment: false,
            up_ms: 0,
            down_ms: 0,
            detector: FlapDetector::new(thresholds),
            flap_open: None,
            flaps: Vec::new(),
            outage: None,
            outages: Vec::new(),
            outages_total: 0,
            longest: None,
            lat: BTreeMap::new(),
            ntp: None,
            sets: BTreeMap::new(),
            first_sets: Vec::new(),
            set_changes: Vec::new(),
            set_changes_total: 0,
            codes: BTreeMap::new(),
            wpad: DISTRIBUTION
                .contains(&t.id.as_str())
                .then(WpadWatch::default),
        }
    }

    fn observe(&mut self, ts: i64, t: &TargetRecord, wpad: Wpad) {
        self.rounds += 1;
        self.up_rounds += u64::from(t.up);
        if let Some((was_up, at)) = self.last {
            if was_up != t.up {
                self.changes += 1;
            }
            if self.in_segment {
                let dt = (ts - at).max(0);
                if was_up {
                    self.up_ms += dt;
                } else {
                    self.down_ms += dt;
                }
            }
        }
        self.last = Some((t.up, ts));
        self.in_segment = true;

        match (t.up, self.outage) {
            (false, None) => self.outage = Some((ts, 1, ts)),
            (false, Some((start, n, _))) => self.outage = Some((start, n + 1, ts)),
            (true, Some((start, n, _))) => {
                self.outage = None;
                self.push_outage(start, ts, n, false, false);
            }
            (true, None) => {}
        }

        let mut ended = None;
        match self.detector.push(t.up) {
            Some(Transition::Started { score }) => self.flap_open = Some((ts, score)),
            Some(Transition::Ended { peak, .. }) => {
                if let Some((start, _)) = self.flap_open.take() {
                    self.push_flap(start, Some(ts), peak);
                    ended = Some(start);
                }
            }
            None => {
                if let Some((_, peak)) = &mut self.flap_open {
                    *peak = peak.max(self.detector.score());
                }
            }
        }
        if let Some(w) = &mut self.wpad {
            // The period runs from the round that started it to the one that ended it.
            if self.flap_open.is_some() || ended.is_some() {
                w.see(wpad);
            }
            if let Some(start) = ended {
                w.close(start, Some(ts));
            }
        }

        for v in &t.via {
            if self.via.len() < MAX_VIA && !self.via.contains(v) {
                self.via.push(v.clone());
            }
        }
        for (phase, values) in &t.lat {
            if !self.lat.contains_key(phase) && self.lat.len() >= MAX_PHASES {
                continue;
            }
            let (h, min, max) = self.lat.entry(phase.clone()).or_insert_with(|| {
                (
                    Histogram::new_with_bounds(1, LAT_MAX_US, 3).expect("bounds"),
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                )
            });
            for &v in values.iter().filter(|v| v.is_finite() && **v >= 0.0) {
                h.saturating_record(((v * 1000.0).round() as u64).clamp(1, LAT_MAX_US));
                *min = min.min(v);
                *max = max.max(v);
            }
        }
        if let Some(o) = t.offset_ms.filter(|o| o.is_finite()) {
            let interval = self.interval_ms;
            self.ntp
                .get_or_insert_with(|| OffsetAgg::new(interval))
                .add(ts, o);
        }
        for (family, set) in &t.sets {
            match self.sets.get(family) {
                None => {
                    self.first_sets.push(SetChange {
                        at: Stamp(ts),
                        family: family.clone(),
                        added: set.clone(),
                        removed: vec![],
                        set: set.clone(),
                    });
                    self.sets.insert(family.clone(), set.clone());
                }
                Some(old) if old != set => {
                    self.set_changes_total += 1;
                    if self.set_changes.len() < MAX_SET_CHANGES {
                        self.set_changes.push(SetChange {
                            at: Stamp(ts),
                            family: family.clone(),
                            added: set.iter().filter(|a| !old.contains(a)).cloned().collect(),
                            removed: old.iter().filter(|a| !set.contains(a)).cloned().collect(),
                            set: set.clone(),
                        });
                    }
                    self.sets.insert(family.clone(), set.clone());
                }
                Some(_) => {}
            }
        }
        for code in &t.codes {
            if let Some(n) = self.codes.get_mut(code) {
                *n += 1;
            } else if self.codes.len() < MAX_CODES {
                self.codes.insert(code.clone(), 1);
            }
        }
    }

    fn push_outage(&mut self, start: i64, end: i64, rounds: u64, ongoing: bool, cut: bool) {
        let o = Outage {
            start: Stamp(start),
            end: Stamp(end),
            duration_s: Stamp(start).secs_to(Stamp(end)),
            rounds,
            ongoing,
            cut,
        };
        self.outages_total += 1;
        if self
            .longest
            .as_ref()
            .is_none_or(|l| o.duration_s > l.duration_s)
        {
            self.longest = Some(o.clone());
        }
        if self.outages.len() < MAX_OUTAGES {
            self.outages.push(o);
        }
    }

    fn push_flap(&mut self, start: i64, end: Option<i64>, peak: f64) {
        if self.flaps.len() >= MAX_FLAPS {
            return;
        }
        let last = end.or(self.last.map(|l| l.1)).unwrap_or(start);
        self.flaps.push(FlapPeriod {
            start: Stamp(start),
            end: end.map(Stamp),
            duration_s: Stamp(start).secs_to(Stamp(last)),
            peak_score_pct: pct(peak),
            ongoing: end.is_none(),
        });
    }

    /// The segment ended (an interruption): its last round counts one slot, and an open outage
    /// ends here without a recovery.
    fn end_segment(&mut self, slot_ms: i64) {
        if self.in_segment {
            self.attribute_last(slot_ms);
        }
        self.in_segment = false;
        if let Some((start, n, last_down)) = self.outage.take() {
            self.push_outage(start, last_down, n, false, true);
        }
    }

    fn attribute_last(&mut self, slot_ms: i64) {
        match self.last {
            Some((true, _)) => self.up_ms += slot_ms,
            Some((false, _)) => self.down_ms += slot_ms,
            None => {}
        }
    }

    fn finish(
        mut self,
        slot_ms: i64,
        findings: &mut Vec<Finding>,
        wpad: &mut WpadOn,
    ) -> TargetReport {
        if self.in_segment {
            self.attribute_last(slot_ms);
        }
        if let Some((start, n, last_down)) = self.outage.take() {
            self.push_outage(start, last_down, n, true, false);
        }
        if let Some((start, peak)) = self.flap_open.take() {
            self.push_flap(start, None, peak);
            if let Some(w) = &mut self.wpad {
                w.close(start, None);
            }
        }
        if let Some(w) = self.wpad.take() {
            wpad.add(w, self.last.map_or(0, |l| l.1));
        }
        if let (Some(first), Some(last)) = (self.flaps.first(), self.flaps.last()) {
            let code = match self.kind.as_str() {
                "ntp" => Code::SoakNtpFlapping,
                "dns" => Code::SoakDnsFlapping,
                _ => Code::SoakFlapping,
            };
            let peak = self
                .flaps
                .iter()
                .map(|f| f.peak_score_pct)
                .fold(0.0, f64::max);
            let end = match last.end {
                Some(e) if !last.ongoing => e.rfc3339_secs(),
                _ => "ongoing".into(),
            };
            findings.push(
                Finding::new(code, Status::Fail, display_target(&self.id))
                    .with("start", first.start.rfc3339_secs())
                    .with("end", end)
                    .with("peak_pct", format!("{peak:.1}"))
                    .with("periods", self.flaps.len())
                    .with("changes", self.changes),
            );
        }
        let latency: Vec<PhaseLatency> = self
            .lat
            .iter()
            .filter(|(_, (h, _, _))| !h.is_empty())
            .map(|(phase, (h, min, max))| {
                // The middle of the value's bucket, clamped to what was seen.
                let q = |q: f64| {
                    let v = h.median_equivalent(h.value_at_quantile(q)) as f64 / 1000.0;
                    round3(v.clamp(*min, *max))
                };
                PhaseLatency {
                    phase: phase.clone(),
                    samples: h.len(),
                    min_ms: round3(*min),
                    p50_ms: q(0.50),
                    p95_ms: q(0.95),
                    p99_ms: q(0.99),
                    max_ms: round3(*max),
                }
            })
            .collect();
        let mut latency: Vec<PhaseLatency> = latency;
        latency.sort_by_key(|l| phase_rank(&l.phase));
        let mut codes: Vec<CodeCount> = self
            .codes
            .into_iter()
            .map(|(code, rounds)| CodeCount { code, rounds })
            .collect();
        codes.sort_by(|a, b| b.rounds.cmp(&a.rounds).then(a.code.cmp(&b.code)));
        let outages = self.outages_total;
        TargetReport {
            id: self.id,
            kind: self.kind,
            via: self.via,
            rounds: self.rounds,
            up_rounds: self.up_rounds,
            availability_pct: if self.rounds == 0 {
                0.0
            } else {
                (self.up_rounds as f64 * 100.0 / self.rounds as f64 * 1e4).round() / 1e4
            },
            state_changes: self.changes,
            flapping: self.flaps.last().is_some_and(|f| f.ongoing),
            flaps: self.flaps,
            outages: self.outages,
            outages_total: outages,
            longest_outage: self.longest,
            mtbf_s: (outages > 0).then(|| round3(self.up_ms as f64 / 1000.0 / outages as f64)),
            mttr_s: (outages > 0).then(|| round3(self.down_ms as f64 / 1000.0 / outages as f64)),
            latency,
            ntp: self.ntp.and_then(OffsetAgg::finish),
            first_sets: self.first_sets,
            set_changes: self.set_changes,
            set_changes_total: self.set_changes_total,
            codes,
            up: self.last.is_some_and(|l| l.0),
        }
    }
}

/// One distribution target's flap periods during which WPAD auto-detect was on.
#[derive(Debug, Default)]
struct WpadWatch {
    /// A round of the open period recorded auto-detect on.
    open_on: bool,
    /// The deciding source in the first round seen on.
    source: Option<String>,
    /// Closed periods with auto-detect on: start and end (`None`: still flapping at the end).
    periods: Vec<(i64, Option<i64>)>,
}

impl WpadWatch {
    fn see(&mut self, w: Wpad) {
        if w.on == Some(true) {
            self.open_on = true;
            if self.source.is_none() {
                self.source = w.source.map(str::to_string);
            }
        }
    }

    fn close(&mut self, start: i64, end: Option<i64>) {
        if std::mem::take(&mut self.open_on) && self.periods.len() < MAX_FLAPS {
            self.periods.push((start, end));
        }
    }
}

/// The flap periods with auto-detect on of all the distribution server's targets, overlapping
/// ones merged, and the 補17 finding they give.
#[derive(Debug, Default)]
struct WpadOn {
    /// Start, end (the last round seen when ongoing) and whether it is ongoing.
    periods: Vec<(i64, i64, bool)>,
    source: Option<String>,
}

impl WpadOn {
    fn add(&mut self, w: WpadWatch, last_ts: i64) {
        if self.source.is_none() {
            self.source = w.source;
        }
        for (start, end) in w.periods {
            self.periods
                .push((start, end.unwrap_or(last_ts.max(start)), end.is_none()));
        }
    }

    fn finding(mut self) -> Option<Finding> {
        self.periods.sort_by_key(|p| p.0);
        let mut merged: Vec<(i64, i64, bool)> = Vec::new();
        for p in self.periods {
            match merged.last_mut() {
                Some(m) if p.0 <= m.1 => {
                    m.2 = (m.2 && m.1 >= p.1) || (p.2 && p.1 >= m.1);
                    m.1 = m.1.max(p.1);
                }
                _ => merged.push(p),
            }
        }
        let (first, last) = (merged.first()?, merged.last()?);
        let start = Stamp(first.0).rfc3339_secs();
        let end = (!last.2).then(|| Stamp(last.1).rfc3339_secs());
        let n = merged.len();
        let (en, ja) = match (n, &end) {
            (1, Some(e)) => (
                format!("flapping from {start} to {e}"),
                format!("{start} から {e} までフラップ"),
            ),
            (1, None) => (
                format!("flapping from {start}, still at the last round"),
                format!("{start} からフラップし、最後のラウンドでも継続中"),
            ),
            (_, Some(e)) => (
                format!("{n} flapping periods from {start} to {e}"),
                format!("{start} から {e} までに {n} 回フラップ"),
            ),
            (_, None) => (
                format!("{n} flapping periods from {start}, the last still at the last round"),
                format!("{start} から {n} 回フラップし、最後のラウンドでも継続中"),
            ),
        };
        Some(
            Finding::new(Code::ProxyAutoDetectOn, Status::Fail, "auto-detect")
                .with(
                    "detail",
                    format!(
                        "the distribution server's connection succeeds and fails by turns ({en})"
                    ),
                )
                .with(
                    "detail_ja",
                    format!("配信サーバへの接続が成功と失敗を繰り返しています（{ja}）"),
                )
                .with("start", start)
                .with("end", end.as_deref().unwrap_or("ongoing"))
                .with("periods", n)
                .with("source", self.source.as_deref().unwrap_or("unknown")),
        )
    }
}

/// Phases in the order they happen (a TLS endpoint is resolved, connected, shaken hands with,
/// then asked); others keep their names' order.
fn phase_rank(phase: &str) -> u8 {
    match phase {
        "resolve" => 0,
        "connect" | "tcp_connect" => 1,
        "handshake" => 2,
        "request" => 3,
        _ => 4,
    }
}

/// Three decimals: microseconds for milliseconds, thousandths for ppm and seconds.
fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Offsets over time: extremes, a least-squares line (Welford's updates, stable over days), and
/// at most a hundred buckets whose width doubles as the soak grows.
struct OffsetAgg {
    n: u64,
    t0: i64,
    first: f64,
    last: f64,
    last_ts: i64,
    min: f64,
    max: f64,
    mean_t: f64,
    mean_y: f64,
    c_ty: f64,
    m2_t: f64,
    m2_y: f64,
    width_ms: i64,
    buckets: Vec<(i64, Bucket)>,
}

#[derive(Clone, Copy)]
struct Bucket {
    start: i64,
    end: i64,
    n: u64,
    min: f64,
    max: f64,
    sum: f64,
}

impl Bucket {
    fn merge(&mut self, o: &Bucket) {
        self.start = self.start.min(o.start);
        self.end = self.end.max(o.end);
        self.n += o.n;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.sum += o.sum;
    }
}

impl OffsetAgg {
    fn new(interval_ms: i64) -> OffsetAgg {
        OffsetAgg {
            n: 0,
            t0: 0,
            first: 0.0,
            last: 0.0,
            last_ts: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            mean_t: 0.0,
            mean_y: 0.0,
            c_ty: 0.0,
            m2_t: 0.0,
            m2_y: 0.0,
            width_ms: interval_ms.max(1000),
            buckets: Vec::new(),
        }
    }

    fn add(&mut self, ts: i64, y: f64) {
        if self.n == 0 {
            self.t0 = ts;
            self.first = y;
        }
        self.n += 1;
        self.last = y;
        self.last_ts = ts;
        self.min = self.min.min(y);
        self.max = self.max.max(y);
        let t = (ts - self.t0) as f64 / 1000.0;
        let n = self.n as f64;
        let dt = t - self.mean_t;
        self.mean_t += dt / n;
        let dy = y - self.mean_y;
        self.mean_y += dy / n;
        self.c_ty += dt * (y - self.mean_y);
        self.m2_t += dt * (t - self.mean_t);
        self.m2_y += dy * (y - self.mean_y);

        let mut idx = (ts - self.t0).max(0) / self.width_ms;
        while idx >= BUCKETS {
            self.width_ms *= 2;
            let mut merged: Vec<(i64, Bucket)> = Vec::with_capacity(self.buckets.len());
            for (i, b) in self.buckets.drain(..) {
                match merged.last_mut() {
                    Some((j, m)) if *j == i / 2 => m.merge(&b),
                    _ => merged.push((i / 2, b)),
                }
            }
            self.buckets = merged;
            idx = (ts - self.t0).max(0) / self.width_ms;
        }
        let point = Bucket {
            start: ts,
            end: ts,
            n: 1,
            min: y,
            max: y,
            sum: y,
        };
        match self.buckets.last_mut() {
            // Out-of-order times (a clock set back before a resume) join the last bucket.
            Some((j, b)) if *j >= idx => b.merge(&point),
            _ => self.buckets.push((idx, point)),
        }
    }

    fn fit(&self) -> Option<DriftFit> {
        if self.n < 3 || self.m2_t <= 0.0 {
            return None;
        }
        let slope = self.c_ty / self.m2_t; // ms per second
        let ss = (self.m2_y - slope * self.c_ty).max(0.0);
        let se = (ss / (self.n - 2) as f64 / self.m2_t).sqrt();
        Some(DriftFit {
            local_drift_ppm: round3(-slope * 1000.0),
            stderr_ppm: round3(se * 1000.0),
            samples: self.n,
            span_s: (self.last_ts - self.t0) as f64 / 1000.0,
            residual_ms: round3((ss / self.n as f64).sqrt()),
        })
    }

    fn finish(self) -> Option<NtpOffsets> {
        if self.n == 0 {
            return None;
        }
        Some(NtpOffsets {
            samples: self.n,
            first_ms: round3(self.first),
            last_ms: round3(self.last),
            min_ms: round3(self.min),
            max_ms: round3(self.max),
            fit: self.fit(),
            series: self
                .buckets
                .iter()
                .map(|(_, b)| OffsetBucket {
                    start: Stamp(b.start),
                    end: Stamp(b.end),
                    samples: b.n,
                    min_ms: round3(b.min),
                    mean_ms: round3(b.sum / b.n as f64),
                    max_ms: round3(b.max),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::journal::tests::{header, round};
    use super::super::journal::{EndRecord, ResumeRecord, rfc3339};
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    fn report(records: &[Record]) -> SoakReport {
        let mut a = Aggregator::new(&header(), None);
        for r in records {
            a.add(r);
        }
        a.finish(vec![])
    }

    /// States at one-second rounds from T0.
    fn rounds(states: &[bool]) -> Vec<Record> {
        states
            .iter()
            .enumerate()
            .map(|(i, up)| Record::Round(round(i as u64 + 1, T0 + 1000 * i as i64, *up)))
            .collect()
    }

    #[test]
    fn steady_target_is_fully_available() {
        let r = report(&rounds(&[true; 30]));
        let t = &r.targets[0];
        assert_eq!((t.rounds, t.up_rounds, t.state_changes), (30, 30, 0));
        assert_eq!(t.availability_pct, 100.0);
        assert!(t.outages.is_empty() && t.flaps.is_empty());
        assert_eq!((t.mtbf_s, t.mttr_s), (None, None));
        assert_eq!(r.status, Status::Pass);
        assert_eq!(
            r.active_s, 30.0,
            "29 s between first and last, plus the last slot"
        );
        let lat = &t.latency[0];
        assert_eq!((lat.phase.as_str(), lat.samples), ("ntp", 60));
        assert!((lat.p50_ms - 0.25).abs() < 0.001 && (lat.p99_ms - 0.5).abs() < 0.001);
        let ntp = t.ntp.as_ref().unwrap();
        assert_eq!(ntp.samples, 30);
        assert!(ntp.fit.as_ref().unwrap().local_drift_ppm.abs() < 1e-9);
    }

    #[test]
    fn outages_mtbf_and_mttr() {
        // up 10 s, down 5 s, up 10 s, down 3 s, up 2 s (one-second rounds).
        let mut s = vec![true; 10];
        s.extend([false; 5]);
        s.extend([true; 10]);
        s.extend([false; 3]);
        s.extend([true; 2]);
        let r = report(&rounds(&s));
        let t = &r.targets[0];
        assert_eq!(t.outages_total, 2);
        assert_eq!(t.outages[0].start, Stamp(T0 + 10_000));
        assert_eq!(t.outages[0].end, Stamp(T0 + 15_000));
        assert_eq!((t.outages[0].duration_s, t.outages[0].rounds), (5.0, 5));
        assert_eq!(t.outages[1].duration_s, 3.0);
        assert_eq!(t.longest_outage.as_ref().unwrap().duration_s, 5.0);
        assert_eq!(t.state_changes, 4);
        assert!((t.availability_pct - 22.0 / 30.0 * 100.0).abs() < 1e-4);
        // 22 s up (the last round counts its slot), 8 s down, 2 outages.
        assert_eq!(t.mtbf_s, Some(11.0));
        assert_eq!(t.mttr_s, Some(4.0));
        assert_eq!(t.codes[0].code, "ntp.no_reply");
        assert_eq!(t.codes[0].rounds, 8);
        assert_eq!(r.round_status.fail, 8);
        assert_eq!(r.status, Status::Fail);
        assert!(!r.complete);
    }

    #[test]
    fn flapping_period_and_finding() {
        // Alternating for 20 rounds, then steady.
        let mut s: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
        s.extend([true; 30]);
        let r = report(&rounds(&s));
        let t = &r.targets[0];
        assert_eq!(t.flaps.len(), 1);
        let f = &t.flaps[0];
        assert_eq!(f.start, Stamp(T0 + 6_000), "the 7th round");
        assert!(!f.ongoing && f.end.is_some());
        assert!(f.peak_score_pct > 90.0, "{}", f.peak_score_pct);
        let finding = r
            .findings
            .iter()
            .find(|f| f.code == Code::SoakNtpFlapping)
            .unwrap();
        assert_eq!(finding.subject, "127.0.0.12:123");
        assert_eq!(finding.value("start"), Some("2023-11-14T22:13:26Z"));
        assert_eq!(finding.value("changes"), Some("20"));
        // Thresholds given to the report override the journal's: 99.9 % is reached only when
        // all 20 transitions of the window changed, at the 21st round.
        let mut a = Aggregator::new(&header(), Some(Thresholds::new(99.9, 50.0).unwrap()));
        for rec in rounds(&s) {
            a.add(&rec);
        }
        let r = a.finish(vec![]);
        assert_eq!(r.targets[0].flaps[0].start, Stamp(T0 + 20_000));
        assert_eq!(r.header.flap_high_pct, 99.9);
    }

    #[test]
    fn each_kind_of_target_flaps_with_its_own_guide_section() {
        let mut s: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
        s.extend([true; 30]);
        let mut a = Aggregator::new(&header(), None);
        for (i, up) in s.iter().enumerate() {
            let mut r = round(i as u64 + 1, T0 + 1000 * i as i64, *up);
            let mut dns = r.targets[0].clone();
            dns.id = "dns:ntp.example".into();
            dns.kind = "dns".into();
            let mut tls = r.targets[0].clone();
            tls.id = "tls:distribution".into();
            tls.kind = "tls".into();
            r.targets.extend([dns, tls]);
            a.add(&Record::Round(r));
        }
        let r = a.finish(vec![]);
        let got: Vec<(&str, &str, &str)> = r
            .findings
            .iter()
            .map(|f| {
                (
                    f.code.as_label(),
                    crate::findings::entry(f.code).section,
                    f.subject.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("soak.ntp_flapping", "補24", "127.0.0.12:123"),
                ("soak.dns_flapping", "補35", "ntp.example"),
                ("soak.flapping", "補17", "distribution"),
            ]
        );
        for f in &r.findings {
            for key in crate::findings::placeholders(f.code) {
                assert!(f.value(&key).is_some(), "{:?} lacks {key}", f.code);
            }
        }
    }

    #[test]
    fn interruption_cuts_outages_and_leaves_the_gap_out() {
        let mut recs = rounds(&[true, true, false, false]);
        recs.push(Record::Resume(ResumeRecord {
            ts: T0 + 3_600_000,
            at: rfc3339(T0 + 3_600_000),
            tool_version: "0.1.0".into(),
            remaining_ms: None,
        }));
        for i in 0..3 {
            let ts = T0 + 3_600_000 + 1000 * i;
            recs.push(Record::Round(round(10 + i as u64, ts, true)));
        }
        recs.push(Record::End(EndRecord {
            ts: T0 + 3_610_000,
            at: String::new(),
            reason: EndReason::Completed,
            rounds: 3,
        }));
        let r = report(&recs);
        assert_eq!(r.segments, 2);
        assert!(r.complete);
        assert_eq!(r.active_s, 4.0 + 3.0);
        let t = &r.targets[0];
        assert_eq!(t.outages_total, 1);
        let o = &t.outages[0];
        assert!(o.cut && !o.ongoing);
        assert_eq!(
            o.duration_s, 1.0,
            "from the first to the last down round seen"
        );
        assert_eq!(t.mttr_s, Some(2.0), "two down rounds of a second each");
        assert_eq!(t.mtbf_s, Some(5.0));
    }

    #[test]
    fn ongoing_outage_and_empty_journal() {
        let r = report(&rounds(&[true, false, false]));
        let o = &r.targets[0].outages[0];
        assert!(o.ongoing && !o.cut);
        let r = report(&[]);
        assert_eq!(r.status, Status::Error);
        assert!(r.notes[0].contains("nothing was measured"));
    }

    #[test]
    fn drift_is_fitted_and_named() {
        // The server's offset falls 50 µs per second (this clock gains 50 ppm), with ±0.1 ms noise,
        // over ten minutes of 10 s rounds.
        let recs: Vec<Record> = (0..60)
            .map(|i| {
                let mut r = round(i + 1, T0 + 10_000 * i as i64, true);
                let noise = if i % 2 == 0 { 0.1 } else { -0.1 };
                r.targets[0].offset_ms = Some(5.0 - 0.05 * 10.0 * i as f64 + noise);
                Record::Round(r)
            })
            .collect();
        let r = report(&recs);
        let fit = r.local_clock.as_ref().unwrap().fit.as_ref().unwrap();
        assert!((fit.local_drift_ppm - 50.0).abs() < 0.5, "{fit:?}");
        assert!(fit.stderr_ppm < 1.0);
        assert!((fit.span_s - 590.0).abs() < 1e-9);
        let f = r
            .findings
            .iter()
            .find(|f| f.code == Code::SoakClockDrift)
            .unwrap();
        assert_eq!(f.value("ppm"), Some("+50.0"));
        for key in crate::findings::placeholders(f.code) {
            assert!(f.value(&key).is_some(), "clock drift lacks {key}");
        }
        assert_eq!(f.value("per_day_s"), Some("4.3"));
        assert_eq!(r.status, Status::Warn);
        let series = &r.targets[0].ntp.as_ref().unwrap().series;
        assert!(
            series.len() <= 100 && series.len() >= 50,
            "{}",
            series.len()
        );
        assert_eq!(series.iter().map(|b| b.samples).sum::<u64>(), 60);
    }

    #[test]
    fn offset_buckets_stay_bounded_over_days() {
        let mut o = OffsetAgg::new(1000);
        for i in 0..200_000i64 {
            o.add(T0 + i * 1000, (i % 7) as f64);
        }
        let n = o.finish().unwrap();
        assert!(
            n.series.len() <= 100 && n.series.len() > 50,
            "{}",
            n.series.len()
        );
        assert_eq!(n.series.iter().map(|b| b.samples).sum::<u64>(), 200_000);
        assert!(n.series.windows(2).all(|w| w[0].end < w[1].start));
    }

    #[test]
    fn answer_set_changes() {
        let recs: Vec<Record> = (0..6)
            .map(|i| {
                let mut r = round(i + 1, T0 + 1000 * i as i64, true);
                let set: Vec<String> = if (2..4).contains(&i) {
                    vec!["a".into()]
                } else {
                    vec!["a".into(), "b".into()]
                };
                r.targets[0].sets = BTreeMap::from([("ipv4".to_string(), set)]);
                Record::Round(r)
            })
            .collect();
        let t = &report(&recs).targets[0];
        assert_eq!(t.first_sets[0].set, ["a", "b"]);
        assert_eq!(t.set_changes_total, 2);
        assert_eq!(t.set_changes[0].removed, ["b"]);
        assert_eq!(t.set_changes[0].at, Stamp(T0 + 2000));
        assert_eq!(t.set_changes[1].added, ["b"]);
    }

    /// A target of kind `kind` in one of [`wpad_rounds`]' rounds.
    fn target(id: &str, kind: &str, up: bool) -> TargetRecord {
        TargetRecord {
            id: id.into(),
            kind: kind.into(),
            up,
            status: if up { Status::Pass } else { Status::Fail },
            codes: vec![],
            via: vec![],
            lat: BTreeMap::new(),
            offset_ms: None,
            sets: BTreeMap::new(),
            auto_detect: None,
            proxy_source: None,
        }
    }

    /// One-second rounds from T0 holding the distribution server's TLS endpoint (`tls[i]`), its
    /// way through the proxy settings when `route` is given, and the proxy settings with WPAD
    /// auto-detect as `wpad(i)` says (`None`: not recorded, as in journals before it was).
    fn wpad_rounds(
        tls: &[bool],
        route: Option<&[bool]>,
        wpad: impl Fn(usize) -> Option<bool>,
    ) -> Vec<Record> {
        (0..tls.len())
            .map(|i| {
                let mut r = round(i as u64 + 1, T0 + 1000 * i as i64, true);
                let mut settings = target(PROXY_SETTINGS, "proxy_settings", true);
                settings.auto_detect = wpad(i);
                settings.proxy_source = Some("wininet".into());
                r.targets = vec![target("tls:distribution", "tls", tls[i]), settings];
                if let Some(route) = route {
                    r.targets
                        .push(target("proxy:distribution", "proxy_route", route[i]));
                }
                Record::Round(r)
            })
            .collect()
    }

    /// Alternating for 20 rounds, then steady for 30: one flap period, from the 7th round (T0 +
    /// 6 s) to the 37th (T0 + 36 s).
    fn flap_then_steady() -> Vec<bool> {
        let mut s: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
        s.extend([true; 30]);
        s
    }

    fn labels(r: &SoakReport) -> Vec<(&str, &str)> {
        r.findings
            .iter()
            .map(|f| (f.code.as_label(), f.subject.as_str()))
            .collect()
    }

    #[test]
    fn distribution_flapping_with_auto_detect_on_gives_the_proxy_verdict() {
        let r = report(&wpad_rounds(&flap_then_steady(), None, |_| Some(true)));
        let flap = &r.targets[0].flaps[0];
        assert_eq!(
            (flap.start, flap.end),
            (Stamp(T0 + 6_000), Some(Stamp(T0 + 36_000)))
        );
        assert_eq!(
            labels(&r),
            [
                ("soak.flapping", "distribution"),
                ("proxy.autodetect_on", "auto-detect")
            ]
        );
        let f = &r.findings[1];
        assert_eq!(f.severity, Status::Fail);
        assert_eq!(crate::findings::entry(f.code).section, "補17");
        assert_eq!(f.value("start"), Some("2023-11-14T22:13:26Z"));
        assert_eq!(f.value("end"), Some("2023-11-14T22:13:56Z"));
        assert_eq!(f.value("periods"), Some("1"));
        assert_eq!(f.value("source"), Some("wininet"));
        assert_eq!(
            f.value("detail"),
            Some(
                "the distribution server's connection succeeds and fails by turns (flapping from 2023-11-14T22:13:26Z to 2023-11-14T22:13:56Z)"
            )
        );
        use crate::findings::{Lang, render};
        assert_eq!(
            render(f, Lang::En).cause,
            "'Automatically detect settings' (WPAD) is on while the distribution server's connection succeeds and fails by turns (flapping from 2023-11-14T22:13:26Z to 2023-11-14T22:13:56Z)"
        );
        assert_eq!(
            render(f, Lang::Ja).cause,
            "「設定を自動的に検出する」（WPAD）がオンのまま、配信サーバへの接続が成功と失敗を繰り返しています（2023-11-14T22:13:26Z から 2023-11-14T22:13:56Z までフラップ）"
        );
        for key in crate::findings::placeholders(f.code) {
            assert!(f.value(&key).is_some(), "lacks {key}");
        }
        assert_eq!(r.status, Status::Fail);
    }

    #[test]
    fn auto_detect_on_in_one_round_of_the_period_is_enough() {
        // On only at T0 + 20 s, inside the period; off before and after.
        let r = report(&wpad_rounds(&flap_then_steady(), None, |i| Some(i == 20)));
        assert_eq!(
            labels(&r),
            [
                ("soak.flapping", "distribution"),
                ("proxy.autodetect_on", "auto-detect")
            ]
        );
        // The period's first and last rounds count; the rounds around it do not.
        for (i, want) in [(5, false), (6, true), (36, true), (37, false)] {
            let r = report(&wpad_rounds(&flap_then_steady(), None, |j| Some(j == i)));
            assert_eq!(
                r.findings.iter().any(|f| f.code == Code::ProxyAutoDetectOn),
                want,
                "auto-detect on only at round index {i}"
            );
        }
    }

    #[test]
    fn distribution_flapping_with_auto_detect_off_or_unknown_keeps_only_soak_flapping() {
        for (wpad, why) in [(Some(false), "known off"), (None, "not recorded")] {
            let r = report(&wpad_rounds(&flap_then_steady(), None, |_| wpad));
            assert_eq!(labels(&r), [("soak.flapping", "distribution")], "{why}");
        }
    }

    #[test]
    fn auto_detect_on_without_flapping_gives_nothing() {
        // Steady, then one outage of five rounds (10 %: never flaps).
        let mut s = vec![true; 20];
        s.extend([false; 5]);
        s.extend([true; 20]);
        let r = report(&wpad_rounds(&s, Some(&s), |_| Some(true)));
        assert!(r.targets.iter().all(|t| t.flaps.is_empty()));
        assert_eq!(labels(&r), []);
        // Another target flapping is not the distribution server's connection.
        let recs: Vec<Record> = wpad_rounds(&[true; 50], None, |_| Some(true))
            .into_iter()
            .zip(flap_then_steady())
            .map(|(rec, up)| {
                let Record::Round(mut r) = rec else {
                    unreachable!()
                };
                r.targets.push(target("tls:api", "tls", up));
                Record::Round(r)
            })
            .collect();
        assert_eq!(labels(&report(&recs)), [("soak.flapping", "api")]);
    }

    #[test]
    fn the_distribution_route_through_the_proxy_counts_too() {
        let flapping = flap_then_steady();
        let r = report(&wpad_rounds(&[true; 50], Some(&flapping), |_| Some(true)));
        assert_eq!(
            labels(&r),
            [
                ("soak.flapping", "proxy:distribution"),
                ("proxy.autodetect_on", "auto-detect")
            ]
        );
        assert_eq!(r.findings[1].value("periods"), Some("1"));
        // Both flapping over the same time: one verdict, one period.
        let r = report(&wpad_rounds(&flapping, Some(&flapping), |_| Some(true)));
        assert_eq!(
            labels(&r),
            [
                ("soak.flapping", "distribution"),
                ("soak.flapping", "proxy:distribution"),
                ("proxy.autodetect_on", "auto-detect")
            ]
        );
        let f = &r.findings[2];
        assert_eq!(
            (f.value("start"), f.value("end"), f.value("periods")),
            (
                Some("2023-11-14T22:13:26Z"),
                Some("2023-11-14T22:13:56Z"),
                Some("1")
            )
        );
    }

    #[test]
    fn separate_and_ongoing_periods_are_told_apart() {
        // Flap, steady, flap again to the end: two periods, the second still open.
        let mut s = flap_then_steady();
        s.extend((0..20).map(|i| i % 2 == 0));
        let r = report(&wpad_rounds(&s, None, |_| Some(true)));
        let flaps = &r.targets[0].flaps;
        assert_eq!(flaps.len(), 2);
        assert!(flaps[1].ongoing);
        let f = r
            .findings
            .iter()
            .find(|f| f.code == Code::ProxyAutoDetectOn)
            .unwrap();
        assert_eq!(
            (f.value("start"), f.value("end"), f.value("periods")),
            (Some("2023-11-14T22:13:26Z"), Some("ongoing"), Some("2"))
        );
        assert_eq!(
            f.value("detail"),
            Some(
                "the distribution server's connection succeeds and fails by turns (2 flapping periods from 2023-11-14T22:13:26Z, the last still at the last round)"
            )
        );
        assert_eq!(
            f.value("detail_ja"),
            Some(
                "配信サーバへの接続が成功と失敗を繰り返しています（2023-11-14T22:13:26Z から 2 回フラップし、最後のラウンドでも継続中）"
            )
        );
        // Auto-detect on in the second period only: that one alone.
        let r = report(&wpad_rounds(&s, None, |i| Some(i >= 50)));
        let f = r
            .findings
            .iter()
            .find(|f| f.code == Code::ProxyAutoDetectOn)
            .unwrap();
        assert_eq!(
            f.value("start"),
            Some(flaps[1].start.rfc3339_secs().as_str())
        );
        assert_eq!(f.value("periods"), Some("1"));
        assert_eq!(
            f.value("detail"),
            Some(
                "the distribution server's connection succeeds and fails by turns (flapping from 2023-11-14T22:14:16Z, still at the last round)"
            )
        );
    }

    #[test]
    fn an_old_journal_without_auto_detect_still_reads() {
        // Lines as a journal written before `auto_detect` and `proxy_source` existed.
        let mut text = String::new();
        for (i, up) in flap_then_steady().into_iter().enumerate() {
            let ts = T0 + 1000 * i as i64;
            text.push_str(&format!(
                concat!(
                    r#"{{"type":"round","seq":{},"ts":{},"at":"{}","dur_ms":3.5,"status":"pass","targets":["#,
                    r#"{{"id":"tls:distribution","kind":"tls","up":{},"status":"pass"}},"#,
                    r#"{{"id":"proxy:settings","kind":"proxy_settings","up":true,"status":"pass"}}]}}"#,
                    "\n"
                ),
                i + 1,
                ts,
                rfc3339(ts),
                up
            ));
        }
        let mut reader = journal::JournalReader::new(text.as_bytes());
        let mut a = Aggregator::new(&header(), None);
        let mut n = 0;
        while let Some(rec) = reader.next_record().unwrap() {
            if let Record::Round(r) = &rec {
                let settings = &r.targets[1];
                assert_eq!(
                    (settings.auto_detect, settings.proxy_source.as_deref()),
                    (None, None)
                );
            }
            a.add(&rec);
            n += 1;
        }
        assert_eq!(n, 50);
        assert_eq!(reader.notes(), Vec::<String>::new());
        let r = a.finish(vec![]);
        assert_eq!(labels(&r), [("soak.flapping", "distribution")]);
        // And a line with the fields reads them.
        let line = br#"{"type":"round","seq":1,"ts":1,"at":"x","dur_ms":1.0,"status":"pass","targets":[{"id":"proxy:settings","kind":"proxy_settings","up":true,"status":"pass","auto_detect":true,"proxy_source":"wininet"}]}"#;
        let mut reader = journal::JournalReader::new(&line[..]);
        let Some(Record::Round(r)) = reader.next_record().unwrap() else {
            panic!("{:?}", reader.notes())
        };
        assert_eq!(
            (
                r.targets[0].auto_detect,
                r.targets[0].proxy_source.as_deref()
            ),
            (Some(true), Some("wininet"))
        );
    }
}
