//! PAC evaluation: a proxy auto-config script run in a real JavaScript engine (QuickJS through
//! rquickjs), sandboxed, with the standard helper functions, and its answer parsed into routes.
//! This file holds the public entry point ([`evaluate`]), its bounds and its answer, and the
//! watchdog that returns on time whatever the engine does; [`sandbox`] runs the engine, [`natives`]
//! are the helpers the host adds, [`failure`] names what went wrong, [`routes`] parses the answer.
//!
//! The sandbox: a fresh runtime per evaluation; no file, network, module or timer access (the
//! engine has none unless the host adds it, and this host adds only the PAC helpers); a wall-clock
//! deadline enforced by QuickJS's interrupt handler (time spent inside the injected resolver does
//! not count, it has its own timeout and a budget); a memory limit; a native stack limit; bounded
//! script size and result length. Every way a script can fail ends as a named [`PacError`]; what
//! that failure means for the user is `judge::pac`'s to say.
//!
//! Uses `model` only (and the resolver and clock seams in [`env`]): no output, no engine, no lab.

pub(crate) mod env;
mod failure;
pub mod fetch;
mod natives;
pub(crate) mod query;
pub(crate) mod routes;
mod sandbox;
mod shared;

pub use crate::model::PacError;
pub use env::{
    FixedClock, FixedResolver, PacClock, PacResolver, PacTime, SystemClock, SystemResolver,
};
pub use failure::SANDBOXED_NAMES;
pub use natives::sort_ip_list;
pub use query::{PacQuery, QueryError, UrlPolicy, query_for};

use crate::model::RouteList;
use serde::Serialize;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// The bounds of one evaluation.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PacLimits {
    /// Wall-clock time for loading the script and calling `FindProxyForURL`, excluding the time
    /// spent waiting for the resolver.
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub time_limit: Duration,
    /// Bytes the JavaScript heap may hold.
    pub memory_limit: usize,
    /// Bytes of native stack the engine may use (deep recursion ends here).
    pub max_stack: usize,
    /// Largest script accepted, in bytes.
    pub max_script_bytes: usize,
    /// Longest `FindProxyForURL` result accepted, in bytes.
    pub max_result_bytes: usize,
    /// Distinct names the script may have resolved; later ones resolve to nothing.
    pub max_lookups: usize,
    /// Total time the resolver may take over one evaluation; past it names resolve to nothing.
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub dns_budget: Duration,
}

impl Default for PacLimits {
    fn default() -> PacLimits {
        PacLimits {
            time_limit: Duration::from_secs(1),
            memory_limit: 32 * 1024 * 1024,
            max_stack: 512 * 1024,
            max_script_bytes: 1024 * 1024,
            max_result_bytes: 64 * 1024,
            max_lookups: 32,
            dns_budget: Duration::from_secs(4),
        }
    }
}

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// What the script may see of the world.
#[derive(Clone)]
pub struct PacEnv {
    pub resolver: Arc<dyn PacResolver + Send + Sync>,
    pub clock: Arc<dyn PacClock + Send + Sync>,
    /// This machine's addresses, for `myIpAddress` (the first IPv4, else 127.0.0.1) and
    /// `myIpAddressEx` (all of them).
    pub my_ip: Vec<IpAddr>,
}

/// One name the script had resolved.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Lookup {
    pub name: String,
    /// The addresses, or why there were none.
    pub result: Result<Vec<IpAddr>, String>,
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub took: Duration,
}

/// A script that answered.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PacAnswer {
    /// The function that answered: `FindProxyForURLEx` when the script defines it (as Windows
    /// calls it), else `FindProxyForURL`.
    pub entry: &'static str,
    pub query: PacQuery,
    /// The string the function returned, as returned.
    pub raw: String,
    pub routes: RouteList,
    /// Names resolved through the injected resolver, in order (cached per evaluation).
    pub lookups: Vec<Lookup>,
    /// What the script passed to `alert()` (kept short).
    pub alerts: Vec<String>,
    #[serde(serialize_with = "ser_us")]
    #[schemars(with = "u64")]
    pub elapsed: Duration,
}

fn ser_us<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_micros() as u64)
}

/// Evaluates `script` and calls its `FindProxyForURL(query.url, query.host)`, in a fresh sandbox
/// on a thread of its own, and returns by the time limit (plus resolver time) whatever the script
/// does.
///
/// QuickJS checks the clock only every 10,000 loop iterations or calls. A loop whose body is heavy
/// native work (joining a large array, say) can therefore stay inside the engine for seconds past
/// its deadline. The caller does not wait for that: at the deadline the evaluation is reported as
/// [`PacError::Timeout`] and its thread is left to be stopped by the engine at its next check (its
/// memory is bounded by the limit). At most [`MAX_RUNAWAY`] such threads are tolerated at once;
/// past that, evaluations are refused as [`PacError::Busy`].
pub fn evaluate(
    script: &str,
    query: &PacQuery,
    env: &PacEnv,
    limits: &PacLimits,
) -> Result<PacAnswer, PacError> {
    if script.len() > limits.max_script_bytes {
        return Err(PacError::ScriptTooLarge {
            size: script.len(),
            limit: limits.max_script_bytes,
        });
    }
    let running = RUNAWAY.load(Ordering::SeqCst);
    if running >= MAX_RUNAWAY {
        return Err(PacError::Busy { running });
    }
    let started = Instant::now();
    let watch = Arc::new(Watch::default());
    let (tx, rx) = mpsc::sync_channel(1);
    let job = {
        let (script, query, env, limits, watch) = (
            script.to_string(),
            query.clone(),
            env.clone(),
            limits.clone(),
            Arc::clone(&watch),
        );
        move || {
            let r = sandbox::evaluate_here(&script, &query, &env, &limits, started, &watch);
            // `done` before taking `abandoned`: whichever side takes it undoes the count.
            watch.done.store(true, Ordering::SeqCst);
            if watch.abandoned.swap(false, Ordering::SeqCst) {
                RUNAWAY.fetch_sub(1, Ordering::SeqCst);
            }
            let _ = tx.send(r);
        }
    };
    std::thread::Builder::new()
        .name("pac-eval".into())
        .stack_size(EVAL_STACK)
        .spawn(job)
        .map_err(|e| PacError::Engine(format!("cannot start the evaluation thread: {e}")))?;
    loop {
        let spent = Duration::from_micros(watch.dns_us.load(Ordering::SeqCst));
        let in_lookup = watch.in_lookup.load(Ordering::SeqCst);
        let deadline = started + limits.time_limit + spent + WATCHDOG_GRACE;
        // A resolver that ignores its own timeout is not waited for past the whole budget.
        let hard_cap = started + limits.time_limit + limits.dns_budget + WATCHDOG_GRACE;
        let now = Instant::now();
        if now >= deadline && (!in_lookup || now >= hard_cap) {
            // Count it as a runaway (before marking it, so the count never goes below zero)
            // unless it finished in the meantime.
            RUNAWAY.fetch_add(1, Ordering::SeqCst);
            watch.abandoned.store(true, Ordering::SeqCst);
            if watch.done.load(Ordering::SeqCst) && watch.abandoned.swap(false, Ordering::SeqCst) {
                RUNAWAY.fetch_sub(1, Ordering::SeqCst);
            }
            if let Ok(r) = rx.try_recv() {
                return r;
            }
            return Err(PacError::Timeout {
                limit_ms: limits.time_limit.as_millis() as u64,
            });
        }
        let wait = deadline
            .saturating_duration_since(now)
            .clamp(Duration::from_millis(1), Duration::from_millis(50));
        match rx.recv_timeout(wait) {
            Ok(r) => return r,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(PacError::Engine("the evaluation thread died".into()));
            }
        }
    }
}

/// Evaluation threads still running past their deadline, in this process.
static RUNAWAY: AtomicUsize = AtomicUsize::new(0);
/// How many runaway evaluation threads are tolerated before new evaluations are refused.
pub const MAX_RUNAWAY: usize = 4;
/// Native stack of an evaluation thread (the engine's own limit is [`PacLimits::max_stack`]).
const EVAL_STACK: usize = 4 * 1024 * 1024;
/// How long past the deadline the caller waits for the engine's own interrupt to land.
const WATCHDOG_GRACE: Duration = Duration::from_millis(30);

/// What the evaluation thread tells the caller while it runs.
#[derive(Default)]
struct Watch {
    /// Microseconds spent waiting for the resolver so far.
    dns_us: AtomicU64,
    /// A lookup is in progress (bounded by the resolver's own timeout and the budget).
    in_lookup: AtomicBool,
    done: AtomicBool,
    /// The caller stopped waiting; the thread decrements [`RUNAWAY`] when it ends.
    abandoned: AtomicBool,
}

/// Evaluation threads of this process still running past their deadline (see [`evaluate`]).
pub fn runaway_evaluations() -> usize {
    RUNAWAY.load(Ordering::SeqCst)
}
