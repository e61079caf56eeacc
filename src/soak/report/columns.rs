//! Columns for charts: the soak cut into at most [`MAX_COLUMNS`] stretches of equal time, shared
//! by every target, and per target and column the up/down rounds and each phase's latencies (a
//! sparse log histogram, so columns merge exactly when the grid's width doubles). What the HTML
//! report draws; the rest of the report never reads it. Depends on `model` only.

use super::round3;
use crate::model::{Columns, LatencyColumn, MAX_COLUMNS, PhaseColumns, Stamp, StateColumn};

/// Latency bins grow by 5 %: a bin's middle is within 2.5 % of every value in it.
const BIN_GROWTH: f64 = 1.05;

/// The soak's time grid: where column 0 starts and how wide a column is.
pub(super) struct Grid {
    start: Option<i64>,
    width_ms: i64,
}

impl Grid {
    /// Columns one interval wide to begin with (a second at least).
    pub(super) fn new(interval_ms: i64) -> Grid {
        Grid {
            start: None,
            width_ms: interval_ms.max(1000),
        }
    }

    /// The column of `ts`, and how many times the width had to double for it to fit (every
    /// series must then [`Series::halve`] that many times). A time before the first round's
    /// falls in column 0.
    pub(super) fn place(&mut self, ts: i64) -> (usize, u32) {
        let start = *self.start.get_or_insert(ts);
        let offset = (ts - start).max(0);
        let mut doublings = 0;
        while offset / self.width_ms >= MAX_COLUMNS as i64 {
            self.width_ms = self.width_ms.saturating_mul(2);
            doublings += 1;
        }
        ((offset / self.width_ms) as usize, doublings)
    }

    /// The grid with `count` columns, the last one that holds a round.
    pub(super) fn finish(&self, count: usize) -> Option<Columns> {
        self.start.map(|start| Columns {
            start: Stamp(start),
            width_ms: self.width_ms,
            count,
        })
    }
}

/// One phase's latencies in one column.
#[derive(Clone, Debug, Default)]
struct LatCol {
    n: u32,
    min: f64,
    max: f64,
    /// (bin, count), sorted by bin.
    bins: Vec<(u16, u32)>,
}

impl LatCol {
    fn add(&mut self, ms: f64) {
        if self.n == 0 {
            self.min = ms;
            self.max = ms;
        }
        self.n = self.n.saturating_add(1);
        self.min = self.min.min(ms);
        self.max = self.max.max(ms);
        let b = bin(ms);
        match self.bins.binary_search_by_key(&b, |e| e.0) {
            Ok(i) => self.bins[i].1 = self.bins[i].1.saturating_add(1),
            Err(i) => self.bins.insert(i, (b, 1)),
        }
    }

    fn merge(&mut self, o: LatCol) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o;
            return;
        }
        self.n = self.n.saturating_add(o.n);
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        let mut out = Vec::with_capacity(self.bins.len() + o.bins.len());
        let (mut a, mut b) = (self.bins.iter().peekable(), o.bins.iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    out.push((x.0, x.1.saturating_add(y.1)));
                    a.next();
                    b.next();
                }
                (Some(x), Some(y)) if x.0 < y.0 => out.push(*a.next().expect("peeked")),
                (Some(_), Some(_)) | (None, Some(_)) => out.push(*b.next().expect("peeked")),
                (Some(_), None) => out.push(*a.next().expect("peeked")),
                (None, None) => break,
            }
        }
        self.bins = out;
    }

    /// The value at quantile `q` (the middle of its bin, clamped to what was seen).
    fn quantile(&self, q: f64) -> f64 {
        let rank = ((q * self.n as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for &(b, c) in &self.bins {
            seen += u64::from(c);
            if seen >= rank {
                return middle(b).clamp(self.min, self.max);
            }
        }
        self.max
    }

    fn finish(&self) -> Option<LatencyColumn> {
        (self.n > 0).then(|| LatencyColumn {
            samples: self.n,
            min_ms: round3(self.min),
            p50_ms: round3(self.quantile(0.50)),
            p95_ms: round3(self.quantile(0.95)),
            max_ms: round3(self.max),
        })
    }
}

/// The bin of a latency in ms: bins grow by 5 % from 1 µs (values below fall in bin 0).
fn bin(ms: f64) -> u16 {
    let us = (ms * 1000.0).max(1.0);
    (us.ln() / BIN_GROWTH.ln())
        .floor()
        .clamp(0.0, f64::from(u16::MAX)) as u16
}

/// The geometric middle of a bin, in ms.
fn middle(b: u16) -> f64 {
    BIN_GROWTH.powf(f64::from(b) + 0.5) / 1000.0
}

/// One target's columns: states, and latencies per phase (phases in first-seen order).
#[derive(Default)]
pub(super) struct Series {
    states: Vec<StateColumn>,
    lat: Vec<(String, Vec<LatCol>)>,
}

impl Series {
    pub(super) fn state(&mut self, col: usize, up: bool) {
        if self.states.len() <= col {
            self.states.resize(col + 1, StateColumn::default());
        }
        let c = &mut self.states[col];
        if up {
            c.up = c.up.saturating_add(1);
        } else {
            c.down = c.down.saturating_add(1);
        }
    }

    /// A latency of `phase` (a phase the target's histograms keep; the caller bounds them).
    pub(super) fn latency(&mut self, col: usize, phase: &str, ms: f64) {
        let i = match self.lat.iter().position(|(p, _)| p == phase) {
            Some(i) => i,
            None => {
                self.lat.push((phase.to_string(), Vec::new()));
                self.lat.len() - 1
            }
        };
        let cols = &mut self.lat[i].1;
        if cols.len() <= col {
            cols.resize_with(col + 1, LatCol::default);
        }
        cols[col].add(ms);
    }

    /// The grid's width doubled: columns 2i and 2i+1 become column i.
    pub(super) fn halve(&mut self) {
        self.states = std::mem::take(&mut self.states)
            .chunks(2)
            .map(|p| {
                p.iter().fold(StateColumn::default(), |a, c| StateColumn {
                    up: a.up.saturating_add(c.up),
                    down: a.down.saturating_add(c.down),
                })
            })
            .collect();
        for (_, cols) in &mut self.lat {
            let old = std::mem::take(cols);
            let mut it = old.into_iter();
            while let Some(mut a) = it.next() {
                if let Some(b) = it.next() {
                    a.merge(b);
                }
                cols.push(a);
            }
        }
    }

    /// The columns, `count` of them; phases in the order of `phases` (the report's latency
    /// table), those without a sample left out.
    pub(super) fn finish(&self, count: usize, phases: &[&str]) -> crate::model::TargetColumns {
        let mut states = self.states.clone();
        states.resize(count, StateColumn::default());
        let latency = phases
            .iter()
            .filter_map(|phase| self.lat.iter().find(|(p, _)| p == phase))
            .map(|(phase, cols)| {
                let mut columns: Vec<Option<LatencyColumn>> =
                    cols.iter().map(LatCol::finish).collect();
                columns.resize(count, None);
                PhaseColumns {
                    phase: phase.clone(),
                    columns,
                }
            })
            .collect();
        crate::model::TargetColumns { states, latency }
    }

    /// Columns this series has reached (the grid's count is the largest of them).
    pub(super) fn len(&self) -> usize {
        self.lat
            .iter()
            .map(|(_, c)| c.len())
            .fold(self.states.len(), usize::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_doubles_to_stay_within_its_columns() {
        let mut g = Grid::new(10_000);
        assert_eq!(g.place(1_000_000), (0, 0));
        assert_eq!(g.place(1_000_000 + 10_000 * 511), (511, 0));
        // Column 512 does not fit: 20 s columns, the round falls in 256.
        assert_eq!(g.place(1_000_000 + 10_000 * 512), (256, 1));
        // 60,480 rounds of 10 s (7 days): 1280 s columns, 473 of them.
        let mut g = Grid::new(10_000);
        let mut last = (0, 0);
        let mut doublings = 0;
        for i in 0..60_480i64 {
            last = g.place(i * 10_000);
            doublings += last.1;
        }
        assert_eq!(doublings, 7);
        assert_eq!(last.0, 472);
        let c = g.finish(last.0 + 1).unwrap();
        assert_eq!((c.start, c.width_ms, c.count), (Stamp(0), 1_280_000, 473));
        // Before the first round: column 0. Sub-second intervals: one-second columns.
        assert_eq!(g.place(-5), (0, 0));
        assert_eq!(Grid::new(400).width_ms, 1000);
    }

    #[test]
    fn halving_sums_states_and_merges_latencies_exactly() {
        let mut s = Series::default();
        for (col, up) in [(0, true), (1, false), (1, true), (2, false), (4, true)] {
            s.state(col, up);
        }
        for (col, ms) in [(0, 1.0), (1, 3.0), (1, 1.0), (3, 10.0)] {
            s.latency(col, "ntp", ms);
        }
        s.halve();
        assert_eq!(
            s.states,
            vec![
                StateColumn { up: 2, down: 1 },
                StateColumn { up: 0, down: 1 },
                StateColumn { up: 1, down: 0 },
            ]
        );
        let t = s.finish(4, &["ntp", "absent"]);
        assert_eq!(t.states.len(), 4, "padded to the grid");
        assert_eq!(t.latency.len(), 1);
        let c = t.latency[0].columns[0].unwrap();
        assert_eq!((c.samples, c.min_ms, c.max_ms), (3, 1.0, 3.0));
        // Three samples 1, 1, 3: the median is 1 (its bin's middle, within 2.5 %), p95 is 3.
        assert!((c.p50_ms - 1.0).abs() <= 0.025, "{c:?}");
        assert!((c.p95_ms - 3.0).abs() <= 0.075, "{c:?}");
        let c = t.latency[0].columns[1].unwrap();
        assert_eq!(
            (c.samples, c.min_ms, c.p50_ms, c.max_ms),
            (1, 10.0, 10.0, 10.0)
        );
        assert_eq!(t.latency[0].columns[2], None);
    }

    #[test]
    fn column_percentiles_are_within_their_bin() {
        let mut c = LatCol::default();
        // 1..=100 ms: p50 is 50, p95 is 95.
        for v in 1..=100 {
            c.add(f64::from(v));
        }
        let f = c.finish().unwrap();
        assert!((f.p50_ms / 50.0 - 1.0).abs() <= 0.05, "{f:?}");
        assert!((f.p95_ms / 95.0 - 1.0).abs() <= 0.05, "{f:?}");
        assert_eq!((f.min_ms, f.max_ms, f.samples), (1.0, 100.0, 100));
        // Merged halves give what one column would.
        let (mut a, mut b) = (LatCol::default(), LatCol::default());
        for v in 1..=100 {
            if v % 3 == 0 { &mut a } else { &mut b }.add(f64::from(v));
        }
        a.merge(b);
        assert_eq!(a.finish(), Some(f));
        // Below 1 µs and huge values still land in a bin.
        assert_eq!(bin(0.0), 0);
        assert!(bin(1e300) > bin(60_000.0));
    }
}
