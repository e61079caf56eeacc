//! Issue 10: the terminal's tables line up by display column in both languages. Japanese takes two
//! columns a character, so a column padded by characters drifts; these render real rounds (a lab
//! round, and one judged from an OQS adapter named as Japanese Windows names it) and a real soak's
//! report in English and Japanese, and measure where each column starts on the screen.

use crate::support::{bin, lab_round};
use oqs_net::findings::Lang;
use oqs_net::model::Measurements;
use oqs_net::model::*;
use oqs_net::output::human::{Style, render};
use std::net::IpAddr;
use std::time::{Duration, SystemTime};
use unicode_width::UnicodeWidthStr;

/// The cells of a line, split on runs of two or more spaces, as (first column, column after the
/// last) in display columns, and the text.
fn cells(line: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut col = 0;
    let mut rest = line;
    loop {
        let blank = rest.len() - rest.trim_start_matches(' ').len();
        col += blank;
        rest = &rest[blank..];
        if rest.is_empty() {
            break;
        }
        let end = rest.find("  ").unwrap_or(rest.len());
        let text = &rest[..end];
        let w = text.width();
        out.push((col, col + w, text));
        col += w;
        rest = &rest[end..];
    }
    out
}

/// Every row has the header's columns, and each column after the first (the table's title,
/// which stands over the rows' indent) starts where the header's does (left-aligned) or ends where
/// it does (right-aligned).
fn assert_table(page: &str, title: &str) {
    let mut lines = page.lines().skip_while(|l| !l.starts_with(title));
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("no table `{title}` in\n{page}"));
    let head = cells(header);
    assert!(head.len() > 2, "`{header}` is not a table header");
    let rows: Vec<&str> = lines.take_while(|l| l.starts_with("  ")).collect();
    assert!(!rows.is_empty(), "table `{title}` has no rows:\n{page}");
    for row in rows {
        let row_cells = cells(row);
        assert_eq!(
            row_cells.len(),
            head.len(),
            "`{row}` has other columns than\n`{header}`"
        );
        for (i, (h, r)) in head.iter().zip(&row_cells).enumerate().skip(1) {
            assert!(
                h.0 == r.0 || h.1 == r.1,
                "column {i} ({:?}) spans columns {}..{} in the header and {}..{} in the row ({:?}):\n{header}\n{row}",
                h.2,
                h.0,
                h.1,
                r.0,
                r.1,
                r.2
            );
        }
    }
}

/// The check lines of a round (`  STATUS  target  figures`): the figures start at one display
/// column on every line whose target fits the target column (at most 34 columns; longer ones
/// push their own line only).
fn assert_round(page: &str) {
    let mut starts = Vec::new();
    // English status words are five columns wide, Japanese ones padded to six (エラー).
    let tags = [
        ("PASS ", 9),
        ("WARN ", 9),
        ("FAIL ", 9),
        ("ERROR", 9),
        ("正常  ", 10),
        ("警告  ", 10),
        ("失敗  ", 10),
        ("エラー", 10),
    ];
    for line in page.lines() {
        let Some((rest, at)) = tags
            .iter()
            .find_map(|(tag, at)| Some((line.strip_prefix("  ")?.strip_prefix(tag)?, *at)))
        else {
            continue;
        };
        assert!(rest.starts_with("  "), "`{line}`");
        let c = cells(line);
        assert!(c.len() >= 3, "`{line}` lacks a target or figures");
        let (target, figures) = (c[1], c[2]);
        assert_eq!(target.0, at, "the target starts after the status: `{line}`");
        if target.2.width() <= 34 {
            starts.push((figures.0, line));
        }
    }
    assert!(starts.len() > 1, "too few check lines to compare:\n{page}");
    let first = starts[0].0;
    for (col, line) in &starts {
        assert_eq!(
            *col, first,
            "figures start at column {col} here but at {first} on `{}`:\n{line}",
            starts[0].1
        );
    }
}

fn both_languages(round: &Round) -> [String; 2] {
    [Lang::En, Lang::Ja].map(|lang| render(round, &Style { color: false, lang }))
}

/// A terminal whose OQS adapter has the name Japanese Windows gives it, beside a receipt LAN
/// adapter, with two OQS hosts to reach.
fn japanese_adapter_round() -> Round {
    let ip = |s: &str| -> IpAddr { s.parse().unwrap() };
    let p = oqs_net::profile::shipped("ipvpn-production").unwrap();
    let oqs = Adapter {
        name: "{6B1E-OQS}".into(),
        friendly_name: Some("イーサネット 2".into()),
        index: 7,
        up: true,
        addresses: vec![
            AdapterAddress::new(ip("fe80::2"), 64),
            AdapterAddress::new(ip("2001:db8:5::2"), 64),
        ],
        gateways: vec![ip("fe80::1")],
        dns_servers: vec![ip("2404:1a8:f583:d00::53:1")],
        mtu: Some(1500),
        ..Adapter::default()
    };
    let rece = Adapter {
        name: "{0C2D-RECE}".into(),
        friendly_name: Some("イーサネット".into()),
        index: 4,
        up: true,
        addresses: vec![AdapterAddress::new(ip("198.51.100.2"), 24)],
        gateways: vec![ip("198.51.100.1")],
        mtu: Some(1500),
        ..Adapter::default()
    };
    let tcp = |name: &str, host: &str, v6: &str| TcpTargetResult {
        name: name.into(),
        host: host.into(),
        port: 443,
        a: None,
        aaaa: Some(DnsQuery {
            answers: vec![DnsAnswer {
                ip: ip(v6),
                ttl: 300,
            }],
            failure: None,
            elapsed_ms: 1.0,
        }),
        families: vec![Family::Ipv6],
        attempts: vec![TcpAttempt {
            addr: std::net::SocketAddr::new(ip(v6), 443),
            outcome: TcpOutcome::Connected,
            elapsed_ms: 2.5,
        }],
    };
    let path = PathMeasurements {
        adapter: Some(AdapterMeasurement {
            inventory: Inventory {
                adapters: vec![rece, oqs],
                dns_per_adapter: true,
                system_dns: vec![],
            },
            selection: Selection::Route {
                target: ip("2001:db8:a5::11"),
                source: ip("2001:db8:5::2"),
                name: "{6B1E-OQS}".into(),
            },
            binding: Binding::Source {
                v4: None,
                v6: Some("2001:db8:5::2".parse().unwrap()),
            },
            families: vec![Family::Ipv6],
        }),
        tcp: vec![
            tcp("oqs-web", "hweb.oqs.onshikaku.org", "2001:db8:a5::11"),
            tcp("eps", "eps.prd.onshikaku.org", "2001:db8:a5::13"),
        ],
        ..PathMeasurements::default()
    };
    let m = Measurements {
        started_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        duration: Duration::from_millis(640),
        dns: vec![],
        ntp: vec![],
        cut_off: vec![],
        resolvers: vec![],
        resolver_error: None,
        tls: Default::default(),
        path,
        proxy: None,
        line: Default::default(),
    };
    oqs_net::judge::judge(&p, &m)
}

#[test]
fn issue10_round_columns_line_up_by_display_width() {
    let round = japanese_adapter_round();
    assert!(
        round.checks.iter().any(|c| c.target == "イーサネット 2"),
        "the adapter check is named by the adapter"
    );
    for page in both_languages(&round) {
        assert!(page.contains("  イーサネット 2  "), "{page}");
        assert_round(&page);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue10_lab_round_columns_line_up_in_both_languages() {
    let round = lab_round(Mode::Ipsec, None).await;
    for page in both_languages(&round) {
        assert_round(&page);
    }
}

#[test]
fn issue10_soak_report_tables_line_up_by_display_width() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
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
        .arg(&journal)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (lang, titles) in [
        ("en", ["Targets", "Latency (ms)"]),
        ("ja", ["対象", "遅延 (ms)"]),
    ] {
        let out = bin()
            .arg("report")
            .arg(&journal)
            .args(["--lang", lang])
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .output()
            .unwrap();
        let page = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{page}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for title in titles {
            assert_table(&page, title);
        }
    }
}
