//! Issue 15, one voice: with `--lang ja` a rendering is wholly Japanese. Every lab scenario's round,
//! a soak report, `cert inspect`, `pac`, `profiles`, `lab` and the monitoring-plugin lines of
//! `probe` and `accept` are rendered in Japanese and searched for ASCII words
//! left outside names, addresses, codes and units. What may stay in Latin letters is the narrow
//! list [`TERMS`], each with why.

use crate::proxy::lab_scenario_round;
use crate::support::run;
use oqs_net::findings::Lang;
use oqs_net::output::human;

/// Technical terms written in Latin letters in Japanese too (the guide itself, Windows' Japanese
/// settings screens, or the protocol's own keywords), and units.
#[rustfmt::skip]
const TERMS: &[&str] = &[
    // Protocol and product names the guide writes in Latin letters (補22, 補24, 補35, 補17:
    // "DNSラウンドロビン", "NTPサーバ", "IPアドレス", "IP-VPN接続方式", "IPsec+IKE", "LANの設定").
    "DNS", "NTP", "TLS", "TCP", "UDP", "HTTP", "HTTPS", "PAC", "WPAD", "OQS", "PFX", "CA", "IP",
    "IPsec", "IKE", "IP-VPN", "LAN", "Windows", "WinHTTP", "URL", "ID", "UTF-8", "EUC-JP",
    // As Windows' Japanese settings write it ("DHCP サーバー"): WPAD by DHCP (issue 14).
    "DHCP",
    // Names of programs: this one as typed, the browser whose behaviour a PAC row describes, the
    // PAC function every PAC file defines.
    "oqs-net", "Chrome", "FindProxyForURL",
    // NTT's network and NTT itself, as NTT's own Japanese pages write them ("NGN", "NTT東日本").
    "NGN", "NTT",
    // RFC 5905's name for an NTP server's refusal; it has no Japanese name in use.
    "Kiss-o'-Death",
    // Record types and DNS response codes, as resolvers and dig print them.
    "A", "AAAA", "TTL", "NXDOMAIN", "SERVFAIL", "REFUSED", "NODATA", "ULA",
    // PAC answers' keywords and the HTTP method a proxy is asked with: what the PAC file says.
    "DIRECT", "PROXY", "HTTPS", "SOCKS", "CONNECT",
    // Kiss-o'-death codes (RFC 5905), key algorithms, an HTTP authentication scheme and header.
    "RATE", "DENY", "RSTR", "RSA", "ECDSA", "EC", "Basic", "Content-Type",
    // Reliability measures a soak reports under their usual abbreviations, and the time zone.
    "MTBF", "MTTR", "UTC",
    // The keys and signal that stop a program, as typed and sent; the lab's public-key
    // infrastructure, as Japanese IT writing names it.
    "Ctrl-C", "SIGTERM", "PKI",
    // The path's own layers as network engineers name them in Japanese too: the MTU and TCP's MSS,
    // ICMP, path-MTU discovery, PPPoE, TCP's SYN, DNS's truncation flag (dig's "tc"), the
    // certificate file format, and standards by their RFC number.
    "MTU", "MSS", "ICMP", "PMTUD", "PPPoE", "SYN", "TC", "PEM", "RFC",
    // The administrator account the guide's setup creates (補23), and the button Windows' Japanese
    // dialogs label "OK".
    "OqsComApp", "OK",
    // Units.
    "ms", "s", "ppm", "KiB", "MiB",
];

/// Commands typed as they are written (the Windows command that sets WinHTTP's proxy, 補22; the
/// password flags with their value's placeholder), and names the guide writes in Latin letters:
/// the Windows service, and the file `hosts`.
#[rustfmt::skip]
const COMMANDS: &[&str] = &[
    "netsh winhttp import proxy source=ie", "netsh winhttp", "--pfx-password-env VAR",
    "--pfx-password-file FILE", "Windows Update", "hostsファイル",
    // This program's own commands as they are typed.
    "oqs-net profiles --show NAME", "oqs-net profiles --show FILE", "oqs-net profiles FILE",
    "--profile NAME", "oqs-net lab", "probe --profile-file", "cert inspect", "oqs-net probe",
    "oqs-net soak", "--interface NAME",
    // A profile's sections and keys as they are written in the file.
    "[adapter] name", "[line]",
    // The keys pressed to open "Run" (補35), and the service as Windows' Japanese service list
    // names it.
    "キー＋R", "Windows Time",
    // ICMP messages by the names RFC 792 and RFC 4443 give them, which Japanese network writing
    // keeps.
    "Packet Too Big", "Fragmentation Needed",
];

/// Keys whose values in the JSON form are machine codes (a failure's or an outcome's label): shown
/// as they are, the same in both languages, as the JSON names them.
const CODE_KEYS: &[&str] = &["failure", "outcome", "kind"];

/// Strings of the rendered data that are names (hosts, endpoints, profiles, certificates,
/// adapters, soak targets' ids): collected from the JSON form under these keys. A PAC script's
/// own error message is the script's words, quoted.
#[rustfmt::skip]
const NAME_KEYS: &[&str] = &[
    "name", "host", "target", "subject", "issuer", "names", "profile", "adapter", "oqs_label",
    "interface", "what", "provider", "id", "message",
];

fn names(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                if NAME_KEYS.contains(&k.as_str()) || CODE_KEYS.contains(&k.as_str()) {
                    let mut strings = Vec::new();
                    collect_strings(v, &mut strings);
                    for s in strings {
                        out.extend(s.split([' ', ',', '=', ':']).map(trim));
                        out.push(s);
                    }
                }
                names(v, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| names(v, out)),
        _ => {}
    }
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

fn trim(w: &str) -> String {
    w.trim_matches(|c: char| "()[]{}<>,;'\"`·|".contains(c) || !c.is_ascii())
        .to_string()
}

/// ASCII words of `text` that are not names, addresses, codes, flags, units or [`TERMS`].
fn latin_words(text: &str, names: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    for line in text.lines() {
        let mut stripped = line.to_string();
        for c in COMMANDS {
            stripped = stripped.replace(c, "");
        }
        for raw in stripped.split(|c: char| c.is_whitespace() || !c.is_ascii()) {
            let w = trim(raw);
            if !w.chars().any(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            // `{subject}`: a placeholder of the catalogue's templates, as `explain` shows them.
            let placeholder = raw.contains('{');
            let coded = placeholder
                || w.chars()
                    .any(|c| c.is_ascii_digit() || ".:/_=@*\\".contains(c));
            let flag = w.starts_with('-');
            let term = TERMS.contains(&w.as_str())
                || w.split(['-', '+'])
                    .all(|p| p.is_empty() || TERMS.contains(&p));
            if coded || flag || term || names.contains(&w) {
                continue;
            }
            bad.push(format!("{w:?} in {:?}", line.trim()));
        }
    }
    bad
}

/// `known` and the names in the JSON form of an IP-VPN lab round of `scenario`.
fn lab_round_names(scenario: &str, mut known: Vec<String>) -> Vec<String> {
    let (_, json, _) = run(&[
        "probe",
        "--mode",
        "ipvpn",
        "--lab",
        "--lab-scenario",
        scenario,
        "--format",
        "json",
    ]);
    names(&serde_json::from_str(&json).unwrap_or_default(), &mut known);
    known
}

/// Fails with every ASCII word found, each once.
fn assert_none(mut failures: Vec<String>) {
    failures.sort();
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} ASCII words:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check(what: &str, text: &str, names: &[String], failures: &mut Vec<String>) {
    for w in latin_words(text, names) {
        failures.push(format!("{what}: {w}"));
    }
}

#[test]
fn the_word_check_catches_english_and_lets_names_through() {
    let names = vec!["oqs-web".to_string()];
    let text =
        "正常 oqs-web hweb.oqs.onshikaku.org:443 時刻差 +0.1 ms · DNS AAAA dns.timeout --lang";
    assert!(
        latin_words(text, &names).is_empty(),
        "{:?}",
        latin_words(text, &names)
    );
    let bad = latin_words("PASS 経路 routes · offset 0.1 ms", &names);
    assert_eq!(bad.len(), 3, "{bad:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn issue15_every_lab_scenario_round_is_wholly_japanese() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lab/scenarios");
    let mut scenarios: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".toml")
                .to_string()
        })
        .collect();
    scenarios.sort();
    let mut failures = Vec::new();
    for scenario in &scenarios {
        let (r, _) = lab_scenario_round(scenario).await;
        let mut n = Vec::new();
        names(&serde_json::to_value(&r).unwrap(), &mut n);
        let text = human::render(
            &r,
            &human::Style {
                color: false,
                lang: Lang::Ja,
            },
        );
        check(scenario, &text, &n, &mut failures);
    }
    // The binary's round: the lab with its PFX, so the client certificate row is there too.
    for scenario in [
        "healthy",
        "tls-reject-all",
        "wpad-everything-proxy",
        "offset-warn",
    ] {
        let (_, out, err) = run(&[
            "probe",
            "--mode",
            "ipvpn",
            "--lab",
            "--lab-scenario",
            scenario,
            "--lang",
            "ja",
        ]);
        let n = lab_round_names(scenario, Vec::new());
        assert!(!out.is_empty(), "{err}");
        check(&format!("binary {scenario}"), &out, &n, &mut failures);
    }
    assert_none(failures);
}

/// The other human renderers in Japanese: a soak's report (a short soak against the lab with a
/// flapping proxy), `cert inspect`, `pac` (an invalid route, and a fetched PAC that fails), and
/// `explain`.
#[test]
fn issue15_soak_report_cert_inspect_pac_and_explain_are_wholly_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("soak.jsonl");
    let journal = journal.to_str().unwrap();
    let mut failures = Vec::new();
    let (code, out, err) = run(&[
        "soak",
        "--mode",
        "ipvpn",
        "--lab",
        "--lab-scenario",
        "proxy-flap",
        "--duration",
        "3s",
        "--interval",
        "1s",
        "--journal",
        journal,
        "--lang",
        "ja",
    ]);
    assert!(code == 0 || code == 1, "{err}");
    let (_, json, _) = run(&["report", journal, "--format", "json"]);
    let mut n = Vec::new();
    names(&serde_json::from_str(&json).unwrap(), &mut n);
    check("soak", &out, &n, &mut failures);
    let (_, report, _) = run(&["report", journal, "--lang", "ja"]);
    assert!(report.contains("NTP"), "{report}");
    check("report", &report, &n, &mut failures);

    let (pfx, pw) = crate::cert_inspect::pfx_expiring_in_29_5_days(dir.path());
    let (pfx, pw) = (pfx.to_str().unwrap(), pw.to_str().unwrap());
    let (_, out, err) = run(&[
        "cert",
        "inspect",
        pfx,
        "--pfx-password-file",
        pw,
        "--lang",
        "ja",
    ]);
    assert!(out.contains("残り 29 日"), "{out}{err}");
    let (_, json, _) = run(&[
        "cert",
        "inspect",
        pfx,
        "--pfx-password-file",
        pw,
        "--format",
        "json",
    ]);
    let mut n = Vec::new();
    names(&serde_json::from_str(&json).unwrap(), &mut n);
    check("cert inspect", &out, &n, &mut failures);
    // No password: the named failure, in Japanese.
    let (_, out, _) = run(&["cert", "inspect", pfx, "--lang", "ja"]);
    check("cert inspect without a password", &out, &n, &mut failures);

    let pac = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pac");
    for (file, url) in [
        ("helpers-report.pac", "https://hweb.oqs.onshikaku.org/"),
        ("routes-mixed.pac", "https://hweb.oqs.onshikaku.org/"),
        ("oqs-bypass.pac", "http://update.microsoft.com/"),
        ("hostile-throw.pac", "https://hweb.oqs.onshikaku.org/"),
    ] {
        let path = format!("{pac}/{file}");
        let args = [
            "pac",
            &path,
            "--url",
            url,
            "--my-ip",
            "192.168.220.10",
            "--no-dns",
        ];
        let (_, out, err) = run(&[&args[..], &["--lang", "ja"]].concat());
        assert!(!out.is_empty(), "{err}");
        let (_, json, _) = run(&[&args[..], &["--format", "json"]].concat());
        let mut n = vec![path.clone()];
        names(&serde_json::from_str(&json).unwrap(), &mut n);
        check(&format!("pac {file}"), &out, &n, &mut failures);
    }

    for code in [
        "dns.member_no_ntp",
        "proxy.autodetect_on",
        "tls.rejected.bad_certificate",
    ] {
        let (status, out, err) = run(&["explain", code, "--lang", "ja"]);
        assert_eq!(status, 0, "{err}");
        check(&format!("explain {code}"), &out, &[], &mut failures);
    }
    assert_none(failures);
}

/// A monitoring plugin's text without what the protocol fixes: the first line's state word
/// (`OQS-NET WARNING - `) and its performance data (after ` | `), read by monitors, not people.
fn plugin_words(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let headline = first.split_once(" - ").map_or(first, |(_, h)| h);
    let headline = headline.split_once(" | ").map_or(headline, |(h, _)| h);
    std::iter::once(headline)
        .chain(lines)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `profiles` (the list and a file's summary), `lab` (what it serves, until it is stopped), and
/// `--format nagios` of `probe` and `accept`, in Japanese.
#[test]
fn profiles_lab_and_plugin_lines_are_wholly_japanese() {
    let mut failures = Vec::new();
    let profile_names: Vec<String> = [
        "ipvpn-production",
        "ipvpn-verification",
        "ipsec-production",
        "ipsec-verification",
        "ipsec-ondemand-production",
    ]
    .map(String::from)
    .to_vec();
    let (code, out, err) = run(&["profiles", "--lang", "ja"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("接続検証環境"), "{out}");
    check("profiles", &out, &profile_names, &mut failures);
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/targets/ipsec-ondemand-production.toml"
    );
    let (code, out, err) = run(&["profiles", file, "--lang", "ja"]);
    assert_eq!(code, 0, "{err}");
    let (_, json, _) = run(&["probe", "--mode", "ipvpn", "--lab", "--format", "json"]);
    let mut n = profile_names.clone();
    names(&serde_json::from_str(&json).unwrap_or_default(), &mut n);
    check("profiles FILE", &out, &n, &mut failures);

    for scenario in ["healthy", "offset-warn", "tls-reject-all"] {
        let (_, out, err) = run(&[
            "probe",
            "--mode",
            "ipvpn",
            "--lab",
            "--lab-scenario",
            scenario,
            "--format",
            "nagios",
            "--lang",
            "ja",
        ]);
        assert!(out.starts_with("OQS-NET "), "{out}{err}");
        let n = lab_round_names(scenario, profile_names.clone());
        check(
            &format!("nagios {scenario}"),
            &plugin_words(&out),
            &n,
            &mut failures,
        );
    }

    let dir = tempfile::tempdir().unwrap();
    crate::accept::hand_journal(&dir.path().join("hand.jsonl"));
    let journal = dir.path().join("hand.jsonl");
    let journal = journal.to_str().unwrap();
    let (code, out, err) = run(&[
        "accept", "--from", journal, "--format", "nagios", "--lang", "ja",
    ]);
    assert_eq!(code, 2, "CRITICAL: {out}{err}");
    let (_, json, _) = run(&["accept", "--from", journal, "--format", "json"]);
    let mut n = profile_names.clone();
    names(&serde_json::from_str(&json).unwrap_or_default(), &mut n);
    // The hand-made journal's endpoint.
    n.push("distribution".into());
    check("accept nagios", &plugin_words(&out), &n, &mut failures);

    // The lab, in this namespace, until it says how it stops; then SIGTERM.
    let mut lab = crate::support::bin()
        .args(["lab", "--mode", "ipvpn", "--no-netns", "--lang", "ja"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut text = String::new();
    {
        use std::io::{BufRead, BufReader};
        let stdout = lab.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            text.push_str(&line);
            text.push('\n');
            if line.contains("ラボを停止します") {
                break;
            }
        }
        std::process::Command::new("kill")
            .args(["-TERM", &lab.id().to_string()])
            .status()
            .unwrap();
        text.extend(lines.map_while(Result::ok).map(|l| l + "\n"));
    }
    assert_eq!(lab.wait().unwrap().code(), Some(0), "{text}");
    assert!(text.contains("ラボを停止しました"), "{text}");
    let mut n = profile_names;
    let (_, json, _) = run(&["probe", "--mode", "ipvpn", "--lab", "--format", "json"]);
    names(&serde_json::from_str(&json).unwrap_or_default(), &mut n);
    n.push("healthy".into());
    check("lab", &text, &n, &mut failures);

    assert_none(failures);
}

/// Every entry of the catalogue, as `explain --lang ja` would show it and whether or not a lab
/// scenario raises it: a finding that only load or a real line produces (a path-MTU black hole,
/// say) is read in Japanese too.
#[test]
fn every_catalogue_entry_is_wholly_japanese() {
    use oqs_net::findings::{entry, fallbacks_failing_entry, ipsec_entry};
    use oqs_net::model::Code;
    let mut failures = Vec::new();
    for &code in Code::ALL {
        let entries = [
            Some(entry(code)),
            ipsec_entry(code),
            fallbacks_failing_entry(code),
        ];
        for e in entries.into_iter().flatten() {
            let text = format!("{}\n{}", e.cause_ja, e.fix_ja);
            check(code.as_label(), &text, &[], &mut failures);
        }
    }
    assert_none(failures);
}
