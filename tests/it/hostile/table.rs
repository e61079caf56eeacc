//! The hostile corpus's one table (`fixtures/hostile/cases.toml`: case, what is sent, the named
//! result expected) and its runner: every case at once, each within its deadline, each ending in
//! the result the table names. The inputs each area sends are made by [`super::peers`] (network
//! peers on loopback) and [`super::inputs`] (files and strings).

use serde::Deserialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The table as the runner reads it.
#[derive(Deserialize)]
struct Table {
    case: Vec<Case>,
}

/// One row: `name`, `area`, `sent` (what is sent, in words), `expect` (the finding code or the
/// named error that must be among the results; `or`, a second one), `detail` (text the result's message must
/// contain, when the name alone says too little), `deadline_ms` (default 5 s), `kind` and the
/// kind's own parameters (see `peers` and `inputs`).
#[derive(Clone, Debug, Deserialize)]
pub struct Case {
    pub name: String,
    pub area: String,
    pub sent: String,
    pub expect: String,
    #[serde(default)]
    pub detail: Option<String>,
    /// A second result as right as `expect`, for the few cases where the resolver library's
    /// timing decides between two named results (garbage it may drop or report).
    #[serde(default)]
    pub or: Option<String>,
    #[serde(default)]
    pub deadline_ms: Option<u64>,
    pub kind: String,
    #[serde(flatten)]
    pub input: toml::Table,
}

impl Case {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.input.get(key).and_then(toml::Value::as_str)
    }
    pub fn int(&self, key: &str) -> Option<i64> {
        self.input.get(key).and_then(toml::Value::as_integer)
    }
    pub fn flag(&self, key: &str) -> bool {
        self.input
            .get(key)
            .and_then(toml::Value::as_bool)
            .unwrap_or(false)
    }
    /// Bytes given as hex (spaces allowed).
    pub fn hex(&self, key: &str) -> Option<Vec<u8>> {
        let s: String = self.str(key)?.split_whitespace().collect();
        Some(
            (0..s.len() / 2)
                .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex in the table"))
                .collect(),
        )
    }
}

/// What a case ended in: the names (labels, finding codes) and a message to match `detail`.
#[derive(Debug, Default)]
pub struct Got {
    pub names: Vec<String>,
    pub text: String,
}

impl Got {
    pub fn of(names: Vec<String>) -> Got {
        Got {
            names,
            text: String::new(),
        }
    }
    pub fn with_text(mut self, text: impl Into<String>) -> Got {
        self.text = text.into();
        self
    }
}

/// With `HOSTILE_SEED_DIR` set, keeps a case's input as a seed for the fuzz target that reads
/// such input (`DIR/TARGET/CASE`): how the fuzz corpora start from this table (README,
/// development).
pub fn seed(target: &str, case: &Case, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("HOSTILE_SEED_DIR") {
        let dir = PathBuf::from(dir).join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(&case.name), bytes).unwrap();
    }
}

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/hostile")
}

fn load() -> Vec<Case> {
    let path = fixtures().join("cases.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let t: Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    t.case
}

/// Cases that run on the network (each a peer on loopback and the product's probe).
const NETWORK: &[&str] = &[
    "ntp_packet",
    "ntp_server",
    "dns",
    "tls",
    "proxy",
    "pac_fetch",
];

/// Network cases run sixteen at a time: each deadline then measures the product and its peer,
/// not a runtime with a hundred peers to serve on a shared machine.
static NET: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(16);

/// The others are CPU work (PKCS#12 key derivation, a gigabyte of journal): two at a time, so
/// that the network cases' deadlines measure the product, not a starved runtime.
static CPU: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs one case; returns what it named and how long it took from its start (a CPU case starts
/// when its turn comes).
async fn run_case(c: Case) -> (Got, Duration) {
    if NETWORK.contains(&c.kind.as_str()) {
        let _turn = NET.acquire().await.unwrap();
        let t0 = Instant::now();
        return (super::peers::run(&c).await, t0.elapsed());
    }
    let _turn = CPU.acquire().await.unwrap();
    let t0 = Instant::now();
    let got = tokio::task::spawn_blocking(move || super::inputs::run(&c))
        .await
        .unwrap_or_else(|e| Got::of(vec![format!("panicked: {e}")]));
    (got, t0.elapsed())
}

/// The table itself: names unique, every area the issue names has cases, every expected name
/// a label the product can give (a finding code of the catalogue, or a lower-case label).
#[test]
fn the_table_is_well_formed() {
    let cases = load();
    assert!(cases.len() >= 80, "{} cases", cases.len());
    let mut names = std::collections::BTreeSet::new();
    for c in &cases {
        assert!(names.insert(c.name.clone()), "case {} twice", c.name);
        assert!(!c.sent.is_empty(), "{}: say what is sent", c.name);
        if c.expect.contains('.') {
            assert!(
                oqs_net::fuzzing::is_code(&c.expect),
                "{}: {} is not a finding code",
                c.name,
                c.expect
            );
        }
    }
    for area in [
        "ntp", "dns", "tls", "proxy", "pac", "pfx", "profile", "journal",
    ] {
        let n = cases.iter().filter(|c| c.area == area).count();
        assert!(n >= 3, "{area}: {n} cases");
        assert!(
            cases
                .iter()
                .all(|c| c.kind != "pac_result" || c.area == "pac"),
            "PAC results are in the pac area"
        );
    }
}

/// Every case at once, each within its deadline, each ending in the result the table names;
/// the whole run within a minute and within bounded memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_hostile_case_ends_in_its_named_result() {
    let started = Instant::now();
    // HOSTILE_CASE=text runs only the cases whose name contains it.
    let only = std::env::var("HOSTILE_CASE").unwrap_or_default();
    let cases: Vec<Case> = load()
        .into_iter()
        .filter(|c| c.name.contains(only.as_str()))
        .collect();
    let total = cases.len();
    // The lab's PKI, made before any case's clock starts.
    tokio::task::spawn_blocking(super::inputs::pki)
        .await
        .unwrap();
    let mut set = tokio::task::JoinSet::new();
    for c in cases {
        set.spawn(async move {
            let deadline = Duration::from_millis(c.deadline_ms.unwrap_or(5000));
            // A case's own work on a task of its own, so a panic is caught and named; one that
            // has not ended by the time the whole run should have is hung.
            let work = tokio::spawn(run_case(c.clone()));
            let (got, took) = match tokio::time::timeout(Duration::from_secs(60), work).await {
                Err(_) => (Got::of(vec!["hung".into()]), Duration::from_secs(60)),
                Ok(Err(e)) => (Got::of(vec![format!("panicked: {e}")]), Duration::ZERO),
                Ok(Ok(r)) => r,
            };
            (c, got, took, deadline)
        });
    }
    let mut wrong = Vec::new();
    while let Some(r) = set.join_next().await {
        let (c, got, took, deadline) = r.unwrap();
        eprintln!(
            "{:<8} {:<40} {:?} in {took:.0?} {}",
            c.area,
            c.name,
            got.names,
            got.text.chars().take(120).collect::<String>()
        );
        let named = |n: &String| got.names.contains(n);
        if !named(&c.expect) && !c.or.as_ref().is_some_and(named) {
            wrong.push(format!(
                "{}: want {}, got {:?}",
                c.name, c.expect, got.names
            ));
        } else if let Some(d) = &c.detail
            && !got.text.contains(d.as_str())
        {
            wrong.push(format!("{}: want `{d}` in `{}`", c.name, got.text));
        }
        if took > deadline {
            wrong.push(format!("{}: {took:?} past its {deadline:?}", c.name));
        }
    }
    let took = started.elapsed();
    eprintln!("{total} hostile cases in {took:?}");
    assert!(
        wrong.is_empty(),
        "{} of {total}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(took < Duration::from_secs(60), "{took:?}");
    // No case may hold what it was sent in memory: the 1 GB journal line, the 50 MB PAC and the
    // 10,000-certificate bag together stay far below this.
    if let Some(peak) = peak_rss_mb() {
        assert!(peak < 600, "peak RSS {peak} MB");
    }
}

/// The process's peak resident memory (Linux), in MB.
fn peak_rss_mb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
