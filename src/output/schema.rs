//! The JSON Schemas of the JSON outputs (published under `docs/schema/`), generated from the types
//! the renderers serialise, with the shared envelope (`schema_version`, `tool_version`) added. The
//! PAC report is built as JSON by its renderer, so its schema is written here from its parts' types.
//! Reads types only; never renders or runs anything.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

/// Every published schema: its file name under `docs/schema/` and its text.
pub fn all() -> Vec<(&'static str, String)> {
    [
        ("round.json", round()),
        ("report.json", report()),
        ("accept.json", accept()),
        ("pac.json", pac()),
        ("cert.json", cert()),
        ("error.json", error()),
    ]
    .into_iter()
    .map(|(name, s)| {
        let mut text = serde_json::to_string_pretty(&s).unwrap_or_default();
        text.push('\n');
        (name, text)
    })
    .collect()
}

/// `probe --format json`: one round.
pub fn round() -> Schema {
    titled::<super::json::RoundView<'static>>("oqs-net round", crate::model::SCHEMA_VERSION)
}

/// `soak --format json` and `report --format json`: a soak summarised.
pub fn report() -> Schema {
    titled::<super::soak::JsonView<'static>>(
        "oqs-net soak report",
        crate::model::SOAK_SCHEMA_VERSION,
    )
}

/// `accept --json FILE`: an acceptance run judged.
pub fn accept() -> Schema {
    titled::<super::acceptance::JsonView<'static>>(
        "oqs-net accept",
        crate::model::ACCEPT_SCHEMA_VERSION,
    )
}

/// `cert inspect --format json`: the PFX files and the certificate presented.
pub fn cert() -> Schema {
    titled::<crate::model::IdentityReport>(
        "oqs-net cert inspect",
        super::envelope::CERT_SCHEMA_VERSION,
    )
}

/// Any command's failure under `--format json`.
pub fn error() -> Schema {
    let mut s = json_schema!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "oqs-net error",
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "enum": ["usage", "profile", "plan", "lab", "harness"]},
                    "message": {"type": "string"}
                },
                "required": ["code", "message"],
                "additionalProperties": false
            }
        },
        "required": ["error"]
    });
    envelope(&mut s, None);
    s
}

/// `pac --format json`: one PAC evaluation (see `output::pac`).
pub fn pac() -> Schema {
    use crate::probe::pac::{PacLimits, PacQuery, UrlPolicy, fetch::Fetched};
    let mut g = generator();
    let nullable = |s: Schema| json!({"anyOf": [s, {"type": "null"}]});
    let query = g.subschema_for::<PacQuery>();
    let limits = g.subschema_for::<PacLimits>();
    let fetched = g.subschema_for::<Option<Fetched>>();
    let policy = g.subschema_for::<UrlPolicy>();
    let routes = g.subschema_for::<crate::model::RouteList>();
    let status = g.subschema_for::<crate::model::Status>();
    let code = g.subschema_for::<crate::model::Code>();
    let answer = json!({
        "type": "object",
        "properties": {
            "entry": {"type": "string"},
            "raw": {"type": "string"},
            "routes": routes,
            "lookups": {"type": "array", "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "addresses": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
                    "error": {"type": ["string", "null"]},
                    "took_ms": {"type": "number"}
                },
                "required": ["name", "addresses", "error", "took_ms"]
            }},
            "alerts": {"type": "array", "items": {"type": "string"}},
            "elapsed_ms": {"type": "number"}
        },
        "required": ["entry", "raw", "routes", "lookups", "alerts", "elapsed_ms"]
    });
    let failure = json!({
        "type": "object",
        "properties": {"label": {"type": "string"}, "message": {"type": "string"}},
        "required": ["label", "message"]
    });
    let finding = json!({
        "type": "object",
        "properties": {
            "code": code, "severity": status, "subject": {"type": "string"},
            "section": {"type": "string"}, "cause": {"type": "string"}, "fix": {"type": "string"}
        },
        "required": ["code", "severity", "subject", "section", "cause", "fix"]
    });
    let mut s = json_schema!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "oqs-net pac",
        "type": "object",
        "properties": {
            "source": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "bytes": {"type": "integer", "minimum": 0},
                    "fetch": fetched
                },
                "required": ["name", "bytes", "fetch"]
            },
            "query": query,
            "url_policy": policy,
            "my_ip": {"type": "array", "items": {"type": "string"}},
            "limits": limits,
            "status": {"enum": ["answered", "failed"]},
            "answer": nullable(answer.try_into().unwrap_or_default()),
            "error": nullable(failure.try_into().unwrap_or_default()),
            "findings": {"type": "array", "items": finding}
        },
        "required": ["source", "query", "url_policy", "my_ip", "limits", "status", "answer",
            "error", "findings"]
    });
    let defs: serde_json::Map<String, Value> = g.definitions().clone();
    s.insert("$defs".into(), Value::Object(defs));
    envelope(&mut s, Some(super::envelope::PAC_SCHEMA_VERSION));
    s
}

/// Schemas of what is written (serialised), in JSON Schema 2020-12.
fn generator() -> SchemaGenerator {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
}

fn titled<T: JsonSchema>(title: &str, version: u32) -> Schema {
    let mut s = generator().into_root_schema_for::<T>();
    s.insert("title".into(), title.into());
    envelope(&mut s, Some(version));
    s
}

/// Adds the envelope's keys to an object schema, `schema_version` fixed when it is known.
fn envelope(s: &mut Schema, version: Option<u32>) {
    let version = match version {
        Some(v) => json!({"const": v}),
        None => json!({"type": "integer", "minimum": 1}),
    };
    let Some(obj) = s.as_object_mut() else {
        return;
    };
    if let Some(p) = obj
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    {
        p.insert("schema_version".into(), version);
        p.insert(
            "tool_version".into(),
            json!({"type": "string", "description": "The oqs-net version that wrote it."}),
        );
    }
    if let Some(req) = obj
        .entry("required")
        .or_insert_with(|| json!([]))
        .as_array_mut()
    {
        for k in ["schema_version", "tool_version"] {
            if !req.iter().any(|r| r == k) {
                req.push(k.into());
            }
        }
    }
}
