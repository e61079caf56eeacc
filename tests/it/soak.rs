//! Issue 6, stability soaks, as a user meets them: a flap in the lab caught within one interval of
//! the truth; the real binary killed with SIGKILL in the middle of a journal write and resumed;
//! Ctrl-C (once: the report and exit 0 or 1; twice: 130 with whole records only); a journal that
//! cannot be written, at start-up and when the disk fills up; scheduled faults from a file.

use crate::support::golden;
use crate::support::{bin, quick_profile};
#[cfg(target_os = "linux")]
use nix::sys::signal::{Signal, kill};
#[cfg(target_os = "linux")]
use nix::unistd::Pid;
use oqs_net::lab::Lab;
use oqs_net::lab::schedule::{FaultSchedule, Timeline, drive};
use oqs_net::model::Mode;
use oqs_net::round::lab as lab_setup;
use oqs_net::round::source::EngineSource;
use oqs_net::soak::flap::{self, Transition};
use oqs_net::soak::journal::{
    Header, JOURNAL_VERSION, JournalReader, JournalWriter, ProfileRef, Record, RoundRecord,
    Settings,
};
use oqs_net::soak::run::{Clock, Schedule, Session, Silent, run};
use oqs_net::soak::{Thresholds, report, track::Tracker};
#[cfg(target_os = "linux")]
use std::io::BufRead;
use std::io::BufReader;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
#[cfg(target_os = "linux")]
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
#[cfg(target_os = "linux")]
use std::time::Instant;
use tokio_util::sync::CancellationToken;

fn records(path: &Path) -> (Vec<Record>, Vec<String>) {
    let f = std::fs::File::open(path).unwrap();
    let mut r = JournalReader::new(BufReader::new(f));
    let mut out = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        out.push(rec);
    }
    (out, r.notes())
}

fn rounds(path: &Path) -> Vec<RoundRecord> {
    records(path)
        .0
        .into_iter()
        .filter_map(|r| match r {
            Record::Round(x) => Some(x),
            _ => None,
        })
        .collect()
}

/// Runs the real binary's soak with stderr collected line by line as it comes.
#[cfg(target_os = "linux")]
struct Soak {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

#[cfg(target_os = "linux")]
impl Soak {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Soak {
        let mut cmd = bin();
        cmd.arg("soak")
            .args(args)
            .env("NO_COLOR", "1")
            .env("LANG", "C")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let err = child.stderr.take().unwrap();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Soak { child, lines }
    }

    /// Sequence numbers of the rounds the soak has announced as done.
    fn announced(&self) -> Vec<u64> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| l.strip_prefix("round ")?.split(' ').next()?.parse().ok())
            .collect()
    }

    fn stderr(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// Waits (at most 30 s) until `ready` holds.
    fn wait_for(&self, what: &str, ready: impl Fn(&Soak) -> bool) {
        let start = Instant::now();
        while !ready(self) {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn signal(&self, s: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), s).unwrap();
    }

    /// Exit code (None when killed by a signal) and stdout.
    fn finish(mut self) -> (Option<i32>, String, String) {
        let mut out = String::new();
        if let Some(mut o) = self.child.stdout.take() {
            std::io::Read::read_to_string(&mut o, &mut out).unwrap();
        }
        let status = self.child.wait().unwrap();
        // Let the reader thread take the last lines.
        std::thread::sleep(Duration::from_millis(50));
        (status.code(), out, self.stderr())
    }
}

/// The journal is in the middle of a record: it does not end with a newline.
#[cfg(target_os = "linux")]
fn torn(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| !b.is_empty() && !b.ends_with(b"\n"))
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&out[..out.len().min(2000)])
        )
    })
}

/// A flapping lab member, soaked in-process: the report's flap period, outage count and
/// availability match what the schedule says (the truth) to within one interval.
#[tokio::test(flavor = "multi_thread")]
async fn soak_catches_a_lab_flap_within_one_interval_of_the_truth() {
    let interval = Duration::from_millis(400);
    let duration = Duration::from_secs(16);
    let mut profile = quick_profile(Mode::Ipsec);
    profile.dns.queries = 2;
    profile.dns.timeout = Duration::from_millis(100);
    profile.ntp.samples = 1;
    // Room for a reply from a lab that shares two cores with the whole test suite: the round's
    // 350 ms deadline holds 2 × 100 ms of DNS, then this.
    profile.ntp.timeout = Duration::from_millis(200);
    let spec = lab_setup::spec_for(&profile, &[Ipv6Addr::LOCALHOST], None, 0);
    let lab = Lab::start(spec).await.unwrap();
    let (p, resolvers) = lab_setup::point_at(&profile, &lab);
    // Member 1 (127.0.0.12) up 0.8 s, down 0.8 s, from 0.2 s (mid-slot, so no round sits on a
    // change) to 8.2 s, then up for good.
    let faults = FaultSchedule::from_toml_str(
        "[[flap]]\nmember = 1\nup_s = 0.8\ndown_s = 0.8\nstart_s = 0.2\nstop_s = 8.2\n",
        "test",
    )
    .unwrap();
    let timeline = Timeline::new(faults, lab.spec()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flap.jsonl");
    let mut w = JournalWriter::create(&path).unwrap();
    let header = Header {
        journal_version: JOURNAL_VERSION,
        tool_version: "test".into(),
        started_at: String::new(),
        ts: 0,
        profile: ProfileRef {
            name: p.name.clone(),
            source: p.source.clone(),
            mode: "ipsec".into(),
            environment: "production".into(),
            provider: None,
            toml: None,
        },
        settings: Settings {
            interval_ms: interval.as_millis() as u64,
            duration_ms: Some(duration.as_millis() as u64),
            rounds: None,
            flap_high_pct: 30.0,
            flap_low_pct: 20.0,
            slowness: Default::default(),

            round: oqs_net::model::RoundSettings {
                deadline_ms: 350,
                ..Default::default()
            },
            started: Default::default(),
            lab: None,
        },
    };
    w.write(&[Record::Header(Box::new(header))]).unwrap();
    let journal = Arc::new(Mutex::new(w));
    let mut source = EngineSource {
        builder: crate::support::builder_within(&p, resolvers, Duration::from_millis(350)),
        lab: None,
    };
    let clock = Clock::start();
    let schedule = Schedule {
        interval,
        remaining: Some(duration),
        rounds: None,
        first_seq: 1,
    };
    let (tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
    let stop = CancellationToken::new();
    let cancel = CancellationToken::new();
    let mut tracker = Tracker::new(Thresholds::DEFAULT);
    let driver = drive(
        &lab,
        &timeline,
        clock.origin,
        Duration::ZERO,
        stop.clone(),
        |at, words| {
            for w in words {
                let _ = tx.send((at, w));
            }
        },
    );
    let soak = async {
        let r = run(
            &mut source,
            &mut Silent,
            Session {
                journal: &journal,
                tracker: &mut tracker,
                schedule: &schedule,
                clock,
                notes: &mut notes,
                cancel: &cancel,
            },
        )
        .await;
        stop.cancel();
        r
    };
    let (out, ()) = tokio::join!(soak, driver);
    out.unwrap();
    let member_ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 12));
    let member = format!("ntp:127.0.0.12:{}", lab.ntp_port());
    lab.shutdown().await;

    // The truth: what the schedule said when each round probed the member (its one NTP sample
    // leaves right after the DNS answers, a few milliseconds into the round). A round whose
    // first 150 ms straddle a change could see either state; the schedule's changes sit 200 ms
    // from the slots, so only a round that started very late is in doubt.
    let recs = rounds(&path);
    let skipped: u64 = recs.iter().map(|r| r.skipped).sum();
    assert_eq!(recs.len() as u64 + skipped, 40, "16 s of 0.4 s slots");
    assert!(
        skipped <= 4,
        "a loaded machine may skip a slot or two, not more"
    );
    let state_at = |ms: i64| {
        let t = Duration::from_millis((ms - clock.origin_ms).max(0) as u64);
        !timeline.spec_at(t).member(member_ip).unwrap().ntp.dead
    };
    let truth: Vec<bool> = recs.iter().map(|r| state_at(r.ts + 5)).collect();
    let in_doubt: Vec<bool> = recs
        .iter()
        .map(|r| state_at(r.ts) != state_at(r.ts + 150))
        .collect();
    let measured: Vec<bool> = recs
        .iter()
        .map(|r| r.targets.iter().find(|t| t.id == member).unwrap().up)
        .collect();
    for i in 0..recs.len() {
        assert!(
            in_doubt[i] || truth[i] == measured[i],
            "round {}: truth {} measured {}\ntruth    {truth:?}\nmeasured {measured:?}",
            recs[i].seq,
            truth[i],
            measured[i]
        );
    }

    let want = flap::transitions(&truth, Thresholds::DEFAULT);
    let (start_i, end_i) = match want.as_slice() {
        [
            (s, Transition::Started { .. }),
            (e, Transition::Ended { .. }),
        ] => (*s, *e),
        other => panic!("the schedule should flap once: {other:?}"),
    };
    let r = report::from_path(&path, None, report::Charts::All).unwrap();
    let t = r.targets.iter().find(|t| t.id == member).unwrap();
    assert_eq!(t.flaps.len(), 1, "{:?}", t.flaps);
    let f = &t.flaps[0];
    let within = |got: i64, want: i64| (got - want).abs() <= interval.as_millis() as i64;
    assert!(
        within(f.start.0, recs[start_i].ts),
        "flap start {} vs truth {}",
        f.start.0,
        recs[start_i].ts
    );
    let end = f.end.expect("the flap ended").0;
    assert!(
        within(end, recs[end_i].ts),
        "flap end {end} vs truth {}",
        recs[end_i].ts
    );

    // The schedule has five down periods of two slots each; every one is seen (a skipped slot
    // still leaves the other round of its period).
    let runs = |states: &[bool]| {
        states
            .iter()
            .zip(std::iter::once(&true).chain(states.iter()))
            .filter(|(now, before)| !**now && **before)
            .count() as u64
    };
    assert_eq!(runs(&truth), 5, "truth {truth:?}");
    assert_eq!(t.outages_total, 5, "measured {measured:?}");
    let truth_avail = truth.iter().filter(|u| **u).count() as f64 * 100.0 / truth.len() as f64;
    let doubtful = in_doubt.iter().filter(|d| **d).count() as f64;
    assert!(
        (t.availability_pct - truth_avail).abs() <= 100.0 * doubtful / truth.len() as f64 + 1e-3,
        "{} vs {truth_avail}",
        t.availability_pct
    );
    // The outages last one down period (two slots, 0.8 s) each, to within a slot.
    for o in &t.outages {
        assert!((o.duration_s - 0.8).abs() <= 0.4 + 1e-9, "{o:?}");
    }
    // The journal says it too: flap events and the lab's own notes.
    let (all, notes) = records(&path);
    assert!(notes.is_empty(), "{notes:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(r#""event":"flap_start""#));
    assert!(text.contains(r#""event":"flap_end""#));
    assert!(text.contains("lab: NTP member 127.0.0.12 stops answering"));
    assert!(matches!(all.last(), Some(Record::End(_))));
    assert!(
        r.findings
            .iter()
            .any(|f| f.code.as_label() == "soak.ntp_flapping")
    );
}

#[cfg(target_os = "linux")]
/// Kill -9 in the middle of writing a record: every round announced as done is in the journal,
/// the torn record is skipped with a note, and `--resume` finishes the soak in the same file.
#[test]
fn sigkill_mid_write_loses_no_finished_round_and_resume_continues() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let js = j.to_str().unwrap();
    let soak = Soak::start(
        &[
            "--mode",
            "ipsec",
            "--lab",
            "--interval",
            "300ms",
            // Room for a round on a loaded machine: the resumed soak must end as a pass.
            "--deadline",
            "5s",
            "--duration",
            "6s",
            "--queries",
            "2",
            "--samples",
            "1",
            "--journal",
            js,
        ],
        // Each record is written in two halves 300 ms apart, so it can be caught half-written.
        &[("OQS_NET_TEST_JOURNAL_PAUSE_MS", "300")],
    );
    soak.wait_for("two rounds, then a half-written record", |s| {
        s.announced().len() >= 2 && torn(&j)
    });
    soak.signal(Signal::SIGKILL);
    let announced = soak.announced();
    let (code, _, err) = soak.finish();
    assert_eq!(code, None, "killed: {err}");

    let (recs, notes) = records(&j);
    let seqs: Vec<u64> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Round(x) => Some(x.seq),
            _ => None,
        })
        .collect();
    for n in &announced {
        assert!(
            seqs.contains(n),
            "round {n} was announced but is not in {seqs:?}"
        );
    }
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("torn last record"), "{notes:?}");

    // The report reads the unfinished journal, torn line and all.
    let out = bin()
        .args(["report", js, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["complete"], false);
    assert_eq!(v["rounds"], seqs.len());
    assert!(
        v["notes"].to_string().contains("torn last record"),
        "{}",
        v["notes"]
    );

    // Resume: the same journal, the same lab port (the same target names), the time left.
    let out = bin()
        .args(["soak", "--resume", js, "--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("resuming the soak in"), "{err}");
    let v = json(&out.stdout);
    assert_eq!(v["complete"], true);
    assert_eq!(v["segments"], 2);
    assert_eq!(v["status"], "pass");
    assert_eq!(
        v["targets"].as_array().unwrap().len(),
        33,
        "3 names, 4 NTP members, the client certificate, 6 TLS endpoints, the proxy settings, \
         8 proxy routes (6 OQS hosts, 2 internet-bound), the adapter, its routes, 6 TCP \
         reachability targets, NAT64 and the environment, as `probe` has them, the same after the \
         resume: {}",
        v["targets"]
    );
    let active = v["active_s"].as_f64().unwrap();
    assert!((5.9..=7.1).contains(&active), "measured {active} s of 6 s");
    assert!(
        v["notes"].to_string().contains("torn record"),
        "{}",
        v["notes"]
    );

    let (recs, _) = records(&j);
    let seqs: Vec<u64> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Round(x) => Some(x.seq),
            _ => None,
        })
        .collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    assert!(recs.iter().any(|r| matches!(r, Record::Resume(_))));
    assert!(
        recs.iter()
            .any(|r| matches!(r, Record::Note(n) if n.text.contains("torn")))
    );
    assert!(
        matches!(recs.last(), Some(Record::End(e)) if e.reason == oqs_net::soak::journal::EndReason::Completed)
    );
}

#[cfg(target_os = "linux")]
fn ctrl_c_once(extra: &[&str], want_code: i32, want: &str) {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let mut args = vec![
        "--mode",
        "ipsec",
        "--lab",
        "--interval",
        "300ms",
        // A round cut off by its deadline would end as ERROR, not the FAIL the scenario causes:
        // give it room on a loaded machine (an overrun is recorded, not an error).
        "--deadline",
        "5s",
        "--queries",
        "2",
        "--samples",
        "1",
        "--journal",
        j.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let soak = Soak::start(&args, &[]);
    soak.wait_for("two rounds", |s| s.announced().len() >= 2);
    soak.signal(Signal::SIGINT);
    let (code, out, err) = soak.finish();
    assert_eq!(code, Some(want_code), "{err}\n{out}");
    assert!(out.contains("oqs-net soak report"), "{out}");
    assert!(out.contains(want), "{out}");
    assert!(out.contains("not finished"), "{out}");
    assert!(err.contains("stopping"), "{err}");
    let text = std::fs::read_to_string(&j).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "end");
    assert_eq!(last["reason"], "interrupted");
    assert!(text.ends_with('\n'));
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_prints_the_report_and_exits_0_when_all_passed() {
    ctrl_c_once(&[], 0, "Result: PASS");
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_prints_the_report_and_exits_1_when_a_check_failed() {
    ctrl_c_once(&["--lab-scenario", "dead-member"], 1, "Result: FAIL");
}

#[cfg(target_os = "linux")]
/// Two soaks cannot write one journal: a resume of a journal still being written is refused.
#[test]
fn a_journal_in_use_is_not_resumed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let soak = Soak::start(
        &[
            "--mode",
            "ipsec",
            "--lab",
            "--interval",
            "1s",
            "--queries",
            "2",
            "--samples",
            "1",
            "--journal",
            j.to_str().unwrap(),
        ],
        // Records are written slowly so the resume below meets one half-written.
        &[("OQS_NET_TEST_JOURNAL_PAUSE_MS", "400")],
    );
    soak.wait_for("a round, then a record half-written", |s| {
        !s.announced().is_empty() && torn(&j)
    });
    let out = bin().args(["soak", "--resume"]).arg(&j).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("being written by another oqs-net soak"),
        "{err}"
    );
    soak.signal(Signal::SIGINT);
    let (code, _, err) = soak.finish();
    assert_eq!(code, Some(0), "{err}");
    assert!(
        records(&j).1.is_empty(),
        "the refused resume did not touch the record being written"
    );
}

#[cfg(target_os = "linux")]
/// A second Ctrl-C quits at once with 130, but never in the middle of a record.
#[test]
fn second_ctrl_c_exits_130_with_whole_records_only() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let soak = Soak::start(
        &[
            "--mode",
            "ipsec",
            "--lab",
            "--interval",
            "200ms",
            "--queries",
            "2",
            "--samples",
            "1",
            "--journal",
            j.to_str().unwrap(),
        ],
        &[("OQS_NET_TEST_JOURNAL_PAUSE_MS", "500")],
    );
    soak.wait_for("a round, then a record half-written", |s| {
        !s.announced().is_empty() && torn(&j)
    });
    soak.signal(Signal::SIGINT);
    std::thread::sleep(Duration::from_millis(100));
    assert!(torn(&j), "still writing when the second Ctrl-C comes");
    soak.signal(Signal::SIGINT);
    let (code, _, err) = soak.finish();
    assert_eq!(code, Some(130), "{err}");
    let text = std::fs::read_to_string(&j).unwrap();
    assert!(
        text.ends_with('\n'),
        "the record in flight was finished first"
    );
    for line in text.lines() {
        let _: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
    assert!(records(&j).1.is_empty());
}

#[test]
fn a_journal_that_cannot_be_written_is_refused_before_any_packet() {
    let dir = tempfile::tempdir().unwrap();
    let run = |journal: &Path| {
        bin()
            .args([
                "soak",
                "--mode",
                "ipsec",
                "--lab",
                "--rounds",
                "1",
                "--journal",
            ])
            .arg(journal)
            .output()
            .unwrap()
    };
    let missing = dir.path().join("no/such/dir/j.jsonl");
    let out = run(&missing);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot create the journal") && err.contains("no/such/dir"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let existing = dir.path().join("old.jsonl");
    std::fs::write(&existing, "precious\n").unwrap();
    let out = run(&existing);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("already exists") && err.contains("--resume"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "precious\n");

    let out = run(dir.path());
    assert_eq!(out.status.code(), Some(2));

    // Resuming something that is not a journal.
    let out = bin()
        .args(["soak", "--resume"])
        .arg(&existing)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not an oqs-net journal"), "{err}");
    let out = bin().args(["report"]).arg(&existing).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(target_os = "linux")]
/// The disk fills up part-way: the soak stops at the failing write with a clear error (exit 3),
/// prints the report of what was written, and every round it announced is in the journal. Runs
/// the soak in a private mount namespace over a tiny tmpfs (needs root, as CI has).
#[test]
fn a_full_disk_stops_the_soak_with_a_clear_error_and_keeps_every_round() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let copy: PathBuf = dir.path().join("copy.jsonl");
    let script = r#"mount -t tmpfs -o size=8k tmpfs "$1" || exit 99
"$2" soak --mode ipsec --lab --interval 0 --rounds 500 --queries 2 --samples 1 --journal "$1/j.jsonl"
code=$?
cp "$1/j.jsonl" "$3"
exit $code"#;
    let out = Command::new("unshare")
        .args(["--mount", "sh", "-c", script, "sh"])
        .arg(&mnt)
        .arg(env!("CARGO_BIN_EXE_oqs-net"))
        .arg(&copy)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_ne!(
        out.status.code(),
        Some(99),
        "cannot mount a tmpfs (root needed): {err}"
    );
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("the soak stopped there"), "{err}");
    assert!(stdout.contains("oqs-net soak report"), "{stdout}");
    let announced: Vec<u64> = err
        .lines()
        .filter_map(|l| l.strip_prefix("round ")?.split(' ').next()?.parse().ok())
        .collect();
    assert!(!announced.is_empty(), "{err}");
    let seqs: Vec<u64> = rounds(&copy).iter().map(|r| r.seq).collect();
    assert_eq!(
        seqs, announced,
        "every round announced is in the journal, and only those"
    );
    assert!(announced.len() < 500);
}

/// Scheduled faults from a file, in the binary: a member that dies a second in is one outage,
/// still open at the end, and the journal keeps the schedule for a resume.
#[test]
fn lab_faults_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let faults = dir.path().join("dies.toml");
    std::fs::write(
        &faults,
        "description = \"member 1 dies\"\n[[die]]\nmember = 1\nat_s = 1.25\n",
    )
    .unwrap();
    let j = dir.path().join("j.jsonl");
    let out = bin()
        .args([
            "soak",
            "--mode",
            "ipsec",
            "--lab",
            "--lab-faults",
            faults.to_str().unwrap(),
            "--interval",
            "500ms",
            "--duration",
            "3s",
            "--queries",
            "2",
            "--samples",
            "1",
            "--journal",
            j.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("lab: NTP member 127.0.0.12 stops answering"),
        "{err}"
    );
    let v = json(&out.stdout);
    let id = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|t| {
            t["id"]
                .as_str()
                .filter(|id| id.starts_with("ntp:127.0.0.12:"))
        })
        .unwrap()
        .to_string();
    let t = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(t["outages_total"], 1, "{t}");
    assert_eq!(t["outages"][0]["ongoing"], true);
    // Up in every round that started before 1.25 s, down in every one after (the schedule's
    // clock starts with the first round; rounds on a busy machine may start late or be skipped).
    let recs = rounds(&j);
    let first = recs[0].ts;
    for r in &recs {
        let up = r.targets.iter().find(|x| x.id == id).unwrap().up;
        let at = r.ts - first;
        assert!(
            (at < 1150 && up) || (at > 1350 && !up) || (1150..=1350).contains(&at),
            "round {} at {at} ms: up {up}",
            r.seq
        );
    }
    let ups = recs
        .iter()
        .filter(|r| r.targets.iter().any(|x| x.id == id && x.up))
        .count();
    let avail = t["availability_pct"].as_f64().unwrap();
    assert!(
        (avail - ups as f64 * 100.0 / recs.len() as f64).abs() < 1e-3,
        "{avail}"
    );
    assert_eq!(t["latency"][0]["phase"], "ntp");
    assert!(t["latency"][0]["p99_ms"].as_f64().unwrap() > 0.0);
    let header: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&j).unwrap().lines().next().unwrap()).unwrap();
    assert!(
        header["settings"]["lab"]["faults_toml"]
            .as_str()
            .unwrap()
            .contains("at_s = 1.25")
    );
    assert_eq!(v["header"]["lab_faults"], faults.to_str().unwrap());
}

/// Flap thresholds from a profile file reach the journal's header (and the report that reads
/// it); flags override them; the profile's text travels in the journal for a resume.
#[test]
fn flap_thresholds_come_from_the_profile_or_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("site.toml");
    std::fs::write(
        &profile,
        "base = \"ipsec-production\"\nname = \"site\"\n[soak]\nflap_high_pct = 12.5\nflap_low_pct = 5\n",
    )
    .unwrap();
    let header = |j: &Path| -> serde_json::Value {
        serde_json::from_str(std::fs::read_to_string(j).unwrap().lines().next().unwrap()).unwrap()
    };
    let soak = |extra: &[&str], j: &Path| {
        let out = bin()
            .args(["soak", "--lab", "--rounds", "2", "--interval", "0", "-q"])
            .args(["--queries", "2", "--samples", "1", "--format", "json"])
            .arg("--targets")
            .arg(&profile)
            .args(extra)
            .arg("--journal")
            .arg(j)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&out.stdout)
    };
    let j1 = dir.path().join("a.jsonl");
    let report = soak(&[], &j1);
    let h = header(&j1);
    assert_eq!(h["settings"]["flap_high_pct"], 12.5);
    assert_eq!(h["settings"]["flap_low_pct"], 5.0);
    assert_eq!(h["profile"]["name"], "site");
    assert!(
        h["profile"]["toml"]
            .as_str()
            .unwrap()
            .contains("flap_high_pct = 12.5")
    );
    assert_eq!(report["header"]["flap_high_pct"], 12.5);

    let j2 = dir.path().join("b.jsonl");
    soak(&["--flap-high", "50", "--flap-low", "40"], &j2);
    assert_eq!(header(&j2)["settings"]["flap_high_pct"], 50.0);

    let out = bin()
        .args([
            "soak",
            "--lab",
            "--rounds",
            "1",
            "--flap-high",
            "20",
            "--flap-low",
            "30",
        ])
        .arg("--journal")
        .arg(dir.path().join("c.jsonl"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("must be below"), "{err}");
    assert!(
        !dir.path().join("c.jsonl").exists(),
        "refused before the journal"
    );
}

#[test]
fn resuming_a_finished_soak_only_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let out = bin()
        .args([
            "soak",
            "--mode",
            "ipsec",
            "--lab",
            "--rounds",
            "2",
            "--interval",
            "0",
            "-q",
        ])
        .args(["--queries", "2", "--samples", "1", "--journal"])
        .arg(&j)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "quiet: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = std::fs::read(&j).unwrap();
    let out = bin().args(["soak", "--resume"]).arg(&j).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("nothing left to run"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("complete"));
    assert_eq!(
        std::fs::read(&j).unwrap(),
        before,
        "the journal is left alone"
    );
    // Its HTML page has the latency charts the resume's own scan does not keep.
    let page = dir.path().join("page.html");
    let out = bin()
        .args(["soak", "--resume"])
        .arg(&j)
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<svg id=\"latency-"), "no latency chart");
    // Settings come from the journal, so flags beside --resume are refused.
    let out = bin()
        .args(["soak", "--interval", "5s", "--resume"])
        .arg(&j)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn soak_and_report_help_are_reviewed() {
    for (cmd, file) in [("soak", "soak-help.txt"), ("report", "report-help.txt")] {
        let out = bin()
            .args([cmd, "--help"])
            .env("NO_COLOR", "1")
            .env("LANG", "C")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Exit codes:"), "{text}");
        golden(file, &text);
    }
}

/// The header of the journals the report tests write: ipvpn, 10 s rounds for 15 minutes.
fn sample_header(t0: i64) -> Header {
    use oqs_net::soak::journal::rfc3339;
    Header {
        journal_version: JOURNAL_VERSION,
        tool_version: "0.1.0".into(),
        started_at: rfc3339(t0),
        ts: t0,
        profile: ProfileRef {
            name: "ipvpn-production".into(),
            source: "builtin:ipvpn-production".into(),
            mode: "ipvpn".into(),
            environment: "production".into(),
            provider: None,
            toml: None,
        },
        settings: Settings {
            interval_ms: 10_000,
            duration_ms: Some(900_000),
            rounds: None,
            flap_high_pct: 30.0,
            flap_low_pct: 20.0,
            slowness: Default::default(),

            round: oqs_net::model::RoundSettings {
                deadline_ms: 9_000,
                ..Default::default()
            },
            started: Default::default(),
            lab: None,
        },
    }
}

/// A journal with everything a report shows: a flapping member, an outage, a clock that drifts,
/// a round-robin set that changes, and a torn last line.
fn sample_journal(path: &Path) {
    use oqs_net::model::Status;
    use oqs_net::soak::journal::{TargetRecord, rfc3339};
    use std::collections::BTreeMap;
    let t0: i64 = 1_750_000_000_000;
    let mut text: Vec<u8> = Vec::new();
    let mut line = |r: &Record| {
        text.extend(serde_json::to_vec(r).unwrap());
        text.push(b'\n');
    };
    line(&Record::Header(Box::new(sample_header(t0))));
    let members = ["fd0e:a5::11", "fd0e:a5::12", "fd0e:a5::13", "fd0e:a5::14"];
    for i in 0..60u64 {
        let ts = t0 + 10_000 * i as i64;
        let set: Vec<String> = members
            .iter()
            .filter(|m| !((30..36).contains(&i) && **m == "fd0e:a5::14"))
            .map(|m| m.to_string())
            .collect();
        let mut targets = vec![TargetRecord {
            id: "dns:ntp.base.oqs-pdl.org".into(),
            kind: "dns".into(),
            up: true,
            status: Status::Pass,
            codes: vec![],
            via: vec![],
            lat: BTreeMap::from([("dns".to_string(), vec![11.5, 12.25, 10.0 + (i % 5) as f64])]),
            offset_ms: None,
            sets: BTreeMap::from([("ipv6".to_string(), set)]),
            auto_detect: None,
            proxy_source: None,
            cert: None,
            way: None,
        }];
        for (m, ip) in members.iter().enumerate() {
            let up = match m {
                1 => !(20..40).contains(&i) || i % 2 == 0,
                2 => !(5..8).contains(&i),
                _ => true,
            };
            targets.push(TargetRecord {
                id: format!("ntp:[{ip}]:123"),
                kind: "ntp".into(),
                up,
                status: if up { Status::Pass } else { Status::Fail },
                codes: if up {
                    vec![]
                } else {
                    vec!["ntp.no_reply".into()]
                },
                via: vec!["ntp.base.oqs-pdl.org".into()],
                lat: if up {
                    BTreeMap::from([("ntp".to_string(), vec![9.5, 9.75 + m as f64])])
                } else {
                    BTreeMap::new()
                },
                // This clock gains 20 ppm: the offset falls 0.2 ms per 10 s round.
                offset_ms: up.then_some(1.5 - 0.2 * i as f64 + 0.01 * m as f64),
                sets: BTreeMap::new(),
                auto_detect: None,
                proxy_source: None,
                cert: None,
                way: None,
            });
        }
        let status = if targets.iter().all(|t| t.up) {
            Status::Pass
        } else {
            Status::Fail
        };
        line(&Record::Round(RoundRecord {
            seq: i + 1,
            ts,
            at: rfc3339(ts),
            dur_ms: 812.5,
            overrun: i == 50,
            skipped: u64::from(i == 50),
            status,
            targets,
        }));
    }
    text.extend_from_slice(br#"{"type":"round","seq":61,"ts":17500006"#);
    std::fs::write(path, text).unwrap();
}

#[test]
fn report_renders_as_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    sample_journal(&dir.path().join("j.jsonl"));
    for (args, file) in [
        (&["--lang", "en"][..], "soak-report-en.txt"),
        (&["--lang", "ja"][..], "soak-report-ja.txt"),
        (
            &["--format", "json", "--lang", "en"][..],
            "soak-report-en.json",
        ),
    ] {
        let out = report_in(dir.path(), args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "flapping and an outage fail it: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        golden(file, &String::from_utf8(out.stdout).unwrap());
    }
}

/// 補17 over a soak: the distribution server's connection flaps while WPAD auto-detect is on in
/// the deciding settings (WinINet), so the report adds the probe's verdict, `proxy.autodetect_on`,
/// beside `soak.flapping`, naming the period. Written by hand: no lab scenario turns auto-detect on.
#[test]
fn report_ties_a_flapping_distribution_server_to_auto_detect() {
    use oqs_net::model::Status;
    use oqs_net::soak::journal::{TargetRecord, rfc3339};
    use std::collections::BTreeMap;
    let t0: i64 = 1_750_000_000_000;
    let record = |id: &str, kind: &str, up: bool| TargetRecord {
        id: id.into(),
        kind: kind.into(),
        up,
        status: if up { Status::Pass } else { Status::Fail },
        codes: if up {
            vec![]
        } else {
            vec!["tls.connect_failed".into()]
        },
        via: vec![],
        lat: BTreeMap::new(),
        offset_ms: None,
        sets: BTreeMap::new(),
        auto_detect: None,
        proxy_source: None,
        cert: None,
        way: None,
    };
    let mut text: Vec<u8> = Vec::new();
    let mut line = |r: &Record| {
        text.extend(serde_json::to_vec(r).unwrap());
        text.push(b'\n');
    };
    line(&Record::Header(Box::new(sample_header(t0))));
    for i in 0..60u64 {
        let ts = t0 + 10_000 * i as i64;
        // Fails every other round from round 11 to round 30.
        let up = !(10..30).contains(&i) || i % 2 == 0;
        let mut dist = record("tls:distribution", "tls", up);
        if up {
            dist.lat = BTreeMap::from([("handshake".to_string(), vec![4.5])]);
        }
        let mut settings = record("proxy:settings", "proxy_settings", true);
        settings.auto_detect = Some(true);
        settings.proxy_source = Some("wininet".into());
        let targets = vec![
            dist,
            settings,
            record("proxy:distribution", "proxy_route", true),
        ];
        line(&Record::Round(RoundRecord {
            seq: i + 1,
            ts,
            at: rfc3339(ts),
            dur_ms: 412.5,
            overrun: false,
            skipped: 0,
            status: if up { Status::Pass } else { Status::Fail },
            targets,
        }));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("j.jsonl"), text).unwrap();
    let report = |args: &[&str]| {
        let out = report_in(dir.path(), args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let v = json(report(&["--format", "json", "--lang", "en"]).as_bytes());
    let findings = v["findings"].as_array().unwrap();
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["soak.flapping", "proxy.autodetect_on"]);
    let f = &findings[1];
    assert_eq!(f["section"], "補17");
    assert_eq!(f["severity"], "fail");
    let flap = &v["targets"][0]["flaps"][0];
    assert_eq!(v["targets"][0]["id"], "tls:distribution");
    assert_eq!(f["values"]["start"], "2025-06-15T15:09:20Z");
    assert_eq!(flap["start"], "2025-06-15T15:09:20Z");
    assert_eq!(f["values"]["end"], "2025-06-15T15:14:20Z");
    assert_eq!(flap["end"], "2025-06-15T15:14:20Z");
    assert_eq!(f["values"]["source"], "wininet");
    assert_eq!(
        f["cause"],
        "'Automatically detect settings' (WPAD) is on while the distribution server's connection succeeds and fails by turns (flapping from 2025-06-15T15:09:20Z to 2025-06-15T15:14:20Z)"
    );
    for (args, file) in [
        (&["--lang", "en"][..], "soak-report-wpad-en.txt"),
        (&["--lang", "ja"][..], "soak-report-wpad-ja.txt"),
    ] {
        golden(file, &report(args));
    }
}

/// `oqs-net report j.jsonl ARGS` in `dir`, without colour, in UTC and the C locale.
fn report_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    bin()
        .args(["report", "j.jsonl"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env("LANG", "C")
        .output()
        .unwrap()
}

/// Issue 10: `soak --resume` runs with every round setting the first run had. The first run is
/// given each flag that shapes a round; it is killed after two rounds; the resumed run's resume
/// record names the settings it runs with, and they equal the header's field by field, the
/// password read again from the same file and the same certificate chosen.
#[cfg(target_os = "linux")]
#[test]
fn resume_keeps_every_round_setting() {
    use oqs_net::model::{Family, PasswordOrigin, RoundSettings};
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let js = j.to_str().unwrap();
    let pki = oqs_net::lab::pki::LabPki::generate(&[]).unwrap();
    let f = &pki.files;
    let path = |p: &PathBuf| p.to_str().unwrap().to_string();
    let (pfx, pw, ca) = (
        path(&f.two_clients_pfx),
        path(&f.password_file),
        path(&f.ca_pem),
    );
    let soak = Soak::start(
        &[
            "--mode",
            "ipsec",
            "--lab",
            "--interval",
            "300ms",
            "--deadline",
            "5s",
            "--duration",
            "4s",
            "--queries",
            "2",
            "--samples",
            "1",
            "--family",
            "v4",
            "--interface",
            "lo",
            "--proxy",
            "none",
            "--concurrency",
            "7",
            "--pfx",
            &pfx,
            "--pfx-password-file",
            &pw,
            "--institution-code",
            oqs_net::lab::pki::OTHER_CODE,
            "--ca-bundle",
            &ca,
            "--distribution-server",
            "dist.clinic.example:8443",
            "--journal",
            js,
        ],
        &[],
    );
    soak.wait_for("two rounds", |s| s.announced().len() >= 2);
    soak.signal(Signal::SIGKILL);
    let (code, _, err) = soak.finish();
    assert_eq!(code, None, "killed: {err}");

    let out = bin()
        .args(["soak", "--resume", js, "--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("resuming the soak in"), "{err}");
    assert_eq!(json(&out.stdout)["segments"], 2, "{err}");

    let (recs, _) = records(&j);
    let Some(Record::Header(header)) = recs.first() else {
        panic!("no header");
    };
    let resume = recs
        .iter()
        .find_map(|r| match r {
            Record::Resume(x) => Some(x),
            _ => None,
        })
        .expect("a resume record");
    let first: &RoundSettings = &header.settings.round;
    let again: &RoundSettings = resume.round.as_ref().expect("the resumed settings");
    // What was given, then the same field by field.
    assert_eq!(first.interface.as_deref(), Some("lo"));
    assert_eq!(first.family, Some(Family::Ipv4));
    assert_eq!(first.proxy.as_deref(), Some("none"));
    assert_eq!(first.queries, Some(2));
    assert_eq!(first.samples, Some(1));
    assert_eq!(first.deadline_ms, 5000);
    assert_eq!(first.concurrency, 7);
    assert_eq!(first.tls.pfx, std::slice::from_ref(&f.two_clients_pfx));
    assert_eq!(
        first.tls.password,
        Some(PasswordOrigin::File(f.password_file.clone()))
    );
    assert_eq!(
        first.tls.institution_code.as_deref(),
        Some(oqs_net::lab::pki::OTHER_CODE)
    );
    assert_eq!(first.tls.ca_bundle, Some(f.ca_pem.clone()));
    assert_eq!(
        first.tls.distribution_server.as_deref(),
        Some("dist.clinic.example:8443")
    );
    assert_eq!(again.resolvers, first.resolvers);
    assert_eq!(again.interface, first.interface);
    assert_eq!(again.family, first.family);
    assert_eq!(again.ntp_port, first.ntp_port);
    assert_eq!(again.queries, first.queries);
    assert_eq!(again.samples, first.samples);
    assert_eq!(again.proxy, first.proxy);
    assert_eq!(again.tls, first.tls);
    assert_eq!(again.deadline_ms, first.deadline_ms);
    assert_eq!(again.concurrency, first.concurrency);
    assert_eq!(again, first, "nothing else differs either");
    // The same certificate (the code picks the second of the two), read with the same password.
    let cert = header
        .settings
        .started
        .certificate
        .as_ref()
        .expect("chosen");
    assert!(
        cert.subject.contains(oqs_net::lab::pki::OTHER_CODE),
        "{cert:?}"
    );
    assert_eq!(resume.started.certificate.as_ref(), Some(cert));
    assert!(!std::fs::read_to_string(&j).unwrap().contains(&pki.password));
}

/// Issue 10: a soak reads the proxy settings afresh every round. The lab's WPAD server sends
/// everything through the proxy (the explicit settings send the OQS hosts DIRECT), and its
/// terminal turns "Automatically detect settings" on 8.5 s into a soak of 1 s rounds: the
/// journal's `proxy:settings` records say off until then and on from the round after, 補17's
/// findings come with every round from that one on and none before, and the report shows the
/// change.
#[test]
fn auto_detect_turned_on_mid_soak_shows_from_that_round_on() {
    let dir = tempfile::tempdir().unwrap();
    let faults = dir.path().join("autodetect.toml");
    std::fs::write(&faults, "[[terminal]]\nat_s = 8.5\nauto_detect = true\n").unwrap();
    let scenario = dir.path().join("wpad.toml");
    std::fs::write(&scenario, "[wpad]\nscript = \"everything-via-proxy\"\n").unwrap();
    let j = dir.path().join("j.jsonl");
    let out = bin()
        .args(["soak", "--mode", "ipsec", "--lab", "--lab-scenario"])
        .arg(&scenario)
        .arg("--lab-faults")
        .arg(&faults)
        .args(["--interval", "1s", "--rounds", "13", "--queries", "2"])
        .args([
            "--samples",
            "1",
            "--format",
            "json",
            "--lang",
            "en",
            "--journal",
        ])
        .arg(&j)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the terminal turns automatic proxy detection on"),
        "{err}"
    );
    let recs = rounds(&j);
    assert_eq!(
        recs.len() + recs.iter().map(|r| r.skipped as usize).sum::<usize>(),
        13
    );
    let first = recs[0].ts;
    let mut turned_on = None;
    for r in &recs {
        let s = r.targets.iter().find(|t| t.id == "proxy:settings").unwrap();
        let on = s.auto_detect.expect("recorded every round");
        let flagged = s.codes.iter().any(|c| c == "proxy.autodetect_ways_differ")
            && s.codes.iter().any(|c| c == "proxy.autodetect_on");
        assert_eq!(
            on, flagged,
            "round {}: 補17's finding goes with the setting",
            r.seq
        );
        let at = r.ts - first;
        // The schedule's clock starts with the first round; a round near 8.5 s may see either.
        assert!(
            (at < 8400 && !on) || (at > 8600 && on) || (8400..=8600).contains(&at),
            "round {} at {at} ms: auto-detect {on}",
            r.seq
        );
        if on && turned_on.is_none() {
            turned_on = Some(r.seq);
        }
        if turned_on.is_some() {
            assert!(on, "round {}: stays on once turned on", r.seq);
        }
    }
    let turned_on = turned_on.expect("auto-detect was turned on");
    assert!((9..=11).contains(&turned_on), "round {turned_on}");

    let v = json(&out.stdout);
    let settings = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "proxy:settings")
        .unwrap();
    let changes = settings["settings_changes"].as_array().unwrap();
    assert_eq!(
        changes.len(),
        2,
        "the first state and the one change: {changes:?}"
    );
    assert_eq!(changes[0]["auto_detect"], false);
    assert_eq!(changes[1]["auto_detect"], true);
    assert_eq!(changes[1]["seq"], turned_on);
    let count = settings["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "proxy.autodetect_ways_differ")
        .unwrap()["rounds"]
        .as_u64()
        .unwrap();
    let last = recs.last().unwrap().seq;
    assert_eq!(count, last - turned_on + 1, "from that round on");

    // The human report says when it changed.
    let human = bin()
        .args(["report", j.to_str().unwrap(), "--lang", "en"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains(&format!("auto-detect on from round {turned_on}")),
        "{text}"
    );
}

/// Runs `oqs-net ARGS` on a terminal of its own (`script` from util-linux gives it one), types
/// `password` when it asks for the PFX password, and returns what the terminal showed.
#[cfg(target_os = "linux")]
fn on_a_terminal_typing(args: &str, password: &str, stop_when: impl Fn() -> bool) -> String {
    use std::io::{Read, Write};
    let cmd = format!("{} {args}", env!("CARGO_BIN_EXE_oqs-net"));
    let mut child = Command::new("script")
        .args(["-qefc", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script (util-linux) runs");
    let mut out = child.stdout.take().unwrap();
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let start = Instant::now();
    while !seen.lock().unwrap().contains("PFX password:") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no password prompt: {}",
            seen.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{password}\n").as_bytes()).unwrap();
    while !stop_when() && child.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{}",
            seen.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Closing the terminal ends a soak still running (SIGHUP), as a closed window would.
    let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
    let _ = child.wait();
    std::thread::sleep(Duration::from_millis(50));
    seen.lock().unwrap().clone()
}

/// Issue 10: a PFX password typed at the prompt is recorded only as typed at a prompt, and
/// `--resume` asks for it again at the prompt; the resumed soak then presents the same
/// certificate, so the password it was given reached the PFX.
#[cfg(target_os = "linux")]
#[test]
fn a_password_typed_at_the_prompt_is_asked_again_on_resume() {
    use oqs_net::model::PasswordOrigin;
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let pki = oqs_net::lab::pki::LabPki::generate(&[]).unwrap();
    let pfx = pki.files.client_pfx.display().to_string();
    let first = format!(
        "soak --mode ipsec --lab --pfx {pfx} --interval 500ms --duration 30s --queries 2 \
         --samples 1 --quiet --journal {}",
        j.display()
    );
    let two_rounds = || j.exists() && rounds(&j).len() >= 2;
    on_a_terminal_typing(&first, &pki.password, two_rounds);
    let (recs, _) = records(&j);
    let Some(Record::Header(header)) = recs.first() else {
        panic!("no header");
    };
    assert_eq!(
        header.settings.round.tls.password,
        Some(PasswordOrigin::Prompt)
    );
    let cert = header.settings.started.certificate.clone().expect("chosen");
    let text = std::fs::read_to_string(&j).unwrap();
    assert!(
        !text.contains(&pki.password),
        "the password reached the journal"
    );

    let resume = format!("soak --resume {} --quiet", j.display());
    let resumed = || records(&j).0.iter().any(|r| matches!(r, Record::Resume(_)));
    let shown = on_a_terminal_typing(&resume, &pki.password, resumed);
    let (recs, _) = records(&j);
    let r = recs
        .iter()
        .find_map(|r| match r {
            Record::Resume(x) => Some(x),
            _ => None,
        })
        .unwrap_or_else(|| panic!("not resumed: {shown}"));
    let round = r.round.as_ref().unwrap();
    assert_eq!(round.tls.password, Some(PasswordOrigin::Prompt));
    assert_eq!(r.started.certificate.as_ref(), Some(&cert), "{shown}");
}

/// Issue 16: the lab's `rr-change` fault (the round-robin set loses member 3, then gets it back)
/// is a report finding with when and what, not only a line in the answer sets. The built-in
/// schedule runs at 40 s and 80 s; this one is the same at 1.5 s and 3.5 s.
#[test]
fn issue16_a_round_robin_set_that_changes_is_a_report_finding() {
    let builtin = include_str!("../../lab/faults/rr-change.toml");
    let quick = builtin
        .replace("at_s = 40", "at_s = 1.5")
        .replace("at_s = 80", "at_s = 3.5");
    assert_ne!(
        quick, builtin,
        "the built-in schedule changed: update this test"
    );
    let dir = tempfile::tempdir().unwrap();
    let faults = dir.path().join("rr-change.toml");
    std::fs::write(&faults, quick).unwrap();
    let j = dir.path().join("j.jsonl");
    let out = bin()
        .args([
            "soak",
            "--mode",
            "ipsec",
            "--lab",
            "--lab-faults",
            faults.to_str().unwrap(),
            "--interval",
            "1s",
            "--duration",
            "5s",
            "--queries",
            "2",
            "--samples",
            "1",
            "--journal",
            j.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let v = json(&out.stdout);
    let changed: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "soak.set_changed")
        .collect();
    assert_eq!(changed.len(), 1, "{err}\n{:#}", v["findings"]);
    let f = changed[0];
    assert_eq!(f["subject"], "ntp.base.oqs-pdl.org");
    assert_eq!(f["severity"], "warn");
    let t = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "dns:ntp.base.oqs-pdl.org")
        .unwrap();
    assert_eq!(t["set_changes_total"], 2, "{t:#}");
    // Which member left and came back, and when: as the answer sets recorded it.
    let gone = t["set_changes"][0]["removed"][0].as_str().unwrap();
    assert_eq!(t["set_changes"][1]["added"][0], gone);
    let at = |i: usize| {
        let s = t["set_changes"][i]["at"].as_str().unwrap();
        s[..19].to_string()
    };
    assert_eq!(
        f["values"]["history"].as_str().unwrap(),
        format!("{}Z -{gone}; {}Z +{gone}", at(0), at(1))
    );
    assert_eq!(f["values"]["changes"], "2");
    // The text says when, in either language.
    assert!(
        f["cause"].as_str().unwrap().contains("changed 2 time"),
        "{f:#}"
    );
}

#[cfg(target_os = "linux")]
/// Issue 12: SIGTERM ends the soak with its report printed and the HTML page written, of the
/// rounds the journal holds.
#[test]
fn issue12_sigterm_still_writes_the_html_report() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let page = dir.path().join("soak.html");
    let soak = Soak::start(
        &[
            "--mode",
            "ipsec",
            "--lab",
            "--interval",
            "300ms",
            "--deadline",
            "5s",
            "--queries",
            "2",
            "--samples",
            "1",
            "--lang",
            "en",
            "--journal",
            j.to_str().unwrap(),
            "--html",
            page.to_str().unwrap(),
        ],
        &[],
    );
    soak.wait_for("two rounds", |s| s.announced().len() >= 2);
    soak.signal(Signal::SIGTERM);
    let (code, out, err) = soak.finish();
    assert!(matches!(code, Some(0 | 1)), "{code:?}\n{err}\n{out}");
    assert!(out.contains("oqs-net soak report"), "{out}");
    assert!(err.contains("HTML report written to"), "{err}");
    let html = std::fs::read_to_string(&page).unwrap();
    let r = report::from_path(&j, None, report::Charts::All).unwrap();
    assert!(html.contains(&format!("{} rounds", r.rounds)), "{html}");
    assert!(html.contains("not finished"));
    assert!(html.contains("id=\"timeline-0\"") && html.ends_with("</html>\n"));
}

/// Rounds from the engine; before round `swap_at` the PFX at `pfx` is replaced by `with` (its
/// modification time set in the past, as a file copied in a while ago).
struct SwappingPfx {
    inner: EngineSource<'static>,
    seen: u64,
    swap_at: u64,
    pfx: PathBuf,
    with: PathBuf,
}

impl oqs_net::soak::run::RoundSource for SwappingPfx {
    fn round(
        &mut self,
        cancel: &CancellationToken,
    ) -> impl std::future::Future<Output = Result<Option<oqs_net::model::Round>, String>> {
        self.seen += 1;
        if self.seen == self.swap_at {
            std::fs::copy(&self.with, &self.pfx).unwrap();
            set_age(&self.pfx, 300);
        }
        self.inner.round(cancel)
    }
}

fn set_age(path: &Path, secs: u64) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(secs))
        .unwrap();
}

/// Issue 13: a soak reads the client identity once, not every round; a PFX replaced during
/// the soak is read in the next round, which presents the new certificate, and the report says
/// so (soak.client_cert_changed).
#[tokio::test(flavor = "multi_thread")]
async fn issue13_a_replaced_pfx_is_read_in_the_next_round_and_reported() {
    let mut profile = quick_profile(Mode::Ipsec);
    profile.dns.queries = 1;
    profile.ntp.samples = 1;
    let (lab, mut p, resolvers) = crate::support::lab_for(&profile, None).await;
    let pki = lab.pki().expect("the lab has a PKI").files.clone();
    let dir = tempfile::tempdir().unwrap();
    let pfx = dir.path().join("clinic.pfx");
    std::fs::copy(&pki.client_pfx, &pfx).unwrap();
    for f in [&pfx, &pki.password_file, &pki.ca_pem] {
        set_age(f, 600);
    }
    p.tls_settings.pfx = vec![pfx.clone()];

    let path = dir.path().join("swap.jsonl");
    let mut w = JournalWriter::create(&path).unwrap();
    w.write(&[Record::Header(Box::new(sample_header(0)))])
        .unwrap();
    let journal = Arc::new(Mutex::new(w));
    let mut source = SwappingPfx {
        inner: EngineSource {
            builder: crate::support::builder(&p, resolvers),
            lab: None,
        },
        seen: 0,
        swap_at: 4,
        pfx,
        with: pki.expiring_pfx.clone(),
    };
    let (_tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
    run(
        &mut source,
        &mut Silent,
        Session {
            journal: &journal,
            tracker: &mut Tracker::new(Thresholds::DEFAULT),
            schedule: &Schedule {
                interval: Duration::ZERO,
                remaining: None,
                rounds: Some(6),
                first_seq: 1,
            },
            clock: Clock::start(),
            notes: &mut notes,
            cancel: &CancellationToken::new(),
        },
    )
    .await
    .unwrap();
    lab.shutdown().await;
    assert_eq!(
        source.inner.builder.tls_loads(),
        2,
        "read once for rounds 1-3, once more after the swap"
    );

    let certs: Vec<Option<String>> = rounds(&path)
        .iter()
        .map(|r| {
            r.targets
                .iter()
                .find(|t| t.id == "tls:client-certificate")
                .and_then(|t| t.cert.clone())
        })
        .collect();
    assert_eq!(certs.len(), 6);
    assert!(certs.iter().all(Option::is_some), "{certs:?}");
    assert!(certs[..3].iter().all(|c| *c == certs[0]), "{certs:?}");
    assert!(certs[3..].iter().all(|c| *c == certs[3]), "{certs:?}");
    assert_ne!(certs[0], certs[3], "round 4 presents the new certificate");

    let r = report::from_path(&path, None, report::Charts::All).unwrap();
    let changed: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == oqs_net::model::Code::SoakClientCertChanged)
        .collect();
    assert_eq!(changed.len(), 1, "{:#?}", r.findings);
    assert_eq!(changed[0].value("from"), certs[0].as_deref());
    assert_eq!(changed[0].value("to"), certs[3].as_deref());
    assert_eq!(changed[0].value("changes"), Some("1"));
}
