//! Issue 12, Prometheus: the exposition of a lab round read by `promtool check metrics`; a real
//! Prometheus server scraping a lab soak's `--metrics-listen` and answering PromQL with what the
//! journal holds; `serve` running one round for concurrent scrapes and answering from the last
//! within its minimum interval; the textfile never seen half-written. Needs Debian's
//! `prometheus` package (promtool and prometheus), installed by `scripts/test`.

use crate::support::lab_round;
use oqs_net::model::Mode;
use oqs_net::output::metrics::{self, SoakView, TargetState};
use std::io::Write;
use std::process::{Command, Stdio};

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
