//! Issue 11, the outputs operators' tools read: `oqs-net explain` (golden files in both languages,
//! unknown codes).

use crate::support::{golden, run};

// ---------------------------------------------------------------------------------------------
// explain
// ---------------------------------------------------------------------------------------------

#[test]
fn issue11_explain_matches_golden_files() {
    for (lang, suffix) in [("en", "en"), ("ja", "ja")] {
        let mut all = String::new();
        for code in [
            "dns.member_no_ntp",
            "ntp.offset_fail",
            "tls.wrong_environment",
        ] {
            let (status, out, err) = run(&["explain", code, "--lang", lang]);
            assert_eq!(status, 0, "{code}: {err}");
            all.push_str(&out);
        }
        golden(&format!("explain-{suffix}.txt"), &all);
        let (status, out, err) = run(&["explain", "--list", "--lang", lang]);
        assert_eq!(status, 0, "{err}");
        golden(&format!("explain-list-{suffix}.txt"), &out);
    }
}

#[test]
fn issue11_explain_lists_every_code_the_rounds_use() {
    let (_, out, _) = run(&["explain", "--list"]);
    for c in oqs_net::model::Code::ALL {
        let e = oqs_net::findings::entry(*c);
        assert!(
            out.lines().any(|l| {
                let mut w = l.split_whitespace();
                w.next() == Some(c.as_label()) && w.next() == Some(e.section)
            }),
            "{c:?} missing from --list"
        );
    }
}

#[test]
fn issue11_explain_unknown_code_exits_2_with_the_nearest() {
    let (code, out, err) = run(&["explain", "dns.member_no_ntpp"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("unknown finding code `dns.member_no_ntpp`; did you mean dns.member_no_ntp?"),
        "{err}"
    );
    let (code, _, err) = run(&["explain", "kod"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("ntp.kod_rate, ntp.kod_deny, ntp.kod_rstr, ntp.kod_other"),
        "{err}"
    );
    // Neither a code nor --list: clap's usage error.
    assert_eq!(run(&["explain"]).0, 2);
    assert_eq!(run(&["explain", "dns.nxdomain", "--list"]).0, 2);
}
