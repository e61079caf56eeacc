//! The report, from records to figures and findings, with hand-computed values.

use super::super::journal::tests::{header, round};
use super::super::journal::{EndReason, EndRecord, Record, ResumeRecord, TargetRecord, rfc3339};
use super::verdicts::PROXY_SETTINGS;
use super::*;
use crate::model::{Code, Stamp, Status};
use std::collections::BTreeMap;

const T0: i64 = 1_700_000_000_000;

fn report(records: &[Record]) -> SoakReport {
    let mut a = Aggregator::new(&header(), None);
    for r in records {
        a.add(r);
    }
    a.finish(vec![])
}

/// States at one-second rounds from T0.
fn rounds(states: &[bool]) -> Vec<Record> {
    states
        .iter()
        .enumerate()
        .map(|(i, up)| Record::Round(round(i as u64 + 1, T0 + 1000 * i as i64, *up)))
        .collect()
}

#[test]
fn steady_target_is_fully_available() {
    let r = report(&rounds(&[true; 30]));
    let t = &r.targets[0];
    assert_eq!((t.rounds, t.up_rounds, t.state_changes), (30, 30, 0));
    assert_eq!(t.availability_pct, 100.0);
    assert!(t.outages.is_empty() && t.flaps.is_empty());
    assert_eq!((t.mtbf_s, t.mttr_s), (None, None));
    assert_eq!(r.status, Status::Pass);
    assert_eq!(
        r.active_s, 30.0,
        "29 s between first and last, plus the last slot"
    );
    let lat = &t.latency[0];
    assert_eq!((lat.phase.as_str(), lat.samples), ("ntp", 60));
    assert!((lat.p50_ms - 0.25).abs() < 0.001 && (lat.p99_ms - 0.5).abs() < 0.001);
    let ntp = t.ntp.as_ref().unwrap();
    assert_eq!(ntp.samples, 30);
    assert!(ntp.fit.as_ref().unwrap().local_drift_ppm.abs() < 1e-9);
}

#[test]
fn outages_mtbf_and_mttr() {
    // up 10 s, down 5 s, up 10 s, down 3 s, up 2 s (one-second rounds).
    let mut s = vec![true; 10];
    s.extend([false; 5]);
    s.extend([true; 10]);
    s.extend([false; 3]);
    s.extend([true; 2]);
    let r = report(&rounds(&s));
    let t = &r.targets[0];
    assert_eq!(t.outages_total, 2);
    assert_eq!(t.outages[0].start, Stamp(T0 + 10_000));
    assert_eq!(t.outages[0].end, Stamp(T0 + 15_000));
    assert_eq!((t.outages[0].duration_s, t.outages[0].rounds), (5.0, 5));
    assert_eq!(t.outages[1].duration_s, 3.0);
    assert_eq!(t.longest_outage.as_ref().unwrap().duration_s, 5.0);
    assert_eq!(t.state_changes, 4);
    assert!((t.availability_pct - 22.0 / 30.0 * 100.0).abs() < 1e-4);
    // 22 s up (the last round counts its slot), 8 s down, 2 outages.
    assert_eq!(t.mtbf_s, Some(11.0));
    assert_eq!(t.mttr_s, Some(4.0));
    assert_eq!(t.codes[0].code, "ntp.no_reply");
    assert_eq!(t.codes[0].rounds, 8);
    assert_eq!(r.round_status.fail, 8);
    assert_eq!(r.status, Status::Fail);
    assert!(!r.complete);
}

#[test]
fn flapping_period_and_finding() {
    // Alternating for 20 rounds, then steady.
    let mut s: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
    s.extend([true; 30]);
    let r = report(&rounds(&s));
    let t = &r.targets[0];
    assert_eq!(t.flaps.len(), 1);
    let f = &t.flaps[0];
    assert_eq!(f.start, Stamp(T0 + 6_000), "the 7th round");
    assert!(!f.ongoing && f.end.is_some());
    assert!(f.peak_score_pct > 90.0, "{}", f.peak_score_pct);
    let finding = r
        .findings
        .iter()
        .find(|f| f.code == Code::SoakNtpFlapping)
        .unwrap();
    assert_eq!(finding.subject, "127.0.0.12:123");
    assert_eq!(finding.value("start"), Some("2023-11-14T22:13:26Z"));
    assert_eq!(finding.value("changes"), Some("20"));
    // Thresholds given to the report override the journal's: 99.9 % is reached only when
    // all 20 transitions of the window changed, at the 21st round.
    let mut a = Aggregator::new(&header(), Some(Thresholds::new(99.9, 50.0).unwrap()));
    for rec in rounds(&s) {
        a.add(&rec);
    }
    let r = a.finish(vec![]);
    assert_eq!(r.targets[0].flaps[0].start, Stamp(T0 + 20_000));
    assert_eq!(r.header.flap_high_pct, 99.9);
}

#[test]
fn each_kind_of_target_flaps_with_its_own_guide_section() {
    let mut s: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
    s.extend([true; 30]);
    let mut a = Aggregator::new(&header(), None);
    for (i, up) in s.iter().enumerate() {
        let mut r = round(i as u64 + 1, T0 + 1000 * i as i64, *up);
        let mut dns = r.targets[0].clone();
        dns.id = "dns:ntp.example".into();
        dns.kind = "dns".into();
        let mut tls = r.targets[0].clone();
        tls.id = "tls:distribution".into();
        tls.kind = "tls".into();
        r.targets.extend([dns, tls]);
        a.add(&Record::Round(r));
    }
    let r = a.finish(vec![]);
    let got: Vec<(&str, &str, &str)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.code.as_label(),
                crate::findings::entry(f.code).section,
                f.subject.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("soak.ntp_flapping", "補24", "127.0.0.12:123"),
            ("soak.dns_flapping", "補35", "ntp.example"),
            ("soak.flapping", "補17", "distribution"),
        ]
    );
    for f in &r.findings {
        for key in crate::findings::placeholders(f.code) {
            assert!(f.value(&key).is_some(), "{:?} lacks {key}", f.code);
        }
    }
}

#[test]
fn interruption_cuts_outages_and_leaves_the_gap_out() {
    let mut recs = rounds(&[true, true, false, false]);
    recs.push(Record::Resume(Box::new(ResumeRecord {
        ts: T0 + 3_600_000,
        at: rfc3339(T0 + 3_600_000),
        tool_version: "0.1.0".into(),
        remaining_ms: None,
        round: None,
        started: Default::default(),
    })));
    for i in 0..3 {
        let ts = T0 + 3_600_000 + 1000 * i;
        recs.push(Record::Round(round(10 + i as u64, ts, true)));
    }
    recs.push(Record::End(EndRecord {
        ts: T0 + 3_610_000,
        at: String::new(),
        reason: EndReason::Completed,
        rounds: 3,
    }));
    let r = report(&recs);
    assert_eq!(r.segments, 2);
    assert!(r.complete);
    assert_eq!(r.active_s, 4.0 + 3.0);
    let t = &r.targets[0];
    assert_eq!(t.outages_total, 1);
    let o = &t.outages[0];
    assert!(o.cut && !o.ongoing);
    assert_eq!(
        o.duration_s, 1.0,
        "from the first to the last down round seen"
    );
    assert_eq!(t.mttr_s, Some(2.0), "two down rounds of a second each");
    assert_eq!(t.mtbf_s, Some(5.0));
}

#[test]
fn ongoing_outage_and_empty_journal() {
    let r = report(&rounds(&[true, false, false]));
    let o = &r.targets[0].outages[0];
    assert!(o.ongoing && !o.cut);
    let r = report(&[]);
    assert_eq!(r.status, Status::Error);
    assert!(r.notes[0].contains("nothing was measured"));
}

#[test]
fn drift_is_fitted_and_named() {
    // The server's offset falls 50 µs per second (this clock gains 50 ppm), with ±0.1 ms noise,
    // over ten minutes of 10 s rounds.
    let recs: Vec<Record> = (0..60)
        .map(|i| {
            let mut r = round(i + 1, T0 + 10_000 * i as i64, true);
            let noise = if i % 2 == 0 { 0.1 } else { -0.1 };
            r.targets[0].offset_ms = Some(5.0 - 0.05 * 10.0 * i as f64 + noise);
            Record::Round(r)
        })
        .collect();
    let r = report(&recs);
    let fit = r.local_clock.as_ref().unwrap().fit.as_ref().unwrap();
    assert!((fit.local_drift_ppm - 50.0).abs() < 0.5, "{fit:?}");
    assert!(fit.stderr_ppm < 1.0);
    assert!((fit.span_s - 590.0).abs() < 1e-9);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::SoakClockDrift)
        .unwrap();
    assert_eq!(f.value("ppm"), Some("+50.0"));
    for key in crate::findings::placeholders(f.code) {
        assert!(f.value(&key).is_some(), "clock drift lacks {key}");
    }
    assert_eq!(f.value("per_day_s"), Some("4.3"));
    assert_eq!(r.status, Status::Warn);
    let series = &r.targets[0].ntp.as_ref().unwrap().series;
    assert!(
        series.len() <= 100 && series.len() >= 50,
        "{}",
        series.len()
    );
    assert_eq!(series.iter().map(|b| b.samples).sum::<u64>(), 60);
}

#[test]
fn answer_set_changes() {
    let recs: Vec<Record> = (0..6)
        .map(|i| {
            let mut r = round(i + 1, T0 + 1000 * i as i64, true);
            let set: Vec<String> = if (2..4).contains(&i) {
                vec!["a".into()]
            } else {
                vec!["a".into(), "b".into()]
            };
            r.targets[0].sets = BTreeMap::from([("ipv4".to_string(), set)]);
            Record::Round(r)
        })
        .collect();
    let t = &report(&recs).targets[0];
    assert_eq!(t.first_sets[0].set, ["a", "b"]);
    assert_eq!(t.set_changes_total, 2);
    assert_eq!(t.set_changes[0].removed, ["b"]);
    assert_eq!(t.set_changes[0].at, Stamp(T0 + 2000));
    assert_eq!(t.set_changes[1].added, ["b"]);
}

/// A target of kind `kind` in one of [`wpad_rounds`]' rounds.
fn target(id: &str, kind: &str, up: bool) -> TargetRecord {
    TargetRecord {
        id: id.into(),
        kind: kind.into(),
        up,
        status: if up { Status::Pass } else { Status::Fail },
        codes: vec![],
        via: vec![],
        lat: BTreeMap::new(),
        offset_ms: None,
        sets: BTreeMap::new(),
        auto_detect: None,
        proxy_source: None,
        cert: None,
        way: None,
    }
}

/// One-second rounds from T0 holding the distribution server's TLS endpoint (`tls[i]`), its
/// way through the proxy settings when `route` is given, and the proxy settings with WPAD
/// auto-detect as `wpad(i)` says (`None`: not recorded, as in journals before it was).
fn wpad_rounds(
    tls: &[bool],
    route: Option<&[bool]>,
    wpad: impl Fn(usize) -> Option<bool>,
) -> Vec<Record> {
    (0..tls.len())
        .map(|i| {
            let mut r = round(i as u64 + 1, T0 + 1000 * i as i64, true);
            let mut settings = target(PROXY_SETTINGS, "proxy_settings", true);
            settings.auto_detect = wpad(i);
            settings.proxy_source = Some("wininet".into());
            r.targets = vec![target("tls:distribution", "tls", tls[i]), settings];
            if let Some(route) = route {
                r.targets
                    .push(target("proxy:distribution", "proxy_route", route[i]));
            }
            Record::Round(r)
        })
        .collect()
}

/// Alternating for 20 rounds, then steady for 30: one flap period, from the 7th round (T0 +
/// 6 s) to the 37th (T0 + 36 s).
fn flap_then_steady() -> Vec<bool> {
    let mut s: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
    s.extend([true; 30]);
    s
}

fn labels(r: &SoakReport) -> Vec<(&str, &str)> {
    r.findings
        .iter()
        .map(|f| (f.code.as_label(), f.subject.as_str()))
        .collect()
}

#[test]
fn distribution_flapping_with_auto_detect_on_gives_the_proxy_verdict() {
    let r = report(&wpad_rounds(&flap_then_steady(), None, |_| Some(true)));
    let flap = &r.targets[0].flaps[0];
    assert_eq!(
        (flap.start, flap.end),
        (Stamp(T0 + 6_000), Some(Stamp(T0 + 36_000)))
    );
    assert_eq!(
        labels(&r),
        [
            ("soak.flapping", "distribution"),
            ("proxy.autodetect_on", "auto-detect")
        ]
    );
    let f = &r.findings[1];
    assert_eq!(f.severity, Status::Fail);
    assert_eq!(crate::findings::entry(f.code).section, "補17");
    assert_eq!(f.value("start"), Some("2023-11-14T22:13:26Z"));
    assert_eq!(f.value("end"), Some("2023-11-14T22:13:56Z"));
    assert_eq!(f.value("periods"), Some("1"));
    assert_eq!(f.value("source"), Some("wininet"));
    assert_eq!(
        f.value("detail"),
        Some(
            "the distribution server's connection succeeds and fails by turns (flapping from 2023-11-14T22:13:26Z to 2023-11-14T22:13:56Z)"
        )
    );
    use crate::findings::{Lang, render};
    assert_eq!(
        render(f, Lang::En).cause,
        "'Automatically detect settings' (WPAD) is on while the distribution server's connection succeeds and fails by turns (flapping from 2023-11-14T22:13:26Z to 2023-11-14T22:13:56Z)"
    );
    assert_eq!(
        render(f, Lang::Ja).cause,
        "「設定を自動的に検出する」（WPAD）がオンのまま、配信サーバへの接続が成功と失敗を繰り返しています（2023-11-14T22:13:26Z から 2023-11-14T22:13:56Z までフラップ）"
    );
    for key in crate::findings::placeholders(f.code) {
        assert!(f.value(&key).is_some(), "lacks {key}");
    }
    assert_eq!(r.status, Status::Fail);
}

#[test]
fn auto_detect_on_in_one_round_of_the_period_is_enough() {
    // On only at T0 + 20 s, inside the period; off before and after.
    let r = report(&wpad_rounds(&flap_then_steady(), None, |i| Some(i == 20)));
    assert_eq!(
        labels(&r),
        [
            ("soak.flapping", "distribution"),
            ("proxy.autodetect_on", "auto-detect")
        ]
    );
    // The period's first and last rounds count; the rounds around it do not.
    for (i, want) in [(5, false), (6, true), (36, true), (37, false)] {
        let r = report(&wpad_rounds(&flap_then_steady(), None, |j| Some(j == i)));
        assert_eq!(
            r.findings.iter().any(|f| f.code == Code::ProxyAutoDetectOn),
            want,
            "auto-detect on only at round index {i}"
        );
    }
}

#[test]
fn distribution_flapping_with_auto_detect_off_or_unknown_keeps_only_soak_flapping() {
    for (wpad, why) in [(Some(false), "known off"), (None, "not recorded")] {
        let r = report(&wpad_rounds(&flap_then_steady(), None, |_| wpad));
        assert_eq!(labels(&r), [("soak.flapping", "distribution")], "{why}");
    }
}

#[test]
fn auto_detect_on_without_flapping_gives_nothing() {
    // Steady, then one outage of five rounds (10 %: never flaps).
    let mut s = vec![true; 20];
    s.extend([false; 5]);
    s.extend([true; 20]);
    let r = report(&wpad_rounds(&s, Some(&s), |_| Some(true)));
    assert!(r.targets.iter().all(|t| t.flaps.is_empty()));
    assert_eq!(labels(&r), []);
    // Another target flapping is not the distribution server's connection.
    let recs: Vec<Record> = wpad_rounds(&[true; 50], None, |_| Some(true))
        .into_iter()
        .zip(flap_then_steady())
        .map(|(rec, up)| {
            let Record::Round(mut r) = rec else {
                unreachable!()
            };
            r.targets.push(target("tls:api", "tls", up));
            Record::Round(r)
        })
        .collect();
    assert_eq!(labels(&report(&recs)), [("soak.flapping", "api")]);
}

#[test]
fn the_distribution_route_through_the_proxy_counts_too() {
    let flapping = flap_then_steady();
    let r = report(&wpad_rounds(&[true; 50], Some(&flapping), |_| Some(true)));
    assert_eq!(
        labels(&r),
        [
            ("soak.flapping", "proxy:distribution"),
            ("proxy.autodetect_on", "auto-detect")
        ]
    );
    assert_eq!(r.findings[1].value("periods"), Some("1"));
    // Both flapping over the same time: one verdict, one period.
    let r = report(&wpad_rounds(&flapping, Some(&flapping), |_| Some(true)));
    assert_eq!(
        labels(&r),
        [
            ("soak.flapping", "distribution"),
            ("soak.flapping", "proxy:distribution"),
            ("proxy.autodetect_on", "auto-detect")
        ]
    );
    let f = &r.findings[2];
    assert_eq!(
        (f.value("start"), f.value("end"), f.value("periods")),
        (
            Some("2023-11-14T22:13:26Z"),
            Some("2023-11-14T22:13:56Z"),
            Some("1")
        )
    );
}

#[test]
fn separate_and_ongoing_periods_are_told_apart() {
    // Flap, steady, flap again to the end: two periods, the second still open.
    let mut s = flap_then_steady();
    s.extend((0..20).map(|i| i % 2 == 0));
    let r = report(&wpad_rounds(&s, None, |_| Some(true)));
    let flaps = &r.targets[0].flaps;
    assert_eq!(flaps.len(), 2);
    assert!(flaps[1].ongoing);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::ProxyAutoDetectOn)
        .unwrap();
    assert_eq!(
        (f.value("start"), f.value("end"), f.value("periods")),
        (Some("2023-11-14T22:13:26Z"), Some("ongoing"), Some("2"))
    );
    assert_eq!(
        f.value("detail"),
        Some(
            "the distribution server's connection succeeds and fails by turns (2 flapping periods from 2023-11-14T22:13:26Z, the last still at the last round)"
        )
    );
    assert_eq!(
        f.value("detail_ja"),
        Some(
            "配信サーバへの接続が成功と失敗を繰り返しています（2023-11-14T22:13:26Z から 2 回フラップし、最後のラウンドでも継続中）"
        )
    );
    // Auto-detect on in the second period only: that one alone.
    let r = report(&wpad_rounds(&s, None, |i| Some(i >= 50)));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::ProxyAutoDetectOn)
        .unwrap();
    assert_eq!(
        f.value("start"),
        Some(flaps[1].start.rfc3339_secs().as_str())
    );
    assert_eq!(f.value("periods"), Some("1"));
    assert_eq!(
        f.value("detail"),
        Some(
            "the distribution server's connection succeeds and fails by turns (flapping from 2023-11-14T22:14:16Z, still at the last round)"
        )
    );
}

#[test]
fn an_old_journal_without_auto_detect_still_reads() {
    // Lines as a journal written before `auto_detect` and `proxy_source` existed.
    let mut text = String::new();
    for (i, up) in flap_then_steady().into_iter().enumerate() {
        let ts = T0 + 1000 * i as i64;
        text.push_str(&format!(
            concat!(
                r#"{{"type":"round","seq":{},"ts":{},"at":"{}","dur_ms":3.5,"status":"pass","targets":["#,
                r#"{{"id":"tls:distribution","kind":"tls","up":{},"status":"pass"}},"#,
                r#"{{"id":"proxy:settings","kind":"proxy_settings","up":true,"status":"pass"}}]}}"#,
                "\n"
            ),
            i + 1,
            ts,
            rfc3339(ts),
            up
        ));
    }
    let mut reader = journal::JournalReader::new(text.as_bytes());
    let mut a = Aggregator::new(&header(), None);
    let mut n = 0;
    while let Some(rec) = reader.next_record().unwrap() {
        if let Record::Round(r) = &rec {
            let settings = &r.targets[1];
            assert_eq!(
                (settings.auto_detect, settings.proxy_source.as_deref()),
                (None, None)
            );
        }
        a.add(&rec);
        n += 1;
    }
    assert_eq!(n, 50);
    assert_eq!(reader.notes(), Vec::<String>::new());
    let r = a.finish(vec![]);
    assert_eq!(labels(&r), [("soak.flapping", "distribution")]);
    // And a line with the fields reads them.
    let line = br#"{"type":"round","seq":1,"ts":1,"at":"x","dur_ms":1.0,"status":"pass","targets":[{"id":"proxy:settings","kind":"proxy_settings","up":true,"status":"pass","auto_detect":true,"proxy_source":"wininet"}]}"#;
    let mut reader = journal::JournalReader::new(&line[..]);
    let Some(Record::Round(r)) = reader.next_record().unwrap() else {
        panic!("{:?}", reader.notes())
    };
    assert_eq!(
        (
            r.targets[0].auto_detect,
            r.targets[0].proxy_source.as_deref()
        ),
        (Some(true), Some("wininet"))
    );
}

// Issue 16: steps and changes over time, and slowness, as report findings.

/// `n` ten-second rounds from T0 of NTP targets `ids`, each with the offset `offset(id, i)`.
fn ntp_rounds(ids: &[&str], n: usize, offset: impl Fn(usize, usize) -> f64) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let mut r = round(i as u64 + 1, T0 + 10_000 * i as i64, true);
            r.targets = ids
                .iter()
                .enumerate()
                .map(|(k, id)| {
                    let mut t = target(id, "ntp", true);
                    t.offset_ms = Some(offset(k, i));
                    t
                })
                .collect();
            Record::Round(r)
        })
        .collect()
}

fn with_code(r: &SoakReport, code: Code) -> Vec<&crate::model::Finding> {
    r.findings.iter().filter(|f| f.code == code).collect()
}

#[test]
fn a_member_that_steps_is_named_with_when_and_how_much() {
    let ids = [
        "ntp:127.0.0.11:123",
        "ntp:127.0.0.12:123",
        "ntp:127.0.0.13:123",
    ];
    // Member 2 steps by 3 s at round 12; the others hold, with a little noise.
    let r = report(&ntp_rounds(&ids, 24, |k, i| {
        let noise = if i % 2 == 0 { 0.2 } else { -0.2 };
        noise + if k == 1 && i >= 12 { 3000.0 } else { 0.0 }
    }));
    let steps = with_code(&r, Code::SoakNtpStep);
    assert_eq!(steps.len(), 1, "{:#?}", r.findings);
    let f = steps[0];
    assert_eq!(f.subject, "127.0.0.12:123");
    assert_eq!(
        f.value("at"),
        Some(Stamp(T0 + 120_000).rfc3339_secs().as_str())
    );
    // 3 s, give or take the noise (±0.2 ms) the old level's prediction carries.
    let step: f64 = f.value("step_ms").unwrap().parse().unwrap();
    assert!((step - 3000.0).abs() < 1.0, "{step}");
    assert!(f.value("step_ms").unwrap().starts_with('+'));
    assert_eq!(f.value("steps"), Some("1"));
    for key in crate::findings::placeholders(f.code) {
        assert!(f.value(&key).is_some(), "the step lacks {key}");
    }
    assert!(with_code(&r, Code::SoakClockStep).is_empty());
    let t = r.targets.iter().find(|t| t.id == ids[1]).unwrap();
    assert_eq!(t.ntp.as_ref().unwrap().steps[0].at, Stamp(T0 + 120_000));
    assert_eq!(r.status, Status::Warn);
}

#[test]
fn every_member_stepping_at_once_is_this_machines_clock() {
    let ids = [
        "ntp:127.0.0.11:123",
        "ntp:127.0.0.12:123",
        "ntp:127.0.0.13:123",
    ];
    // This machine's clock was set 2 s ahead: every offset falls by 2 s in the same round.
    let r = report(&ntp_rounds(&ids, 20, |k, i| {
        k as f64 * 0.5 + if i >= 8 { -2000.0 } else { 0.0 }
    }));
    assert!(
        with_code(&r, Code::SoakNtpStep).is_empty(),
        "{:#?}",
        r.findings
    );
    let f = with_code(&r, Code::SoakClockStep);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].value("step_ms"), Some("+2000.0"));
    assert_eq!(
        f[0].value("at"),
        Some(Stamp(T0 + 80_000).rfc3339_secs().as_str())
    );
}

#[test]
fn a_steady_drift_is_no_step() {
    let ids = ["ntp:127.0.0.11:123"];
    // 200 ppm over ten-second rounds: 2 ms a round, 80 ms in all.
    let r = report(&ntp_rounds(&ids, 40, |_, i| 2.0 * i as f64));
    assert!(
        with_code(&r, Code::SoakNtpStep).is_empty(),
        "{:#?}",
        r.findings
    );
    assert!(with_code(&r, Code::SoakClockStep).is_empty());
}

#[test]
fn a_round_robin_set_that_changes_is_a_finding() {
    let recs: Vec<Record> = (0..8)
        .map(|i| {
            let mut r = round(i + 1, T0 + 1000 * i as i64, true);
            let set: Vec<String> = if (2..5).contains(&i) {
                vec!["10.0.0.1".into()]
            } else {
                vec!["10.0.0.1".into(), "10.0.0.3".into()]
            };
            r.targets[0] = target("dns:ntp.example", "dns", true);
            r.targets[0].sets = BTreeMap::from([("ipv4".to_string(), set)]);
            Record::Round(r)
        })
        .collect();
    let r = report(&recs);
    let f = with_code(&r, Code::SoakSetChanged);
    assert_eq!(f.len(), 1, "{:#?}", r.findings);
    assert_eq!(f[0].subject, "ntp.example");
    assert_eq!(f[0].value("changes"), Some("2"));
    assert_eq!(f[0].value("record"), Some("A"));
    let at2 = Stamp(T0 + 2000).rfc3339_secs();
    let at5 = Stamp(T0 + 5000).rfc3339_secs();
    assert_eq!(
        f[0].value("history"),
        Some(format!("{at2} -10.0.0.3; {at5} +10.0.0.3").as_str())
    );
    // A set that never changes gives nothing.
    let steady = report(&rounds(&[true; 8]));
    assert!(with_code(&steady, Code::SoakSetChanged).is_empty());
}

#[test]
fn a_certificate_and_a_proxy_way_that_change_are_findings() {
    let recs: Vec<Record> = (0..6)
        .map(|i| {
            let mut r = round(i + 1, T0 + 1000 * i as i64, true);
            let mut tls = target("tls:oqs-web", "tls", true);
            tls.cert = Some(if i < 3 {
                "0a01 (2027-01-01T00:00:00Z)".into()
            } else {
                "0b02 (2028-01-01T00:00:00Z)".into()
            });
            let mut way = target("proxy:distribution", "proxy_route", true);
            way.way = Some(
                if i % 2 == 0 {
                    "direct"
                } else {
                    "proxy 10.0.0.8:8080"
                }
                .into(),
            );
            r.targets = vec![tls, way];
            Record::Round(r)
        })
        .collect();
    let r = report(&recs);
    let c = with_code(&r, Code::SoakCertChanged);
    assert_eq!(c.len(), 1, "{:#?}", r.findings);
    assert_eq!(c[0].subject, "oqs-web");
    assert_eq!(c[0].value("from"), Some("0a01 (2027-01-01T00:00:00Z)"));
    assert_eq!(c[0].value("to"), Some("0b02 (2028-01-01T00:00:00Z)"));
    assert_eq!(c[0].value("changes"), Some("1"));
    assert_eq!(
        c[0].value("at"),
        Some(Stamp(T0 + 3000).rfc3339_secs().as_str())
    );
    let w = with_code(&r, Code::SoakWayChanged);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].value("changes"), Some("5"));
    assert_eq!(w[0].value("from"), Some("direct"));
    let t = r
        .targets
        .iter()
        .find(|t| t.id == "proxy:distribution")
        .unwrap();
    assert_eq!(t.way_changes.len(), 6, "the first way, then five changes");
}

#[test]
fn slow_percentiles_warn_against_the_profiles_threshold() {
    // DNS answers: 100 rounds of one answer each; `slow` of them at 800 ms, the rest at 3 ms.
    let run = |slow: usize| {
        let recs: Vec<Record> = (0..100)
            .map(|i| {
                let mut r = round(i as u64 + 1, T0 + 1000 * i as i64, true);
                let mut t = target("dns:ntp.example", "dns", true);
                let v = if i < slow { 800.0 } else { 3.0 };
                t.lat = BTreeMap::from([("dns".to_string(), vec![v])]);
                r.targets = vec![t];
                Record::Round(r)
            })
            .collect();
        report(&recs)
    };
    let r = run(10);
    let l = &r.targets[0].latency[0];
    assert_eq!((l.threshold_ms, l.slow), (Some(500.0), Some(10)));
    let f = with_code(&r, Code::SoakSlow);
    assert_eq!(f.len(), 1, "{:#?}", r.findings);
    assert_eq!(f[0].value("p50_ms"), Some("3.0"));
    assert_eq!(f[0].value("p95_ms"), Some("800.0"));
    assert_eq!(f[0].value("slow"), Some("10"));
    assert_eq!(f[0].value("threshold_ms"), Some("500.0"));
    // Two slow answers in a hundred: the 95th percentile is fast, nothing to say.
    let r = run(2);
    assert!(
        with_code(&r, Code::SoakSlow).is_empty(),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.targets[0].latency[0].slow, Some(2));
}

#[test]
fn columns_hold_each_round_once_on_a_grid_shared_by_the_targets() {
    // 1,000 one-second rounds: the grid doubles once (2 s columns, 500 of them); down from
    // round 100 to 104 (five rounds), latencies only while up.
    let states: Vec<bool> = (0..1000).map(|i| !(100..105).contains(&i)).collect();
    let r = report(&rounds(&states));
    let c = r.columns.expect("rounds were recorded");
    assert_eq!((c.start, c.width_ms, c.count), (Stamp(T0), 2000, 500));
    let t = &r.targets[0];
    assert_eq!(t.columns.states.len(), 500);
    let ups: u32 = t.columns.states.iter().map(|s| s.up).sum();
    let downs: u32 = t.columns.states.iter().map(|s| s.down).sum();
    assert_eq!((u64::from(ups), u64::from(downs)), (t.up_rounds, 5));
    // Rounds 100..=104 fall in columns 50 (100, 101), 51 (102, 103) and 52 (104, then 105 up).
    let s = &t.columns.states;
    assert_eq!((s[50].up, s[50].down), (0, 2));
    assert_eq!((s[51].up, s[51].down), (0, 2));
    assert_eq!((s[52].up, s[52].down), (1, 1));
    assert_eq!((s[49].up, s[49].down), (2, 0));
    // The ntp phase per column: two rounds of (0.25, 0.5), none while down.
    let lat = &t.columns.latency;
    assert_eq!(lat.len(), 1);
    assert_eq!(lat[0].phase, "ntp");
    let col = lat[0].columns[0].unwrap();
    assert_eq!((col.samples, col.min_ms, col.max_ms), (4, 0.25, 0.5));
    assert!((col.p50_ms - 0.25).abs() <= 0.25 * 0.05, "{col:?}");
    assert!((col.p95_ms - 0.5).abs() <= 0.5 * 0.05, "{col:?}");
    assert_eq!(lat[0].columns[51], None);
    assert_eq!(lat[0].columns[52].unwrap().samples, 2);
}

#[test]
fn no_round_no_columns() {
    assert_eq!(report(&[]).columns, None);
}

/// Issue 13, records out of order: a round that does not follow the last one (repeated, pasted
/// in, reversed) is not counted, and the report says how many were left out.
#[test]
fn issue13_rounds_out_of_order_or_repeated_are_left_out_and_noted() {
    let mut recs = rounds(&[true; 5]);
    recs.push(recs[2].clone());
    recs.push(Record::Round(round(3, T0 - 60_000, false)));
    recs.push(Record::Header(Box::new(header())));
    recs.push(Record::Round(round(6, T0 + 5000, true)));
    let r = report(&recs);
    assert_eq!(r.rounds, 6);
    assert_eq!(
        r.targets[0].up_rounds, 6,
        "the pasted-in down round is not counted"
    );
    assert_eq!(r.active_s, 6.0, "time never runs backwards");
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("2 rounds out of order")),
        "{:?}",
        r.notes
    );
    assert!(r.notes.iter().any(|n| n.starts_with("1 more header")));
    let reversed: Vec<Record> = rounds(&[true; 4]).into_iter().rev().collect();
    assert_eq!(report(&reversed).rounds, 1);
}

#[test]
fn a_report_without_latency_columns_differs_in_nothing_else() {
    let records = rounds(&[true, true, false, true, false, false, true, true]);
    let full = report(&records);
    let mut a = Aggregator::new(&header(), None).charts(Charts::Timelines);
    for r in &records {
        a.add(r);
    }
    let lean = a.finish(vec![]);
    assert!(
        !full.targets[0].columns.latency.is_empty(),
        "the rounds have latencies"
    );
    assert!(lean.targets.iter().all(|t| t.columns.latency.is_empty()));
    for (f, l) in full.targets.iter().zip(&lean.targets) {
        assert_eq!(
            f.columns.states, l.columns.states,
            "{}: the timeline stays",
            f.id
        );
    }
    // Everything a text, JSON or nagios rendering reads (the columns are not in the JSON).
    assert_eq!(
        serde_json::to_value(&full).unwrap(),
        serde_json::to_value(&lean).unwrap()
    );
}
