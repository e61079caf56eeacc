//! The engine side of one evaluation: a fresh QuickJS runtime with its limits and interrupt
//! handler, the helpers loaded, the script run and `FindProxyForURL` called, the promise jobs
//! drained, and the answer read back. Runs on the evaluation thread that [`super::evaluate`]
//! starts; uses the natives and the failure naming beside it, nothing outside `probe::pac`.

use super::failure::{classify, is_module_syntax, kind_of};
use super::natives::install_natives;
use super::shared::Shared;
use super::{PacAnswer, PacEnv, PacError, PacLimits, PacQuery, Watch, routes};
use rquickjs::context::EvalOptions;
use rquickjs::{CatchResultExt, Context, Ctx, Runtime, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PRELUDE: &str = include_str!("prelude.js");

pub(super) fn evaluate_here(
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
