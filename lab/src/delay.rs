//! The lab's added latency, kept to a tenth of a millisecond. Owns one thread that holds every
//! pending reply's deadline; depends on std and tokio's oneshot channel only.
//!
//! Tokio's timers tick in whole milliseconds: a `sleep` is rounded up to the next tick, and the
//! runtime's own wake-up rounds again, so a reply held back 5 ms left 6.5–8 ms later (measured: every
//! phase of a TLS endpoint 2–2.9 ms over the lab's latency at 5, 20 and 50 ms, in
//! `cargo bench --bench round`). A benchmark that sets the lab's latency against a critical-path
//! bound needs the latency the lab says it adds. Here one thread waits for the next deadline with
//! std's timed wait (the kernel's high-resolution timers) and wakes each reply's task at it.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::OnceLock;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Waits `d` (nothing for zero), then returns, within about 0.1 ms of the deadline.
pub(crate) async fn sleep(d: Duration) {
    if d.is_zero() {
        return;
    }
    let deadline = Instant::now() + d;
    let (tx, rx) = oneshot::channel();
    let queued = line().is_some_and(|l| l.send(Pending { deadline, wake: tx }).is_ok());
    // Without the thread (it could not be started), tokio's timer: late, never early.
    if !queued || rx.await.is_err() {
        tokio::time::sleep_until(deadline.into()).await;
    }
}

/// A reply held back until `deadline`.
struct Pending {
    deadline: Instant,
    wake: oneshot::Sender<()>,
}

// Ordered by deadline only, the earliest first out of the (max-)heap.
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        other.deadline.cmp(&self.deadline)
    }
}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.deadline == other.deadline
    }
}
impl Eq for Pending {}

/// The thread's inbox, started on first use and shared by every lab in the process.
fn line() -> Option<&'static mpsc::Sender<Pending>> {
    static LINE: OnceLock<Option<mpsc::Sender<Pending>>> = OnceLock::new();
    LINE.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("lab-delay".into())
            .spawn(move || run(&rx))
            .ok()
            .map(|_| tx)
    })
    .as_ref()
}

fn run(inbox: &mpsc::Receiver<Pending>) {
    let mut due: BinaryHeap<Pending> = BinaryHeap::new();
    loop {
        let now = Instant::now();
        while due.peek().is_some_and(|p| p.deadline <= now) {
            if let Some(p) = due.pop() {
                // The task may have gone (its connection closed): nothing to wake.
                let _ = p.wake.send(());
            }
        }
        let next = match due.peek() {
            Some(p) => inbox.recv_timeout(p.deadline - now),
            None => inbox.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok(p) => due.push(p),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_delay_ends_at_its_deadline_not_a_tick_later() {
        // Of 20 one-millisecond delays, at least half end within 0.3 ms of their deadline, and
        // none early. A millisecond tick (tokio's timer) manages that about one time in seventy;
        // three tries leave room for a moment of load on a shared machine.
        let mut on_time = Vec::new();
        for _ in 0..3 {
            let mut n = 0;
            for _ in 0..20 {
                let d = Duration::from_millis(1);
                let start = Instant::now();
                sleep(d).await;
                let took = start.elapsed();
                assert!(took >= d, "took {took:?}: never early");
                n += usize::from(took - d < Duration::from_micros(300));
            }
            if n >= 10 {
                return;
            }
            on_time.push(n);
        }
        panic!("delays within 0.3 ms of their deadline, of 20 in each try: {on_time:?}");
    }

    #[tokio::test]
    async fn many_delays_end_in_deadline_order() {
        let start = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for i in (0..20u64).rev() {
            set.spawn(async move {
                sleep(Duration::from_millis(2 + i)).await;
                (i, start.elapsed())
            });
        }
        let mut ends = set.join_all().await;
        ends.sort_by_key(|(_, t)| *t);
        let order: Vec<u64> = ends.iter().map(|(i, _)| *i).collect();
        assert_eq!(order, (0..20).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn zero_is_no_wait() {
        let start = Instant::now();
        sleep(Duration::ZERO).await;
        assert!(start.elapsed() < Duration::from_millis(1));
    }
}
