//! PAC verdicts for `oqs-net pac`: what a script's failure, its unusable routes, or a PAC URL that
//! could not be fetched come to as findings. Reads `model` only (the probe measures, this decides);
//! the proxy section's PAC verdict is in `judge::proxy`.

use crate::model::{Code, FetchError, Finding, PacError, Route, RouteList, Status};

/// The finding a script's failure is, about the PAC file `subject`; `None` when oqs-net itself
/// failed (the engine would not start, or is busy stopping runaway scripts).
pub(crate) fn script_failed(subject: &str, e: &PacError) -> Option<Finding> {
    let f = |code| Finding::new(code, Status::Fail, subject);
    Some(match e {
        PacError::ScriptTooLarge { size, limit } => f(Code::PacScriptTooLarge)
            .with("size", size)
            .with("limit", limit),
        PacError::Syntax { line, message } => f(Code::PacSyntaxError)
            .with("line", line)
            .with("detail", message),
        PacError::Timeout { limit_ms } => f(Code::PacTimeout).with("limit_ms", limit_ms),
        PacError::OutOfMemory { .. }
        | PacError::StackOverflow { .. }
        | PacError::ResultTooLong { .. } => f(Code::PacResourceLimit).with("detail", e.to_string()),
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

/// One finding per unusable route of an answer (a warning: browsers skip to the next route).
pub(crate) fn route_findings(subject: &str, routes: &RouteList) -> Vec<Finding> {
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

/// A PAC URL that could not be fetched: nothing was evaluated.
pub(crate) fn fetch_failed(subject: &str, e: &FetchError) -> Finding {
    Finding::new(Code::PacFetchFailed, Status::Fail, subject).with("detail", e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RouteFault;

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
            let f = script_failed("wpad.dat", &e).expect("a finding");
            assert_eq!(f.severity, Status::Fail);
            for key in crate::findings::placeholders(f.code) {
                assert!(f.value(&key).is_some(), "{:?} lacks {key}", f.code);
            }
        }
        let f = script_failed("w", &PacError::Timeout { limit_ms: 250 }).unwrap();
        assert_eq!(
            (f.code, f.value("limit_ms")),
            (Code::PacTimeout, Some("250"))
        );
        assert!(script_failed("w", &PacError::Engine("x".into())).is_none());
        assert!(script_failed("w", &PacError::Busy { running: 4 }).is_none());
    }

    #[test]
    fn only_unusable_routes_are_findings() {
        let routes = RouteList {
            routes: vec![
                Route::Invalid {
                    text: "PROXIE a:1".into(),
                    fault: RouteFault::UnknownKeyword,
                },
                Route::Direct,
            ],
            truncated: false,
        };
        let fs = route_findings("wpad.dat", &routes);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].severity, Status::Warn);
        assert_eq!(fs[0].value("route"), Some("\"PROXIE a:1\""));
        assert_eq!(fs[0].value("fault"), Some("unknown_keyword"));
        for key in crate::findings::placeholders(Code::PacInvalidRoute) {
            assert!(fs[0].value(&key).is_some(), "lacks {key}");
        }
    }

    #[test]
    fn a_fetch_failure_says_what_the_fetch_said() {
        let f = fetch_failed("http://wpad/wpad.dat", &FetchError::Status { status: 404 });
        assert_eq!((f.code, f.severity), (Code::PacFetchFailed, Status::Fail));
        assert_eq!(f.value("detail"), Some("the server answered 404"));
        for key in crate::findings::placeholders(Code::PacFetchFailed) {
            assert!(f.value(&key).is_some(), "lacks {key}");
        }
    }
}
