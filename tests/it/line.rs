//! Issue 11, the line's own checks against the lab: the line-authentication page (authenticated,
//! not, another page, out of reach), the OQS adapter's DNS servers against the NGN's, and the
//! environment the OQS names answer as; each scenario gives exactly its finding, the pages are
//! decoded by the charset they declare, and the rows show in both languages and in JSON.

use crate::proxy::lab_scenario_round;
use crate::support::{WITH_LINE, lab_for, quick_profile_with_line, round_with_sections};
use oqs_net::model::{AuthPage, CharsetOrigin, Check, CheckData, Code, Mode, Round, Status};

/// The codes of the line section's findings (the line's checks and the environment).
fn line_codes(r: &Round) -> Vec<Code> {
    let mut v: Vec<Code> = r
        .findings()
        .map(|(_, f)| f.code)
        .filter(|c| c.as_label().starts_with("line.") || c.as_label().starts_with("env."))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn check<'a>(r: &'a Round, id: &str) -> &'a Check {
    r.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id} in {:?}", ids(r)))
}

fn ids(r: &Round) -> Vec<&str> {
    r.checks.iter().map(|c| c.id.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn issue11_each_line_scenario_gives_exactly_its_finding() {
    use Code::*;
    // (scenario, the line section's codes). In the wrong environment the NGN's server does not
    // know the profile's names either; that finding is grouped under the environment's.
    let table: &[(&str, &[Code])] = &[
        ("healthy", &[]),
        ("line-auth-required", &[LineAuthRequired]),
        ("line-auth-unexpected", &[LineAuthUnexpected]),
        ("line-auth-unreachable", &[LineAuthUnreachable]),
        ("line-dns-other", &[LineDnsNotNgn]),
        (
            "wrong-environment",
            &[LineNgnDnsNoAnswer, EnvOtherEnvironment],
        ),
        // Another environment's certificates are TLS's finding; the names still answer.
        ("tls-other-env", &[]),
    ];
    let mut failures = Vec::new();
    for (scenario, want) in table {
        let (r, _) = lab_scenario_round(scenario).await;
        for id in ["line:auth", "line:ngn-dns", "environment"] {
            check(&r, id);
        }
        let mut want = want.to_vec();
        want.sort();
        let got = line_codes(&r);
        if got != want {
            failures.push(format!("{scenario}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn issue11_the_pages_are_decoded_by_the_charset_they_declare() {
    for (scenario, verdict, charset) in [
        (
            "healthy",
            AuthPage::Authenticated,
            ("Shift_JIS", CharsetOrigin::HttpHeader),
        ),
        (
            "line-auth-required",
            AuthPage::NotAuthenticated,
            ("EUC-JP", CharsetOrigin::Meta),
        ),
        (
            "line-auth-unexpected",
            AuthPage::Unexpected,
            ("UTF-8", CharsetOrigin::HttpHeader),
        ),
    ] {
        let (r, _) = lab_scenario_round(scenario).await;
        let c = check(&r, "line:auth");
        let CheckData::LineAuth(a) = &c.data else {
            panic!("{:?}", c.data)
        };
        let page = a.page.as_ref().expect("a page was read");
        assert_eq!(page.verdict, verdict, "{scenario}");
        assert_eq!(
            (page.charset.as_str(), page.charset_from),
            charset,
            "{scenario}"
        );
        assert!(!page.undecodable, "{scenario}");
        assert_eq!(page.status, 200);
        assert!(
            a.verified,
            "the lab's CA is the bundle: the certificate was checked"
        );
        let title = if verdict == AuthPage::Unexpected {
            "ホームゲートウェイ"
        } else {
            "回線認証"
        };
        assert_eq!(page.excerpt, title, "{scenario}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn issue11_an_unreachable_page_is_named_by_the_step_that_failed() {
    let (r, _) = lab_scenario_round("line-auth-unreachable").await;
    let c = check(&r, "line:auth");
    assert_eq!(c.status, Status::Fail);
    let f = &c.findings[0];
    assert_eq!(f.code, Code::LineAuthUnreachable);
    let stage = f.value("stage").unwrap();
    assert!(["connect", "tls"].contains(&stage), "{stage}");
    assert!(
        f.value("url")
            .unwrap()
            .starts_with("https://www.lineauth.mnw:")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn issue11_dns_servers_off_the_ngn_list_are_named_with_both_lists() {
    let (r, _) = lab_scenario_round("line-dns-other").await;
    let c = check(&r, "line:ngn-dns");
    let CheckData::NgnDns(d) = &c.data else {
        panic!("{:?}", c.data)
    };
    assert_eq!(d.terminal_servers.len(), 1);
    assert_eq!(d.ngn_servers.len(), 1);
    assert_ne!(d.terminal_servers, d.ngn_servers);
    // The NGN's server answered every name: the NGN test names and the profile's OQS hosts.
    assert!(
        d.answers.iter().all(|a| a.failure.is_none()),
        "{:?}",
        d.answers
    );
    let names: Vec<&str> = d.answers.iter().map(|a| a.name.as_str()).collect();
    for n in [
        "assv.asc.flets-east.jp",
        "assv.asc.flets-west.jp",
        "hweb.oqs.onshikaku.org",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let f = &c.findings[0];
    assert_eq!(
        f.value("servers"),
        Some(d.terminal_servers[0].to_string().as_str())
    );
    assert_eq!(f.value("ngn"), Some(d.ngn_servers[0].to_string().as_str()));
}

/// An IP-VPN round over IPv6 (the lab on ::1): the three checks pass, the NGN's names answer
/// with IPv6 addresses, and every environment name of the profile resolves.
#[tokio::test(flavor = "multi_thread")]
async fn issue11_an_ipvpn_round_checks_the_line_over_ipv6() {
    let (lab, p, resolvers) = lab_for(&quick_profile_with_line(Mode::Ipvpn), None).await;
    let (_, r) = round_with_sections(&p, resolvers, None, WITH_LINE).await;
    lab.shutdown().await;
    for id in ["line:auth", "line:ngn-dns", "environment"] {
        let c = check(&r, id);
        assert_eq!(c.status, Status::Pass, "{id}: {:?}", c.findings);
    }
    let CheckData::NgnDns(d) = &check(&r, "line:ngn-dns").data else {
        unreachable!()
    };
    assert!(!d.answers.is_empty());
    assert!(
        d.answers
            .iter()
            .all(|a| !a.addresses.is_empty() && a.addresses.iter().all(|ip| ip.is_ipv6())),
        "{:?}",
        d.answers
    );
    let CheckData::Environment { names, .. } = &check(&r, "environment").data else {
        unreachable!()
    };
    // Five OQS hosts of production and their five verification counterparts.
    assert_eq!(names.len(), 10, "{names:?}");
    assert_eq!(names.iter().filter(|n| n.resolves).count(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn issue11_the_line_section_renders_in_both_languages_and_json() {
    use oqs_net::findings::Lang;
    use oqs_net::output::{human, json};
    let (r, _) = lab_scenario_round("line-auth-required").await;
    let en = human::render(
        &r,
        &human::Style {
            color: false,
            lang: Lang::En,
        },
    );
    assert!(en.contains("Line (NGN, environment; 補35, 補16)"), "{en}");
    assert!(en.contains("NOT authenticated · HTTP 200"), "{en}");
    assert!(en.contains("line.auth_required [補35]"), "{en}");
    let ja = human::render(
        &r,
        &human::Style {
            color: false,
            lang: Lang::Ja,
        },
    );
    assert!(ja.contains("回線（NGN・接続先環境、補35・補16）"), "{ja}");
    assert!(ja.contains("未認証 · HTTP 200"), "{ja}");
    assert!(ja.contains("回線の再認証が必要です"), "{ja}");
    let v: serde_json::Value = serde_json::from_str(&json::render(&r, Lang::En)).unwrap();
    let auth = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "line:auth")
        .expect("the line:auth check in JSON");
    assert_eq!(auth["kind"], "line_auth");
    assert_eq!(auth["status"], "fail");
    assert_eq!(
        auth["data"]["line_auth"]["page"]["verdict"],
        "not_authenticated"
    );
    assert_eq!(v["root_causes"][0]["code"], "line.auth_required");
}
