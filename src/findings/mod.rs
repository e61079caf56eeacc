//! The catalogue: for each finding code, the guide section (補N) that fixes it and its cause and fix in
//! Japanese and English. Reads `model` only; probes never write prose, renderers ask here.

use crate::model::{Code, Finding};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// Japanese when the locale says so (`LC_ALL`, `LC_MESSAGES`, `LANG`, or the OS setting).
    pub fn from_locale(locale: Option<&str>) -> Lang {
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("ja") => Lang::Ja,
            _ => Lang::En,
        }
    }
}

/// The texts of one code. `{subject}` and the finding's values are filled in by [`render`].
pub struct Entry {
    pub section: &'static str,
    pub cause_en: &'static str,
    pub fix_en: &'static str,
    pub cause_ja: &'static str,
    pub fix_ja: &'static str,
}

const S17: &str = "補17";
const S22: &str = "補22";
const S24: &str = "補24";
const S35: &str = "補35";

pub fn entry(code: Code) -> Entry {
    use Code::*;
    let e = |section, cause_en, fix_en, cause_ja, fix_ja| Entry {
        section,
        cause_en,
        fix_en,
        cause_ja,
        fix_ja,
    };
    match code {
        DnsNxDomain => e(
            S24,
            "{subject} does not exist ({record}: NXDOMAIN) at the resolver used",
            "Check the DNS servers on the OQS adapter and the spelling of the NTP name (補24 lists ntp.base.oqs-pdl.org and its fallbacks)",
            "{subject} が存在しないと応答されました（{record}: NXDOMAIN）",
            "OQS用アダプタのDNSサーバ設定とNTPサーバ名の綴りを確認してください（補24のntp.base.oqs-pdl.orgと代替名）",
        ),
        DnsServFail => e(
            S35,
            "the resolver failed to answer for {subject} ({record}: SERVFAIL)",
            "The DNS server set on the OQS adapter cannot resolve OQS names: set the line's OQS DNS servers (補35)",
            "{subject} の名前解決でDNSサーバがエラーを返しました（{record}: SERVFAIL）",
            "OQS用アダプタに回線事業者のOQS向けDNSサーバが設定されているか確認してください（補35）",
        ),
        DnsRefused => e(
            S35,
            "the resolver refused the query for {subject} ({record}: REFUSED)",
            "This DNS server does not serve this terminal: set the line's OQS DNS servers on the OQS adapter (補35)",
            "DNSサーバが {subject} の問い合わせを拒否しました（{record}: REFUSED）",
            "このDNSサーバは端末からの問い合わせを受け付けていません。OQS用アダプタのDNSサーバ設定を確認してください（補35）",
        ),
        DnsTimeout => e(
            S35,
            "no DNS answer for {subject} ({record}) within {timeout_ms} ms",
            "The DNS server is unreachable from the OQS adapter: check the adapter's DNS servers and its route (補35)",
            "{subject} の名前解決が {timeout_ms} ms 以内に応答しませんでした（{record}）",
            "OQS用アダプタからDNSサーバに到達できません。DNSサーバ設定と経路を確認してください（補35）",
        ),
        DnsResolverError => e(
            S35,
            "the resolver could not be used for {subject}: {detail}",
            "Check that the OQS adapter has DNS servers configured, or give one with --resolver (補35)",
            "{subject} の名前解決ができませんでした: {detail}",
            "OQS用アダプタにDNSサーバが設定されているか確認してください（--resolver で指定も可能）（補35）",
        ),
        DnsNoAddress => e(
            S24,
            "{subject} answers without any {record} record",
            "The name exists but has no address of this family: report it to the distribution base's help desk (補24)",
            "{subject} は存在しますが {record} レコードがありません",
            "配信拠点のヘルプデスクに連絡してください（補24）",
        ),
        DnsNoAaaa => e(
            S35,
            "{subject} has no AAAA record, so it is unreachable from an IPv6-only OQS adapter",
            "On IP-VPN lines the OQS adapter uses IPv6 only (補35): check the DNS servers set on that adapter (NTT East/West OQS DNS)",
            "{subject} にAAAAレコードがないため、IPv6のみのOQS用アダプタからは到達できません",
            "IP-VPN接続ではOQS用アダプタはIPv6のみを使用します（補35）。アダプタのDNSサーバ設定（NTT東西のOQS向けDNS）を確認してください",
        ),
        DnsNoA => e(
            S24,
            "{subject} has no A record, which an IPsec+IKE (IPv4) line needs",
            "Use ntp1v4/ntp2v4.base.oqs-pdl.org on IPsec+IKE lines (補24) and check the resolver",
            "{subject} にAレコードがありません（IPsec+IKE接続はIPv4を使用します）",
            "IPsec+IKE接続では ntp1v4/ntp2v4.base.oqs-pdl.org を使用してください（補24）",
        ),
        DnsUnstable => e(
            S35,
            "{failed} of {total} queries for {subject} ({record}) failed while the others answered",
            "An unstable resolver or line: check the DNS servers on the OQS adapter and watch it with `oqs-net soak` (補35)",
            "{subject} の問い合わせ {total} 回中 {failed} 回が失敗しました（{record}）",
            "DNSサーバまたは回線が不安定です。OQS用アダプタのDNS設定を確認し、`oqs-net soak` で監視してください（補35）",
        ),
        DnsSingleMember => e(
            S24,
            "{subject} answers with a single {record} address, not a round-robin set",
            "Round robin is expected here (補24); if the resolver trims answers, check it, else report to the help desk",
            "{subject} が {record} アドレスを1件しか応答しません（ラウンドロビンになっていません）",
            "ラウンドロビン応答が前提です（補24）。DNSサーバが応答を絞っていないか確認してください",
        ),
        DnsNoRotation => e(
            S24,
            "the order of {subject}'s {record} answers never changed over {queries} queries",
            "Devices that take the first answer all use {first}: set ntp1/ntp2 (IP-VPN) or ntp1v4/ntp2v4 (IPsec+IKE) on them (補24)",
            "{subject} の {record} 応答順が {queries} 回の問い合わせで一度も変わりませんでした",
            "先頭のアドレスだけを使う機器はすべて {first} に集中します。該当機器には ntp1/ntp2（IP-VPN）または ntp1v4/ntp2v4（IPsec+IKE）を設定してください（補24）",
        ),
        DnsMemberNoNtp => e(
            S24,
            "round-robin member {member} of {subject} does not answer NTP",
            "Devices without round-robin support that land on it lose time sync: set ntp1/ntp2 or ntp1v4/ntp2v4 on them (補24), and report the member",
            "{subject} のメンバー {member} がNTPに応答しません",
            "ラウンドロビン未対応機器がこのアドレスを使うと時刻同期できません。該当機器には代替のNTPサーバ名を設定してください（補24）",
        ),
        DnsFirstPickDead => e(
            S24,
            "a device that always takes the first answer of {subject} would pick a member without NTP {dead} of {picks} times",
            "Set ntp1/ntp2 (IP-VPN) or ntp1v4/ntp2v4 (IPsec+IKE) on devices without round-robin support (補24)",
            "先頭のアドレスだけを使う機器は {picks} 回中 {dead} 回、NTPに応答しないメンバーを選びます（{subject}）",
            "ラウンドロビン未対応機器には ntp1/ntp2（IP-VPN）または ntp1v4/ntp2v4（IPsec+IKE）を設定してください（補24）",
        ),
        DnsFallbackOutsideSet => e(
            S24,
            "fallback {subject} ({record} {addresses}) is not a member of the round-robin set of {round_robin}",
            "The fallback names of 補24 should point at round-robin members: check the fallback's answers and that it serves the same time",
            "代替名 {subject}（{record} {addresses}）が {round_robin} のラウンドロビン集合に含まれていません",
            "補24の代替名はラウンドロビンのメンバーを指すはずです。応答と時刻の一致を確認してください",
        ),
        DnsFallbackUnresolvable => e(
            S24,
            "fallback {subject} does not resolve ({record}: {reason})",
            "Devices configured with this fallback (補24) cannot sync: check the name and the DNS servers",
            "代替名 {subject} が名前解決できません（{record}: {reason}）",
            "この代替名を設定した機器は時刻同期できません。名前とDNSサーバを確認してください（補24）",
        ),
        NtpNoReply => e(
            S24,
            "{subject} did not answer any of {samples} NTP requests",
            "Check that UDP {port} to this server passes the line and any firewall; devices using it cannot sync (補24)",
            "{subject} が {samples} 回のNTP要求に一度も応答しませんでした",
            "回線やファイアウォールでUDP {port}番が通っているか確認してください（補24）",
        ),
        NtpRefused => e(
            S24,
            "{subject} refused NTP (ICMP port unreachable): nothing listens on port {port}",
            "The address is up but runs no NTP server: report it, and use another NTP name on devices (補24)",
            "{subject} のNTPポート {port} が閉じています（ICMP port unreachable）",
            "このアドレスではNTPサーバが動作していません。代替のNTPサーバ名を使用してください（補24）",
        ),
        NtpPartialLoss => e(
            S24,
            "{subject} answered {answered} of {samples} NTP requests",
            "Packet loss on the path: watch it over time with `oqs-net soak`",
            "{subject} はNTP要求 {samples} 回中 {answered} 回だけ応答しました",
            "経路でパケットが失われています。`oqs-net soak` で継続して確認してください",
        ),
        NtpOffsetWarn => e(
            S24,
            "{subject}'s time differs from this machine's by {offset_ms} ms (warn at {threshold_ms} ms)",
            "Set this terminal's time source to the distribution base's NTP (補24) and let it synchronise",
            "{subject} とこの端末の時刻差が {offset_ms} ms です（警告しきい値 {threshold_ms} ms）",
            "端末の時刻同期先を配信拠点のNTPサーバに設定してください（補24）",
        ),
        NtpOffsetFail => e(
            S24,
            "{subject}'s time differs from this machine's by {offset_ms} ms (fail at {threshold_ms} ms)",
            "Set this terminal's time source to the distribution base's NTP and synchronise now (補24); large offsets break certificate checks",
            "{subject} とこの端末の時刻差が {offset_ms} ms あります（失敗しきい値 {threshold_ms} ms）",
            "端末の時刻同期先を配信拠点のNTPサーバに設定し、すぐに同期してください（補24）。大きな時刻差は証明書の検証を失敗させます",
        ),
        NtpUnsynchronised => e(
            S24,
            "{subject} says it is not synchronised itself (leap {leap}, stratum {stratum})",
            "Do not use this server as a time source until it recovers; use another member or fallback (補24)",
            "{subject} 自身が時刻同期できていません（leap {leap}, stratum {stratum}）",
            "回復するまでこのサーバを時刻源にしないでください。他のメンバーまたは代替名を使用してください（補24）",
        ),
        NtpKodRate => e(
            S24,
            "{subject} sent a kiss-o'-death RATE: it is asking clients to poll less often",
            "Too many requests from this site: lengthen the polling interval of devices behind it (補24)",
            "{subject} からKiss-o'-Death（RATE）: 問い合わせ頻度を下げるよう求められています",
            "機器のNTP問い合わせ間隔を長くしてください（補24）",
        ),
        NtpKodDeny => e(
            S24,
            "{subject} sent a kiss-o'-death DENY: access denied",
            "This site is not allowed to use this server: ask the distribution base's help desk, use another NTP name (補24)",
            "{subject} からKiss-o'-Death（DENY）: アクセスが拒否されました",
            "このサーバの利用が許可されていません。ヘルプデスクに確認し、別のNTPサーバ名を使用してください（補24）",
        ),
        NtpKodRstr => e(
            S24,
            "{subject} sent a kiss-o'-death RSTR: access restricted by its policy",
            "This site is restricted on this server: ask the help desk, use another NTP name (補24)",
            "{subject} からKiss-o'-Death（RSTR）: ポリシーによりアクセスが制限されています",
            "ヘルプデスクに確認し、別のNTPサーバ名を使用してください（補24）",
        ),
        NtpKodOther => e(
            S24,
            "{subject} sent a kiss-o'-death {kod}",
            "The server refuses to serve time for now: use another NTP name (補24)",
            "{subject} からKiss-o'-Death（{kod}）を受信しました",
            "別のNTPサーバ名を使用してください（補24）",
        ),
        NtpInvalidReply => e(
            S24,
            "{subject} answered with invalid NTP replies ({reason})",
            "Something on the path answers in the server's place, or the server is broken: report it and use another NTP name (補24)",
            "{subject} のNTP応答が不正です（{reason}）",
            "経路上の機器が代理応答しているか、サーバの異常です。別のNTPサーバ名を使用してください（補24）",
        ),
        NtpLocalError => e(
            S35,
            "NTP to {subject} could not be sent from this machine: {detail}",
            "Check the local network configuration of the OQS adapter (補35)",
            "{subject} へのNTP要求をこの端末から送信できませんでした: {detail}",
            "OQS用アダプタのネットワーク設定を確認してください（補35）",
        ),
        NtpMembersDisagree => e(
            S24,
            "NTP servers disagree by {spread_ms} ms ({low} vs {high})",
            "Devices on different members or fallbacks would keep different times: report the outlier to the help desk (補24)",
            "NTPサーバ間で時刻が {spread_ms} ms 食い違っています（{low} と {high}）",
            "メンバーや代替名によって機器の時刻が揃いません。外れたサーバをヘルプデスクに報告してください（補24）",
        ),
        NtpNoServers => e(
            S24,
            "no NTP server address was found to probe",
            "The NTP names did not resolve: fix name resolution first (補24, 補35)",
            "調べるNTPサーバのアドレスが見つかりませんでした",
            "NTPサーバ名が名前解決できていません。まず名前解決を直してください（補24、補35）",
        ),
        ProbeDeadline => e(
            S35,
            "the check of {subject} did not finish within {deadline_ms} ms",
            "The network path is too slow or silent: check the OQS adapter and the line (補35)",
            "{subject} の確認が {deadline_ms} ms 以内に終わりませんでした",
            "経路が遅いか応答がありません。OQS用アダプタと回線を確認してください（補35）",
        ),
        PacFetchFailed => e(
            S17,
            "the PAC file {subject} could not be fetched: {detail}",
            "Check the PAC URL (Internet Options > LAN settings > automatic configuration script) and that its server answers; if it is found by \"Automatically detect settings\" (WPAD) and the distribution-server connection is unstable, switch that setting off (補17)",
            "PACファイル {subject} を取得できませんでした: {detail}",
            "PACのURL（インターネットオプション > LANの設定 > 自動構成スクリプト）とサーバの応答を確認してください。「設定を自動的に検出する」（WPAD）で見つけていて配信サーバとの接続が不安定な場合は、この設定をオフにしてください（補17）",
        ),
        PacScriptTooLarge => e(
            S17,
            "the PAC file {subject} is {size} bytes, more than any proxy configuration ({limit}-byte limit)",
            "The URL probably serves something other than the PAC file: check what it serves (補17)",
            "PACファイル {subject} が {size} バイトあり、プロキシ設定として大きすぎます（上限 {limit} バイト）",
            "URLがPACファイル以外を返している可能性があります。返される内容を確認してください（補17）",
        ),
        PacSyntaxError => e(
            S17,
            "the PAC file {subject} does not parse (line {line}: {detail})",
            "Windows and browsers cannot use a PAC file that does not parse and fall back to other settings, so connections may go the wrong way: have the PAC fixed; if it arrives by automatic detection, switch \"Automatically detect settings\" off meanwhile (補17)",
            "PACファイル {subject} に構文エラーがあります（{line} 行目: {detail}）",
            "構文エラーのあるPACはWindowsやブラウザで使われず、別の設定に切り替わるため通信経路が変わることがあります。PACの修正を依頼し、自動検出で取得している場合はそれまで「設定を自動的に検出する」をオフにしてください（補17）",
        ),
        PacTimeout => e(
            S17,
            "the PAC file {subject} did not answer within {limit_ms} ms (an endless loop or a runaway regular expression)",
            "Windows gives up on such a script and falls back, which makes connections succeed and fail by turns: have the PAC fixed, and switch \"Automatically detect settings\" off if it arrives by WPAD (補17)",
            "PACファイル {subject} が {limit_ms} ms 以内に応答しませんでした（無限ループまたは暴走する正規表現）",
            "Windowsはこのようなスクリプトを打ち切って別の設定に切り替えるため、接続が成功と失敗を繰り返す原因になります。PACの修正を依頼し、WPADで取得している場合は「設定を自動的に検出する」をオフにしてください（補17）",
        ),
        PacResourceLimit => e(
            S17,
            "the PAC file {subject} exceeded a resource limit: {detail}",
            "No PAC engine runs such a script to the end: have the PAC fixed; if it arrives by automatic detection, switch \"Automatically detect settings\" off (補17)",
            "PACファイル {subject} が資源の上限を超えました: {detail}",
            "このようなスクリプトはどのPAC実行環境でも最後まで実行されません。PACの修正を依頼し、自動検出で取得している場合は「設定を自動的に検出する」をオフにしてください（補17）",
        ),
        PacUndefinedFunction => e(
            S17,
            "the PAC file {subject} calls {name}, which no PAC engine defines",
            "Windows stops at the same call and falls back to other settings: have the PAC fixed (a misspelt helper, or a browser-only function) (補17)",
            "PACファイル {subject} が未定義の関数 {name} を呼び出しています",
            "Windowsでも同じ箇所で停止し、別の設定に切り替わります。PACの修正を依頼してください（補助関数の綴り誤りなど）（補17）",
        ),
        PacSandboxDenied => e(
            S17,
            "the PAC file {subject} tries to use {name}: network, file or module access, which PAC engines do not give",
            "A PAC that needs this is broken or malicious: have the network administrator replace it, and switch \"Automatically detect settings\" off if it arrives by WPAD (補17)",
            "PACファイル {subject} が {name} を使おうとしています（PACでは使えないネットワーク・ファイル・モジュールへのアクセス）",
            "このようなPACは壊れているか悪意のあるものです。ネットワーク管理者に差し替えを依頼し、WPADで取得している場合は「設定を自動的に検出する」をオフにしてください（補17）",
        ),
        PacNoEntryPoint => e(
            S17,
            "the PAC file {subject} defines no FindProxyForURL function{detail}",
            "The URL may serve an error or login page instead of the PAC file: check the PAC URL and what it serves (補17)",
            "PACファイル {subject} に FindProxyForURL 関数が定義されていません{detail}",
            "URLがPACファイルではなくエラーページやログインページを返している可能性があります。PACのURLと返される内容を確認してください（補17）",
        ),
        PacNonStringResult => e(
            S17,
            "FindProxyForURL of {subject} returned {kind}, not a string",
            "Windows treats this as a failed script and falls back: have the PAC fixed to return text such as \"DIRECT\" or \"PROXY host:port\" (補17)",
            "{subject} の FindProxyForURL が文字列ではなく {kind} を返しました",
            "Windowsはスクリプトの失敗とみなして別の設定に切り替えます。\"DIRECT\" や \"PROXY ホスト:ポート\" を返すようPACの修正を依頼してください（補17）",
        ),
        PacScriptError => e(
            S17,
            "the PAC file {subject} threw an error while {phase}: {detail}",
            "Windows stops at the same error and falls back to other settings: have the PAC fixed (補17)",
            "PACファイル {subject} の実行中にエラーが発生しました（{phase}）: {detail}",
            "Windowsでも同じエラーで停止し、別の設定に切り替わります。PACの修正を依頼してください（補17）",
        ),
        PacInvalidRoute => e(
            S22,
            "the PAC file {subject} answers {route}, which is not a usable route ({fault})",
            "Browsers skip such an entry and try the next, or go DIRECT: for a distribution-base-origin line the entry should be DIRECT or PROXY proxy.base.oqs-pdl.org:8080 (補22)",
            "PACファイル {subject} の応答 {route} は使用できない経路です（{fault}）",
            "ブラウザはこの項目を飛ばして次を試すか直接接続します。配信拠点起点の回線では DIRECT または PROXY proxy.base.oqs-pdl.org:8080 を指定してください（補22）",
        ),
    }
}

/// A finding rendered in one language.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Rendered {
    pub cause: String,
    pub fix: String,
    pub section: &'static str,
}

pub fn render(f: &Finding, lang: Lang) -> Rendered {
    let e = entry(f.code);
    let (cause, fix) = match lang {
        Lang::Ja => (e.cause_ja, e.fix_ja),
        Lang::En => (e.cause_en, e.fix_en),
    };
    Rendered {
        cause: fill(cause, f),
        fix: fill(fix, f),
        section: e.section,
    }
}

fn fill(template: &str, f: &Finding) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match (key, f.value(key)) {
                    ("subject", _) => out.push_str(&f.subject),
                    (_, Some(v)) => out.push_str(v),
                    (_, None) => out.push('?'),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders a code's texts use, so tests can check every finding supplies them.
pub fn placeholders(code: Code) -> Vec<String> {
    let e = entry(code);
    let mut keys = Vec::new();
    for t in [e.cause_en, e.fix_en, e.cause_ja, e.fix_ja] {
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let key = rest[open + 1..open + close].to_string();
            if key != "subject" && !keys.contains(&key) {
                keys.push(key);
            }
            rest = &rest[open + close + 1..];
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn every_code_has_a_section_and_both_languages() {
        for &code in Code::ALL {
            let e = entry(code);
            assert!(e.section.starts_with('補'), "{code:?}");
            for t in [e.cause_en, e.fix_en, e.cause_ja, e.fix_ja] {
                assert!(!t.is_empty(), "{code:?}");
                assert_eq!(
                    t.matches('{').count(),
                    t.matches('}').count(),
                    "{code:?}: {t}"
                );
            }
        }
    }

    #[test]
    fn fills_values_and_marks_missing_ones() {
        let f = Finding::new(Code::NtpOffsetWarn, Status::Warn, "ntp1").with("offset_ms", "150.0");
        let r = render(&f, Lang::En);
        assert!(
            r.cause
                .contains("ntp1's time differs from this machine's by 150.0 ms")
        );
        assert!(r.cause.contains("warn at ? ms"));
        assert_eq!(r.section, "補24");
        assert!(render(&f, Lang::Ja).cause.contains("150.0 ms"));
    }

    #[test]
    fn locale_detection() {
        assert_eq!(Lang::from_locale(Some("ja_JP.UTF-8")), Lang::Ja);
        assert_eq!(Lang::from_locale(Some("ja-JP")), Lang::Ja);
        assert_eq!(Lang::from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }
}
