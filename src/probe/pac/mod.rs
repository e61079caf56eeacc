//! PAC evaluation: a proxy auto-config script run in a real JavaScript engine (QuickJS through
//! rquickjs), sandboxed, with the standard helper functions, and its answer parsed into routes.
//!
//! The sandbox: a fresh runtime per evaluation; no file, network, module or timer access (the
//! engine has none unless the host adds it, and this host adds only the PAC helpers); a wall-clock
//! deadline enforced by QuickJS's interrupt handler (time spent inside the injected resolver does
//! not count, it has its own timeout and a budget); a memory limit; a native stack limit; bounded
//! script size and result length. Every way a script can fail ends as a named [`PacError`].
//!
//! Uses `model` only (and the resolver and clock seams in [`env`]): no output, no engine, no lab.

pub mod env;
pub mod fetch;
pub mod query;
pub mod routes;

pub use env::{
    FixedClock, FixedResolver, PacClock, PacResolver, PacTime, SystemClock, SystemResolver,
};
pub use query::{PacQuery, QueryError, UrlPolicy, query_for};

use crate::model::{Code, Finding, Route, RouteList, Status};
use rquickjs::context::EvalOptions;
use rquickjs::{CatchResultExt, CaughtError, Context, Ctx, Function, Runtime, Value};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

const PRELUDE: &str = include_str!("prelude.js");

/// Names a PAC script might use to reach the network, files or other code. None exists in the
/// sandbox; a script that calls one fails as [`PacError::Sandboxed`] instead of "undefined".
pub const SANDBOXED_NAMES: &[&str] = &[
    "XMLHttpRequest",
    "fetch",
    "require",
    "import",
    "importScripts",
    "WebSocket",
    "ActiveXObject",
    "GetObject",
    "WScript",
    "process",
    "Deno",
    "std",
    "os",
    "navigator",
    "window",
    "document",
];

/// The bounds of one evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct PacLimits {
    /// Wall-clock time for loading the script and calling `FindProxyForURL`, excluding the time
    /// spent waiting for the resolver.
    #[serde(serialize_with = "ser_ms")]
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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lookup {
    pub name: String,
    /// The addresses, or why there were none.
    pub result: Result<Vec<IpAddr>, String>,
    #[serde(serialize_with = "ser_ms")]
    pub took: Duration,
}

/// A script that answered.
#[derive(Clone, Debug, Serialize)]
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
    pub elapsed: Duration,
}

fn ser_us<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_micros() as u64)
}

/// Every way evaluating a PAC script can fail.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PacError {
    #[error("the script is {size} bytes, over the {limit}-byte limit")]
    ScriptTooLarge { size: usize, limit: usize },
    #[error("syntax error at line {line}: {message}")]
    Syntax { line: u32, message: String },
    #[error(
        "the script ran past its {limit_ms} ms time limit (an endless loop or a runaway regular expression)"
    )]
    Timeout { limit_ms: u64 },
    #[error("the script used more than its {limit_bytes}-byte memory limit")]
    OutOfMemory { limit_bytes: usize },
    #[error("the script recursed too deeply (native stack limit {limit_bytes} bytes)")]
    StackOverflow { limit_bytes: usize },
    #[error("FindProxyForURL returned {len} bytes, over the {limit}-byte limit")]
    ResultTooLong { len: usize, limit: usize },
    #[error("the script calls `{name}`, which is not defined")]
    Undefined { name: String },
    #[error("the script tries to use `{name}`: PAC scripts get no network, file or module access")]
    Sandboxed { name: String },
    #[error("the script defines no FindProxyForURL function{detail}")]
    NoEntryPoint { detail: String },
    #[error("FindProxyForURL returned {kind}, not a string")]
    NotAString { kind: String },
    #[error("the script threw an error while {phase}: {message}")]
    Thrown {
        phase: &'static str,
        message: String,
    },
    #[error("the JavaScript engine could not be set up: {0}")]
    Engine(String),
    #[error(
        "{running} earlier scripts are still being stopped after overrunning their time limit; try again shortly"
    )]
    Busy { running: usize },
}

impl PacError {
    pub fn as_label(&self) -> &'static str {
        match self {
            PacError::ScriptTooLarge { .. } => "script_too_large",
            PacError::Syntax { .. } => "syntax_error",
            PacError::Timeout { .. } => "timeout",
            PacError::OutOfMemory { .. } => "out_of_memory",
            PacError::StackOverflow { .. } => "stack_overflow",
            PacError::ResultTooLong { .. } => "result_too_long",
            PacError::Undefined { .. } => "undefined_function",
            PacError::Sandboxed { .. } => "sandbox_denied",
            PacError::NoEntryPoint { .. } => "no_find_proxy_for_url",
            PacError::NotAString { .. } => "non_string_result",
            PacError::Thrown { .. } => "script_error",
            PacError::Engine(_) => "engine_error",
            PacError::Busy { .. } => "engine_busy",
        }
    }
}

impl PacError {
    /// The finding this failure is, about the PAC file `subject`; `None` when oqs-net itself failed
    /// (the engine would not start, or is busy stopping runaway scripts).
    pub fn finding(&self, subject: &str) -> Option<Finding> {
        let f = |code| Finding::new(code, Status::Fail, subject);
        Some(match self {
            PacError::ScriptTooLarge { size, limit } => f(Code::PacScriptTooLarge)
                .with("size", size)
                .with("limit", limit),
            PacError::Syntax { line, message } => f(Code::PacSyntaxError)
                .with("line", line)
                .with("detail", message),
            PacError::Timeout { limit_ms } => f(Code::PacTimeout).with("limit_ms", limit_ms),
            PacError::OutOfMemory { .. }
            | PacError::StackOverflow { .. }
            | PacError::ResultTooLong { .. } => {
                f(Code::PacResourceLimit).with("detail", self.to_string())
            }
            PacError::Undefined { name } => f(Code::PacUndefinedFunction).with("name", name),
            PacError::Sandboxed { name } => f(Code::PacSandboxDenied).with("name", name),
            PacError::NoEntryPoint { detail } => f(Code::PacNoEntryPoint).with("detail", detail),
            PacError::NotAString { kind } => f(Code::PacNonStringResult).with("kind", kind),
            PacError::Thrown { phase, message } => f(Code::PacScriptError)
                .with("phase", phase)
                .with("detail", message),
            PacError::Engine(_) | PacError::Busy { .. } => return None,
        })
    }
}

/// One finding per unusable route of an answer (a warning: browsers skip to the next route).
pub fn route_findings(subject: &str, routes: &RouteList) -> Vec<Finding> {
    routes
        .routes
        .iter()
        .filter_map(|r| match r {
            Route::Invalid { text, fault } => Some(
                Finding::new(Code::PacInvalidRoute, Status::Warn, subject)
                    .with("route", format!("{text:?}"))
                    .with("fault", fault.as_label()),
            ),
            _ => None,
        })
        .collect()
}

/// What the natives share with the interrupt handler. Cells only: the handler may run while a
/// native function is on the stack.
struct Shared {
    deadline: Cell<Instant>,
    interrupted: Cell<bool>,
    dns_spent: Cell<Duration>,
    lookups: RefCell<Vec<Lookup>>,
    cache: RefCell<HashMap<String, Result<Vec<IpAddr>, String>>>,
    alerts: RefCell<Vec<String>>,
    /// An `import()` was refused (seen as a rejected promise).
    import_denied: Cell<bool>,
    watch: Arc<Watch>,
}

const MAX_ALERTS: usize = 32;
const MAX_ALERT_CHARS: usize = 200;

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
            let r = evaluate_here(&script, &query, &env, &limits, started, &watch);
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

fn evaluate_here(
    script: &str,
    query: &PacQuery,
    env: &PacEnv,
    limits: &PacLimits,
    started: Instant,
    watch: &Arc<Watch>,
) -> Result<PacAnswer, PacError> {
    let rt = Runtime::new().map_err(|e| PacError::Engine(e.to_string()))?;
    rt.set_memory_limit(limits.memory_limit);
    rt.set_max_stack_size(limits.max_stack);
    let shared = Rc::new(Shared {
        deadline: Cell::new(started + limits.time_limit),
        interrupted: Cell::new(false),
        dns_spent: Cell::new(Duration::ZERO),
        lookups: RefCell::new(Vec::new()),
        cache: RefCell::new(HashMap::new()),
        alerts: RefCell::new(Vec::new()),
        import_denied: Cell::new(false),
        watch: Arc::clone(watch),
    });
    {
        let s = Rc::clone(&shared);
        rt.set_interrupt_handler(Some(Box::new(move || {
            if Instant::now() > s.deadline.get() {
                s.interrupted.set(true);
            }
            s.interrupted.get()
        })));
    }
    {
        // A rejected promise nobody handles: how a dynamic `import()` fails without a loader.
        let s = Rc::clone(&shared);
        rt.set_host_promise_rejection_tracker(Some(Box::new(
            move |_ctx, _promise, reason, handled| {
                if !handled {
                    let text = reason
                        .as_exception()
                        .and_then(|e| e.message())
                        .unwrap_or_default();
                    if text.contains("could not load module") {
                        s.import_denied.set(true);
                    }
                }
            },
        )));
    }
    // Every standard intrinsic: leaving one out (Promise, say) turns `async function` or
    // `import()` into an abort inside the engine. None of them reaches files or the network.
    let ctx = Context::full(&rt).map_err(|e| PacError::Engine(e.to_string()))?;
    let mut result = ctx.with(|ctx| run(&ctx, script, query, env, limits, &shared));
    // Out of memory, the engine sometimes cannot even allocate the error: what arrives is a bare
    // `null` thrown. The heap at its limit tells what happened.
    if let Err(PacError::Thrown { .. } | PacError::Engine(_)) = result {
        let used = usize::try_from(rt.memory_usage().malloc_size).unwrap_or(usize::MAX);
        if used.saturating_add(1024 * 1024) >= limits.memory_limit {
            result = Err(PacError::OutOfMemory {
                limit_bytes: limits.memory_limit,
            });
        }
    }
    // Drop the engine before reading the shared state back (the natives hold references).
    drop(ctx);
    rt.set_interrupt_handler(None);
    rt.set_host_promise_rejection_tracker(None);
    drop(rt);
    let shared =
        Rc::try_unwrap(shared).map_err(|_| PacError::Engine("state still shared".into()))?;
    let (entry, raw) = result?;
    Ok(PacAnswer {
        entry,
        query: query.clone(),
        routes: routes::parse(&raw),
        raw,
        lookups: shared.lookups.into_inner(),
        alerts: shared.alerts.into_inner(),
        elapsed: started.elapsed(),
    })
}

fn run<'js>(
    ctx: &Ctx<'js>,
    script: &str,
    query: &PacQuery,
    env: &PacEnv,
    limits: &PacLimits,
    shared: &Rc<Shared>,
) -> Result<(&'static str, String), PacError> {
    install_natives(ctx, env, limits, shared).map_err(|e| PacError::Engine(e.to_string()))?;
    let options = || {
        let mut o = EvalOptions::default();
        o.strict = false;
        o.global = true;
        o.filename = Some("PAC".into());
        o
    };
    ctx.eval_with_options::<(), _>(PRELUDE, {
        let mut o = options();
        o.filename = Some("prelude".into());
        o
    })
    .catch(ctx)
    .map_err(|e| classify(e, "loading the helpers", limits, shared))?;

    ctx.eval_with_options::<(), _>(script, options())
        .catch(ctx)
        .map_err(
            |e| match classify(e, "loading the script", limits, shared) {
                // `import … from` / `export` are module syntax, a syntax error in a classic script:
                // what the script meant was to load other code.
                PacError::Syntax { line, .. } if is_module_syntax(script, line) => {
                    PacError::Sandboxed {
                        name: "import".into(),
                    }
                }
                // What a captive portal, a proxy's login or an error page serves in its place.
                PacError::Syntax { .. } if script.trim_start().starts_with('<') => {
                    PacError::NoEntryPoint {
                        detail: " (the file is HTML: a login or error page served in its place?)"
                            .into(),
                    }
                }
                other => other,
            },
        )?;
    drain_jobs(ctx, limits, shared)?;

    let globals = ctx.globals();
    let mut entry = None;
    for name in ["FindProxyForURLEx", "FindProxyForURL"] {
        let v: Value = globals
            .get(name)
            .catch(ctx)
            .map_err(|e| classify(e, "looking up FindProxyForURL", limits, shared))?;
        if let Some(f) = v.as_function() {
            entry = Some((
                if name.ends_with("Ex") {
                    "FindProxyForURLEx"
                } else {
                    "FindProxyForURL"
                },
                f.clone(),
            ));
            break;
        }
        if name == "FindProxyForURL" && !v.is_undefined() {
            return Err(PacError::NoEntryPoint {
                detail: format!(" (FindProxyForURL is {}, not a function)", kind_of(&v)),
            });
        }
    }
    let Some((entry, f)) = entry else {
        return Err(PacError::NoEntryPoint {
            detail: String::new(),
        });
    };
    let value: Value = f
        .call((query.url.as_str(), query.host.as_str()))
        .catch(ctx)
        .map_err(|e| classify(e, "running FindProxyForURL", limits, shared))?;
    drain_jobs(ctx, limits, shared)?;
    let Some(s) = value.as_string() else {
        return Err(PacError::NotAString {
            kind: kind_of(&value),
        });
    };
    let raw = s
        .to_string()
        .map_err(|e| PacError::Engine(format!("the result is not text: {e}")))?;
    if raw.len() > limits.max_result_bytes {
        return Err(PacError::ResultTooLong {
            len: raw.len(),
            limit: limits.max_result_bytes,
        });
    }
    Ok((entry, raw))
}

/// Runs the promise jobs a script queued (async functions, `import()`), a bounded number of them
/// under the same deadline, and names what they reveal.
fn drain_jobs(ctx: &Ctx<'_>, limits: &PacLimits, shared: &Shared) -> Result<(), PacError> {
    for _ in 0..MAX_JOBS {
        if !ctx.execute_pending_job() {
            break;
        }
    }
    if shared.interrupted.get() {
        return Err(PacError::Timeout {
            limit_ms: limits.time_limit.as_millis() as u64,
        });
    }
    if shared.import_denied.get() {
        return Err(PacError::Sandboxed {
            name: "import".into(),
        });
    }
    Ok(())
}

const MAX_JOBS: usize = 10_000;

fn is_module_syntax(script: &str, line: u32) -> bool {
    let Some(text) = script.lines().nth((line as usize).saturating_sub(1)) else {
        return false;
    };
    let t = text.trim_start();
    ["import ", "import{", "import*", "export "]
        .iter()
        .any(|k| t.starts_with(k))
}

/// `typeof`, with null told apart from objects, for messages.
fn kind_of(v: &Value<'_>) -> String {
    use rquickjs::Type;
    match v.type_of() {
        Type::Uninitialized | Type::Undefined => "undefined".into(),
        Type::Null => "null".into(),
        Type::String => "a string".into(),
        Type::Bool => "a boolean".into(),
        Type::Int | Type::Float => "a number".into(),
        Type::BigInt => "a bigint".into(),
        Type::Symbol => "a symbol".into(),
        Type::Array => "an array".into(),
        Type::Function | Type::Constructor => "a function".into(),
        Type::Promise => "a promise".into(),
        Type::Exception => "an error".into(),
        _ => "an object".into(),
    }
}

fn classify(
    e: CaughtError<'_>,
    phase: &'static str,
    limits: &PacLimits,
    shared: &Shared,
) -> PacError {
    if shared.interrupted.get() {
        return PacError::Timeout {
            limit_ms: limits.time_limit.as_millis() as u64,
        };
    }
    let oom = || PacError::OutOfMemory {
        limit_bytes: limits.memory_limit,
    };
    let (name, message, stack) = match &e {
        CaughtError::Error(rquickjs::Error::Allocation) => return oom(),
        CaughtError::Error(other) => (String::new(), other.to_string(), String::new()),
        CaughtError::Exception(ex) => (
            ex.get::<_, Option<rquickjs::Coerced<String>>>("name")
                .ok()
                .flatten()
                .map(|c| c.0)
                .unwrap_or_default(),
            ex.message().unwrap_or_default(),
            ex.stack().unwrap_or_default(),
        ),
        CaughtError::Value(v) => {
            let text = v
                .as_string()
                .and_then(|s| s.to_string().ok())
                .unwrap_or_else(|| kind_of(v));
            (String::new(), text, String::new())
        }
    };
    let lower = message.to_ascii_lowercase();
    if lower.contains("out of memory") {
        return oom();
    }
    if lower.contains("stack overflow") || lower.contains("call stack size") {
        return PacError::StackOverflow {
            limit_bytes: limits.max_stack,
        };
    }
    if lower.contains("interrupted") {
        return PacError::Timeout {
            limit_ms: limits.time_limit.as_millis() as u64,
        };
    }
    let short = shorten(&message, 300);
    if name == "SyntaxError" && phase == "loading the script" {
        if lower.contains("import") {
            return PacError::Sandboxed {
                name: "import".into(),
            };
        }
        return PacError::Syntax {
            line: line_of(&stack).unwrap_or(0),
            message: short,
        };
    }
    if let Some(undefined) = message.strip_suffix(" is not defined")
        && name == "ReferenceError"
    {
        let undefined = undefined.trim_matches('\'').to_string();
        if SANDBOXED_NAMES.contains(&undefined.as_str()) {
            return PacError::Sandboxed { name: undefined };
        }
        return PacError::Undefined {
            name: shorten(&undefined, 80),
        };
    }
    if lower.contains("could not load module")
        || lower.contains("module") && lower.contains("import")
    {
        return PacError::Sandboxed {
            name: "import".into(),
        };
    }
    let with_name = if name.is_empty() {
        short
    } else {
        format!("{name}: {short}")
    };
    PacError::Thrown {
        phase,
        message: with_name,
    }
}

/// The line of the first `PAC:LINE` frame (or `PAC:LINE:COL`) in a QuickJS stack.
fn line_of(stack: &str) -> Option<u32> {
    let at = stack.find("PAC:")?;
    let digits: String = stack[at + 4..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn shorten(s: &str, max_chars: usize) -> String {
    let mut out: String = s
        .chars()
        .take(max_chars)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.chars().count() > max_chars {
        out.push('…');
    }
    out
}

fn install_natives<'js>(
    ctx: &Ctx<'js>,
    env: &PacEnv,
    limits: &PacLimits,
    shared: &Rc<Shared>,
) -> rquickjs::Result<()> {
    let g = ctx.globals();
    let now = env.clock.now();
    g.set("__oqsNow", now.unix_ms as f64)?;
    g.set("__oqsOffset", f64::from(now.utc_offset_s) * 1000.0)?;

    let my_ip = env.my_ip.clone();
    g.set(
        "__oqsMyIp",
        Function::new(ctx.clone(), move |all: bool| -> String {
            my_ip_text(&my_ip, all)
        })?,
    )?;

    g.set(
        "__oqsSortIps",
        Function::new(ctx.clone(), |list: String| -> String {
            sort_ip_list(&list).unwrap_or_default()
        })?,
    )?;

    let s = Rc::clone(shared);
    g.set(
        "__oqsAlert",
        Function::new(ctx.clone(), move |message: String| {
            let mut alerts = s.alerts.borrow_mut();
            if alerts.len() < MAX_ALERTS {
                alerts.push(shorten(&message, MAX_ALERT_CHARS));
            }
        })?,
    )?;

    let s = Rc::clone(shared);
    let resolver = Arc::clone(&env.resolver);
    let limits = limits.clone();
    g.set(
        "__oqsResolve",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, name: String, all: bool| -> rquickjs::Result<Value<'js>> {
                match resolve(&s, &resolver, &limits, &name, all) {
                    Some(text) => Ok(rquickjs::String::from_str(ctx, &text)?.into_value()),
                    None => Ok(Value::new_null(ctx)),
                }
            },
        )?,
    )?;
    Ok(())
}

/// `myIpAddress()` / `myIpAddressEx()` text.
fn my_ip_text(my_ip: &[IpAddr], all: bool) -> String {
    if all {
        if my_ip.is_empty() {
            return "127.0.0.1".into();
        }
        return my_ip
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(";");
    }
    my_ip
        .iter()
        .find(|ip| ip.is_ipv4())
        .map_or_else(|| "127.0.0.1".into(), ToString::to_string)
}

/// `sortIpAddressList`, as Chrome and Internet Explorer define it: spaces and tabs removed, empty
/// entries skipped, IPv6 before IPv4, each ascending, the entries written as given; `None` (false
/// in JavaScript) when nothing is left or any entry is not an address.
pub fn sort_ip_list(list: &str) -> Option<String> {
    if list.len() > 64 * 1024 {
        return None;
    }
    let cleaned: String = list.chars().filter(|c| !matches!(c, ' ' | '\t')).collect();
    let mut ips = Vec::new();
    for part in cleaned.split(';').filter(|p| !p.is_empty()) {
        let ip: IpAddr = part.parse().ok()?;
        ips.push((ip, part));
    }
    if ips.is_empty() {
        return None;
    }
    ips.sort_by_key(|(ip, _)| match ip {
        IpAddr::V6(a) => (0u8, a.octets()),
        IpAddr::V4(a) => (1u8, a.to_ipv6_mapped().octets()),
    });
    Some(
        ips.iter()
            .map(|(_, text)| *text)
            .collect::<Vec<_>>()
            .join(";"),
    )
}

/// dnsResolve / dnsResolveEx for one name: literals answer themselves, other names go through the
/// cache, the lookup cap and the time budget to the resolver.
fn resolve(
    shared: &Shared,
    resolver: &Arc<dyn PacResolver + Send + Sync>,
    limits: &PacLimits,
    name: &str,
    all: bool,
) -> Option<String> {
    if let Some(v4) = env::ipv4_literal(name) {
        return Some(v4.to_string());
    }
    if let Some(v6) = env::ipv6_literal(name) {
        return all.then(|| v6.to_string());
    }
    if !env::resolvable_name(name) {
        // Recorded all the same: every name the script wanted resolved shows in the answer.
        if shared.lookups.borrow().len() < limits.max_lookups {
            shared.lookups.borrow_mut().push(Lookup {
                name: shorten(name, 80),
                result: Err("not a host name: not looked up".into()),
                took: Duration::ZERO,
            });
        }
        return None;
    }
    let key = name.to_ascii_lowercase();
    let cached = shared.cache.borrow().get(&key).cloned();
    let result = match cached {
        Some(r) => r,
        None => {
            // Refusals are not cached, so the cache (and the list of lookups) stays within the
            // name limit however many names a script invents.
            if shared.cache.borrow().len() >= limits.max_lookups
                || shared.dns_spent.get() >= limits.dns_budget
            {
                return None;
            }
            let r = {
                let t = Instant::now();
                shared.watch.in_lookup.store(true, Ordering::SeqCst);
                let r = resolver.lookup(name);
                let took = t.elapsed();
                shared.dns_spent.set(shared.dns_spent.get() + took);
                shared
                    .watch
                    .dns_us
                    .store(shared.dns_spent.get().as_micros() as u64, Ordering::SeqCst);
                shared.watch.in_lookup.store(false, Ordering::SeqCst);
                // Waiting for the resolver does not count against the script's time limit.
                shared.deadline.set(shared.deadline.get() + took);
                shared.lookups.borrow_mut().push(Lookup {
                    name: name.to_string(),
                    result: r.clone(),
                    took,
                });
                r
            };
            shared.cache.borrow_mut().insert(key, r.clone());
            r
        }
    };
    let ips = result.ok()?;
    if all {
        let text: Vec<String> = ips.iter().map(ToString::to_string).collect();
        (!text.is_empty()).then(|| text.join(";"))
    } else {
        ips.iter().find(|ip| ip.is_ipv4()).map(ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_failure_is_a_finding_with_its_values() {
        let all = [
            PacError::ScriptTooLarge { size: 2, limit: 1 },
            PacError::Syntax {
                line: 3,
                message: "x".into(),
            },
            PacError::Timeout { limit_ms: 1000 },
            PacError::OutOfMemory { limit_bytes: 1 },
            PacError::StackOverflow { limit_bytes: 1 },
            PacError::ResultTooLong { len: 2, limit: 1 },
            PacError::Undefined { name: "f".into() },
            PacError::Sandboxed {
                name: "fetch".into(),
            },
            PacError::NoEntryPoint {
                detail: String::new(),
            },
            PacError::NotAString {
                kind: "null".into(),
            },
            PacError::Thrown {
                phase: "loading the script",
                message: "boom".into(),
            },
        ];
        for e in all {
            let f = e.finding("wpad.dat").expect("a finding");
            for key in crate::findings::placeholders(f.code) {
                assert!(f.value(&key).is_some(), "{:?} lacks {key}", f.code);
            }
        }
        assert!(PacError::Engine("x".into()).finding("w").is_none());
        assert!(PacError::Busy { running: 4 }.finding("w").is_none());
        let garbage = routes::parse("PROXIE a:1; DIRECT");
        let fs = route_findings("wpad.dat", &garbage);
        assert_eq!(fs.len(), 1);
        for key in crate::findings::placeholders(Code::PacInvalidRoute) {
            assert!(fs[0].value(&key).is_some(), "lacks {key}");
        }
    }

    #[test]
    fn sorts_ip_lists_as_windows_does() {
        assert_eq!(
            sort_ip_list("10.0.0.2; 2001:db8::2;10.0.0.1;2001:db8::1").as_deref(),
            Some("2001:db8::1;2001:db8::2;10.0.0.1;10.0.0.2")
        );
        assert_eq!(sort_ip_list("10.0.0.1;nonsense"), None);
        assert_eq!(sort_ip_list(""), None);
        assert_eq!(sort_ip_list(" ; ;"), None);
        assert_eq!(
            sort_ip_list("10.0.0.9;;2001:DB8::1 ").as_deref(),
            Some("2001:DB8::1;10.0.0.9")
        );
    }

    #[test]
    fn my_ip_address_is_ipv4_only_and_ex_lists_all() {
        let ips: Vec<IpAddr> = vec!["2001:db8::5".parse().unwrap(), "10.0.0.5".parse().unwrap()];
        assert_eq!(my_ip_text(&ips, false), "10.0.0.5");
        assert_eq!(my_ip_text(&ips, true), "2001:db8::5;10.0.0.5");
        assert_eq!(my_ip_text(&ips[..1], false), "127.0.0.1");
        assert_eq!(my_ip_text(&[], true), "127.0.0.1");
    }
}
