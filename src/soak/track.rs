//! The live view of a soak: per target its current state, its flap detector, and its last answer
//! sets, turned into events (flap start and end, answer-set changes) as rounds arrive. Bounded:
//! 21 states per target and at most [`MAX_TARGETS`] targets. Pure: fed the journal's round records,
//! so a resume replays it to the same state.

use super::flap::{FlapDetector, Thresholds, Transition};
use super::journal::{Event, EventRecord, RoundRecord};
use std::collections::BTreeMap;

/// Targets followed at once; a network that keeps inventing addresses cannot grow memory.
pub const MAX_TARGETS: usize = 1024;

#[derive(Clone, Debug)]
pub struct Tracked {
    pub kind: String,
    pub up: bool,
    pub rounds: u64,
    pub up_rounds: u64,
    pub changes: u64,
    detector: FlapDetector<bool>,
    sets: BTreeMap<String, Vec<String>>,
}

impl Tracked {
    pub fn flapping(&self) -> bool {
        self.detector.is_flapping()
    }

    pub fn score(&self) -> f64 {
        self.detector.score()
    }
}

#[derive(Clone, Debug)]
pub struct Tracker {
    thresholds: Thresholds,
    targets: BTreeMap<String, Tracked>,
    flaps: u64,
    rounds: u64,
    overruns: u64,
    ignored: u64,
}

impl Tracker {
    pub fn new(thresholds: Thresholds) -> Tracker {
        Tracker {
            thresholds,
            targets: BTreeMap::new(),
            flaps: 0,
            rounds: 0,
            overruns: 0,
            ignored: 0,
        }
    }

    pub fn targets(&self) -> impl Iterator<Item = (&str, &Tracked)> {
        self.targets.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Flapping periods started so far.
    pub fn flaps(&self) -> u64 {
        self.flaps
    }

    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    pub fn overruns(&self) -> u64 {
        self.overruns
    }

    /// Target results dropped because [`MAX_TARGETS`] were already followed.
    pub fn ignored(&self) -> u64 {
        self.ignored
    }

    /// Takes in one round and returns what it changed, stamped with the round's time.
    pub fn observe(&mut self, rec: &RoundRecord) -> Vec<EventRecord> {
        self.rounds += 1;
        self.overruns += u64::from(rec.overrun);
        let mut events = Vec::new();
        let event = |target: &str, event| EventRecord {
            ts: rec.ts,
            at: rec.at.clone(),
            seq: rec.seq,
            target: target.to_string(),
            event,
        };
        for t in &rec.targets {
            if !self.targets.contains_key(&t.id) && self.targets.len() >= MAX_TARGETS {
                self.ignored += 1;
                continue;
            }
            let tr = self.targets.entry(t.id.clone()).or_insert_with(|| Tracked {
                kind: t.kind.clone(),
                up: t.up,
                rounds: 0,
                up_rounds: 0,
                changes: 0,
                detector: FlapDetector::new(self.thresholds),
                sets: BTreeMap::new(),
            });
            if tr.rounds > 0 && tr.up != t.up {
                tr.changes += 1;
            }
            tr.rounds += 1;
            tr.up_rounds += u64::from(t.up);
            tr.up = t.up;
            match tr.detector.push(t.up) {
                Some(Transition::Started { score }) => {
                    self.flaps += 1;
                    events.push(event(
                        &t.id,
                        Event::FlapStart {
                            score_pct: pct(score),
                        },
                    ));
                }
                Some(Transition::Ended { score, peak }) => events.push(event(
                    &t.id,
                    Event::FlapEnd {
                        score_pct: pct(score),
                        peak_pct: pct(peak),
                    },
                )),
                None => {}
            }
            for (family, set) in &t.sets {
                match tr.sets.get(family) {
                    Some(old) if old != set => {
                        let added = set.iter().filter(|a| !old.contains(a)).cloned().collect();
                        let removed = old.iter().filter(|a| !set.contains(a)).cloned().collect();
                        events.push(event(
                            &t.id,
                            Event::SetChanged {
                                family: family.clone(),
                                added,
                                removed,
                            },
                        ));
                        tr.sets.insert(family.clone(), set.clone());
                    }
                    Some(_) => {}
                    None => {
                        tr.sets.insert(family.clone(), set.clone());
                    }
                }
            }
        }
        events
    }
}

/// A score as journals and reports show it: two decimals.
pub fn pct(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::super::journal::tests::round;
    use super::*;

    #[test]
    fn flap_events_and_set_changes() {
        let mut t = Tracker::new(Thresholds::DEFAULT);
        let mut events = Vec::new();
        for i in 0..40u64 {
            let mut r = round(i + 1, 1000 * i as i64, i >= 10 || i % 2 == 0);
            let members: &[&str] = if i < 20 { &["a", "b"] } else { &["a"] };
            r.targets[0].sets = BTreeMap::from([(
                "ipv4".to_string(),
                members.iter().map(|s| s.to_string()).collect(),
            )]);
            events.extend(t.observe(&r));
        }
        let kinds: Vec<String> = events
            .iter()
            .map(|e| match &e.event {
                Event::FlapStart { .. } => format!("start@{}", e.seq),
                Event::FlapEnd { .. } => format!("end@{}", e.seq),
                Event::SetChanged { removed, .. } => format!("set-{}@{}", removed.join(","), e.seq),
            })
            .collect();
        // Alternating for rounds 1..10: starts at round 7 (the 7th state); steady after round 10.
        assert_eq!(kinds[0], "start@7");
        assert!(kinds.iter().any(|k| k.starts_with("end@")), "{kinds:?}");
        assert!(kinds.contains(&"set-b@21".to_string()), "{kinds:?}");
        let (_, tr) = t.targets().next().unwrap();
        assert_eq!(tr.rounds, 40);
        assert_eq!(tr.changes, 10);
        assert_eq!(t.flaps(), 1);
    }

    #[test]
    fn targets_are_bounded() {
        let mut t = Tracker::new(Thresholds::DEFAULT);
        for i in 0..(MAX_TARGETS + 10) {
            let mut r = round(i as u64, 0, true);
            r.targets[0].id = format!("ntp:10.0.{}.{}:123", i / 256, i % 256);
            t.observe(&r);
        }
        assert_eq!(t.targets().count(), MAX_TARGETS);
        assert_eq!(t.ignored(), 10);
    }
}
