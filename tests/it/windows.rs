//! Issue 14, the Windows terminal as far as Linux can show it: `unsafe` stays in the one Windows
//! FFI file, and WPAD by DHCP (option 252) is the first WPAD source, its PAC the one used.

use oqs_net::findings::Lang;
use oqs_net::model::{DhcpWpad, RouteReason};
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The package denies `unsafe_code` instead of forbidding it only so that src/platform/windows.rs
/// can allow it: no other file may use `unsafe` or lift the lint, and every unsafe block there
/// says why it is sound.
#[test]
fn unsafe_code_only_in_the_windows_platform_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in ["src", "lab/src", "benches", "tests"] {
        rust_files(&root.join(d), &mut files);
    }
    let allowed = root.join("src/platform/windows.rs");
    let lift = concat!("allow(", "unsafe_code)");
    // Spelt apart so that this file does not match itself.
    let keyword = ["{", "fn", "impl", "extern"].map(|k| format!("{} {k}", "unsafe"));
    let mut offenders = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if *f == allowed {
            continue;
        }
        if text.contains(lift) || keyword.iter().any(|k| text.contains(k)) {
            offenders.push(f.display().to_string());
        }
    }
    assert!(
        offenders.is_empty(),
        "unsafe outside the platform's Windows file: {offenders:?}"
    );
    let windows = std::fs::read_to_string(&allowed).unwrap();
    assert!(windows.contains(&format!("#![{lift}]")));
    let lines: Vec<&str> = windows.lines().collect();
    let mut blocks = 0;
    for (i, line) in lines.iter().enumerate() {
        if !line.contains(&keyword[0]) {
            continue;
        }
        blocks += 1;
        // The comment block right above the statement opens with `// SAFETY:`.
        let above = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.trim_start().starts_with("//"))
            .last()
            .map(|l| l.trim_start());
        assert!(
            above.is_some_and(|l| l.starts_with("// SAFETY:")),
            "line {}: an unsafe block without a SAFETY comment",
            i + 1
        );
    }
    assert_eq!(
        blocks, 8,
        "LoadLibraryExW, GetProcAddress, the transmutes to their types, DhcpCApiInitialize, \
         DhcpRequestParams, DhcpCApiCleanup, GetConsoleMode, SetConsoleMode"
    );
    // The lab keeps the workspace's forbid.
    let manifest = std::fs::read_to_string(root.join("lab/Cargo.toml")).unwrap();
    assert!(manifest.contains("[lints]\nworkspace = true"), "{manifest}");
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(workspace.contains("[workspace.lints.rust]\nunsafe_code = \"forbid\""));
}

/// The lab's terminal gets the lab's PAC URL from DHCP (scenario `wpad-dhcp`): the round shows
/// WPAD by DHCP first, takes the PAC from there without asking DNS, and the human line says so.
#[tokio::test(flavor = "multi_thread")]
async fn the_pac_from_dhcp_is_used_and_shown_first() {
    let (round, proxy) = crate::proxy::lab_scenario_round("wpad-dhcp").await;
    let Some(DhcpWpad::Offered {
        origin,
        url: Some(url),
        error: None,
    }) = &proxy.dhcp_wpad
    else {
        panic!("{:?}", proxy.dhcp_wpad)
    };
    assert_eq!(origin, "the lab's DHCP server");
    assert!(
        url.starts_with("http://pac.oqs-lab.test:") && url.ends_with("/proxy.pac"),
        "{url}"
    );
    let pac = proxy.pac.as_ref().expect("a PAC in use");
    assert_eq!((pac.via.as_str(), pac.url.as_ref()), ("dhcp", Some(url)));
    assert!(pac.tried.is_empty(), "DNS was asked: {:?}", pac.tried);
    assert_eq!(pac.error, None);
    // Every route was decided by the PAC from DHCP.
    assert!(!proxy.routes.is_empty());
    for r in &proxy.routes {
        assert!(matches!(r.reason, RouteReason::Pac { .. }), "{r:?}");
    }
    let settings = round
        .checks
        .iter()
        .find(|c| c.id == "proxy:settings")
        .expect("a proxy:settings check");
    assert!(settings.findings.is_empty(), "{:?}", settings.findings);
    for (lang, dhcp, pac_word) in [
        (Lang::En, "WPAD by DHCP: ", "WPAD (DHCP) "),
        (Lang::Ja, "DHCPによるWPAD: ", "WPAD (DHCP) "),
    ] {
        let style = oqs_net::output::human::Style { color: false, lang };
        let text = oqs_net::output::human::render(&round, &style);
        let line = text
            .lines()
            .find(|l| l.contains(dhcp))
            .unwrap_or_else(|| panic!("no `{dhcp}` line:\n{text}"));
        let at = |s: &str| line.find(s).unwrap_or_else(|| panic!("no `{s}` in {line}"));
        // DHCP first, then the PAC it gave, then the places settings come from.
        assert!(at(dhcp) < at(&format!("{pac_word}{url}")), "{line}");
    }
}

/// `--wpad-dhcp` is checked like option 252 before anything is sent, and rules over the lab
/// terminal's WPAD by DNS: a PAC URL from "DHCP" that nothing serves is the PAC that is unusable
/// (`via` `dhcp`), and DNS is not asked.
#[test]
fn the_wpad_dhcp_flag_is_checked_first_and_then_rules() {
    use crate::support::run;
    let (code, _, err) = run(&["probe", "--mode", "ipsec", "--wpad-dhcp", "ftp://x/"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("option 252 is not an http or https URL: ftp://x/"),
        "{err}"
    );
    let (code, out, err) = run(&[
        "probe",
        "--mode",
        "ipsec",
        "--lab",
        "--lab-scenario",
        "wpad-on",
        "--wpad-dhcp",
        "http://127.0.0.1:1/wpad.dat",
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    let round: serde_json::Value = serde_json::from_str(&out).unwrap();
    let settings = round["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "proxy:settings")
        .expect("a proxy:settings check");
    let data = &settings["data"]["proxy_settings"];
    assert_eq!(
        data["dhcp_wpad"],
        serde_json::json!({"state": "offered", "origin": "--wpad-dhcp",
            "url": "http://127.0.0.1:1/wpad.dat", "error": null})
    );
    assert_eq!(data["pac"]["via"], "dhcp", "{data}");
    assert_eq!(data["pac"]["tried"], serde_json::json!([]), "{data}");
    let unusable: Vec<&serde_json::Value> = settings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "proxy.pac_unusable")
        .collect();
    assert_eq!(unusable.len(), 1, "{settings}");
}
