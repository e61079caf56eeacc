//! Issue 13, signals and leftovers: what the long-running commands (`oqs-net lab`, `oqs-net soak
//! --lab`) leave in the temporary directory when each signal stops them. Every run gets its own
//! TMPDIR, so the listing is exactly what that process left. SIGTERM and SIGINT clean up as Ctrl-C
//! does; SIGKILL cannot, and the next start sweeps what it left (and only that).

use crate::support::bin;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// How long a lab may take to come up on a loaded machine.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A command run with its own TMPDIR, its stdout read line by line as it comes.
struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(args: &[&str], tmp: &Path) -> Running {
        let mut child = bin()
            .args(args)
            .env("TMPDIR", tmp)
            .env("NO_COLOR", "1")
            .env("LANG", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start oqs-net");
        let (tx, rx) = channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// Waits until a line of stdout contains `text`.
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + READY_WITHIN;
        while !self.seen.iter().any(|l| l.contains(text)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    let mut err = String::new();
                    if let Some(mut e) = self.child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut e, &mut err);
                    }
                    panic!(
                        "no `{text}` within {READY_WITHIN:?}; stdout:\n{}\nstderr:\n{err}",
                        self.seen.join("\n"),
                    );
                }
            }
        }
    }

    fn signal(&self, s: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), s).expect("send the signal");
    }

    /// Waits for the exit; returns the exit code (None when killed) and all of stdout.
    fn finish(mut self) -> (Option<i32>, String, String) {
        let status = self.child.wait().expect("wait");
        self.seen.extend(self.lines.iter());
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        (status.code(), self.seen.join("\n"), err)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What is in `dir`, by name, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("list the temporary directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The lab's PKI folders in `dir`.
fn pki_dirs(dir: &Path) -> Vec<PathBuf> {
    listing(dir)
        .into_iter()
        .filter(|n| n.starts_with("oqs-net-lab-pki-"))
        .map(|n| dir.join(n))
        .collect()
}

fn start_lab(tmp: &Path) -> Running {
    let mut lab = Running::start(&["lab", "--no-netns"], tmp);
    lab.wait_for("stops the lab");
    let pki = pki_dirs(tmp);
    assert_eq!(pki.len(), 1, "{:?}", listing(tmp));
    assert!(pki[0].join("client.key").is_file());
    assert!(pki[0].join("pfx-password.txt").is_file());
    lab
}

/// SIGTERM (as `timeout`, systemd or a CI runner send) and SIGINT stop the lab as Ctrl-C does:
/// exit 0, the closing line printed, nothing left in the temporary directory.
#[test]
fn issue13_lab_stopped_by_sigterm_or_sigint_leaves_nothing() {
    for s in [Signal::SIGTERM, Signal::SIGINT] {
        let tmp = tempfile::tempdir().expect("temporary directory");
        let lab = start_lab(tmp.path());
        lab.signal(s);
        let (code, out, err) = lab.finish();
        assert_eq!(code, Some(0), "{s}: {out}\n{err}");
        assert!(out.contains("lab stopped"), "{s}: {out}");
        assert_eq!(listing(tmp.path()), Vec::<String>::new(), "{s} left these");
    }
}

/// SIGKILL leaves the PKI (nothing can run); the next lab sweeps it, and only it: a running lab's
/// folder in the same directory is kept.
#[test]
fn issue13_what_sigkill_leaves_is_swept_by_the_next_start() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let killed = start_lab(tmp.path());
    let left = pki_dirs(tmp.path());
    killed.signal(Signal::SIGKILL);
    let (code, _, _) = killed.finish();
    assert_eq!(code, None, "killed by the signal");
    assert!(
        left[0].join("client.key").is_file(),
        "SIGKILL cannot clean up"
    );

    let running = start_lab(tmp.path());
    let now = pki_dirs(tmp.path());
    assert!(!left[0].exists(), "not swept: {:?}", listing(tmp.path()));
    assert_eq!(now.len(), 1);
    // A second lab beside the first leaves the first one's folder alone.
    let mut second = Running::start(&["lab", "--no-netns"], tmp.path());
    second.wait_for("stops the lab");
    assert!(now[0].exists(), "a running lab's folder was swept");
    for lab in [second, running] {
        lab.signal(Signal::SIGTERM);
        let (code, out, err) = lab.finish();
        assert_eq!(code, Some(0), "{out}\n{err}");
    }
    assert_eq!(listing(tmp.path()), Vec::<String>::new());
}

/// A soak with the lab, stopped by SIGTERM: the journal ends, the report is printed, and the
/// lab's PKI is gone.
#[test]
fn issue13_soak_stopped_by_sigterm_reports_and_leaves_nothing() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let out_dir = tempfile::tempdir().expect("journal directory");
    let journal = out_dir.path().join("j.jsonl");
    let mut soak = Running::start(
        &[
            "soak",
            "--mode",
            "ipsec",
            "--lab",
            "--interval",
            "300ms",
            "--queries",
            "2",
            "--samples",
            "1",
            "--journal",
            journal.to_str().expect("UTF-8 path"),
        ],
        tmp.path(),
    );
    // The soak's progress goes to stderr; wait until its first round is in the journal.
    let deadline = Instant::now() + READY_WITHIN;
    while std::fs::read_to_string(&journal)
        .map(|t| !t.contains("\"round\""))
        .unwrap_or(true)
    {
        assert!(Instant::now() < deadline, "no round journalled");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(pki_dirs(tmp.path()).len(), 1, "{:?}", listing(tmp.path()));
    soak.signal(Signal::SIGTERM);
    soak.wait_for("oqs-net soak report");
    let (code, out, err) = soak.finish();
    assert!(matches!(code, Some(0 | 1)), "{out}\n{err}");
    let text = std::fs::read_to_string(&journal).expect("journal");
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("a record")).expect("JSON");
    assert_eq!(last["type"], "end", "{text}");
    assert_eq!(listing(tmp.path()), Vec::<String>::new());
}
