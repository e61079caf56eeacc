//! Flap detection as Nagios computes it: a history of the last 21 states of one target, the weighted
//! percent state change over it, and hysteresis between a high and a low threshold. A pure function
//! of the recorded states (no clock, no I/O), so it is tested with hand-worked examples and gives
//! the same answer live, on resume (replayed from the journal) and in the report.
//!
//! # The score
//! 21 states hold 20 transitions. Transition `x` (1 = oldest, 20 = newest) weighs
//! `0.75 + (x - 1) × 0.5 / 19`, rising linearly from 0.75 to 1.25; the score is
//! `100 × Σ weights of the transitions that changed state / 20`. While fewer than 21 states are
//! known, the missing older ones count as unchanged (as Nagios' pre-filled history does), so the
//! newest transition always weighs 1.25.
//!
//! # Hysteresis
//! Flapping starts when the score reaches the high threshold (score ≥ high) and ends when it falls
//! to the low one (score ≤ low); in between the current verdict holds.

use std::collections::VecDeque;

/// States kept per target, as Nagios keeps (`MAX_STATE_HISTORY_ENTRIES`).
pub const HISTORY: usize = 21;
const TRANSITIONS: usize = HISTORY - 1;
const LOW_WEIGHT: f64 = 0.75;
const HIGH_WEIGHT: f64 = 1.25;

/// Weight of transition `x` (1 = oldest, 20 = newest) of a full history.
pub fn weight(x: usize) -> f64 {
    LOW_WEIGHT
        + (x.saturating_sub(1)) as f64 * (HIGH_WEIGHT - LOW_WEIGHT) / (TRANSITIONS - 1) as f64
}

/// The weighted percent state change of the newest (at most) 21 of `states`, 0 to 100.
pub fn percent_state_change<S: PartialEq>(states: &[S]) -> f64 {
    let window = &states[states.len().saturating_sub(HISTORY)..];
    let missing = HISTORY - window.len();
    let changed: f64 = window
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair[0] != pair[1])
        .map(|(i, _)| weight(i + 1 + missing))
        .sum();
    changed * 100.0 / TRANSITIONS as f64
}

/// Why thresholds were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FlapError {
    #[error("flap thresholds must be percentages between 0 and 100 (got high {high}, low {low})")]
    OutOfRange { high: f64, low: f64 },
    #[error("the low flap threshold ({low} %) must be below the high one ({high} %)")]
    LowNotBelowHigh { high: f64, low: f64 },
}

impl FlapError {
    pub fn as_label(&self) -> &'static str {
        match self {
            FlapError::OutOfRange { .. } => "flap_threshold_range",
            FlapError::LowNotBelowHigh { .. } => "flap_threshold_order",
        }
    }
}

/// High and low thresholds in percent (Nagios' defaults for services are 20/5; the and
/// ours are 30/20, tuned for a soak's short interval).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    high_pct: f64,
    low_pct: f64,
}

impl Thresholds {
    pub const DEFAULT: Thresholds = Thresholds {
        high_pct: 30.0,
        low_pct: 20.0,
    };

    pub fn new(high_pct: f64, low_pct: f64) -> Result<Thresholds, FlapError> {
        let ok = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        if !ok(high_pct) || !ok(low_pct) || high_pct <= 0.0 {
            return Err(FlapError::OutOfRange {
                high: high_pct,
                low: low_pct,
            });
        }
        if low_pct >= high_pct {
            return Err(FlapError::LowNotBelowHigh {
                high: high_pct,
                low: low_pct,
            });
        }
        Ok(Thresholds { high_pct, low_pct })
    }

    pub fn high_pct(&self) -> f64 {
        self.high_pct
    }

    pub fn low_pct(&self) -> f64 {
        self.low_pct
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds::DEFAULT
    }
}

/// A change of the flapping verdict, with the score that caused it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Transition {
    Started {
        score: f64,
    },
    /// `peak` is the highest score seen while flapping.
    Ended {
        score: f64,
        peak: f64,
    },
}

/// One target's history and verdict. Feed it states in order with [`FlapDetector::push`].
#[derive(Clone, Debug)]
pub struct FlapDetector<S> {
    history: VecDeque<S>,
    thresholds: Thresholds,
    flapping: bool,
    peak: f64,
    score: f64,
}

impl<S: PartialEq + Clone> FlapDetector<S> {
    pub fn new(thresholds: Thresholds) -> Self {
        FlapDetector {
            history: VecDeque::with_capacity(HISTORY),
            thresholds,
            flapping: false,
            peak: 0.0,
            score: 0.0,
        }
    }

    /// Records the next state; returns a transition when the verdict changes.
    pub fn push(&mut self, state: S) -> Option<Transition> {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(state);
        self.history.make_contiguous();
        self.score = percent_state_change(self.history.as_slices().0);
        if self.flapping {
            self.peak = self.peak.max(self.score);
            if self.score <= self.thresholds.low_pct {
                self.flapping = false;
                return Some(Transition::Ended {
                    score: self.score,
                    peak: self.peak,
                });
            }
        } else if self.score >= self.thresholds.high_pct {
            self.flapping = true;
            self.peak = self.score;
            return Some(Transition::Started { score: self.score });
        }
        None
    }

    /// The score after the last state pushed.
    pub fn score(&self) -> f64 {
        self.score
    }

    pub fn is_flapping(&self) -> bool {
        self.flapping
    }

    /// The highest score of the current flapping period (0 when not flapping).
    pub fn peak(&self) -> f64 {
        if self.flapping { self.peak } else { 0.0 }
    }
}

/// Runs a detector over a whole sequence and returns (index of the state, transition) pairs.
pub fn transitions<S: PartialEq + Clone>(
    states: &[S],
    thresholds: Thresholds,
) -> Vec<(usize, Transition)> {
    let mut d = FlapDetector::new(thresholds);
    states
        .iter()
        .enumerate()
        .filter_map(|(i, s)| d.push(s.clone()).map(|t| (i, t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: bool = true;
    const D: bool = false;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-4
    }

    fn alternating(n: usize) -> Vec<bool> {
        (0..n).map(|i| i % 2 == 0).collect()
    }

    #[test]
    fn weights_rise_linearly_from_075_to_125() {
        assert!(close(weight(1), 0.75));
        assert!(close(weight(20), 1.25));
        // 0.75 + 9 × 0.5 / 19 = 0.75 + 0.236842 = 0.986842
        assert!(close(weight(10), 0.986842));
        let total: f64 = (1..=20).map(weight).sum();
        assert!(close(total, 20.0), "mean weight 1.0");
    }

    #[test]
    fn steady_up_and_steady_down_never_flap() {
        for s in [U, D] {
            let states = vec![s; 50];
            assert_eq!(percent_state_change(&states), 0.0);
            assert!(transitions(&states, Thresholds::DEFAULT).is_empty());
        }
    }

    #[test]
    fn one_outage_is_not_a_flap() {
        // U×10, D, U×10: transitions 10 (U→D) and 11 (D→U) of 20 changed.
        // weights 0.75 + 9×0.5/19 = 0.986842 and 0.75 + 10×0.5/19 = 1.013158, sum 2.0
        // score = 100 × 2.0 / 20 = 10 %.
        let mut states = vec![U; 10];
        states.push(D);
        states.extend(vec![U; 10]);
        assert!(close(percent_state_change(&states), 10.0));
        assert!(transitions(&states, Thresholds::DEFAULT).is_empty());
        // A long outage: two changes too, whatever its length.
        let mut long = vec![U; 10];
        long.extend(vec![D; 30]);
        long.extend(vec![U; 10]);
        assert!(transitions(&long, Thresholds::DEFAULT).is_empty());
    }

    #[test]
    fn alternating_flaps_from_the_seventh_state() {
        // After 6 alternating states the 5 newest transitions (x = 16..20) changed:
        // 1.144737 + 1.171053 + 1.197368 + 1.223684 + 1.25 = 5.986842 → 29.934 % (< 30).
        assert!(close(percent_state_change(&alternating(6)), 29.934211));
        // The 7th adds x = 15 (1.118421): 7.105263 → 35.526 % ≥ 30: flapping starts there.
        assert!(close(percent_state_change(&alternating(7)), 35.526316));
        // 21 alternating states: all 20 transitions, Σ = 20 → 100 %.
        assert!(close(percent_state_change(&alternating(21)), 100.0));
        let t = transitions(&alternating(40), Thresholds::DEFAULT);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].0, 6, "the 7th state (index 6)");
        assert!(matches!(t[0].1, Transition::Started { score } if close(score, 35.526316)));
    }

    #[test]
    fn a_flap_that_calms_down_ends_under_the_low_threshold() {
        // 21 alternating states (ending up), then up for good. With k steady states after,
        // the changed transitions are x = 1..(20-k): Σ = (20-k)×0.75 + (0.5/19)×(20-k)(19-k)/2.
        // k = 15: 3.75 + 0.263158 = 4.013158 → 20.066 % (still > 20: keeps flapping)
        // k = 16: 3.0 + 0.157895 = 3.157895 → 15.789 % (≤ 20: ends)
        let mut states = alternating(21);
        states.extend(vec![U; 30]);
        assert!(close(percent_state_change(&states[..21 + 15]), 20.065789));
        assert!(close(percent_state_change(&states[..21 + 16]), 15.789474));
        let t = transitions(&states, Thresholds::DEFAULT);
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(t[0].0, 6);
        assert_eq!(t[1].0, 21 + 16 - 1, "the 16th steady state ends it");
        match t[1].1 {
            Transition::Ended { score, peak } => {
                assert!(close(score, 15.789474));
                assert!(close(peak, 100.0));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hysteresis_holds_between_the_thresholds() {
        // Scores between low and high do not change the verdict either way.
        let mut d = FlapDetector::new(Thresholds::new(30.0, 20.0).unwrap());
        for s in alternating(6) {
            assert_eq!(d.push(s), None);
        }
        assert!(!d.is_flapping(), "29.9 % is under 30 %");
        assert!(matches!(d.push(U), Some(Transition::Started { .. })));
        // Now at 35.5 %; steady from here: the score falls through the band between 20 % and
        // 30 % without ending the flap, and ends it only once at or under 20 %.
        let mut in_band = 0;
        let mut ended = false;
        for _ in 0..20 {
            match d.push(U) {
                Some(Transition::Ended { score, .. }) => {
                    assert!(score <= 20.0);
                    ended = true;
                    break;
                }
                Some(other) => panic!("{other:?}"),
                None => {
                    assert!(d.is_flapping() && d.score() > 20.0);
                    if d.score() < 30.0 {
                        in_band += 1;
                    }
                }
            }
        }
        assert!(
            ended && in_band >= 2,
            "ended {ended}, {in_band} scores in the band"
        );
    }

    #[test]
    fn thresholds_change_the_verdict() {
        // With high 10 % and low 5 %, one outage (10 %) is enough to start flapping.
        let th = Thresholds::new(10.0, 5.0).unwrap();
        let mut states = vec![U; 10];
        states.push(D);
        states.extend(vec![U; 30]);
        let t = transitions(&states, th);
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(
            t[0].0, 11,
            "reaches 10 % when the D→U transition is recorded"
        );
        assert!(
            Thresholds::new(20.0, 30.0).unwrap_err().as_label() == "flap_threshold_order"
                && Thresholds::new(120.0, 3.0).unwrap_err().as_label() == "flap_threshold_range"
                && Thresholds::new(f64::NAN, 3.0).is_err()
                && Thresholds::new(0.0, 0.0).is_err()
        );
    }

    #[test]
    fn works_for_any_state_type() {
        // Statuses, not just up/down: pass→warn→pass counts as changes.
        let s = ["pass", "warn", "pass"];
        assert!(close(percent_state_change(&s), (1.223684 + 1.25) * 5.0));
    }
}
