//! The HTML page from journals made by hand: hostile strings come out inert, nothing is fetched,
//! the words follow the language, the flapping period sits where the journal says.

use super::*;
use crate::findings::Lang;
use crate::soak::journal::tests::{header, round};
use crate::soak::journal::{Header, Record};
use crate::soak::report::Aggregator;

const T0: i64 = 1_700_000_000_000;

fn report(h: &Header, states: &[bool], id: &str) -> SoakReport {
    let mut a = Aggregator::new(h, None);
    for (i, up) in states.iter().enumerate() {
        let mut r = round(i as u64 + 1, T0 + 1000 * i as i64, *up);
        r.targets[0].id = id.to_string();
        a.add(&Record::Round(r));
    }
    a.finish(vec![])
}

/// Alternating for 20 rounds (a flapping period), then 20 up, then 5 down, then up.
fn states() -> Vec<bool> {
    let mut s: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
    s.extend([true; 20]);
    s.extend([false; 5]);
    s.extend([true; 15]);
    s
}

fn style(lang: Lang) -> Style {
    Style {
        color: false,
        lang,
        tz: jiff::tz::TimeZone::UTC,
    }
}

#[test]
fn strings_from_the_journal_come_out_inert() {
    let mut h = header();
    h.profile.name = "\"><img src=x onerror=alert(1)>".into();
    h.profile.environment = "<style>body{display:none}</style>".into();
    let r = report(&h, &states(), "ntp:<script>alert('x')</script>");
    let page = render(&r, "j<script>.jsonl", &style(Lang::En), None);
    for bad in [
        "<script",
        "<img",
        "<style>body{display",
        "onerror=alert(1)>",
    ] {
        assert!(!page.contains(bad), "{bad} came through:\n{page}");
    }
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains(r#"data-target="ntp:&lt;script&gt;"#));
}

#[test]
fn the_page_asks_for_nothing_outside_itself() {
    let r = report(&header(), &states(), "ntp:127.0.0.12:123");
    let page = render(&r, "j.jsonl", &style(Lang::En), None);
    assert!(
        page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
    for fetch in [
        "http:", "https:", "src=", "url(", "@import", "<script", "<link",
    ] {
        assert!(!page.contains(fetch), "{fetch} in the page");
    }
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
}

#[test]
fn the_flapping_period_and_the_outage_are_drawn_where_the_report_has_them() {
    let r = report(&header(), &states(), "ntp:127.0.0.12:123");
    let t = &r.targets[0];
    assert_eq!(t.flaps.len(), 1);
    assert_eq!(
        t.outages_total, 11,
        "ten single-round outages while flapping, then five rounds"
    );
    let page = render(&r, "j.jsonl", &style(Lang::En), None);
    // 60 one-second rounds: 60 columns of a second, T0 to T0 + 60 s over 896 units from 56.
    let c = r.columns.unwrap();
    assert_eq!((c.width_ms, c.count), (1000, 60));
    let x = |ms: i64| 56.0 + (ms - T0) as f64 / 60_000.0 * 896.0;
    let p = &t.flaps[0];
    let at = page.find("class=\"flap\"").expect("a flap rect");
    let rect = &page[at..at + 200];
    let attr = |name: &str| -> f64 {
        let from = rect.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        rect[from..from + rect[from..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let end = p.end.unwrap().0;
    assert!((attr("x") - x(p.start.0)).abs() <= 0.05, "{rect}");
    assert!((attr("x") + attr("width") - x(end)).abs() <= 0.1, "{rect}");
    // The five-round outage is listed with its start, end and length.
    let o = t.outages.last().unwrap();
    assert_eq!(o.duration_s, 5.0);
    assert!(
        page.contains(&format!(
            "<td>{}</td><td>{}</td><td class=\"num\">5.0s</td>",
            style(Lang::En).short(o.start),
            style(Lang::En).short(o.end)
        )) || page.contains("<td class=\"num\">5s</td>")
    );
    assert!(page.contains("id=\"timeline-0\""));
    assert!(page.contains("id=\"latency-0-0\""));
    assert!(page.contains("id=\"offsets-0\""));
}

#[test]
fn words_follow_the_language() {
    let r = report(&header(), &states(), "ntp:127.0.0.12:123");
    let ja = render(&r, "j.jsonl", &style(Lang::Ja), None);
    assert!(ja.contains("<html lang=\"ja\">"));
    for word in ["連続監視レポート", "フラップ期間", "検出事項", "対処", "補"]
    {
        assert!(ja.contains(word), "{word}");
    }
    let en = render(&r, "j.jsonl", &style(Lang::En), None);
    assert!(en.contains("<html lang=\"en\">") && en.contains("Findings"));
    assert!(!en.contains("連続監視レポート"));
}

#[test]
fn the_acceptance_verdict_shows_only_when_one_was_judged() {
    let r = report(&header(), &states(), "ntp:127.0.0.12:123");
    let none = render(&r, "j.jsonl", &style(Lang::En), None);
    assert!(!none.contains("id=\"acceptance\""));
    let a = AcceptanceView {
        status: Status::Fail,
        criteria: vec![CriterionView {
            name: "availability <b>".into(),
            wanted: "≥ 99.9 %".into(),
            measured: "81.667 %".into(),
            status: Status::Fail,
        }],
    };
    let page = render(&r, "j.jsonl", &style(Lang::En), Some(&a));
    let at = page.find("id=\"acceptance\"").expect("the section");
    assert!(at < page.find("id=\"targets\"").unwrap(), "at the top");
    assert!(page.contains("availability &lt;b&gt;"));
}
