//! The drift fit: NTP offsets over time in bounded memory, with their extremes, a least-squares
//! line through them (Welford's updates, stable over days) and at most a hundred buckets for the
//! timeline. Depends on `model` only.

use super::round3;
use super::steps::StepDetector;
use crate::model::{DriftFit, NtpOffsets, OffsetBucket, Stamp};

const BUCKETS: i64 = 100;

/// Offsets over time: extremes, a least-squares line (Welford's updates, stable over days), and
/// at most a hundred buckets whose width doubles as the soak grows.
pub(super) struct OffsetAgg {
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
    steps: StepDetector,
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
    pub(super) fn new(interval_ms: i64) -> OffsetAgg {
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
            steps: StepDetector::default(),
        }
    }

    pub(super) fn add(&mut self, ts: i64, y: f64) {
        self.steps.add(ts, y);
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

    pub(super) fn finish(self) -> Option<NtpOffsets> {
        if self.n == 0 {
            return None;
        }
        let fit = self.fit();
        let (steps, steps_total) = self.steps.finish();
        Some(NtpOffsets {
            samples: self.n,
            first_ms: round3(self.first),
            last_ms: round3(self.last),
            min_ms: round3(self.min),
            max_ms: round3(self.max),
            fit,
            steps,
            steps_total,
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
    use super::*;

    const T0: i64 = 1_700_000_000_000;

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
}
