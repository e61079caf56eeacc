//! The envelope every JSON output shares (`probe`, `soak`, `report`, `pac`, `cert inspect`):
//! `schema_version` (each output's own number) and `tool_version` first, durations rounded to the
//! microsecond they are measured to, and errors as `{"error": {"code", "message"}}` on stdout.
//! Plain JSON values only: knows no command and no model type.

use serde_json::{Map, Value};

/// The version of `oqs-net pac --format json`.
pub const PAC_SCHEMA_VERSION: u32 = 1;
/// The version of `oqs-net cert inspect --format json`.
pub const CERT_SCHEMA_VERSION: u32 = 1;

/// The crate's version, as every output names it.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Digits kept after the decimal point of a duration in milliseconds (`_ms`): a microsecond.
const MS_DECIMALS: i32 = 3;
/// Digits kept of a duration in seconds (`_s`): a millisecond.
const S_DECIMALS: i32 = 3;

/// `doc` (an object) as printed: `schema_version` and `tool_version` (the body's own, else this
/// build's) first, every duration rounded, pretty, with a final newline. A `doc` that is not an object is wrapped under `value`.
pub fn finish(schema_version: u32, doc: Value) -> String {
    let mut out = Map::new();
    out.insert("schema_version".into(), schema_version.into());
    // A body that names its version (a round names the oqs-net that made it) keeps it.
    let tool_version = doc
        .get("tool_version")
        .cloned()
        .unwrap_or_else(|| TOOL_VERSION.into());
    out.insert("tool_version".into(), tool_version);
    match doc {
        Value::Object(fields) => {
            for (k, v) in fields {
                if k != "schema_version" && k != "tool_version" {
                    out.insert(k, v);
                }
            }
        }
        other => {
            out.insert("value".into(), other);
        }
    }
    let mut v = Value::Object(out);
    round_durations(&mut v);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// A failure of the command itself as JSON: `{"schema_version", "tool_version", "error":
/// {"code", "message"}}`, under the version of the output the command would have printed; `code`
/// is the error's stable label.
pub fn error(schema_version: u32, code: &str, message: &str) -> String {
    finish(
        schema_version,
        serde_json::json!({"error": {"code": code, "message": message}}),
    )
}

/// Rounds, in place, every number under a key ending in `_ms` or `_s` to what is measured.
pub fn round_durations(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                let digits = if k.ends_with("_ms") {
                    Some(MS_DECIMALS)
                } else if k.ends_with("_s") {
                    Some(S_DECIMALS)
                } else {
                    None
                };
                match (digits, &*v) {
                    (Some(d), Value::Number(n)) if n.is_f64() => {
                        if let Some(n) = n
                            .as_f64()
                            .and_then(|x| serde_json::Number::from_f64(round_to(x, d)))
                        {
                            *v = Value::Number(n);
                        }
                    }
                    _ => round_durations(v),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(round_durations),
        _ => {}
    }
}

fn round_to(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_rounded_to_the_microsecond_and_the_envelope_comes_first() {
        let s = finish(
            7,
            serde_json::json!({"tool_version": "0.0.9", "duration_ms": 756.0101099999999,
                "inner": [{"active_s": 1.23456, "offset_ms": -0.0004, "count": 3, "ppm": 1.23456}]}),
        );
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["schema_version"], 7);
        assert_eq!(v["tool_version"], "0.0.9", "the body's own version is kept");
        assert_eq!(v["duration_ms"].as_f64(), Some(756.01));
        assert_eq!(v["inner"][0]["active_s"].as_f64(), Some(1.235));
        assert_eq!(v["inner"][0]["offset_ms"].as_f64(), Some(-0.0));
        assert_eq!(v["inner"][0]["count"], 3);
        assert_eq!(v["inner"][0]["ppm"].as_f64(), Some(1.23456));
        assert!(s.starts_with("{\n  \"schema_version\": 7,\n  \"tool_version\""));
        let v: Value = serde_json::from_str(&finish(1, serde_json::json!({"x": 1}))).unwrap();
        assert_eq!(v["tool_version"], TOOL_VERSION);
        assert!(!s.contains("756.0101"));
    }

    #[test]
    fn an_error_is_an_object_with_code_and_message() {
        let v: Value = serde_json::from_str(&error(3, "usage", "bad flag")).unwrap();
        assert_eq!(v["error"]["code"], "usage");
        assert_eq!(v["error"]["message"], "bad flag");
        assert_eq!(v["schema_version"], 3);
    }
}
