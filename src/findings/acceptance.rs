//! The words of an acceptance run keyed by the model: each criterion's name, its area, its verdict
//! and a unit, in Japanese and English (the table's headings are in the word table, `labels`).
//! Reads `model` only; renderers ask here.

use super::Lang;
use crate::model::{Area, CriterionId, Unit, Verdict};

/// A criterion's name as the table and the JUnit testcase show it.
pub fn criterion(id: CriterionId, lang: Lang) -> &'static str {
    let (en, ja) = match id {
        CriterionId::Environment => (
            "the environment answering is the profile's",
            "応答する環境がプロファイルどおり",
        ),
        CriterionId::LineAuth => (
            "the NGN line is authenticated",
            "NGN回線の回線認証が済んでいる",
        ),
        CriterionId::NgnDns => (
            "the OQS adapter uses the NGN's DNS servers, and they answer",
            "OQS用アダプタのDNSサーバがNGNのもので、応答する",
        ),
        CriterionId::Ipv4Fallback => ("no IPv4 fallback", "IPv4へのフォールバックなし"),
        CriterionId::ProxyWays => (
            "every host goes the expected way (proxy or direct)",
            "各ホストへの経路（プロキシ/直接）が想定どおり",
        ),
        CriterionId::CertDays => (
            "client certificate valid for long enough",
            "クライアント証明書の残り有効期間",
        ),
        CriterionId::CertIssuer => (
            "client certificate issued by a listed issuer",
            "クライアント証明書の発行者",
        ),
        CriterionId::TlsHandshake => (
            "TLS handshake p95 per endpoint",
            "TLSハンドシェイク時間（95パーセンタイル）",
        ),
        CriterionId::NtpMembers => (
            "every round-robin member answers NTP",
            "ラウンドロビンの全メンバーがNTPに応答",
        ),
        CriterionId::NtpOffset => (
            "NTP offset on every server, servers agreeing",
            "全NTPサーバの時刻差とサーバ間の一致",
        ),
        CriterionId::Flapping => ("flapping periods", "フラップ期間"),
        CriterionId::Availability => ("availability per check", "チェックごとの可用性"),
        CriterionId::LastRound => (
            "no check failing in the last round",
            "最後のラウンドで失敗したチェックなし",
        ),
    };
    pick(lang, en, ja)
}

pub fn area(a: Area, lang: Lang) -> &'static str {
    let (en, ja) = match a {
        Area::Line => ("line", "回線"),
        Area::Tls => ("TLS", "TLS"),
        Area::Ntp => ("NTP", "NTP"),
        Area::Soak => ("soak", "ソーク"),
    };
    pick(lang, en, ja)
}

pub fn verdict(v: Verdict, lang: Lang) -> &'static str {
    let (en, ja) = match v {
        Verdict::Pass => ("PASS", "合格"),
        Verdict::Fail => ("FAIL", "不合格"),
        Verdict::NotMeasured => ("NOT MEASURED", "未測定"),
        Verdict::Blocked => ("NOT JUDGED", "判定せず"),
    };
    pick(lang, en, ja)
}

/// The unit after a number (with its space), or nothing for a count.
pub fn unit(u: Unit, lang: Lang) -> &'static str {
    match (u, lang) {
        (Unit::Pct, _) => " %",
        (Unit::Ms, _) => " ms",
        (Unit::Days, Lang::En) => " days",
        (Unit::Days, Lang::Ja) => " 日",
        (Unit::Count, _) => "",
    }
}

fn pick(lang: Lang, en: &'static str, ja: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}
