//! Naming what went wrong in the engine: an exception, an interrupt or an allocation failure
//! becomes one [`PacError`], with the script's line for a syntax error and the name a sandboxed
//! script reached for. Pure functions over what QuickJS reports, depending on nothing outside
//! `probe::pac` and `model`; no verdicts (those are `judge::pac`'s).

use super::shared::Shared;
use super::{PacError, PacLimits};
use rquickjs::{CaughtError, Value};

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

pub(super) fn is_module_syntax(script: &str, line: u32) -> bool {
    let Some(text) = script.lines().nth((line as usize).saturating_sub(1)) else {
        return false;
    };
    let t = text.trim_start();
    ["import ", "import{", "import*", "export "]
        .iter()
        .any(|k| t.starts_with(k))
}

/// `typeof`, with null told apart from objects, for messages.
pub(super) fn kind_of(v: &Value<'_>) -> String {
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

pub(super) fn classify(
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

pub(super) fn shorten(s: &str, max_chars: usize) -> String {
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
