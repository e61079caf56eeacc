//! Aggregation: the records of a journal, streamed one by one into the report's figures per
//! target (availability, outages, flapping periods, latency histograms, answer sets, codes) and
//! per soak (rounds, segments, active time), in bounded memory. The conclusions are drawn in
//! [`super::verdicts`], the offsets' fit in [`super::drift`]. Depends on `model` and the soak's
//! journal, flap and track modules.

use super::super::flap::{FlapDetector, Thresholds, Transition};
use super::super::journal::{EndReason, Header, Record, RoundRecord, TargetRecord};
use super::super::track::pct;
use super::changes::Changes;
use super::columns::{Grid, Series};
use super::drift::OffsetAgg;
use super::verdicts::{self, DISTRIBUTION, Wpad, WpadOn, WpadWatch};
use super::{Charts, MAX_FLAPS, header_thresholds, round3};
use crate::model::{
    CodeCount, Finding, FlapPeriod, Outage, PhaseLatency, SOAK_SCHEMA_VERSION, SetChange,
    SettingsChange, Slowness, SoakHeader, SoakReport, Stamp, Status, StatusCounts, TargetReport,
};
use hdrhistogram::Histogram;

/// The kind the journal gives the client certificate's target (`CheckKind::TlsClientCert`).
const CLIENT_CERT_KIND: &str = "tls_client_cert";
use std::collections::{BTreeMap, HashMap};

/// Targets reported at most; more are counted in a note.
const MAX_TARGETS: usize = 1024;
const MAX_OUTAGES: usize = 1000;
const MAX_SET_CHANGES: usize = 200;
const MAX_PHASES: usize = 8;
const MAX_CODES: usize = 64;
const MAX_VIA: usize = 16;
/// Latencies are kept from 1 µs to a minute (a round's deadline is shorter).
const LAT_MAX_US: u64 = 60_000_000;

/// A phase's latency histogram: 3 significant digits from 1 µs, as before, but with 32-bit
/// counts and only the buckets the largest latency recorded so far needs (it grows as values
/// come, and values are clamped to [`LAT_MAX_US`], so it stays bounded). Made for the whole
/// minute up front with 64-bit counts it took 139 KB per phase and target whatever the
/// latencies: 4–5 MB of a soak report of 33 targets, the largest share of a soak's peak memory.
/// The buckets, and so every percentile, are the same either way.
fn latency_histogram() -> Histogram<u32> {
    let mut h = Histogram::new_with_bounds(1, 2, 3).expect("bounds");
    h.auto(true);
    h
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
    slowness: Slowness,
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
    grid: Grid,
    notes: Vec<String>,
    /// The last round's sequence number: a journal's rounds only go up, resumes included.
    last_seq: Option<u64>,
    /// Rounds that did not follow the last one (repeated or out of order): not counted.
    out_of_order: u64,
    /// Header records after the first: ignored.
    extra_headers: u64,
    /// What targets keep per column for the HTML page's charts (see [`Aggregator::charts`]).
    charts: Charts,
}

impl Aggregator {
    /// What the report keeps per column (all by default). [`Charts::Timelines`] drops each
    /// target's latencies per column, which only the HTML page's charts read: they were 9.7 of
    /// the 12 MB of heap a 7-day soak's report of 30 targets took (60,480 rounds, `cargo bench
    /// --bench html`'s journal), and the soak's own report at its end made a 100,000-round soak
    /// peak at 24 MB against 14.4 MB during its rounds. The up/down columns (the timelines)
    /// stay; they are a few bytes a column.
    pub fn charts(mut self, charts: Charts) -> Aggregator {
        self.charts = charts;
        self
    }

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
                slowness: s.slowness,
            },
            thresholds,
            slowness: s.slowness,
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
            grid: Grid::new(s.interval_ms.min(i64::MAX as u64) as i64),
            notes: Vec::new(),
            last_seq: None,
            out_of_order: 0,
            extra_headers: 0,
            charts: Charts::All,
        }
    }

    pub fn add(&mut self, rec: &Record) {
        match rec {
            // A journal is written in order by one writer: a round that does not follow the last
            // one was pasted in or repeated, and counting it would count a slot twice or run
            // time backwards.
            Record::Round(r) if self.last_seq.is_some_and(|l| r.seq <= l) => {
                self.out_of_order += 1;
            }
            Record::Round(r) => {
                self.last_seq = Some(r.seq);
                self.round(r);
            }
            Record::Resume(_) => {
                self.close_segment();
                self.segments += 1;
                self.complete = false;
            }
            Record::End(e) => self.complete = e.reason == EndReason::Completed,
            Record::Header(_) => self.extra_headers += 1,
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

        let (col, doublings) = self.grid.place(r.ts);
        for _ in 0..doublings {
            for t in &mut self.targets {
                t.series.halve();
            }
        }
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
                    self.targets.push(Agg::new(
                        t,
                        self.thresholds,
                        self.slowness,
                        self.interval_ms,
                    ));
                    self.targets.len() - 1
                }
            };
            self.targets[i].observe(r.ts, r.seq, col, t, wpad, self.charts);
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
        let count = self.targets.iter().map(|t| t.series.len()).max();
        let columns = count.and_then(|n| self.grid.finish(n));
        let targets: Vec<TargetReport> = self
            .targets
            .into_iter()
            .map(|t| t.finish(len, count.unwrap_or(0), &mut findings, &mut wpad))
            .collect();
        findings.extend(wpad.finding());
        findings.extend(verdicts::clock_steps(&targets));
        let local_clock = self.local.finish();
        findings.extend(
            local_clock
                .as_ref()
                .and_then(|o| o.fit.as_ref())
                .and_then(verdicts::clock_drift),
        );
        if self.extra_headers > 0 {
            self.notes.push(format!(
                "{} more header records inside the journal were ignored",
                self.extra_headers
            ));
        }
        if self.out_of_order > 0 {
            self.notes.push(format!(
                "{} rounds out of order or repeated (a sequence number not above the last) were not counted",
                self.out_of_order
            ));
        }
        if self.ignored > 0 {
            self.notes.push(format!(
                "{} target results beyond the first {MAX_TARGETS} targets were not counted",
                self.ignored
            ));
        }
        self.notes.append(&mut notes);
        crate::judge::attach_mode(&mut findings, &self.header.mode);
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
            columns,
        }
    }
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
    /// Per phase: the histogram (3 significant digits), the exact extremes, and the samples at
    /// or above the phase's slowness threshold.
    lat: BTreeMap<String, (Histogram<u32>, f64, f64, u64)>,
    slowness: Slowness,
    ntp: Option<OffsetAgg>,
    sets: BTreeMap<String, Vec<String>>,
    first_sets: Vec<SetChange>,
    set_changes: Vec<SetChange>,
    set_changes_total: u64,
    /// `proxy:settings`: what the rounds recorded (auto-detect, the deciding source) as it changed.
    settings: Changes<(Option<bool>, Option<String>)>,
    /// TLS: the server certificate presented (the client certificate target: ours); a proxy
    /// way: DIRECT or which proxy.
    cert: Changes<String>,
    way: Changes<String>,
    codes: BTreeMap<String, u64>,
    /// For the distribution server's targets only: auto-detect across its flap periods.
    wpad: Option<WpadWatch>,
    /// States and latencies per column of the soak's grid, for charts.
    series: Series,
}

impl Agg {
    fn new(t: &TargetRecord, thresholds: Thresholds, slowness: Slowness, interval_ms: i64) -> Agg {
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
            slowness,
            ntp: None,
            sets: BTreeMap::new(),
            first_sets: Vec::new(),
            set_changes: Vec::new(),
            set_changes_total: 0,
            settings: Changes::default(),
            cert: Changes::default(),
            way: Changes::default(),
            codes: BTreeMap::new(),
            wpad: DISTRIBUTION
                .contains(&t.id.as_str())
                .then(WpadWatch::default),
            series: Series::default(),
        }
    }

    /// One round's record of this target, in grid column `col`; its latencies go into the
    /// column too with [`Charts::All`].
    fn observe(
        &mut self,
        ts: i64,
        seq: u64,
        col: usize,
        t: &TargetRecord,
        wpad: Wpad,
        charts: Charts,
    ) {
        self.rounds += 1;
        self.series.state(col, t.up);
        self.settings_change(ts, seq, t);
        if let Some(c) = &t.cert {
            self.cert.see(ts, seq, c.clone());
        }
        if let Some(w) = &t.way {
            self.way.see(ts, seq, w.clone());
        }
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
            let threshold = self.slowness.for_phase(phase);
            let (h, min, max, slow) = self
                .lat
                .entry(phase.clone())
                .or_insert_with(|| (latency_histogram(), f64::INFINITY, f64::NEG_INFINITY, 0));
            for &v in values.iter().filter(|v| v.is_finite() && **v >= 0.0) {
                let us = ((v * 1000.0).round() as u64).clamp(1, LAT_MAX_US);
                // Grows to cover `us` (counts saturate); growing cannot fail on a 64-bit
                // target, and where it could the value is kept at the largest bucket there is.
                if h.record(us).is_err() {
                    h.saturating_record(us);
                }
                *min = min.min(v);
                *max = max.max(v);
                *slow += u64::from(threshold.is_some_and(|t| v >= t));
                if charts == Charts::All {
                    self.series.latency(col, phase, v);
                }
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
        self.cert.cut();
        self.way.cut();
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

    /// Notes the proxy settings a `proxy:settings` record names when they differ from the last.
    fn settings_change(&mut self, ts: i64, seq: u64, t: &TargetRecord) {
        if t.auto_detect.is_none() && t.proxy_source.is_none() {
            return;
        }
        self.settings
            .see(ts, seq, (t.auto_detect, t.proxy_source.clone()));
    }

    fn finish(
        mut self,
        slot_ms: i64,
        columns: usize,
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
        findings.extend(verdicts::flapping(
            &self.id,
            &self.kind,
            &self.flaps,
            self.changes,
        ));
        let latency: Vec<PhaseLatency> = self
            .lat
            .iter()
            .filter(|(_, (h, _, _, _))| !h.is_empty())
            .map(|(phase, (h, min, max, slow))| {
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
                    threshold_ms: self.slowness.for_phase(phase),
                    slow: self.slowness.for_phase(phase).map(|_| *slow),
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
        findings.extend(
            latency
                .iter()
                .filter_map(|l| verdicts::slow(&self.slowness, &self.id, l)),
        );
        findings.extend(verdicts::set_changed(
            &self.id,
            &self.set_changes,
            self.set_changes_total,
        ));
        let cert_changed = if self.kind == CLIENT_CERT_KIND {
            crate::model::Code::SoakClientCertChanged
        } else {
            crate::model::Code::SoakCertChanged
        };
        findings.extend(verdicts::value_changed(cert_changed, &self.id, &self.cert));
        findings.extend(verdicts::value_changed(
            crate::model::Code::SoakWayChanged,
            &self.id,
            &self.way,
        ));
        let ntp = self.ntp.and_then(OffsetAgg::finish);
        let settings_changes = self
            .settings
            .into_list()
            .into_iter()
            .map(|(at, seq, _, (auto_detect, source), _)| SettingsChange {
                at: Stamp(at),
                seq,
                auto_detect,
                source,
            })
            .collect();
        let outages = self.outages_total;
        let phases: Vec<&str> = latency.iter().map(|l| l.phase.as_str()).collect();
        let columns = self.series.finish(columns, &phases);
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
            ntp,
            first_sets: self.first_sets,
            set_changes: self.set_changes,
            set_changes_total: self.set_changes_total,
            settings_changes,
            cert_changes: self.cert.into_report(),
            way_changes: self.way.into_report(),
            codes,
            up: self.last.is_some_and(|l| l.0),
            columns,
        }
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

#[cfg(test)]
mod tests {
    use super::{Histogram, LAT_MAX_US, latency_histogram};

    /// The growing histogram answers every percentile as the minute-wide one did, and holds only
    /// the buckets its largest value needs (7 for 100 ms, against 16 for the minute), in 32-bit
    /// counts: a quarter of the memory or less.
    #[test]
    fn latency_histogram_grows_only_as_far_as_its_values_and_agrees_with_the_wide_one() {
        let mut small = latency_histogram();
        let mut wide = Histogram::<u64>::new_with_bounds(1, LAT_MAX_US, 3).unwrap();
        let mut seed = 12_345u64;
        for _ in 0..10_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let us = 1 + (seed >> 33) % 100_000;
            small.record(us).unwrap();
            wide.saturating_record(us);
        }
        for q in [0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
            assert_eq!(
                small.median_equivalent(small.value_at_quantile(q)),
                wide.median_equivalent(wide.value_at_quantile(q)),
                "q {q}"
            );
        }
        assert_eq!(small.len(), 10_000);
        assert_eq!(small.buckets(), 7);
        assert_eq!(wide.buckets(), 16);
        // A value at the clamp still fits, and the histogram stops there.
        small.record(LAT_MAX_US).unwrap();
        assert_eq!(small.buckets(), wide.buckets());
    }
}
