//! Issue 12, Prometheus: the exposition of a lab round read by `promtool check metrics`; a real
//! Prometheus server scraping a lab soak's `--metrics-listen` and answering PromQL with what the
//! journal holds; `serve` running one round for concurrent scrapes and answering from the last
//! within its minimum interval; the textfile never seen half-written. Needs Debian's
//! `prometheus` package (promtool and prometheus), installed by `scripts/test`.

use crate::support::lab_round;
use oqs_net::model::Mode;
use oqs_net::output::metrics::{self, SoakView, TargetState};
use oqs_net::soak::journal::{Event, JournalReader, Record};
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `promtool check metrics` on `text`: its complaints, empty when it has none.
fn promtool_check(text: &str) -> String {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus package; scripts/test installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        said
    } else {
        format!("exit {:?}: {said}", out.status.code())
    }
}

#[tokio::test]
async fn a_lab_round_passes_promtool() {
    let round = lab_round(Mode::Ipsec, Some("dead-member")).await;
    let view = SoakView {
        seq: 3,
        rounds: 3,
        flaps: 1,
        overruns: 0,
        targets: vec![TargetState {
            check: "ntp:127.0.0.12:123".into(),
            kind: "ntp".into(),
            up: false,
            flapping: true,
            score_pct: 40.0,
        }],
    };
    for text in [
        metrics::round(&round, None),
        metrics::round(&round, Some(&view)),
        metrics::process(&metrics::ProcessView::default()),
    ] {
        assert_eq!(promtool_check(&text), "", "{text}");
    }
    let text = metrics::round(&round, None);
    // The dead member is a failed NTP check; its finding is raised.
    assert!(
        text.lines()
            .any(|l| l.starts_with("probe_success{check=\"ntp:") && l.ends_with(" 0.0")),
        "{text}"
    );
    assert!(
        text.contains("oqs_net_finding{code=\"ntp.no_reply\"} 1.0"),
        "{text}"
    );
}

fn journal_records(path: &std::path::Path) -> Vec<Record> {
    let f = std::fs::File::open(path).unwrap();
    let mut r = JournalReader::new(std::io::BufReader::new(f));
    let mut out = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        out.push(rec);
    }
    out
}

/// A series as Prometheus answers a range selector: its labels, and (time, value) pairs.
type Series = (BTreeMap<String, String>, Vec<(f64, f64)>);

/// A free port on loopback (bound, read and let go: the test binds it right after).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.0 GET (no chunking, the server closes): the status and the body.
fn get(port: u16, path_and_query: &str) -> Option<(u16, String)> {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(
        s,
        "GET {path_and_query} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

/// Waits until `port` answers `path` with 200, or panics after `within`.
fn wait_ready(port: u16, path: &str, within: Duration, what: &mut std::process::Child) {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if let Some((200, _)) = get(port, path) {
            return;
        }
        if let Ok(Some(st)) = what.try_wait() {
            panic!("exited before it answered {path}: {st}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("nothing answered http://127.0.0.1:{port}{path} within {within:?}");
}

/// Ends a child the test started, by its id.
struct Reap(std::process::Child);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A lab fault schedule: the second member of each set answers NTP for 1 s, then not for 1 s,
/// changing half-way between the soak's 1 s slots; with one NTP sample per round (`--samples
/// 1`, so no sample of a later state rescues a round) the soak sees it change at every round on
/// time (about every other one when a loaded machine shifts the rounds) and flap within a dozen.
const FLAP_FAST: &str = "description = \"member 1 flaps every second\"\n\n[[flap]]\nmember = 1\nup_s = 1\ndown_s = 1\nstart_s = 0.5\n";

/// Issue 12: a real Prometheus scrapes a lab soak every second; what PromQL returns for each
/// scraped round (by the journal's sequence number) is what the journal holds: the flapping
/// state (from its flap events) and the NTP offset of every server.
#[test]
fn issue12_prometheus_scrapes_a_soak_and_agrees_with_its_journal() {
    let dir = tempfile::tempdir().unwrap();
    let faults = dir.path().join("flap-fast.toml");
    std::fs::write(&faults, FLAP_FAST).unwrap();
    let journal = dir.path().join("soak.jsonl");
    let (prom_port, soak_port) = (free_port(), free_port());
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: soak\n    static_configs:\n      - targets: ['127.0.0.1:{soak_port}']\n"
        ),
    )
    .unwrap();
    let prometheus = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus (Debian's prometheus package; scripts/test installs it)");
    let mut prometheus = Reap(prometheus);
    wait_ready(
        prom_port,
        "/-/ready",
        Duration::from_secs(30),
        &mut prometheus.0,
    );

    let soak = crate::support::bin()
        .args([
            "soak",
            "--lab",
            "--mode",
            "ipsec",
            "--rounds",
            "24",
            "--interval",
            "1s",
            "-q",
        ])
        .args(["--samples", "1"])
        .arg("--lab-faults")
        .arg(&faults)
        .arg("--journal")
        .arg(&journal)
        .args(["--metrics-listen", &format!("127.0.0.1:{soak_port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = soak.wait_with_output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Let the last scrapes land in the head block.
    std::thread::sleep(Duration::from_secs(2));

    // Every raw sample of the soak's run, by scrape time.
    let samples = |query: &str| -> Vec<Series> {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query", &format!("{query}[10m]"))
            .finish();
        let (status, body) = get(prom_port, &format!("/api/v1/query?{q}")).expect("PromQL");
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["data"]["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let labels = serde_json::from_value(s["metric"].clone()).unwrap();
                let values = s["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        (
                            p[0].as_f64().unwrap(),
                            p[1].as_str().unwrap().parse::<f64>().unwrap(),
                        )
                    })
                    .collect();
                (labels, values)
            })
            .collect()
    };
    let seq_at: BTreeMap<u64, u64> = samples("oqs_net_round_seq")
        .into_iter()
        .flat_map(|(_, v)| v)
        .map(|(t, seq)| ((t * 1000.0).round() as u64, seq as u64))
        .collect();
    assert!(seq_at.len() >= 8, "too few scrapes: {seq_at:?}");

    // The journal: each round's NTP offsets, and the flapping state after it from the events.
    let records = journal_records(&journal);
    let mut offset: BTreeMap<(u64, String), f64> = BTreeMap::new();
    let mut flapping_at: BTreeMap<(u64, String), bool> = BTreeMap::new();
    let mut state: BTreeMap<String, bool> = BTreeMap::new();
    let mut last_seq = 0;
    let mut rounds_seen = Vec::new();
    for r in records {
        match r {
            Record::Round(r) => {
                // Events of the previous round are in: record its state.
                for t in &r.targets {
                    if let Some(o) = t.offset_ms {
                        offset.insert((r.seq, t.id.clone()), o / 1000.0);
                    }
                    state.entry(t.id.clone()).or_insert(false);
                }
                last_seq = r.seq;
                rounds_seen.push(r.seq);
                for (id, f) in &state {
                    flapping_at.insert((r.seq, id.clone()), *f);
                }
            }
            Record::Event(e) => {
                let f = matches!(e.event, Event::FlapStart { .. });
                if matches!(e.event, Event::FlapStart { .. } | Event::FlapEnd { .. }) {
                    state.insert(e.target.clone(), f);
                    flapping_at.insert((e.seq, e.target.clone()), f);
                }
            }
            _ => {}
        }
    }
    assert_eq!(last_seq, 24, "{rounds_seen:?}");
    assert!(
        flapping_at.values().any(|f| *f),
        "the lab's member never flapped in the journal"
    );

    let mut compared = (0, 0, 0);
    for (labels, values) in samples("oqs_net_flapping") {
        let check = &labels["check"];
        for (t, v) in values {
            let seq = seq_at[&((t * 1000.0).round() as u64)];
            let want = flapping_at[&(seq, check.clone())];
            assert_eq!(v == 1.0, want, "{check} after round {seq}");
            compared.0 += 1;
            compared.2 += usize::from(want);
        }
    }
    for (labels, values) in samples("oqs_net_ntp_offset_seconds") {
        let check = &labels["check"];
        for (t, v) in values {
            let seq = seq_at[&((t * 1000.0).round() as u64)];
            let want = offset[&(seq, check.clone())];
            assert!(
                (v - want).abs() < 1e-6,
                "{check} round {seq}: {v} != {want}"
            );
            compared.1 += 1;
        }
    }
    assert!(
        compared.0 >= 8 && compared.1 >= 8 && compared.2 >= 1,
        "flapping samples, offsets, samples while flapping: {compared:?}"
    );
}

/// The value of the series that starts `prefix` (name and labels) in an exposition.
fn value(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix)?.trim().parse().ok())
}

/// Issue 12: `serve` runs one round for two scrapes that come together, answers a scrape
/// within the minimum interval from the last round, runs a new one after it, refuses what it
/// does not serve, and ends on SIGTERM with 0.
#[test]
fn issue12_serve_runs_one_round_at_a_time_and_no_more_often_than_asked() {
    let port = free_port();
    let child = crate::support::bin()
        .args(["serve", "--lab", "--mode", "ipsec", "--min-interval", "4s"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut serve = Reap(child);
    wait_ready(port, "/metrics", Duration::from_secs(30), &mut serve.0);
    let probe = "/probe?profile=ipsec-production";
    let started = |body: &str| value(body, "oqs_net_round_start_timestamp_seconds ").unwrap();
    let counts = || {
        let (_, m) = get(port, "/metrics").unwrap();
        let l = "{profile=\"ipsec-production\"} ";
        (
            value(&m, &format!("oqs_net_serve_rounds{l}")).unwrap(),
            value(&m, &format!("oqs_net_serve_cached_answers{l}")).unwrap(),
        )
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| get(port, probe).unwrap());
        let b = s.spawn(|| get(port, probe).unwrap());
        (a.join().unwrap(), b.join().unwrap())
    });
    // The interval counts from the end of a round.
    let ended = Instant::now();
    assert_eq!((a.0, b.0), (200, 200), "{}\n{}", a.1, b.1);
    assert_eq!(a.1, b.1, "both scrapes got the one round");
    assert_eq!(
        counts(),
        (1.0, 1.0),
        "one round ran, one answer was the last"
    );
    assert_eq!(promtool_check(&a.1), "");

    // Within the minimum interval: the last round again.
    let (st, again) = get(port, probe).unwrap();
    assert_eq!(st, 200);
    assert!(
        ended.elapsed() < Duration::from_secs(4),
        "the test was too slow to tell"
    );
    assert_eq!(started(&again), started(&a.1));
    assert_eq!(counts(), (1.0, 2.0));

    // After it: a new round.
    std::thread::sleep(Duration::from_millis(4300).saturating_sub(ended.elapsed()));
    let (_, fresh) = get(port, probe).unwrap();
    assert!(started(&fresh) > started(&a.1), "a new round ran");
    assert_eq!(value(&fresh, "oqs_net_round_seq "), Some(2.0));
    assert_eq!(value(&fresh, "oqs_net_rounds_followed "), Some(2.0));
    assert_eq!(counts(), (2.0, 2.0));

    // What it does not serve is refused, and counted.
    assert_eq!(get(port, "/probe?profile=ipvpn-production").unwrap().0, 404);
    assert_eq!(get(port, "/probe").unwrap().0, 400);
    let (_, m) = get(port, "/metrics").unwrap();
    assert_eq!(value(&m, "oqs_net_serve_refused "), Some(2.0));

    #[cfg(target_os = "linux")]
    {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        kill(Pid::from_raw(serve.0.id() as i32), Signal::SIGTERM).unwrap();
        let until = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(st) = serve.0.try_wait().unwrap() {
                break st;
            }
            assert!(Instant::now() < until, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(0));
    }
}

/// Issue 12: a reader polling the textfile while a soak replaces it after every round only
/// ever sees a whole exposition (the build info first, `# EOF` last), and sees it change.
#[test]
fn issue12_the_textfile_is_never_seen_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let textfile = dir.path().join("oqs-net.prom");
    let journal = dir.path().join("soak.jsonl");
    let child = crate::support::bin()
        .args([
            "soak",
            "--lab",
            "--mode",
            "ipsec",
            "--rounds",
            "8",
            "--interval",
            "0s",
            "-q",
        ])
        .arg("--journal")
        .arg(&journal)
        .arg("--metrics-textfile")
        .arg(&textfile)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut soak = Reap(child);
    let mut reads = 0;
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let done = soak.0.try_wait().unwrap().is_some();
        if let Ok(text) = std::fs::read_to_string(&textfile) {
            assert!(
                text.starts_with("# HELP oqs_net_build_info ") && text.ends_with("# EOF\n"),
                "a torn textfile after {reads} reads:\n{text}"
            );
            seen.insert(value(&text, "oqs_net_round_seq ").unwrap_or(0.0) as u64);
            reads += 1;
        }
        if done {
            break;
        }
    }
    assert_eq!(soak.0.wait().unwrap().code(), Some(0));
    assert!(reads > 100, "only {reads} reads");
    assert!(
        seen.contains(&8) && seen.len() >= 4,
        "rounds seen: {seen:?}"
    );
    // Nothing is left beside it: the temporaries were renamed into place.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

/// Issue 12: an address other hosts can reach is refused unless asked for by its own flag, and
/// nothing is measured or written.
#[test]
fn issue12_a_remote_listener_must_be_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("soak.jsonl");
    let j = journal.to_str().unwrap();
    let (code, _, err) = crate::support::run(&[
        "soak",
        "--lab",
        "--rounds",
        "1",
        "--journal",
        j,
        "--metrics-listen",
        "0.0.0.0:0",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--metrics-allow-remote"), "{err}");
    assert!(!journal.exists(), "nothing written");
    let (code, _, err) = crate::support::run(&["serve", "--lab", "--listen", "0.0.0.0:0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--allow-remote"), "{err}");
}

/// The first ```yaml block after `marker` in README.md.
fn readme_yaml(marker: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let at = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README lacks {marker}"));
    let rest = &readme[at..];
    let start = rest.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = rest[start..].find("```").expect("the block ends");
    rest[start..start + end].to_string()
}

/// Issue 12: README's scrape config and alert rules are valid for promtool, and the rules ask
/// for series a lab round's exposition has, with the labels they select on.
#[tokio::test]
async fn issue12_readme_scrape_config_and_alert_rules_pass_promtool() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, readme_yaml("`prometheus.yml`")).unwrap();
    let rules_text = readme_yaml("`oqs-net.rules.yml`");
    let rules = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/prometheus/oqs-net.rules.yml"
    ));
    assert_eq!(
        std::fs::read_to_string(rules).unwrap(),
        rules_text,
        "README's alert rules and docs/prometheus/oqs-net.rules.yml differ"
    );
    for (what, file) in [("config", config.as_path()), ("rules", rules)] {
        let out = Command::new("promtool")
            .args(["check", what])
            .arg(file)
            .output()
            .expect("promtool");
        assert!(
            out.status.success(),
            "promtool check {what}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let round = lab_round(Mode::Ipsec, None).await;
    let view = SoakView {
        targets: vec![TargetState {
            check: "tls:distribution".into(),
            kind: "tls".into(),
            up: true,
            flapping: false,
            score_pct: 0.0,
        }],
        ..SoakView::default()
    };
    let text = metrics::round(&round, Some(&view));
    for series in [
        "oqs_net_flapping{check=\"tls:distribution\"",
        "oqs_net_certificate_expiry_timestamp_seconds{check=\"tls:client-certificate\",role=\"client\"}",
    ] {
        let name = series.split('{').next().unwrap();
        assert!(rules_text.contains(name), "the rules no longer use {name}");
        assert!(text.contains(series), "no {series} in\n{text}");
    }
}

/// Issue 12: the alert rules do what README says, by promtool's own unit tests
/// (docs/prometheus/oqs-net.rules.test.yml): a distribution server flapping for more than 10
/// minutes and a client certificate 20 days from expiry fire, with the terminal in the summary;
/// a steady server, a short flap, another endpoint's flap, a certificate with 90 days left and a
/// server certificate do not.
#[test]
fn issue12_alert_rules_fire_on_a_flap_and_an_expiring_certificate_and_not_otherwise() {
    let tests = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/prometheus/oqs-net.rules.test.yml"
    );
    let text = std::fs::read_to_string(tests).unwrap();
    for case in [
        "terminal: clinic-0001",
        "the client certificate expires in 19d 22h",
        "exp_alerts: []",
    ] {
        assert!(text.contains(case), "the rule tests lack {case}");
    }
    let out = Command::new("promtool")
        .args(["test", "rules", tests])
        .output()
        .expect("promtool (Debian's prometheus package; scripts/test installs it)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool test rules: {said}");
    assert!(said.contains("SUCCESS"), "{said}");
}
