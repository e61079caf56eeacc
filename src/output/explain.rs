//! `oqs-net explain`: one finding's catalogue entry (what was seen, what to do, the guide section),
//! and the list of every code with its section. Both read the one catalogue rounds use
//! (`findings::entry`); the placeholders a round fills in are shown as `{name}` and named.
//! Reads `model` and `findings` only.

use super::width::{display_width, pad_right};
use crate::findings::labels::Label;
use crate::findings::{self, Lang};
use crate::model::Code;
use std::fmt::Write;

/// One code's entry in `lang`.
pub fn entry(code: Code, lang: Lang) -> String {
    let e = findings::entry(code);
    let (cause, fix) = match lang {
        Lang::Ja => (e.cause_ja, e.fix_ja),
        Lang::En => (e.cause_en, e.fix_en),
    };
    // Which fallback names a round names depends on its mode; here, both.
    let fallbacks = findings::ntp_fallbacks(None, lang);
    let (cause, fix) = (
        cause.replace("{ntp_fallbacks}", fallbacks),
        fix.replace("{ntp_fallbacks}", fallbacks),
    );
    let mut values = vec![Label::ExplainSubject.text(lang).to_string()];
    // The catalogue's placeholders that this language's texts use.
    let shown = format!("{cause} {fix}");
    values.extend(
        findings::placeholders(code)
            .iter()
            .map(|k| format!("{{{k}}}"))
            .filter(|k| shown.contains(k.as_str())),
    );
    let mut out = String::new();
    let _ = writeln!(out, "{} [{}]", code.as_label(), e.section);
    let rows = [
        (Label::ExplainSeen.text(lang), cause),
        (Label::ExplainFix.text(lang), fix),
        (
            Label::ExplainGuide.text(lang),
            Label::ExplainGuideRef.with(lang, e.section),
        ),
        (
            Label::ExplainValues.text(lang),
            Label::ExplainFilled.with(lang, values.join(Label::ListComma.text(lang))),
        ),
    ];
    let width = rows
        .iter()
        .map(|(l, _)| display_width(l))
        .max()
        .unwrap_or(0);
    for (label, text) in rows {
        let _ = writeln!(out, "  {}  {text}", pad_right(label, width));
    }
    out
}

/// Every code with its guide section and what it says was seen, in catalogue order.
pub fn list(lang: Lang) -> String {
    let width = Code::ALL
        .iter()
        .map(|c| display_width(c.as_label()))
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let (code, section, seen) = (
        Label::ListCode.text(lang),
        Label::ListSection.text(lang),
        Label::ListSeen.text(lang),
    );
    let _ = writeln!(
        out,
        "{}  {}  {seen}",
        pad_right(code, width),
        pad_right(section, 7)
    );
    for &c in Code::ALL {
        let e = findings::entry(c);
        let cause = match lang {
            Lang::Ja => e.cause_ja,
            Lang::En => e.cause_en,
        };
        let _ = writeln!(
            out,
            "{}  {}  {cause}",
            pad_right(c.as_label(), width),
            pad_right(e.section, 7)
        );
    }
    out
}

/// The code whose label is `label` (case and surrounding blanks ignored), or the nearest known
/// labels to suggest (possibly none).
pub fn lookup(label: &str) -> Result<Code, Vec<&'static str>> {
    let want = label.trim().to_ascii_lowercase();
    if let Some(&c) = Code::ALL.iter().find(|c| c.as_label() == want) {
        return Ok(c);
    }
    // A label without its area (`member_no_ntp`) or a fragment of one names those it ends or is in.
    let mut near: Vec<&'static str> = Code::ALL
        .iter()
        .map(|c| c.as_label())
        .filter(|l| want.len() >= 3 && l.contains(want.as_str()))
        .collect();
    if near.is_empty() {
        let scored: Vec<(usize, &'static str)> = Code::ALL
            .iter()
            .map(|c| (distance(&want, c.as_label()), c.as_label()))
            .collect();
        let best = scored.iter().map(|(d, _)| *d).min().unwrap_or(usize::MAX);
        let limit = (want.chars().count() / 3).max(2);
        if best <= limit {
            near = scored
                .into_iter()
                .filter(|(d, _)| *d == best)
                .map(|(_, l)| l)
                .collect();
        }
    }
    near.truncate(5);
    Err(near)
}

/// Levenshtein distance by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_codes_and_suggests_the_nearest() {
        assert_eq!(lookup("dns.member_no_ntp"), Ok(Code::DnsMemberNoNtp));
        assert_eq!(lookup(" DNS.Member_No_Ntp "), Ok(Code::DnsMemberNoNtp));
        // One letter off: the one code at distance 1.
        assert_eq!(lookup("dns.membr_no_ntp"), Err(vec!["dns.member_no_ntp"]));
        // Without its area.
        assert_eq!(lookup("member_no_ntp"), Err(vec!["dns.member_no_ntp"]));
        assert_eq!(
            lookup("ntp.kod"),
            Err(vec![
                "ntp.kod_rate",
                "ntp.kod_deny",
                "ntp.kod_rstr",
                "ntp.kod_other"
            ])
        );
        // Nothing near.
        assert_eq!(lookup("completely-unrelated-words"), Err(vec![]));
    }

    #[test]
    fn levenshtein_by_hand() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("補24", "補42"), 2);
    }

    #[test]
    fn entry_shows_placeholders_as_names_in_both_languages() {
        let en = entry(Code::DnsMemberNoNtp, Lang::En);
        assert!(en.starts_with("dns.member_no_ntp [補24]\n"), "{en}");
        assert!(
            en.contains("round-robin member {member} of {subject} does not answer NTP"),
            "{en}"
        );
        assert!(en.contains("{subject} (the name or address concerned), {member}"));
        let ja = entry(Code::DnsMemberNoNtp, Lang::Ja);
        assert!(
            ja.contains("{subject} のメンバー {member} がNTPに応答しません"),
            "{ja}"
        );
        assert!(!ja.contains('?'), "no unfilled marker: {ja}");
    }

    #[test]
    fn list_has_every_code_once() {
        let l = list(Lang::En);
        assert_eq!(l.lines().count(), Code::ALL.len() + 1);
        for c in Code::ALL {
            let rows = l
                .lines()
                .filter(|r| r.split_whitespace().next() == Some(c.as_label()))
                .count();
            assert_eq!(rows, 1, "{c:?}");
        }
    }
}
