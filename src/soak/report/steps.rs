//! Step detection in a series of NTP offsets, streamed in bounded memory: a jump that stays (a
//! clock set), told apart from a steady drift (a slope the recent rounds already show) and from
//! noise or a single wild sample (which the next round does not confirm). Pure; depends on
//! `model` only.

use super::round3;
use crate::model::{OffsetStep, Stamp};
use std::collections::VecDeque;

/// The smallest jump named a step: below it, a clock slewing or a path changing explains it.
/// ntpd and chrony step a clock only beyond 128 ms; this is well inside that.
pub(crate) const STEP_MIN_MS: f64 = 50.0;
/// A step stands this many robust standard deviations of the recent round-to-round noise out.
const NOISE_K: f64 = 6.0;
/// Recent accepted points the prediction rests on.
const WINDOW: usize = 8;
/// Accepted points needed before a jump can be told from the trend (a slope from fewer is
/// noise's).
const MIN_HISTORY: usize = 4;
/// Steps kept per series.
const MAX_STEPS: usize = 100;

/// The detector's state: recent accepted offsets, and a jump waiting for the next round to say
/// whether it stays.
#[derive(Debug, Default)]
pub(super) struct StepDetector {
    window: VecDeque<(i64, f64)>,
    /// A jump seen: its time, value, and what the old level predicted there.
    pending: Option<(i64, f64, f64)>,
    steps: Vec<OffsetStep>,
    total: u64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

impl StepDetector {
    /// The slope (ms per ms) of the recent rounds and the robust noise of their round-to-round
    /// changes around it.
    fn trend(&self) -> (f64, f64) {
        let pairs: Vec<(f64, f64)> = self
            .window
            .iter()
            .zip(self.window.iter().skip(1))
            .filter(|(a, b)| b.0 > a.0)
            .map(|(a, b)| ((b.0 - a.0) as f64, b.1 - a.1))
            .collect();
        if pairs.is_empty() {
            return (0.0, 0.0);
        }
        let rate = median(&mut pairs.iter().map(|(dt, dy)| dy / dt).collect::<Vec<_>>());
        let mut dev: Vec<f64> = pairs
            .iter()
            .map(|(dt, dy)| (dy - rate * dt).abs())
            .collect();
        (rate, 1.4826 * median(&mut dev))
    }

    fn predict(&self, rate: f64, ts: i64) -> Option<f64> {
        self.window.back().map(|(t, y)| y + rate * (ts - t) as f64)
    }

    fn accept(&mut self, ts: i64, y: f64) {
        if self.window.len() == WINDOW {
            self.window.pop_front();
        }
        self.window.push_back((ts, y));
    }

    pub(super) fn add(&mut self, ts: i64, y: f64) {
        let (rate, noise) = self.trend();
        let limit = STEP_MIN_MS.max(NOISE_K * noise);
        let old = match self.predict(rate, ts) {
            Some(old) if self.window.len() >= MIN_HISTORY => old,
            _ => {
                self.accept(ts, y);
                return;
            }
        };
        if let Some((pts, py, before)) = self.pending.take() {
            let new = py + rate * (ts - pts) as f64;
            if (y - new).abs() < limit && (y - new).abs() < (y - old).abs() {
                // The jump stayed: a step, from the old level to the new one.
                self.total += 1;
                if self.steps.len() < MAX_STEPS {
                    self.steps.push(OffsetStep {
                        at: Stamp(pts),
                        from_ms: round3(before),
                        to_ms: round3(py),
                        step_ms: round3(py - before),
                    });
                }
                self.window.clear();
                self.accept(pts, py);
                self.accept(ts, y);
            } else if (y - old).abs() < limit {
                // Back on the old line: the jump was one wild sample.
                self.accept(ts, y);
            } else {
                // Neither: the series is not steady enough to say; start again from here.
                self.window.clear();
                self.accept(ts, y);
            }
            return;
        }
        if (y - old).abs() >= limit {
            self.pending = Some((ts, y, old));
        } else {
            self.accept(ts, y);
        }
    }

    /// The steps found (a jump at the very last round cannot be told from a wild sample and is
    /// left out) and how many there were in all.
    pub(super) fn finish(self) -> (Vec<OffsetStep>, u64) {
        (self.steps, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    fn run(values: impl IntoIterator<Item = f64>) -> Vec<OffsetStep> {
        let mut d = StepDetector::default();
        for (i, y) in values.into_iter().enumerate() {
            d.add(T0 + i as i64 * 30_000, y);
        }
        d.finish().0
    }

    /// Small deterministic noise, ±0.8 ms.
    fn noise(i: usize) -> f64 {
        [0.3, -0.8, 0.5, 0.1, -0.4, 0.8, -0.2, 0.0, -0.6, 0.6][i % 10]
    }

    #[test]
    fn a_step_of_three_seconds_is_named_with_when_and_how_much() {
        let s = run((0..20).map(|i| noise(i) + if i >= 10 { 3000.0 } else { 0.0 }));
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].at, Stamp(T0 + 10 * 30_000));
        assert!((s[0].step_ms - 3000.0).abs() < 2.0, "{s:?}");
        assert!(s[0].from_ms.abs() < 2.0 && (s[0].to_ms - 3000.0).abs() < 2.0);
        // A step back down is a step too.
        let s = run((0..20).map(|i| noise(i) + if i >= 10 { -3000.0 } else { 0.0 }));
        assert_eq!(s.len(), 1);
        assert!(s[0].step_ms < -2990.0);
    }

    #[test]
    fn a_steady_drift_is_no_step_however_far_it_goes() {
        // 200 ppm: 6 ms per 30 s round, 600 ms over a hundred rounds.
        assert_eq!(run((0..100).map(|i| i as f64 * 6.0 + noise(i))), vec![]);
        // A fast drift, 40 ms a round, well past the step threshold in total.
        assert_eq!(run((0..50).map(|i| i as f64 * 40.0 + noise(i))), vec![]);
    }

    #[test]
    fn noise_and_a_single_wild_sample_are_no_step() {
        // Jitter of a busy path: ±20 ms.
        assert_eq!(run((0..100).map(|i| noise(i) * 25.0)), vec![]);
        // One reply delayed on one side only: 400 ms off, once.
        assert_eq!(
            run((0..20).map(|i| noise(i) + if i == 7 { 400.0 } else { 0.0 })),
            vec![]
        );
        // A jump below the floor is no step (a path change of 30 ms).
        assert_eq!(
            run((0..20).map(|i| noise(i) * 0.1 + if i >= 10 { 30.0 } else { 0.0 })),
            vec![]
        );
    }

    #[test]
    fn a_step_on_top_of_a_drift_is_measured_against_the_drift() {
        let s = run((0..30).map(|i| i as f64 * 6.0 + noise(i) + if i >= 15 { 500.0 } else { 0.0 }));
        assert_eq!(s.len(), 1, "{s:?}");
        assert!((s[0].step_ms - 500.0).abs() < 3.0, "{s:?}");
    }
}
