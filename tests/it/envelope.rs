//! Issue 15, "one voice": every command's `--format json` shares one envelope (`schema_version`,
//! `tool_version`), durations are rounded, and a failure of the command is a JSON object on
//! stdout as well as its exit code.

use crate::support::run;
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Parses stdout as one JSON object and checks the envelope's keys come first.
fn envelope(what: &str, out: &str) -> Value {
    let v: Value =
        serde_json::from_str(out).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {out}"));
    let keys: Vec<&String> = v.as_object().expect("an object").keys().collect();
    assert_eq!(
        keys[..2],
        [&"schema_version".to_string(), &"tool_version".to_string()],
        "{what}: {keys:?}"
    );
    assert!(
        v["schema_version"].as_u64().is_some_and(|n| n >= 1),
        "{what}"
    );
    assert_eq!(v["tool_version"], TOOL_VERSION, "{what}");
    assert!(v.get("schema").is_none(), "{what}: the old key");
    v
}

/// Every number under a `_ms` key has at most 3 decimals.
fn rounded(what: &str, v: &Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if let (true, Some(f)) = (k.ends_with("_ms"), x.as_f64()) {
                    assert!(
                        ((f * 1000.0).round() / 1000.0 - f).abs() < 1e-9,
                        "{what}: {k} = {f}"
                    );
                }
                rounded(what, x);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| rounded(what, x)),
        _ => {}
    }
}

/// An error under `--format json`: the envelope with `error.code` and `error.message`.
fn error(what: &str, code: i32, out: &str, expected_code: i32, label: &str) {
    assert_eq!(code, expected_code, "{what}: {out}");
    let v = envelope(what, out);
    assert_eq!(v["error"]["code"], label, "{what}: {v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}: {v}"
    );
}

#[test]
fn issue15_every_json_output_has_one_envelope_errors_included() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    let js = journal.to_str().unwrap();

    let (code, out, err) = run(&["probe", "--mode", "ipsec", "--lab", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let mut checked: Vec<(&str, String)> = vec![("round.json", out.clone())];
    let round = envelope("probe", &out);
    rounded("probe", &round);
    assert!(round["checks"].is_array());
    // A failing round too, so its findings are checked against the schema.
    let (code, out, err) = run(&[
        "probe",
        "--mode",
        "ipsec",
        "--lab",
        "--lab-scenario",
        "dead-member",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    rounded("failing probe", &envelope("failing probe", &out));
    assert!(out.contains("dns.member_no_ntp"), "{out}");
    checked.push(("round.json", out.clone()));

    let (code, out, err) = run(&[
        "soak",
        "--mode",
        "ipsec",
        "--lab",
        "--rounds",
        "1",
        "--journal",
        js,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    rounded("soak", &envelope("soak", &out));
    checked.push(("report.json", out.clone()));

    let (code, out, err) = run(&["report", js, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let report = envelope("report", &out);
    checked.push(("report.json", out.clone()));
    assert_eq!(
        report["schema_version"],
        oqs_net::model::SOAK_SCHEMA_VERSION
    );

    let pac = dir.path().join("p.pac");
    std::fs::write(
        &pac,
        "function FindProxyForURL(url, host) { return \"PROXY 192.0.2.1:8080\"; }",
    )
    .unwrap();
    let (code, out, err) = run(&[
        "pac",
        pac.to_str().unwrap(),
        "--url",
        "https://example.org/",
        "--no-dns",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let p = envelope("pac", &out);
    checked.push(("pac.json", out.clone()));
    rounded("pac", &p);
    assert_eq!(p["status"], "answered");

    let garbage = dir.path().join("clinic.pfx");
    std::fs::write(&garbage, b"not a pfx").unwrap();
    let (code, out, _) = run(&[
        "cert",
        "inspect",
        garbage.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let c = envelope("cert inspect", &out);
    checked.push(("cert.json", out.clone()));
    assert!(c["files"][0]["failure"].is_object(), "{c}");

    // Errors of the command itself: a profile that is not there, a file that is not a journal,
    // a flag clap refuses; each on stdout as JSON with the exit code of its kind.
    let missing = dir.path().join("missing.toml");
    let (code, out, _) = run(&[
        "probe",
        "--profile-file",
        missing.to_str().unwrap(),
        "--format",
        "json",
    ]);
    error("probe, missing profile", code, &out, 2, "profile");
    checked.push(("error.json", out.clone()));
    let (code, out, _) = run(&["report", pac.to_str().unwrap(), "--format", "json"]);
    error("report, not a journal", code, &out, 2, "usage");
    let (code, out, _) = run(&["pac", pac.to_str().unwrap(), "--format", "json"]);
    error("pac without --url", code, &out, 2, "usage");
    let (code, out, _) = run(&["cert", "inspect", "--format", "json", "--bogus", "x.pfx"]);
    error("cert inspect, unknown flag", code, &out, 2, "usage");
    let (code, out, _) = run(&[
        "soak",
        "--lab",
        "--duration",
        "10",
        "--journal",
        js,
        "--format",
        "json",
    ]);
    error("soak, duration without unit", code, &out, 2, "usage");
    checked.push(("error.json", out.clone()));

    validate(dir.path(), &checked);
}

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

/// Validates each output against its published schema with Python's jsonschema (Debian's
/// python3-jsonschema, installed by scripts/test).
fn validate(dir: &Path, outputs: &[(&str, String)]) {
    let mut pairs = Vec::new();
    for (i, (schema, out)) in outputs.iter().enumerate() {
        let f = dir.join(format!("out-{i}.json"));
        std::fs::write(&f, out).unwrap();
        pairs.push(format!(
            "{}={}",
            schema_dir().join(schema).display(),
            f.display()
        ));
    }
    let script = "import json, sys, jsonschema\n\
        bad = 0\n\
        for pair in sys.argv[1:]:\n\
        \x20   schema, doc = pair.split('=', 1)\n\
        \x20   s = json.load(open(schema))\n\
        \x20   jsonschema.Draft202012Validator.check_schema(s)\n\
        \x20   for e in jsonschema.Draft202012Validator(s).iter_errors(json.load(open(doc))):\n\
        \x20       bad += 1\n\
        \x20       print(schema, doc, list(e.absolute_path), e.message[:300])\n\
        sys.exit(1 if bad else 0)\n";
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-W", "ignore", "-c", script])
        .args(&pairs)
        .output()
        .expect("python3 (install python3-jsonschema, or run scripts/test)");
    assert!(
        out.status.success(),
        "outputs do not match their schemas:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The published schemas are the ones the types generate (`UPDATE_GOLDEN=1` rewrites them).
#[test]
fn issue15_published_schemas_are_generated_from_the_types() {
    for (name, text) in oqs_net::output::schema::all() {
        let path = schema_dir().join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(schema_dir()).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let published = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing {}: run with UPDATE_GOLDEN=1", path.display()));
        assert!(
            published == text,
            "{name} is not what the types generate; run with UPDATE_GOLDEN=1 and review"
        );
    }
}
