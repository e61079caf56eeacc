//! HTML report benchmark (issue 12): a synthetic 7-day soak at a 10 s interval (60,480 rounds of
//! 30 targets: DNS names with a round-robin set that changes daily, NTP members, TLS endpoints
//! with four phases, TCP routes, checks without latency; one member flaps and drops out now and
//! then), then
//!
//! 1. the journal read into the report (`report::from_path`, with the per-column figures);
//! 2. the page rendered and written (`output::html::render`, then the file): the issue's
//!    budget is 2 s and 2 MB for this;
//! 3. the real binary end to end: `oqs-net report J --format json --html OUT`.
//!
//! `cargo bench --bench html` measures (release build). Under `cargo test --all-targets` it runs
//! a day of 30 s rounds as a smoke test. OQS_BENCH_HTML_ROUNDS changes the number of rounds.

use oqs_net::findings::Lang;
use oqs_net::model::Status;
use oqs_net::output::html;
use oqs_net::output::soak::Style;
use oqs_net::soak::journal::{
    Header, JOURNAL_VERSION, ProfileRef, Record, RoundRecord, Settings, TargetRecord, rfc3339,
};
use oqs_net::soak::report;
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const T0: i64 = 1_750_000_000_000;

fn header(interval_ms: u64) -> Header {
    Header {
        journal_version: JOURNAL_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_at: rfc3339(T0),
        ts: T0,
        profile: ProfileRef {
            name: "ipsec-production".into(),
            source: "builtin:ipsec-production".into(),
            mode: "ipsec".into(),
            environment: "production".into(),
            provider: None,
            toml: None,
        },
        settings: Settings {
            interval_ms,
            duration_ms: Some(interval_ms * 60_480),
            rounds: None,
            flap_high_pct: 30.0,
            flap_low_pct: 20.0,
            round: oqs_net::model::RoundSettings {
                deadline_ms: 30_000,
                ..Default::default()
            },
            started: Default::default(),
            lab: None,
            slowness: Default::default(),
        },
    }
}

fn target(id: String, kind: &str, up: bool, lat: BTreeMap<String, Vec<f64>>) -> TargetRecord {
    TargetRecord {
        id,
        kind: kind.into(),
        up,
        status: if up { Status::Pass } else { Status::Fail },
        codes: if up {
            vec![]
        } else {
            vec!["ntp.no_reply".into()]
        },
        via: vec![],
        lat,
        offset_ms: None,
        sets: BTreeMap::new(),
        auto_detect: None,
        proxy_source: None,
        cert: None,
        way: None,
    }
}

/// `rounds` rounds of 30 targets every `interval_ms`; returns the probe records written.
fn generate(path: &Path, rounds: u64, interval_ms: u64) -> u64 {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create"));
    let mut line = |r: &Record| {
        serde_json::to_writer(&mut out, r).expect("serialise");
        out.write_all(b"\n").expect("write");
    };
    line(&Record::Header(Box::new(header(interval_ms))));
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut ms = |base: f64, spread: f64| ((base + spread * rnd()) * 1000.0).round() / 1000.0;
    let members = ["10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"];
    let names = [
        "ntp.base.oqs-pdl.org",
        "ntp1v4.base.oqs-pdl.org",
        "ntp2v4.base.oqs-pdl.org",
        "prd.pmh.onshikaku.org",
        "oqs-web.example",
        "oqs-api.example",
    ];
    let endpoints = [
        "oqs-web",
        "oqs-api",
        "oqs-mnc",
        "eps",
        "pmh",
        "distribution",
        "wu",
        "ca",
    ];
    let routes = ["oqs-web", "oqs-api", "oqs-mnc", "eps", "distribution"];
    let plain = ["adapter", "routes", "client-certificate"];
    let day = 86_400_000 / interval_ms.max(1);
    let mut records = 0;
    for i in 0..rounds {
        let ts = T0 + (interval_ms * i) as i64;
        // Member 2 flaps for 40 rounds in every 1000, and is down for 3 rounds in every 300.
        let flapping = i % 1000 >= 500 && i % 1000 < 540;
        let member2_up = if flapping { i % 2 == 0 } else { i % 300 >= 3 };
        let mut targets = Vec::with_capacity(30);
        for (n, name) in names.iter().enumerate() {
            // The round-robin name drops its last member on odd days.
            let set: Vec<String> = if n == 0 {
                let k = if (i / day) % 2 == 1 { 3 } else { 4 };
                members[..k].iter().map(|m| m.to_string()).collect()
            } else {
                vec![members[n % 4].to_string()]
            };
            let lat =
                BTreeMap::from([("dns".to_string(), (0..2).map(|_| ms(8.0, 30.0)).collect())]);
            let mut t = target(format!("dns:{name}"), "dns", true, lat);
            t.sets = BTreeMap::from([("ipv4".to_string(), set)]);
            targets.push(t);
        }
        for (m, ip) in members
            .iter()
            .chain(["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4"].iter())
            .enumerate()
        {
            let up = m != 1 || member2_up;
            let lat = if up {
                BTreeMap::from([("ntp".to_string(), vec![ms(9.0, 20.0)])])
            } else {
                BTreeMap::new()
            };
            let mut t = target(format!("ntp:{ip}:123"), "ntp", up, lat);
            // This clock gains 12 ppm: the offset falls 0.12 ms per 10 s round.
            let offset = ms(2.5 - 0.12 * i as f64, 1.0);
            t.offset_ms = up.then_some(offset);
            targets.push(t);
        }
        for e in endpoints {
            let lat = BTreeMap::from([
                ("resolve".to_string(), vec![ms(5.0, 10.0)]),
                ("connect".to_string(), vec![ms(10.0, 20.0)]),
                ("handshake".to_string(), vec![ms(30.0, 40.0)]),
                ("request".to_string(), vec![ms(40.0, 60.0)]),
            ]);
            targets.push(target(format!("tls:{e}"), "tls", true, lat));
        }
        for r in routes {
            let lat = BTreeMap::from([("tcp_connect".to_string(), vec![ms(10.0, 20.0)])]);
            targets.push(target(format!("tcp:{r}"), "tcp", true, lat));
        }
        for p in plain {
            targets.push(target(p.to_string(), p, true, BTreeMap::new()));
        }
        records += targets.len() as u64;
        line(&Record::Round(RoundRecord {
            seq: i + 1,
            ts,
            at: rfc3339(ts),
            dur_ms: 412.5,
            overrun: false,
            skipped: 0,
            status: if member2_up {
                Status::Pass
            } else {
                Status::Fail
            },
            targets,
        }));
    }
    out.flush().expect("flush");
    records
}

/// The CPU time (user + system) and peak resident memory of the children waited for so far
/// (the one `oqs-net report`): on a shared machine, CPU time says what wall time cannot.
#[cfg(target_os = "linux")]
fn child_usage() -> String {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_CHILDREN)
        .map(|u| {
            let s = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
            format!(
                "CPU {:.2} s, peak RSS {:.1} MB",
                s(u.user_time()) + s(u.system_time()),
                u.max_rss() as f64 / 1024.0
            )
        })
        .unwrap_or_else(|e| format!("usage unknown ({e})"))
}

#[cfg(not(target_os = "linux"))]
fn child_usage() -> String {
    "usage not measured here".into()
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let (rounds, interval_ms) = if measuring {
        let n = std::env::var("OQS_BENCH_HTML_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60_480);
        (n, 10_000)
    } else {
        (2_880, 30_000)
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = dir.path().join("week.jsonl");
    let started = Instant::now();
    let records = generate(&journal, rounds, interval_ms);
    let size = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
    println!(
        "html benchmark: {rounds} rounds at {} s, {records} probe records ({} targets a round), journal {:.1} MB, generated in {:.1} s",
        interval_ms / 1000,
        records / rounds.max(1),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    let r = report::from_path(&journal, None, report::Charts::All).expect("the journal reads");
    let read = start.elapsed();
    let columns = r.columns.expect("columns");

    let page = dir.path().join("week.html");
    let start = Instant::now();
    let text = html::render(
        &r,
        &journal.display().to_string(),
        &Style {
            color: false,
            lang: Lang::Ja,
            tz: jiff::tz::TimeZone::UTC,
        },
        None,
    );
    std::fs::write(&page, &text).expect("write");
    let rendered = start.elapsed();
    let html_size = text.len();

    let exe = PathBuf::from(env!("CARGO_BIN_EXE_oqs-net"));
    let end_to_end = dir.path().join("e2e.html");
    let start = Instant::now();
    let status = Command::new(&exe)
        .args(["report", "--format", "json", "--lang", "ja", "--html"])
        .arg(&end_to_end)
        .arg(&journal)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("oqs-net report runs");
    let e2e = start.elapsed();
    assert!(status.code().is_some_and(|c| c <= 1), "{status}");

    println!(
        "  report read: {:.2} s ({} columns of {} s, {} targets)",
        read.as_secs_f64(),
        columns.count,
        columns.width_ms / 1000,
        r.targets.len()
    );
    println!(
        "  HTML rendered and written: {:.0} ms, {:.2} MB (budget 2 s, 2 MB)",
        rendered.as_secs_f64() * 1000.0,
        html_size as f64 / 1e6
    );
    println!(
        "  `oqs-net report --format json --html` end to end: {:.2} s wall, {}",
        e2e.as_secs_f64(),
        child_usage()
    );
    assert!(html_size <= 2_000_000, "{html_size} bytes");
    assert!(columns.count <= oqs_net::model::MAX_COLUMNS);
}
