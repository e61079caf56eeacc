//! Values of a target watched for change over a soak (the proxy settings, the certificate a
//! server presents, the way through the proxy settings): the first value, then every round it
//! differed from the round before, in bounded memory. A value that differs after an interruption
//! is listed but not counted as a change: the gap can hold anything (a planned renewal, a lab
//! started again with new certificates), and no round saw it happen. Depends on `model` only.

use crate::model::{Stamp, ValueChange};

/// Changes kept per value; more are counted.
const MAX_CHANGES: usize = 200;

/// One value's history: the first round's value, then each change.
#[derive(Debug)]
pub(super) struct Changes<T> {
    last: Option<T>,
    /// (time, round, before, after, after an interruption); the first entry has no before.
    list: Vec<Entry<T>>,
    total: u64,
    /// An interruption came since the last value.
    cut: bool,
}

/// One listed value: when, in which round, what it was before and after, and whether an
/// interruption lay between.
pub(super) type Entry<T> = (i64, u64, Option<T>, T, bool);

impl<T> Default for Changes<T> {
    fn default() -> Self {
        Changes {
            last: None,
            list: Vec::new(),
            total: 0,
            cut: false,
        }
    }
}

impl<T: PartialEq + Clone> Changes<T> {
    pub(super) fn see(&mut self, ts: i64, seq: u64, v: T) {
        let across = std::mem::take(&mut self.cut);
        if self.last.as_ref() == Some(&v) {
            return;
        }
        let across = across && self.last.is_some();
        if self.last.is_some() && !across {
            self.total += 1;
        }
        if self.list.len() < MAX_CHANGES {
            self.list
                .push((ts, seq, self.last.clone(), v.clone(), across));
        }
        self.last = Some(v);
    }

    /// The soak was interrupted here: the next value is compared across the gap.
    pub(super) fn cut(&mut self) {
        self.cut = true;
    }

    /// The kept entries: (time, round, before, after).
    pub(super) fn list(&self) -> &[Entry<T>] {
        &self.list
    }

    /// Changes after the first value seen between rounds of one segment, all of them (not only
    /// those kept).
    pub(super) fn total(&self) -> u64 {
        self.total
    }

    pub(super) fn into_list(self) -> Vec<Entry<T>> {
        self.list
    }
}

impl Changes<String> {
    /// As the report lists them.
    pub(super) fn into_report(self) -> Vec<ValueChange> {
        self.into_list()
            .into_iter()
            .map(|(at, seq, from, to, across_resume)| ValueChange {
                at: Stamp(at),
                seq,
                from,
                to,
                across_resume,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_value_then_each_change() {
        let mut c = Changes::default();
        for (i, v) in ["a", "a", "b", "b", "a"].iter().enumerate() {
            c.see(i as i64, i as u64 + 1, v.to_string());
        }
        assert_eq!(c.total(), 2);
        let l = c.into_report();
        assert_eq!(l.len(), 3);
        assert_eq!((l[0].from.as_deref(), l[0].to.as_str()), (None, "a"));
        assert_eq!(
            (l[1].seq, l[1].from.as_deref(), l[1].to.as_str()),
            (3, Some("a"), "b")
        );
        assert_eq!((l[2].at, l[2].to.as_str()), (Stamp(4), "a"));
    }

    #[test]
    fn a_value_that_differs_after_an_interruption_is_listed_not_counted() {
        let mut c = Changes::default();
        c.see(0, 1, "a".to_string());
        c.cut();
        c.see(10, 2, "b".to_string());
        c.see(11, 3, "c".to_string());
        assert_eq!(c.total(), 1, "only b → c was seen happen");
        let l = c.into_report();
        assert_eq!(l.len(), 3);
        assert!(l[1].across_resume && !l[2].across_resume);
        // The same value after an interruption is no entry at all.
        let mut c = Changes::default();
        c.see(0, 1, "a".to_string());
        c.cut();
        c.see(10, 2, "a".to_string());
        assert_eq!((c.total(), c.into_report().len()), (0, 1));
    }
}
