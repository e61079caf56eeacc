//! The command line as a user runs it: exit codes, formats, languages, profiles, and golden files
//! for the renderers and `--help` (refresh with `UPDATE_GOLDEN=1 cargo test`).

use crate::support::bin;
use crate::support::{golden, run};
use oqs_net::findings::Lang;
use oqs_net::model::*;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

#[test]
fn healthy_lab_round_exits_0() {
    let (code, out, err) = run(&["probe", "--mode", "ipsec", "--lab"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Result: PASS"), "{out}");
    assert!(out.contains("ntp1v4.base.oqs-pdl.org"), "{out}");
}

#[test]
fn healthy_ipvpn_lab_is_healthy_in_its_own_namespace() {
    // As root the lab gets a network namespace with four IPv6 members (CI runs as root).
    let (code, out, err) = run(&["probe", "--mode", "ipvpn", "--lab", "--format", "json"]);
    assert!(!err.contains("note:"), "no private namespace: {err}");
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "pass");
    let members = &v["checks"][0]["data"]["dns"]["summary"][1]["members"];
    assert_eq!(members.as_array().map(Vec::len), Some(4), "{members}");
}

#[test]
fn failing_round_exits_1_with_json_findings() {
    let (code, out, _) = run(&[
        "probe",
        "--mode",
        "ipsec",
        "--lab",
        "--lab-scenario",
        "dead-member",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["status"], "fail");
    let findings: Vec<&serde_json::Value> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap())
        .collect();
    let dead = findings
        .iter()
        .find(|f| f["code"] == "dns.member_no_ntp")
        .expect("member finding");
    assert_eq!(dead["section"], "補24");
    assert_eq!(dead["values"]["member"], "127.0.0.12");
    assert!(findings.iter().any(|f| f["code"] == "ntp.no_reply"));
    // Addresses are plain strings.
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["data"]["ntp"]["addr"].is_string())
    );
}

#[test]
fn japanese_by_flag_and_by_locale() {
    let (_, out, _) = run(&[
        "probe",
        "--mode",
        "ipsec",
        "--lab",
        "--lab-scenario",
        "no-rotation",
        "--lang",
        "ja",
    ]);
    assert!(out.contains("応答順が"), "{out}");
    let out = bin()
        .args([
            "probe",
            "--mode",
            "ipsec",
            "--lab",
            "--lab-scenario",
            "no-rotation",
        ])
        .env("LANG", "ja_JP.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("結果"));
}

#[test]
fn usage_errors_exit_2_before_any_packet() {
    for args in [
        &["probe", "--bogus"][..],
        &["probe", "--mode", "ipv6"],
        &["probe", "--resolver", "not-an-ip"],
        &["probe", "--profile", "nope"],
        &["probe", "--profile", "ipsec-production", "--mode", "ipvpn"],
        &["probe", "--lab-scenario", "dead-member"],
        &["probe", "--lab", "--lab-scenario", "no-such-scenario"],
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.is_empty(), "{args:?} says why");
    }
}

#[test]
fn targets_lists_shows_and_validates() {
    let (code, out, _) = run(&["targets"]);
    assert_eq!(code, 0);
    for name in [
        "ipvpn-production",
        "ipvpn-verification",
        "ipsec-production",
        "ipsec-verification",
    ] {
        assert!(out.contains(name), "{out}");
    }
    let (code, out, _) = run(&["targets", "--show", "ipvpn-production"]);
    assert_eq!(code, 0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.toml");
    std::fs::write(&path, out).unwrap();
    let (code, out, err) = run(&["targets", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("valid profile `ipvpn-production`"), "{out}");
}

/// Issue 15: README's site profile (one `[[tls]]` over `base = "ipvpn-production"`) silently
/// dropped the base's five OQS endpoints. It adds one, and `--show FILE` says where each came from.
#[test]
fn issue15_readme_site_profile_adds_to_its_base() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let profiles = &readme[readme
        .find("## Profiles")
        .expect("README has a Profiles section")..];
    let start = profiles.find("```toml\n").expect("a TOML example") + "```toml\n".len();
    let example = &profiles[start..start + profiles[start..].find("```").unwrap()];
    assert!(example.contains("base = \"ipvpn-production\""), "{example}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.toml");
    std::fs::write(&path, example).unwrap();
    let file = path.to_str().unwrap();

    let (code, out, err) = run(&["profiles", file]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("tls          6 endpoint(s)"), "{out}");

    let (code, out, err) = run(&["profiles", "--show", file]);
    assert_eq!(code, 0, "{err}");
    let origin = |host: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("host = \"{host}")))
            .and_then(|l| l.split("# ").nth(1))
            .unwrap_or_else(|| panic!("no {host} in\n{out}"))
            .to_string()
    };
    assert_eq!(origin("eps.prd.onshikaku.org"), "base ipvpn-production");
    assert_eq!(origin("hweb.oqs.onshikaku.org"), "base ipvpn-production");
    assert_eq!(origin("dist.example.oqs"), file);

    let (code, _, err) = run(&["profiles", "--show", "no-such-profile"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no shipped profile") && err.contains("no file"),
        "{err}"
    );
}

/// Issue 15: `soak --duration 10` was taken as 10 seconds and the soak then reported "30s
/// measured of 10s · complete". A number without a unit is a usage error naming the units.
#[test]
fn issue15_a_duration_without_a_unit_is_refused() {
    for args in [
        &["soak", "--lab", "--duration", "10"][..],
        &["soak", "--lab", "--interval", "5"],
        &["probe", "--lab", "--deadline", "25"],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(
            err.contains("needs a unit: ms, s, m, h or d"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn help_documents_exit_codes() {
    let (code, out, _) = run(&["probe", "--help"]);
    assert_eq!(code, 0);
    golden("probe-help.txt", &out);
    assert!(out.contains("2  usage or profile error"));
}

/// A round made by hand, so renderers can be compared byte for byte.
fn fixed_measurements() -> (Profile, Measurements) {
    let p = oqs_net::profile::shipped("ipsec-production").unwrap();
    let ans = |ips: &[&str]| DnsQuery {
        answers: ips
            .iter()
            .map(|s| DnsAnswer {
                ip: s.parse().unwrap(),
                ttl: 300,
            })
            .collect(),
        failure: None,
        elapsed_ms: 1.5,
    };
    let none = |f| DnsQuery {
        answers: vec![],
        failure: Some(f),
        elapsed_ms: 0.5,
    };
    let rr = DnsNameResult {
        name: "ntp.base.oqs-pdl.org".into(),
        role: NameRole::RoundRobin,
        lookups: vec![
            FamilyLookup {
                family: Family::Ipv4,
                queries: vec![
                    ans(&["192.0.2.1", "192.0.2.2"]),
                    ans(&["192.0.2.1", "192.0.2.2"]),
                ],
            },
            FamilyLookup {
                family: Family::Ipv6,
                queries: vec![none(DnsFailure::NoData); 2],
            },
        ],
    };
    let fb = DnsNameResult {
        name: "ntp1v4.base.oqs-pdl.org".into(),
        role: NameRole::Fallback,
        lookups: vec![
            FamilyLookup {
                family: Family::Ipv4,
                queries: vec![ans(&["192.0.2.9"]); 2],
            },
            FamilyLookup {
                family: Family::Ipv6,
                queries: vec![none(DnsFailure::NoData); 2],
            },
        ],
    };
    let reading = |offset_ms| NtpSample {
        sent_at_ms: 0.0,
        outcome: NtpSampleOutcome::Reading(NtpReading {
            offset_ms,
            delay_ms: 12.0,
            error_bound_ms: 6.0,
            stratum: 2,
            leap: 0,
            ref_id: "192.0.2.100".into(),
            root_delay_ms: 1.0,
            root_dispersion_ms: 2.0,
            precision: -20,
        }),
    };
    let server = |ip: &str, samples| NtpServerResult {
        addr: SocketAddr::new(ip.parse().unwrap(), 123),
        names: vec!["ntp.base.oqs-pdl.org".into()],
        samples,
    };
    let timeout = NtpSample {
        sent_at_ms: 250.0,
        outcome: NtpSampleOutcome::Error(NtpSampleError::Timeout),
    };
    let m = Measurements {
        started_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        duration: Duration::from_millis(812),
        dns: vec![rr, fb],
        ntp: vec![
            server("192.0.2.1", vec![reading(3.0), reading(4.0)]),
            server("192.0.2.2", vec![timeout.clone(), timeout]),
            server("192.0.2.9", vec![reading(150.0)]),
        ],
        cut_off: vec![],
        resolvers: vec!["192.0.2.53:53".into()],
        resolver_error: None,
        path: Default::default(),
        tls: Default::default(),
        proxy: None,
        line: Default::default(),
    };
    (p, m)
}

#[test]
fn renderers_match_golden_files() {
    let (p, m) = fixed_measurements();
    let round = oqs_net::judge::judge(&p, &m);
    for (lang, suffix) in [(Lang::En, "en"), (Lang::Ja, "ja")] {
        let style = oqs_net::output::human::Style { color: false, lang };
        golden(
            &format!("round-{suffix}.txt"),
            &oqs_net::output::human::render(&round, &style),
        );
    }
    golden(
        "round-en.json",
        &oqs_net::output::json::render(&round, Lang::En),
    );
}

#[test]
fn lab_in_foreground_serves_until_ctrl_c_and_says_how_to_probe_it() {
    use std::io::{BufRead, BufReader};
    let netns = format!("oqs-lab-test-{}", std::process::id());
    /// Stops the lab (and so its namespace) even when an assertion fails first.
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let lab = bin()
        .args(["lab", "--mode", "ipvpn", "--netns", &netns])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lab = Stop(lab);
    let lab_pid = lab.0.id();
    let mut lines = BufReader::new(lab.0.stdout.take().unwrap()).lines();
    let mut command = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.trim_start().starts_with("ip netns exec") {
            command = Some(line.trim().to_string());
            break;
        }
    }
    let command = command.expect("the lab prints the command that probes it");
    assert!(command.contains("--profile-file"), "{command}");
    // Issue 15: it printed `oqs-net probe …`, which fails where oqs-net is not on PATH. It names
    // the running executable, and what it printed runs exactly as it stands.
    let words: Vec<String> = command.split_whitespace().map(String::from).collect();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_oqs-net")).unwrap();
    assert_eq!(
        std::fs::canonicalize(&words[4]).ok(),
        Some(exe),
        "the program run is this oqs-net: {command}"
    );
    let out = std::process::Command::new(&words[0])
        .args(&words[1..])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("fd0e:a5::11"),
        "IPv6 members inside the namespace: {stdout}"
    );

    std::process::Command::new("kill")
        .args(["-INT", &lab_pid.to_string()])
        .status()
        .unwrap();
    let status = lab.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("lab stopped")), "{rest:?}");
    let list = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&list.stdout).contains(&netns),
        "namespace removed on exit"
    );
}

#[test]
fn ipvpn_lab_faults_land_on_the_ipv6_members() {
    for (scenario, code) in [
        ("dead-member", "dns.member_no_ntp"),
        ("no-rotation", "dns.no_rotation"),
        ("fallback-outside", "dns.fallback_outside_set"),
        ("kod-rstr", "ntp.kod_rstr"),
    ] {
        let (_, out, err) = run(&[
            "probe",
            "--mode",
            "ipvpn",
            "--lab",
            "--lab-scenario",
            scenario,
            "--format",
            "json",
        ]);
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{scenario}: {e}: {err}"));
        let codes: Vec<&str> = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["findings"].as_array().unwrap())
            .filter_map(|f| f["code"].as_str())
            .collect();
        assert!(codes.contains(&code), "{scenario}: {codes:?}");
    }
}

/// Issue 13: without `-v` the resolver library's warnings stay off stderr (they were 50–100
/// lines), and log lines carry no colour codes when stderr is not a terminal (a pipe here).
#[test]
fn issue13_library_warnings_stay_off_stderr_and_logs_are_plain() {
    // A DNS server that answers every query with the wrong id: the resolver warns at each reply
    // it drops and then times out.
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap().to_string();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    std::thread::spawn(move || {
        let mut b = [0u8; 1500];
        while let Ok((n, from)) = sock.recv_from(&mut b) {
            if n >= 12 {
                b[0] ^= 0xff;
                b[2] |= 0x80;
                let _ = sock.send_to(&b[..n], from);
            }
        }
    });
    let probe = |log: Option<&str>| {
        let mut cmd = bin();
        cmd.args(["probe", "--mode", "ipsec", "--resolver", &addr])
            .args(["--queries", "1", "--samples", "1", "--deadline", "3s"])
            .env_remove("NO_COLOR")
            .env_remove("OQS_NET_LOG");
        if let Some(filter) = log {
            cmd.env("OQS_NET_LOG", filter);
        }
        let out = cmd.output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let quiet = probe(None);
    assert!(!quiet.contains("hickory"), "{quiet}");
    assert!(!quiet.contains("message id"), "{quiet}");
    assert!(!quiet.contains('\x1b'), "{quiet:?}");
    // Asked for, the library's warnings are there (so the server does provoke them), uncoloured.
    let loud = probe(Some("hickory_net=warn"));
    assert!(loud.contains("wrong message id"), "{loud}");
    assert!(!loud.contains('\x1b'), "{loud:?}");
}
