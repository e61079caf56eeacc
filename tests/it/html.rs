//! Issue 12: the HTML report of a lab soak with a flap and an outage, opened in headless Chromium
//! (Debian's `chromium`, installed by `scripts/test`): no console message (the page's own CSP
//! blocks and logs any fetch or script, and a control page proves the log shows them), a
//! timeline for every target, the flapping period drawn where the journal's events put it, and
//! a screenshot kept under the test's target directory.

use crate::support::bin;
use oqs_net::soak::journal::{Event, JournalReader, Record};
use oqs_net::soak::report;
use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium binary; panics, naming the fix, when it is not installed.
fn chromium() -> PathBuf {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "`chromium` is not installed (Debian package `chromium`): this test opens the \
                 HTML report in it. Run `scripts/test`, which installs it."
            )
        })
}

/// Runs headless Chromium on `page` with `mode` (`--dump-dom`, `--screenshot=…`), within a
/// minute; its stdout and its log (stderr).
fn run_chromium(page: &Path, mode: &str, profile: &Path) -> (String, String) {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1100,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(mode)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let o = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within a minute on {}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (o.join().unwrap(), e.join().unwrap())
}

/// The console messages in Chromium's log (CSP violations, script errors...).
fn console(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

/// The element that starts at `<svg id="ID"`, up to its end.
fn svg<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom
        .find(&format!("<svg id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in the page"));
    &dom[at..at + dom[at..].find("</svg>").unwrap()]
}

/// A number attribute of the first element in `s` (`x="12.5"`).
fn num(s: &str, name: &str) -> f64 {
    let key = format!(" {name}=\"");
    let from = s.find(&key).unwrap_or_else(|| panic!("no {name} in {s}")) + key.len();
    s[from..from + s[from..].find('"').unwrap()]
        .parse()
        .unwrap()
}

#[test]
fn issue12_html_report_of_a_flapping_lab_soak_opens_in_chromium_as_the_journal_says() {
    let dir = tempfile::tempdir().unwrap();
    let faults = dir.path().join("faults.toml");
    // Member 1 flaps (2 s up, 2 s down: two rounds each) for 16 s; member 2 is dead from 18 s to
    // 21 s. The rounds get a deadline well past their slot: on a loaded machine a late round is
    // an overrun, not a round cut off before its NTP exchanges.
    std::fs::write(
        &faults,
        "description = \"a flap and an outage\"\n\
         [[flap]]\nmember = 1\nup_s = 2\ndown_s = 2\nstart_s = 0.5\nstop_s = 16.5\n\
         [[die]]\nmember = 2\nat_s = 18.2\nrevive_s = 21.2\n",
    )
    .unwrap();
    let j = dir.path().join("j.jsonl");
    let page = dir.path().join("soak.html");
    let out = bin()
        .args(["soak", "--mode", "ipsec", "--lab", "--lab-faults"])
        .arg(&faults)
        .args([
            "--interval",
            "1s",
            "--deadline",
            "5s",
            "--duration",
            "24s",
            "--flap-high",
            "25",
            "--flap-low",
            "15",
            "--queries",
            "2",
            "--samples",
            "1",
            "--lang",
            "en",
            "-q",
            "--journal",
        ])
        .arg(&j)
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HTML report written to"), "{err}");
    let html = std::fs::read_to_string(&page).unwrap();

    let r = report::from_path(&j, None, report::Charts::All).unwrap();
    let member = |ip: &str| {
        r.targets
            .iter()
            .position(|t| t.id.starts_with(&format!("ntp:{ip}:")))
            .unwrap_or_else(|| panic!("no target for {ip}"))
    };
    let (flapper, dead) = (member("127.0.0.12"), member("127.0.0.13"));

    // The flapping periods as the soak announced them in its journal, per target (on a loaded
    // machine a member's late replies may flap too: every one is checked).
    let f = std::fs::File::open(&j).unwrap();
    let mut reader = JournalReader::new(BufReader::new(f));
    let mut periods: BTreeMap<String, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    while let Some(rec) = reader.next_record().unwrap() {
        if let Record::Event(e) = rec {
            let p = periods.entry(e.target.clone()).or_default();
            match e.event {
                Event::FlapStart { .. } => p.0.push(e.ts),
                Event::FlapEnd { .. } => p.1.push(e.ts),
                Event::SetChanged { .. } => {}
            }
        }
    }
    if !periods.contains_key(&r.targets[flapper].id) {
        let text = std::fs::read_to_string(&j).unwrap();
        let states: Vec<String> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["type"] == "round")
            .map(|v| {
                let up = v["targets"]
                    .as_array()
                    .and_then(|ts| {
                        ts.iter()
                            .find(|t| t["id"] == r.targets[flapper].id.as_str())
                    })
                    .map(|t| t["up"] == true);
                format!(
                    "{}{}:{}",
                    v["ts"],
                    if v["skipped"] == 0 { "" } else { "+skip" },
                    up == Some(true)
                )
            })
            .collect();
        panic!("the flapping member never flapped: {periods:?}\n{states:?}\n{err}");
    }

    let profile = dir.path().join("chromium");
    let (dom, log) = run_chromium(&page, "--dump-dom", &profile);
    assert!(dom.contains("</html>"), "no DOM: {log}");
    assert_eq!(
        console(&log),
        Vec::<&str>::new(),
        "the page logged to the console"
    );

    // Every target has its timeline, named by its id.
    for (i, t) in r.targets.iter().enumerate() {
        let s = svg(&dom, &format!("timeline-{i}"));
        assert!(
            s.contains(&format!("data-target=\"{}\"", t.id)),
            "timeline-{i} is not {}",
            t.id
        );
    }

    // The flapping periods sit where the journal's events are, to a tenth of a unit.
    let last = r.last_round.unwrap().0 + 1000;
    for (i, t) in r.targets.iter().enumerate() {
        let strip = svg(&dom, &format!("timeline-{i}"));
        let (t0, t1, x0, pw) = (
            num(strip, "data-t0"),
            num(strip, "data-t1"),
            num(strip, "data-x0"),
            num(strip, "data-pw"),
        );
        let x = |ms: i64| x0 + ((ms as f64 - t0) / (t1 - t0)).clamp(0.0, 1.0) * pw;
        let rects: Vec<&str> = strip.split("<rect class=\"flap\"").skip(1).collect();
        let (starts, ends) = periods.get(&t.id).cloned().unwrap_or_default();
        assert_eq!(rects.len(), starts.len(), "{}: {strip}", t.id);
        for (k, rect) in rects.iter().enumerate() {
            let end = ends.get(k).copied().unwrap_or(last);
            let (rx, rw) = (num(rect, "x"), num(rect, "width"));
            assert!(
                (rx - x(starts[k])).abs() <= 0.1,
                "{}: flap {k} starts at x {rx}, the journal says {} ({})",
                t.id,
                x(starts[k]),
                starts[k]
            );
            assert!(
                (rx + rw - x(end)).abs() <= 0.15,
                "{}: flap {k} ends at x {}, the journal says {} ({end})",
                t.id,
                rx + rw,
                x(end)
            );
        }
    }

    // The dead member's outage is marked on its strip and listed.
    let d = &r.targets[dead];
    assert!(d.outages_total >= 1, "{d:?}");
    assert!(svg(&dom, &format!("timeline-{dead}")).contains("class=\"outage\""));
    let row = &dom[dom.find(&format!("id=\"target-{dead}\"")).unwrap()..];
    let row = &row[..row.find("</details>").unwrap()];
    assert_eq!(
        row.matches("class=\"outage-row\"").count() as u64,
        d.outages_total.min(50)
    );
    // A latency chart per phase and an offset chart per server.
    assert!(dom.contains(&format!("<svg id=\"latency-{flapper}-0\"")));
    assert!(dom.contains(&format!("<svg id=\"offsets-{flapper}\"")));

    // The screenshot, kept for a person to look at.
    let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("issue12-html");
    std::fs::create_dir_all(&keep).unwrap();
    let shot = keep.join("soak.png");
    let _ = std::fs::remove_file(&shot);
    let (_, log) = run_chromium(&page, &format!("--screenshot={}", shot.display()), &profile);
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "no screenshot: {log}"
    );
    std::fs::copy(&page, keep.join("soak.html")).unwrap();
    println!("screenshot and page kept in {}", keep.display());
    assert!(html.len() < 2_000_000);
}

/// A journal whose target is named `<script>…</script>`: the page shows the name, runs nothing
/// (under the page's CSP a script element would be refused, and logged, as the control page
/// shows) and keeps its title.
#[test]
fn issue12_a_hostile_target_name_comes_out_inert_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let out = bin()
        .args(["soak", "--lab", "--rounds", "3", "--interval", "0", "-q"])
        .args(["--queries", "1", "--samples", "1", "--journal"])
        .arg(&j)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    let hostile = "<script>document.title='pwned'</script><img src=http://127.0.0.1:9/x>";
    let text = std::fs::read_to_string(&j).unwrap();
    let first = text
        .split("\"id\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let escaped = serde_json::to_string(hostile).unwrap();
    let j2 = dir.path().join("hostile.jsonl");
    std::fs::write(&j2, text.replace(&format!("\"{first}\""), &escaped)).unwrap();
    let page = dir.path().join("hostile.html");
    let out = bin()
        .args(["report", "--lang", "en", "--html"])
        .arg(&page)
        .arg(&j2)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    let profile = dir.path().join("chromium");
    let (dom, log) = run_chromium(&page, "--dump-dom", &profile);
    assert_eq!(console(&log), Vec::<&str>::new());
    assert!(dom.contains("<title>oqs-net soak report · "), "{dom}");
    assert!(!dom.contains("<title>pwned"));
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));

    // The control: the same markup unescaped is refused and logged.
    let control = dir.path().join("control.html");
    let raw =
        std::fs::read_to_string(&page)
            .unwrap()
            .replacen("<h1>", &format!("{hostile}<h1>"), 1);
    std::fs::write(&control, raw).unwrap();
    let (_, log) = run_chromium(&control, "--dump-dom", &profile);
    let refused = console(&log);
    assert!(
        refused.iter().any(|l| l.contains("inline script"))
            && refused.iter().any(|l| l.contains("127.0.0.1:9")),
        "{log}"
    );
}

/// A page that cannot be written is refused before the first round: no journal, exit 2.
#[test]
fn issue12_an_html_path_in_no_directory_is_refused_before_any_round() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let out = bin()
        .args([
            "soak",
            "--lab",
            "--rounds",
            "1",
            "--interval",
            "0",
            "-q",
            "--journal",
        ])
        .arg(&j)
        .arg("--html")
        .arg(dir.path().join("missing/soak.html"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--html") && err.contains("no directory"),
        "{err}"
    );
    assert!(!j.exists());
    let out = bin()
        .args(["report", "--html"])
        .arg(dir.path())
        .arg(&j)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a directory"));
}
