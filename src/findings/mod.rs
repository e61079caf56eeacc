//! The catalogue: for each finding code, the guide section (補N) that fixes it and its cause and fix in
//! Japanese and English. Reads `model` only; probes never write prose, renderers ask here.

pub mod acceptance;
pub mod causes;
pub mod labels;
/// The soak report's words in both languages, shared by its terminal and HTML pages.
use crate::model::{Code, Finding, NameSource, NotFound, RouteReason, Skipped};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
const S16: &str = "補16";
const S18: &str = "補18";
const S23: &str = "補23";

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
            "The DNS server is unreachable from the OQS adapter, or its access list drops this terminal's queries (a server may drop instead of refusing): check the adapter's DNS servers and its route (補35)",
            "{subject} の名前解決が {timeout_ms} ms 以内に応答しませんでした（{record}）",
            "OQS用アダプタからDNSサーバに到達できないか、DNSサーバのアクセス制御がこの端末の問い合わせを破棄しています。DNSサーバ設定と経路を確認してください（補35）",
        ),
        DnsTcpBlocked => e(
            S35,
            "the answer for {subject} ({record}) is too large for UDP: {server} answered at once with the truncated (TC) flag, and the retry over TCP port 53 was {tcp}",
            "DNS over TCP is blocked, not the DNS server's route: open TCP port 53 from the OQS adapter to {server} on every firewall and router filter on the way (DNS needs TCP as well as UDP, RFC 7766), or ask the line's operator to (補35)",
            "{subject} の応答（{record}）がUDPに収まりません。{server} はすぐに切り詰め（TC）フラグ付きで応答しましたが、TCPポート53での再問い合わせは{tcp_ja}",
            "DNSサーバへの経路ではなく、TCPでのDNSが遮断されています。OQS用アダプタから {server} へのTCPポート53を、経路上のファイアウォールやルータのフィルタで許可してください（DNSはUDPに加えてTCPも必要です、RFC 7766）。回線事業者の機器であれば事業者に依頼してください（補35）",
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
            "Devices that take the first answer all use {first}: set {ntp_fallbacks} on them (補24)",
            "{subject} の {record} 応答順が {queries} 回の問い合わせで一度も変わりませんでした",
            "先頭のアドレスだけを使う機器はすべて {first} に集中します。該当機器には {ntp_fallbacks} を設定してください（補24）",
        ),
        DnsMemberNoNtp => e(
            S24,
            "round-robin member {member} of {subject} does not answer NTP",
            "Devices without round-robin support that land on it lose time sync: set {ntp_fallbacks} on them (補24), and report the member",
            "{subject} のメンバー {member} がNTPに応答しません",
            "ラウンドロビン未対応機器がこのアドレスを使うと時刻同期できません。該当機器には代替のNTPサーバ名 {ntp_fallbacks} を設定してください（補24）",
        ),
        DnsFirstPickDead => e(
            S24,
            "a device that always takes the first answer of {subject} would pick a member without NTP {dead} of {picks} times",
            "Set {ntp_fallbacks} on devices without round-robin support (補24)",
            "先頭のアドレスだけを使う機器は {picks} 回中 {dead} 回、NTPに応答しないメンバーを選びます（{subject}）",
            "ラウンドロビン未対応機器には {ntp_fallbacks} を設定してください（補24）",
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
        NtpFamilyBlocked => e(
            S35,
            "no {subject} NTP server answers ({blocked}: every request unanswered) while {answered} {other} NTP servers do: something on the path drops NTP (UDP {port}) over {subject}",
            "Let UDP {port} through over {subject} on every firewall and router filter between the OQS adapter and the NTP servers (an IP-VPN terminal uses IPv6 only, 補35); setting {ntp_fallbacks} on devices does not help, their {subject} addresses are dropped the same way (補24)",
            "{subject} のNTPサーバがどれも応答しません（{blocked}: すべての要求に無応答）。一方 {other} のNTPサーバ {answered} 台は応答します。経路上で {subject} のNTP（UDP {port}）が破棄されています",
            "OQS用アダプタからNTPサーバまでの経路上のファイアウォールやルータのフィルタで、{subject} のUDP {port}番を許可してください（IP-VPN接続の端末はIPv6のみを使用します、補35）。機器に {ntp_fallbacks} を設定しても、その {subject} アドレスも同じく破棄されるため解決しません（補24）",
        ),
        NtpNoReply => e(
            S24,
            "{subject} did not answer any of {samples} NTP requests",
            "Check that UDP {port} to this server passes the line and any firewall, and that the server serves this terminal (an NTP server's access list drops requests, it does not refuse them); devices using it cannot sync (補24)",
            "{subject} が {samples} 回のNTP要求に一度も応答しませんでした",
            "回線やファイアウォールでUDP {port}番が通っているか、サーバがこの端末からの要求を受け付けているか（NTPサーバのアクセス制御は拒否せず破棄します）確認してください（補24）",
        ),
        NtpRefused => e(
            S24,
            "{subject} refused NTP (ICMP port unreachable): nothing listens on port {port}",
            "The address is up but runs no NTP server: report it, and use another NTP name on devices (補24)",
            "{subject} のNTPポート {port} が閉じています（ICMPのポート到達不能）",
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
        NtpServerOff => e(
            S24,
            "{subject}'s clock is {offset_ms} ms off (threshold {threshold_ms} ms), while {agreeing} other server(s) agree with this machine: the server is off, not this terminal",
            "Leave this terminal's time source as it is; report {subject} to the help desk (補24): a device that synchronises to it takes its error",
            "{subject} の時刻が {offset_ms} ms ずれています（しきい値 {threshold_ms} ms）。他の {agreeing} 台のサーバはこの端末と一致しているため、ずれているのは端末ではなくこのサーバです",
            "端末の時刻同期先は変更不要です。{subject} をヘルプデスクに報告してください（補24）。このサーバに同期する機器は時刻がずれます",
        ),
        NtpUnsynchronised => e(
            S24,
            "{subject} says it is not synchronised itself (leap {leap}, stratum {stratum})",
            "Do not use this server as a time source until it recovers; use another member or fallback (補24)",
            "{subject} 自身が時刻同期できていません（うるう秒指示 {leap}、階層 {stratum}）",
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
        AdapterNotFound => e(
            S35,
            "the OQS adapter could not be determined ({subject}): {reason}",
            "Name the OQS adapter with --interface NAME or the profile's [adapter] name (adapters here: {adapters}); it is the adapter whose IPv4 is unbound in 補35",
            "OQS用アダプタを特定できませんでした（{subject}）: {reason_ja}",
            "--interface NAME またはプロファイルの [adapter] name でOQS用アダプタを指定してください（この端末のアダプタ: {adapters}）。補35でIPv4のチェックを外したアダプタです",
        ),
        AdapterDown => e(
            S35,
            "the OQS adapter {subject} is down (not connected or disabled)",
            "Enable it in ncpa.cpl and check the cable to the line's router (補35)",
            "OQS用アダプタ {subject} が無効、または未接続です",
            "ncpa.cpl でアダプタを有効にし、回線の終端装置までのケーブルを確認してください（補35）",
        ),
        AdapterNoGlobalIpv6 => e(
            S35,
            "the OQS adapter {subject} has no usable global IPv6 address ({found}); an IP-VPN line needs one",
            "The line hands it out by router advertisement and DHCPv6: in ncpa.cpl, the adapter's インターネット プロトコル バージョン 6 (TCP/IPv6) must obtain its address automatically; check the cable to the line's router, and after an NTT prefix change authenticate the line again at www.lineauth.mnw (補35)",
            "OQS用アダプタ {subject} に利用可能なグローバルIPv6アドレスがありません（{found}）。IP-VPN接続では必要です",
            "IPv6アドレスは回線からルーター広告とDHCPv6で配布されます。ncpa.cpl でアダプタの「インターネット プロトコル バージョン 6 (TCP/IPv6)」を自動取得にし、終端装置までのケーブルを確認してください。NTTのプレフィックス変更後は www.lineauth.mnw で回線認証をやり直してください（補35）",
        ),
        AdapterIpv4Bound => e(
            S35,
            "IPv4 is still bound to the OQS adapter {subject} ({addresses}); on IP-VPN lines it must be IPv6-only",
            "補35: Windows key + R, run ncpa.cpl, right-click the OQS adapter, Properties, uncheck インターネット プロトコル バージョン 4 (TCP/IPv4), OK",
            "OQS用アダプタ {subject} にIPv4がまだ有効です（{addresses}）。IP-VPN接続ではIPv6のみにします",
            "補35の手順: Windowsキー＋R で ncpa.cpl を実行し、OQS用アダプタを右クリック→プロパティで「インターネット プロトコル バージョン 4 (TCP/IPv4)」のチェックを外して OK をクリックしてください",
        ),
        AdapterNoIpv6DefaultRoute => e(
            S35,
            "the OQS adapter {subject} has no IPv6 default route",
            "Router discovery gives it: keep the adapter's IPv6 on automatic settings (DHCPv6 and router discovery, as installers' kits set it) and check the line's router (補35)",
            "OQS用アダプタ {subject} にIPv6のデフォルトルートがありません",
            "デフォルトルートはルーター広告で設定されます。アダプタのIPv6設定を自動（DHCPv6とルーター検出）のままにし、回線の終端装置を確認してください（補35）",
        ),
        AdapterOtherIpv6DefaultRoute => e(
            S35,
            "adapter {other} also has an IPv6 default route (via {gateway}): OQS traffic may leave by it instead of {subject}",
            "Installers' kits leave the receipt-computer adapter IPv4-only and give the OQS adapter interface metric 1 (補35): remove IPv6 from {other}, or give it a higher interface metric",
            "アダプタ {other} にもIPv6のデフォルトルートがあります（{gateway} 経由）。OQS向けの通信が {subject} ではなくそちらから出る可能性があります",
            "キッティングではレセコン用アダプタはIPv4のみ、OQS用アダプタはインターフェイスメトリック1にします（補35）。{other} のIPv6を外すか、メトリックを大きくしてください",
        ),
        AdapterNoIpv4 => e(
            S35,
            "the OQS adapter {subject} has no usable IPv4 address ({found}); an IPsec+IKE line needs one",
            "Check the adapter's インターネット プロトコル バージョン 4 (TCP/IPv4) settings and the cable to the IPsec router; 169.254.x.x means DHCP got no answer (補35 is for IP-VPN lines only: do not unbind IPv4 here)",
            "OQS用アダプタ {subject} に利用可能なIPv4アドレスがありません（{found}）。IPsec+IKE接続では必要です",
            "アダプタの「インターネット プロトコル バージョン 4 (TCP/IPv4)」の設定とルーターまでのケーブルを確認してください。169.254.x.x はDHCPの応答がないことを示します（補35のIPv4無効化はIP-VPN接続のみ）",
        ),
        AdapterNoDns => e(
            S35,
            "no DNS server is set on the OQS adapter {subject}",
            "Set the line's OQS DNS servers on it: NTT East 2404:1a8:f583:d00::53:1 and ::53:2, NTT West 2001:a7ff:f014:d00::53:1 and ::53:2 (補35)",
            "OQS用アダプタ {subject} にDNSサーバが設定されていません",
            "回線のOQS向けDNSサーバを設定してください。NTT東日本 2404:1a8:f583:d00::53:1 と ::53:2、NTT西日本 2001:a7ff:f014:d00::53:1 と ::53:2（補35）",
        ),
        RouteWrongAdapter => e(
            S35,
            "traffic to {addresses} leaves by adapter {adapter} (source {source}), not by the OQS adapter {oqs_adapter}",
            "Applications that do not bind to an adapter take that path: give the OQS adapter interface metric 1 and the other adapter a higher one (10 in installers' kits), and remove default routes of this family from the other adapter (補35)",
            "{addresses} 宛ての通信がOQS用アダプタ {oqs_adapter} ではなくアダプタ {adapter}（送信元 {source}）から出ていきます",
            "アダプタを指定しないアプリケーションはこの経路を使います。OQS用アダプタのインターフェイスメトリックを1、他のアダプタを大きく（キッティングでは10）し、他のアダプタからこのアドレスファミリのデフォルトルートを外してください（補35）",
        ),
        RouteNone => e(
            S35,
            "this machine has no route to {addresses} ({detail})",
            "The OQS adapter lacks the route (the default route from router discovery) to these targets: check its IPv6 settings and the line (補35)",
            "この端末には {addresses} への経路がありません（{detail}）",
            "OQS用アダプタにこれらの宛先への経路（ルーター広告によるデフォルトルート）がありません。アダプタのIPv6設定と回線を確認してください（補35）",
        ),
        Ipv4Fallback => e(
            S35,
            "the round used IPv4 for {what} ({addresses}), though the OQS adapter is IPv6-only",
            "On IP-VPN lines everything to OQS goes over IPv6 (補35): set IPv6 DNS servers (the line's OQS DNS) on the OQS adapter, use the IPv6 names (ntp1/ntp2, not ntp1v4/ntp2v4), and make sure no IPv4 DNS server or proxy of another adapter answers for OQS names",
            "OQS用アダプタはIPv6のみなのに、{what} でIPv4が使われました（{addresses}）",
            "IP-VPN接続ではOQS向けの通信はすべてIPv6です（補35）。OQS用アダプタに回線のOQS向けIPv6 DNSサーバを設定し、NTPはIPv6用の名前（ntp1/ntp2、ntp1v4/ntp2v4ではなく）を使い、他のアダプタのIPv4 DNSやプロキシがOQSの名前に応答していないか確認してください",
        ),
        Nat64Detected => e(
            S35,
            "the resolver synthesises AAAA records (DNS64 with NAT64 prefix {prefix}): ipv4only.arpa answered {addresses}",
            "Hosts without IPv6 of their own then look reachable over IPv6 through a NAT64 gateway; on an IP-VPN line the OQS adapter should use the line's OQS DNS servers, which do not synthesise (補35)",
            "DNSサーバがAAAAレコードを合成しています（DNS64、NAT64プレフィックス {prefix}）。ipv4only.arpa の応答: {addresses}",
            "IPv6を持たないホストもNAT64経由でIPv6で届くように見えます。IP-VPN接続ではOQS用アダプタに回線のOQS向けDNSサーバ（合成しない）を設定してください（補35）",
        ),
        ReachNoAaaa => e(
            S35,
            "{subject} has no AAAA record ({a}), so it is unreachable from an IPv6-only OQS adapter",
            "Check the DNS servers on the OQS adapter (the line's OQS DNS answers AAAA for OQS hosts); if they are right, report the host to the help desk (補35)",
            "{subject} にAAAAレコードがないため（{a}）、IPv6のみのOQS用アダプタからは到達できません",
            "OQS用アダプタのDNSサーバ設定を確認してください（回線のOQS向けDNSはOQSのホストにAAAAを返します）。設定が正しければヘルプデスクに報告してください（補35）",
        ),
        ReachUnresolved => e(
            S35,
            "{subject} does not resolve ({reason})",
            "Check the DNS servers on the OQS adapter and the host name in the profile (補35)",
            "{subject} が名前解決できません（{reason}）",
            "OQS用アダプタのDNSサーバ設定とプロファイルのホスト名を確認してください（補35）",
        ),
        ReachRefused => e(
            S35,
            "{subject}: TCP connection refused by {addresses} ({failed} of {total} addresses)",
            "The address answers but nothing accepts TCP {port} there, or a firewall rejects it: report it to the line operator or the help desk (補35)",
            "{subject}: {addresses} がTCP接続を拒否しました（{total} 件中 {failed} 件）",
            "アドレスは応答しますがTCP {port} 番を受け付けていないか、ファイアウォールが拒否しています。回線事業者またはヘルプデスクに連絡してください（補35）",
        ),
        ReachTimeout => e(
            S35,
            "{subject}: no answer to a TCP connection from {addresses} within {timeout_ms} ms ({failed} of {total} addresses)",
            "Packets are lost on the way through the OQS adapter: check the line and any firewall; if other targets answer, report this host (補35)",
            "{subject}: {addresses} から {timeout_ms} ms 以内にTCP接続の応答がありません（{total} 件中 {failed} 件）",
            "OQS用アダプタから先の経路でパケットが失われています。回線とファイアウォールを確認してください。他の宛先が応答する場合はこのホストを報告してください（補35）",
        ),
        ReachUnreachable => e(
            S35,
            "{subject}: {addresses} unreachable from the OQS adapter ({detail})",
            "The OQS adapter has no route to it: check its default route (router discovery) and that the address belongs to the OQS network (補35)",
            "{subject}: OQS用アダプタから {addresses} に到達できません（{detail}）",
            "OQS用アダプタにこの宛先への経路がありません。デフォルトルート（ルーター広告）と宛先アドレスを確認してください（補35）",
        ),
        ReachLocalError => e(
            S35,
            "{subject}: the connection could not be made from this machine ({detail})",
            "Check the local network configuration of the OQS adapter (補35)",
            "{subject}: この端末から接続を開始できませんでした（{detail}）",
            "OQS用アダプタのネットワーク設定を確認してください（補35）",
        ),
        ReachViaNat64 => e(
            S35,
            "{subject}'s AAAA records ({addresses}) are synthesised by DNS64 (prefix {prefix}): the host itself has IPv4 only",
            "It would be reached through a NAT64 gateway, not natively over the IP-VPN line: set the line's OQS DNS servers on the OQS adapter (補35)",
            "{subject} のAAAAレコード（{addresses}）はDNS64による合成です（プレフィックス {prefix}）。ホスト自体はIPv4のみです",
            "IP-VPN回線経由ではなくNAT64経由の到達になります。OQS用アダプタに回線のOQS向けDNSサーバを設定してください（補35）",
        ),
        ProbeDeadline => e(
            S35,
            "the check of {subject} did not finish within {deadline_ms} ms",
            "The network path is too slow or silent: check the OQS adapter and the line (補35)",
            "{subject} の確認が {deadline_ms} ms 以内に終わりませんでした",
            "経路が遅いか応答がありません。OQS用アダプタと回線を確認してください（補35）",
        ),
        // Soaks (issue 6).
        SoakFlapping => e(
            S17,
            "{subject} succeeded and failed by turns: flapping from {start} to {end} (peak score {peak_pct} %, {changes} state changes in the soak)",
            "When the connection to the distribution server keeps succeeding and failing, turning off Windows' \"Automatically detect settings\" (Settings → Network & Internet → Proxy) can stabilise it (補17); if it is already off, take this report to the line's operator",
            "{subject} への接続が成功と失敗を繰り返しています（{start} から {end}、フラップスコア最大 {peak_pct} %、状態変化 {changes} 回）",
            "配信サーバへの接続が安定しない場合、Windowsの設定（ネットワークとインターネット → プロキシ）で「設定を自動的に検出する」をオフにすると安定する場合があります（補17）。既にオフの場合はこのレポートを回線事業者に提示してください",
        ),
        SoakNtpFlapping => e(
            S24,
            "NTP server {subject} answered and went silent by turns: flapping from {start} to {end} (peak score {peak_pct} %, {changes} state changes in the soak)",
            "Devices that use this address lose time sync now and then: set {ntp_fallbacks} on devices without round-robin support (補24), and send this report to the distribution base's help desk",
            "NTPサーバ {subject} が応答と無応答を繰り返しています（{start} から {end}、フラップスコア最大 {peak_pct} %、状態変化 {changes} 回）",
            "このアドレスを使う機器は断続的に時刻同期できません。ラウンドロビン未対応機器には {ntp_fallbacks} を設定し（補24）、このレポートを添えてヘルプデスクに連絡してください",
        ),
        SoakDnsFlapping => e(
            S35,
            "name resolution of {subject} succeeded and failed by turns: flapping from {start} to {end} (peak score {peak_pct} %, {changes} state changes in the soak)",
            "An unstable DNS server or line: check the DNS servers set on the OQS adapter (補35) and take this report to the line's operator",
            "{subject} の名前解決が成功と失敗を繰り返しています（{start} から {end}、フラップスコア最大 {peak_pct} %、状態変化 {changes} 回）",
            "DNSサーバまたは回線が不安定です。OQS用アダプタのDNSサーバ設定を確認し（補35）、このレポートを回線事業者に提示してください",
        ),
        SoakClockDrift => e(
            S24,
            "this machine's clock drifts {ppm} ppm against the NTP servers (about {per_day_s} s a day, fitted over {span})",
            "Its time synchronisation is not keeping it right: set the distribution base's NTP as its time source (補24) and check that the Windows Time service runs",
            "この端末の時計がNTPサーバに対して {ppm} ppm ずれ続けています（1日あたり約 {per_day_s} 秒、{span} の測定から推定）",
            "時刻同期が機能していません。配信拠点のNTPサーバを時刻同期先に設定し（補24）、Windows Time サービスが動作しているか確認してください",
        ),
        // Slowness (issue 16): measurements that succeeded, slowly.
        DnsSlow => e(
            S35,
            "{subject} ({record}) answers slowly: median {median_ms} ms, slowest {max_ms} ms ({slow} of {answered} answers at or above {threshold_ms} ms)",
            "The DNS server set on the OQS adapter is slow or far away: applications wait this long before every connection, and Windows moves to the next DNS server after 1 s. Check that the adapter uses the line's OQS DNS servers, not a forwarder elsewhere, and report a slow server to the line's operator (補35)",
            "{subject} の名前解決が遅いです（{record}: 中央値 {median_ms} ms、最大 {max_ms} ms、{answered} 回中 {slow} 回が {threshold_ms} ms 以上）",
            "OQS用アダプタのDNSサーバが遅いか遠くにあります。アプリケーションは接続のたびにこの時間待たされ、Windowsは1秒で次のDNSサーバに切り替えます。回線事業者のOQS向けDNSサーバを直接使っているか（別の転送サーバを経由していないか）確認し、遅い場合は回線事業者に連絡してください（補35）",
        ),
        NtpSlowDelay => e(
            S24,
            "NTP server {subject} answers with a round-trip delay of {delay_ms} ms (at or above {threshold_ms} ms): its time is only known to ±{error_ms} ms",
            "A slow or congested path to the distribution base's NTP: check the line's load and the path through the OQS adapter; devices keep time less accurately over it (補24)",
            "NTPサーバ {subject} の往復遅延が {delay_ms} ms です（しきい値 {threshold_ms} ms）。時刻は ±{error_ms} ms の精度でしか分かりません",
            "配信拠点のNTPまでの経路が遅いか混雑しています。回線の負荷とOQS用アダプタからの経路を確認してください。この経路では機器の時刻精度が落ちます（補24）",
        ),
        TcpSlow => e(
            S35,
            "{subject}: the TCP connection to {addr} took {connect_ms} ms (at or above {threshold_ms} ms)",
            "One round trip takes this long: the line is congested or the path detours (a lost SYN retried shows as a second or more). Check the line's load and the route through the OQS adapter, and report it to the line's operator if it stays (補35)",
            "{subject}: {addr} へのTCP接続に {connect_ms} ms かかりました（しきい値 {threshold_ms} ms）",
            "1往復にこれだけかかっています。回線の混雑か経路の迂回です（SYNの再送なら1秒以上になります）。回線の負荷とOQS用アダプタからの経路を確認し、続く場合は回線事業者に連絡してください（補35）",
        ),
        TlsSlow => e(
            S23,
            "{subject}: the TLS handshake with {addr} took {handshake_ms} ms (at or above {threshold_ms} ms)",
            "TCP is quick enough but the handshake is slow: a loaded server, or a middlebox inspecting TLS on the way. If a proxy or security appliance is on this path, exempt the OQS hosts from inspection; else report the host with this figure (補23)",
            "{subject}: {addr} とのTLSハンドシェイクに {handshake_ms} ms かかりました（しきい値 {threshold_ms} ms）",
            "TCPは速いもののハンドシェイクが遅いです。サーバの高負荷か、経路上でTLSを検査する機器が考えられます。プロキシやセキュリティ機器が経路にある場合はOQSのホストを検査対象から外し、そうでなければこの値を添えて報告してください（補23）",
        ),
        SoakSlow => e(
            S35,
            "{subject}: {phase} were slow over the soak: p50 {p50_ms} ms, p95 {p95_ms} ms against {threshold_ms} ms ({slow} of {samples} at or above it)",
            "One in twenty or more was slow: users feel it as pauses. Compare the times with the line's load (backups, updates) and take this report to the line's operator (補35)",
            "{subject}: 測定期間中の{phase_ja}が遅いです（p50 {p50_ms} ms、p95 {p95_ms} ms、しきい値 {threshold_ms} ms、{samples} 回中 {slow} 回が超過）",
            "20回に1回以上が遅く、利用者には待ち時間として表れます。時間帯を回線の負荷（バックアップや更新）と照らし合わせ、このレポートを回線事業者に提示してください（補35）",
        ),
        // Changes over a soak (issue 16): steps, not only flaps.
        SoakNtpStep => e(
            S24,
            "NTP server {subject}'s clock stepped by {step_ms} ms at {at} (offset {from_ms} → {to_ms} ms; {steps} step(s) in the soak)",
            "The server's clock jumped while the others held: devices that follow it jump too. Send this report to the distribution base's help desk, and set devices that cannot use round robin to a fallback that did not step ({ntp_fallbacks}; 補24)",
            "NTPサーバ {subject} の時刻が {at} に {step_ms} ms 跳びました（オフセット {from_ms} → {to_ms} ms、測定期間中 {steps} 回）",
            "このサーバの時計だけが跳んでおり、これに同期する機器の時刻も跳びます。このレポートを添えて配信拠点のヘルプデスクに連絡し、ラウンドロビン未対応の機器には跳んでいない代替サーバ（{ntp_fallbacks}）を設定してください（補24）",
        ),
        SoakClockStep => e(
            S24,
            "this machine's clock stepped by {step_ms} ms at {at}: every NTP server's offset jumped at once ({steps} step(s) in the soak)",
            "Something set this machine's clock: a time service with another source, or a person. Set the distribution base's NTP as its only time source (補24) and keep other time tools off",
            "この端末の時計が {at} に {step_ms} ms 跳びました。すべてのNTPサーバのオフセットが同時に変わっています（測定期間中 {steps} 回）",
            "この端末の時刻が設定されました（別の同期先を持つ時刻サービスか手動操作）。配信拠点のNTPサーバだけを時刻同期先とし（補24）、他の時刻合わせツールは止めてください",
        ),
        SoakSetChanged => e(
            S24,
            "the round-robin answer set of {subject} ({record}) changed {changes} time(s): {history}",
            "Members came and went during the soak: devices that took a leaving address keep it until the TTL ends. Ask the distribution base's help desk whether it was planned, and check that {ntp_fallbacks} still point into the set (補24)",
            "{subject} のラウンドロビンの応答（{record}）が {changes} 回変わりました: {history}",
            "測定中にメンバーが増減しました。外れたアドレスを取得した機器はTTLが切れるまでそれを使い続けます。予定された変更か配信拠点のヘルプデスクに確認し、{ntp_fallbacks} が集合内を指しているか確認してください（補24）",
        ),
        SoakCertChanged => e(
            S23,
            "{subject} presented another server certificate at {at}: {from} → {to} ({changes} change(s))",
            "A renewal shows once. Going back and forth means the servers behind this name present different certificates: report it with this report (補23); nothing to change on the terminal",
            "{subject} が {at} に別のサーバ証明書を提示しました: {from} → {to}（{changes} 回）",
            "証明書の更新なら1回だけです。行き来している場合はこの名前の背後のサーバが異なる証明書を使っています。このレポートを添えて報告してください（補23）。端末側の対処は不要です",
        ),
        SoakClientCertChanged => e(
            S18,
            "the client certificate presented changed at {at}: {from} → {to} ({changes} change(s))",
            "The PFX file, its password or the certificate chosen from it changed during the soak, and the rounds after it presented the new certificate. Expected after a renewal; if nobody replaced it, find what rewrote the PFX and import the certificate meant for this terminal (補18)",
            "提示したクライアント証明書が {at} に変わりました: {from} → {to}（{changes} 回）",
            "測定中にPFXファイル、そのパスワード、または選ばれる証明書が変わり、以後のラウンドは新しい証明書を提示しました。更新による交換なら問題ありません。誰も交換していない場合は、PFXを書き換えたものを特定し、この端末用の証明書をインポートしてください（補18）",
        ),
        SoakWayChanged => e(
            S17,
            "the way to {subject} changed at {at}: {from} → {to} ({changes} change(s))",
            "The proxy settings decided differently during the soak: WPAD auto-detect or a PAC file that is not always reachable (turn auto-detect off, 補17), or settings changed by hand; set them as installers do (補22)",
            "{subject} への接続経路が {at} に変わりました: {from} → {to}（{changes} 回）",
            "測定中にプロキシ設定の判断が変わりました。WPADの自動検出か、常には取得できないPACファイルが原因です（「設定を自動的に検出する」をオフ、補17）。手動で変更された場合は導入時の設定に戻してください（補22）",
        ),
        // The line's own checks (issue 11).
        LineAuthRequired => e(
            S35,
            "{subject} says this NGN line is not authenticated (“{excerpt}”): after NTT changes the line's IPv6 prefix, the line must be authenticated again",
            "Open {url} in a browser on this terminal (through the OQS adapter) and authenticate the line with the ID and password the line's operator gave; the page says 認証済みです once done. Then run this check again (補35)",
            "{subject} によると、このNGN回線は認証されていません（「{excerpt}」）。NTTによるIPv6プレフィックスの変更後は、回線の再認証が必要です",
            "この端末のブラウザで（OQS用アダプタ経由で）{url} を開き、回線事業者から通知されたIDとパスワードで回線認証を行ってください。完了すると「認証済みです」と表示されます。その後このチェックを再実行してください（補35）",
        ),
        LineAuthUnreachable => e(
            S35,
            "the line-authentication page {url} cannot be reached through the OQS adapter: {stage} failed ({detail})",
            "dns: set the NGN's DNS servers on the OQS adapter (補35); connect: check the adapter's IPv6 address and route to the NGN (補35); tls: the page's certificate is not trusted here: add its root to ca_bundle, or set `[line] auth_verify = false` if the page is known to show such a certificate (docs/line.md); timeout: the NGN does not answer, ask the line's operator",
            "回線認証ページ {url} にOQS用アダプタ経由で到達できません（{stage} で失敗: {detail}）",
            "dns: OQS用アダプタにNGNのDNSサーバを設定してください（補35）。connect: アダプタのIPv6アドレスとNGNへの経路を確認してください（補35）。tls: ページの証明書をこの端末は信頼していません。ルート証明書を ca_bundle に加えるか、そういう証明書のページと分かっていればプロファイルの [line] で auth_verify を無効にしてください（docs/line.md）。timeout: NGNが応答しません。回線事業者に連絡してください",
        ),
        LineAuthUnexpected => e(
            S35,
            "{subject} answered with a page that is not the line-authentication page (HTTP {status}, “{excerpt}”): the line's state cannot be told",
            "Something else answers for this name (a home gateway, a captive portal, a wrong DNS answer): check the DNS servers on the OQS adapter (補35) and open {url} in a browser to see the page",
            "{subject} が回線認証ページではないページを返しました（HTTP {status}、「{excerpt}」）。回線の認証状態を判定できません",
            "別の機器（ホームゲートウェイ、認証ポータル、誤ったDNS応答先）が応答しています。OQS用アダプタのDNSサーバ設定を確認し（補35）、ブラウザで {url} を開いて確認してください",
        ),
        LineDnsNotNgn => e(
            S35,
            "the OQS adapter uses DNS servers {servers}, not the NGN's ({ngn})",
            "Set the NGN's OQS DNS servers on the OQS adapter (インターネット プロトコル バージョン 6 (TCP/IPv6) のプロパティ): NTT East 2404:1a8:f583:d00::53:1 and ::53:2, NTT West 2001:a7ff:f014:d00::53:1 and ::53:2, or those the profile's `[line] ngn_dns` lists (補35)",
            "OQS用アダプタのDNSサーバが {servers} で、NGNのDNSサーバ（{ngn}）ではありません",
            "OQS用アダプタ（インターネット プロトコル バージョン 6 (TCP/IPv6) のプロパティ）にNGNのOQS向けDNSサーバを設定してください。NTT東日本 2404:1a8:f583:d00::53:1 と ::53:2、NTT西日本 2001:a7ff:f014:d00::53:1 と ::53:2、またはプロファイルの `[line] ngn_dns`（補35）",
        ),
        LineNgnDnsNoAnswer => e(
            S35,
            "the NGN's DNS server {subject} gave no address for {names} ({detail})",
            "Check that the NGN's DNS servers are reachable from the OQS adapter (its IPv6 address and route, 補35); if the server answers other names, the names are missing on the line: ask the line's operator",
            "NGNのDNSサーバ {subject} が {names} のアドレスを返しません（{detail}）",
            "OQS用アダプタからNGNのDNSサーバに到達できるか（IPv6アドレスと経路、補35）確認してください。他の名前には応答する場合は回線側の問題です。回線事業者に連絡してください",
        ),
        EnvOtherEnvironment => e(
            S16,
            "the profile is {expected}, but the OQS names answer as the {actual} environment ({resolving} resolve, {missing} do not)",
            "This terminal's line or DNS leads to the other environment: check with the official environment switch tool (資格確認端末環境切替え手順書) which environment the applications use and switch them, or use the profile of the environment meant (補16, 補18)",
            "プロファイルは{expected_ja}ですが、OQSの名前は{actual_ja}として応答しています（解決できる: {resolving}、できない: {missing}）",
            "この端末の回線またはDNSは別の環境につながっています。資格確認端末環境切替え手順書の環境切替えツールで、アプリケーションの接続先環境を確認して切り替えるか、意図した環境のプロファイルを使ってください（補16、補18）",
        ),
        // Acceptance (issue 11).
        AcceptAvailability => e(
            S23,
            "{subject} was available {measured} % of the acceptance soak, below the {limit} % agreed",
            "Look at the soak report for when it was down (outages, their start and length) and take it to the line's operator; repeat the acceptance once the line is stable (補23)",
            "{subject} の受け入れ試験中の可用性は {measured} % で、基準の {limit} % を下回りました",
            "ソークレポートで停止した時間帯（停止の開始と長さ）を確認し、回線事業者に提示してください。回線が安定してから受け入れ試験をやり直してください（補23）",
        ),
        AcceptHandshakeSlow => e(
            S23,
            "TLS handshakes with {subject} took {measured} ms at the 95th percentile, over the {limit} ms agreed",
            "A slow line or a congested path to the OQS servers: check the line's bandwidth and latency with its operator, and that no proxy or security software inspects the OQS traffic (補23)",
            "{subject} とのTLSハンドシェイクの95パーセンタイルは {measured} ms で、基準の {limit} ms を超えました",
            "回線の遅延または経路の混雑が考えられます。回線事業者と帯域・遅延を確認し、OQS向けの通信をプロキシやセキュリティソフトが検査していないか確認してください（補23）",
        ),
        AcceptLastRound => e(
            S23,
            "{measured} check(s) still failed in the acceptance soak's last round, the first {subject}",
            "The line is not in a state to hand over: run `oqs-net probe` for the failing checks' own findings and fix those first (補23)",
            "受け入れ試験の最後のラウンドで {measured} 件のチェックが失敗しています（最初は {subject}）",
            "引き渡せる状態ではありません。`oqs-net probe` で失敗しているチェックの指摘を確認し、先に対処してください（補23）",
        ),
        AcceptNotMeasured => e(
            S23,
            "the acceptance criterion {subject} could not be judged: the journal holds no measurement for it",
            "The check never ran (a section missing from the profile, no client certificate given, or a soak stopped before its first round): give the profile what the check needs and run the acceptance again; a criterion never passes unmeasured (補23)",
            "受け入れ基準 {subject} を判定できません。ジャーナルにこの基準の測定結果がありません",
            "チェックが実行されていません（プロファイルに項目がない、クライアント証明書が指定されていない、最初のラウンドの前にソークが止まった等）。必要な設定を行って受け入れ試験をやり直してください。測定されない基準は合格になりません（補23）",
        ),
        // Proxies (issue 4).
        ProxyRouteWrong => e(
            S22,
            "{subject} goes {way} ({reason}) but should go {expected}",
            "On a distribution-base-origin line the OQS hosts and the bypass list go DIRECT and internet-bound traffic through proxy.base.oqs-pdl.org:8080: fix the proxy settings (Internet Options and netsh winhttp) (補22)",
            "{subject} は {way} で接続します（{reason_ja}）が、{expected} であるべきです",
            "配信拠点起点の回線では、OQSのホストと除外リストは直接接続、インターネット向けは proxy.base.oqs-pdl.org:8080 経由です。プロキシ設定（インターネットオプションと netsh winhttp）を直してください（補22）",
        ),
        ProxyBypassMissing => e(
            S22,
            "the bypass list of {source} lacks {entries}",
            "Add them to the proxy's exceptions (Internet Options → LAN settings → Advanced, and netsh winhttp) as installers set them (補22)",
            "{source} のプロキシ除外リストに {entries} がありません",
            "インターネットオプションのプロキシ例外と netsh winhttp に追加してください（補22）",
        ),
        ProxyBypassExtra => e(
            S22,
            "the bypass list of {source} has entries not expected: {entries}",
            "Traffic to those goes DIRECT past the proxy: remove them unless the site needs them (補22)",
            "{source} のプロキシ除外リストに想定外の項目があります: {entries}",
            "これらはプロキシを通らずに直接接続します。不要なら削除してください（補22）",
        ),
        ProxyAuthRequired => e(
            S22,
            "the proxy {proxy} asks for credentials (407, {scheme}) to reach {subject}",
            "The distribution base's proxy takes no credentials from terminals: this is another proxy, check which proxy is set (補22)",
            "プロキシ {proxy} が {subject} への接続に認証を求めています（407, {scheme}）",
            "端末から認証なしで使うプロキシではありません。設定されているプロキシを確認してください（補22）",
        ),
        ProxyForbidden => e(
            S22,
            "the proxy {proxy} refuses {subject} by its policy (403)",
            "Ask whoever runs that proxy (distribution base, operator or institution: 補22) to allow it",
            "プロキシ {proxy} がポリシーにより {subject} への接続を拒否しました（403）",
            "プロキシの管理者（配信拠点・回線事業者・医療機関のいずれか、補22）に許可を依頼してください",
        ),
        ProxyUpstreamFailed => e(
            S22,
            "the proxy {proxy} could not reach {subject} ({status})",
            "The proxy is up but its own way out fails: report it to whoever runs it (補22)",
            "プロキシ {proxy} から {subject} に到達できませんでした（{status}）",
            "プロキシの先の経路の問題です。プロキシの管理者に連絡してください（補22）",
        ),
        ProxyUnavailable => e(
            S22,
            "the proxy {proxy} is not serving (503) for {subject}",
            "The proxy itself is down or overloaded: report it, and retry later (補22)",
            "プロキシ {proxy} がサービス停止中です（503、{subject}）",
            "プロキシの停止または過負荷です。管理者に連絡してください（補22）",
        ),
        ProxyUnreachable => e(
            S22,
            "the proxy {proxy} cannot be reached for {subject} ({reason})",
            "Check the proxy's name and port in the settings and that the line routes to it (補22)",
            "{subject} のためのプロキシ {proxy} に接続できません（{reason}）",
            "設定のプロキシ名とポート、そこまでの経路を確認してください（補22）",
        ),
        ProxySilent => e(
            S22,
            "the proxy {proxy} accepted the connection but never answered the CONNECT for {subject}",
            "Something on the path swallows the request, or the port is not a proxy: check the proxy setting (補22)",
            "プロキシ {proxy} が {subject} へのCONNECTに応答しません",
            "経路上の機器が要求を止めているか、プロキシではないポートです。設定を確認してください（補22）",
        ),
        ProxyNotHttp => e(
            S22,
            "the proxy {proxy} answered something that is not HTTP ({first_bytes}) for {subject}",
            "The port set as the proxy is another service: correct the proxy setting (補22)",
            "プロキシ {proxy} の応答がHTTPではありません（{first_bytes}、{subject}）",
            "プロキシとして設定されたポートは別のサービスです。設定を直してください（補22）",
        ),
        ProxyOtherStatus => e(
            S22,
            "the proxy {proxy} answered {status} to the CONNECT for {subject}",
            "Check the proxy setting and ask whoever runs the proxy (補22)",
            "プロキシ {proxy} がCONNECTに {status} を返しました（{subject}）",
            "プロキシ設定を確認し、管理者に問い合わせてください（補22）",
        ),
        ProxyTunnelTlsFailed => e(
            S22,
            "the tunnel through {proxy} opened, but TLS to {subject} failed ({reason})",
            "The proxy may be inspecting TLS or the destination refuses it: OQS traffic should not go through a proxy (補22)",
            "{proxy} 経由のトンネルは開きましたが、{subject} とのTLSが失敗しました（{reason}）",
            "プロキシがTLSを検査しているか、接続先が拒否しています。OQS宛ての通信はプロキシを通さないでください（補22）",
        ),
        ProxyPacUnusable => e(
            S17,
            "the PAC file ({via}) could not be used: {reason}",
            "Windows then falls back to other settings, so the way the distribution server is reached changes: fix the PAC, or switch off 'Automatically detect settings' (補17)",
            "PACファイル（{via}）を使用できませんでした: {reason}",
            "Windowsは別の設定に切り替えるため、配信サーバへの経路が変わります。PACを直すか「設定を自動的に検出する」をオフにしてください（補17）",
        ),
        ProxyAutoDetectOn => e(
            S17,
            "'Automatically detect settings' (WPAD) is on while {detail}",
            "Switch off 'Automatically detect settings' in Internet Options → Connections → LAN settings: it makes the distribution server's connection succeed and fail by turns (補17)",
            "「設定を自動的に検出する」（WPAD）がオンのまま、{detail_ja}",
            "インターネットオプション → 接続 → LANの設定 で「設定を自動的に検出する」をオフにしてください。配信サーバへの接続が不安定になる原因です（補17）",
        ),
        ProxyAutoDetectWaysDiffer => e(
            S17,
            "'Automatically detect settings' (WPAD) is on and its PAC file sends {targets} another way than the explicit settings, which Windows takes whenever WPAD is not found: {ways}",
            "The way to these changes each time WPAD discovery succeeds or fails, so the connection succeeds and fails by turns: switch off 'Automatically detect settings' (Internet Options → Connections → LAN settings) (補17)",
            "「設定を自動的に検出する」（WPAD）がオンで、そのPACファイルは {targets} を明示的なプロキシ設定（WPADが見つからないときにWindowsが使う設定）と異なる経路に送ります: {ways}",
            "WPADの検出が成功するか失敗するかで経路が変わり、接続が成功と失敗を繰り返します。インターネットオプション → 接続 → LANの設定 で「設定を自動的に検出する」をオフにしてください（補17）",
        ),
        ProxyWinHttpDiffers => e(
            S22,
            "WinHTTP's proxy (netsh winhttp: {winhttp}, {winhttp_bypass} bypass entries) differs from Internet Options ({wininet}, {wininet_bypass} bypass entries); entries WinHTTP lacks (−) or adds (+): {differing}",
            "Windows Update and other services use WinHTTP: set the same proxy and bypass list there (netsh winhttp import proxy source=ie, or netsh winhttp set proxy) as installers do (補22)",
            "WinHTTPのプロキシ（netsh winhttp: {winhttp}、除外 {winhttp_bypass} 件）がインターネットオプションの設定（{wininet}、除外 {wininet_bypass} 件）と異なります。WinHTTPにない除外（−）・WinHTTPだけの除外（+）: {differing}",
            "Windows Update などのサービスはWinHTTPの設定を使います。netsh winhttp import proxy source=ie などで同じプロキシと除外リストを設定してください（補22）",
        ),
        // TLS and client certificates (issue 3), then PAC (issue 4).
        TlsUnresolved => e(
            S35,
            "{subject}: {host} does not resolve ({detail})",
            "Check the DNS servers on the OQS adapter (補35); the distribution server's name comes from the site's profile",
            "{subject}: {host} が名前解決できません（{detail}）",
            "OQS用アダプタのDNSサーバ設定を確認してください（補35）",
        ),
        TlsRefused => e(
            S23,
            "{subject}: {addr} refused the TCP connection (nothing listens on port {port})",
            "The host is reachable but the service is not there: check the host name and port, and that the line routes to the OQS network (補23)",
            "{subject}: {addr} がTCP接続を拒否しました（ポート {port} で待ち受けていません）",
            "ホスト名とポート、回線がOQSネットワークへ経路を持つかを確認してください（補23）",
        ),
        TlsReset => e(
            S23,
            "{subject}: the connection to {addr} was reset during the {stage}",
            "Something on the path (a firewall, a proxy, or the server) cut the connection: check the proxy bypass list and firewall rules for this host (補23)",
            "{subject}: {addr} との接続が{stage}中にリセットされました",
            "経路上の機器（ファイアウォール、プロキシ、サーバ）が接続を切断しています。プロキシ除外設定とファイアウォールを確認してください（補23）",
        ),
        TlsConnectTimeout => e(
            S35,
            "{subject}: no answer to the TCP connection to {addr} within {timeout_ms} ms",
            "The host is unreachable from this adapter: check the OQS adapter's address, route and the line (補35)",
            "{subject}: {addr} へのTCP接続が {timeout_ms} ms 以内に応答しませんでした",
            "このアダプタからホストに到達できません。OQS用アダプタのアドレス・経路・回線を確認してください（補35）",
        ),
        TlsConnectError => e(
            S35,
            "{subject}: cannot connect to {addr}: {detail}",
            "Check the OQS adapter's address and route (補35)",
            "{subject}: {addr} に接続できません: {detail}",
            "OQS用アダプタのアドレスと経路を確認してください（補35）",
        ),
        TlsHandshakeTimeout => e(
            S23,
            "{subject}: TCP to {addr} connects, but the TLS handshake stalled (no progress within {timeout_ms} ms){retry_note}",
            "No proxy is on this connection: a firewall or a TLS-inspecting device between the OQS adapter and {addr} holds the handshake; check its rules for this host and port, and ask the line's operator (補23)",
            "{subject}: {addr} へのTCP接続はできますが、TLSハンドシェイクが {timeout_ms} ms 以内に進みませんでした{retry_note_ja}",
            "この接続にプロキシは介在していません。OQS用アダプタと {addr} の間のファイアウォールやTLSを検査する機器がハンドシェイクを止めています。このホストとポートの規則を確認し、回線事業者に問い合わせてください（補23）",
        ),
        TlsMtuBlackHole => e(
            S35,
            "{subject}: the TLS handshake with {addr} stalled at the server's first flight, its certificates (of which {received} bytes arrived, then nothing for {timeout_ms} ms), and completed in {retry_ms} ms when only {mss}-byte TCP segments were allowed: packets larger than the path's MTU are dropped and the ICMP \"packet too big\" that would shrink them never arrives (a path-MTU black hole)",
            "Fix it on the line, not on the terminal or a proxy: clamp the TCP MSS on the router or tunnel end (IPsec, PPPoE or an IPv6 tunnel; e.g. 1220 for IPv6, 1360 for IPv4 over IPsec), check the tunnel's MTU, and let ICMP \"fragmentation needed\" and ICMPv6 \"packet too big\" through every firewall on the way; ask the line's operator if the router is theirs (補35)",
            "{subject}: {addr} とのTLSハンドシェイクが、サーバ証明書を含む最初の応答で止まりました（{received} バイト受信後、{timeout_ms} ms 応答なし）。TCPセグメントを {mss} バイトに制限すると {retry_ms} ms で完了しました。経路のMTUを超えるパケットが破棄され、それを知らせるICMP（Packet Too Big / Fragmentation Needed）が届いていません（PMTUDブラックホール）",
            "端末やプロキシではなく回線側で対処してください。ルータやトンネル終端（IPsec、PPPoE、IPv6トンネル）でTCP MSSクランプを設定し（例: IPv6で1220、IPsec上のIPv4で1360）、トンネルのMTUを確認し、経路上のファイアウォールでICMP Fragmentation Needed と ICMPv6 Packet Too Big を遮断しないでください。ルータが回線事業者の管理であれば事業者に依頼してください（補35）",
        ),
        TlsServerUnknownCa => e(
            S23,
            "{subject}: the server's certificate ({server_subject}, issued by {server_issuer}) does not chain to a trusted root ({ca})",
            "Something between you and the host answers with its own certificate (a TLS-inspecting proxy), or the CA bundle is wrong: put this host on the proxy bypass list, check the CA bundle (補23)",
            "{subject}: サーバ証明書（{server_subject}、発行者 {server_issuer}）が信頼されたルート（{ca}）に繋がりません",
            "途中の機器（TLSを検査するプロキシ等）が自分の証明書で応答しているか、CAバンドルが誤っています。このホストをプロキシ除外に含め、CAバンドルを確認してください（補23）",
        ),
        TlsServerCertExpired => e(
            S23,
            "{subject}: the server's certificate expired on {not_after}",
            "If this machine's clock is right (see the NTP section, 補24), the server presents an expired certificate: report it to the help desk (補23)",
            "{subject}: サーバ証明書の有効期限が切れています（{not_after}）",
            "端末の時刻が正しければ（NTP欄、補24）、サーバの証明書切れです。ヘルプデスクに連絡してください（補23）",
        ),
        TlsServerCertExpiring => e(
            S23,
            "{subject}: the server's certificate expires in {days_left} days ({not_after})",
            "Nothing to do on the terminal; report it if it is not renewed in time (補23)",
            "{subject}: サーバ証明書の有効期限まであと {days_left} 日です（{not_after}）",
            "端末側の対処は不要です。更新されない場合はヘルプデスクに連絡してください（補23）",
        ),
        TlsServerNameMismatch => e(
            S23,
            "{subject}: the server's certificate is for {server_names}, not {host}",
            "The name leads to another server (a wrong DNS answer, hosts file, or an intercepting proxy): check name resolution and the proxy bypass list (補23)",
            "{subject}: サーバ証明書は {server_names} 用で、{host} 用ではありません",
            "名前が別のサーバを指しています（DNS応答、hostsファイル、途中のプロキシ）。名前解決とプロキシ除外設定を確認してください（補23）",
        ),
        TlsServerCertInvalid => e(
            S23,
            "{subject}: the server's certificate is not acceptable: {detail}",
            "Report it with this detail to the help desk; check for a TLS-inspecting proxy on the path (補23)",
            "{subject}: サーバ証明書が受け入れられません: {detail}",
            "この内容をヘルプデスクに伝えてください。途中にTLSを検査するプロキシがないか確認してください（補23）",
        ),
        TlsWrongEnvironment => e(
            S16,
            "{subject}: the profile is {expected} but {host} answers as the {actual} environment (certificate for {server_names})",
            "The terminal points at the wrong environment: switch it with the official environment switch tool (本番環境/接続検証環境, 補16, 補18)",
            "{subject}: プロファイルは{expected_ja}ですが、{host} は{actual_ja}として応答しています（証明書 {server_names}）",
            "端末の接続先環境が誤っています。環境切替ツールで本番環境/接続検証環境を正しく設定してください（補16、補18）",
        ),
        TlsClientCertRequired => e(
            S23,
            "{subject}: the server demands a client certificate and none was available",
            "Give the PFX with --pfx (password by --pfx-password-env/--pfx-password-file); on the terminal, log in as the setup administrator (OqsComApp) and check that the certificate is imported (電子証明書がインストールされていません, 補23)",
            "{subject}: サーバがクライアント証明書を要求しましたが、提示できる証明書がありません",
            "--pfx でPFXを指定してください。端末ではセットアップで作成した管理者ユーザー（OqsComApp）でログインし、電子証明書がインストールされているか確認してください（補23）",
        ),
        TlsClientCertNotRequested => e(
            S23,
            "{subject}: the server did not ask for a client certificate, though this host should",
            "Something else answers for this host (an intercepting proxy, or a wrong DNS answer): check the proxy bypass list and name resolution (補23)",
            "{subject}: このホストはクライアント証明書を要求するはずですが、要求がありませんでした",
            "別の機器（TLSを中継するプロキシや誤ったDNS応答先）が応答しています。プロキシ除外設定と名前解決を確認してください（補23）",
        ),
        TlsRejectedBadCertificate => e(
            S23,
            "{subject}: the server rejected our certificate ({cert}) with alert bad_certificate",
            "The certificate is damaged or not a client certificate of the Online Billing NW CA: re-import the PFX issued for this institution (補23)",
            "{subject}: サーバがクライアント証明書（{cert}）を bad_certificate で拒否しました",
            "証明書が壊れているか、オンライン請求ネットワーク関連システム共通認証局の証明書ではありません。発行されたPFXを再インポートしてください（補23）",
        ),
        TlsRejectedUnknownCa => e(
            S23,
            "{subject}: the server rejected our certificate ({cert}) with alert unknown_ca: it does not know its issuer ({cert_issuer})",
            "Use the certificate issued by the Online Billing NW Common Root CA; another CA's certificate is selected (補18, 補23)",
            "{subject}: サーバがクライアント証明書（{cert}）を unknown_ca で拒否しました（発行者 {cert_issuer} を信頼していません）",
            "オンライン請求ネットワーク関連システム共通認証局の証明書を使用してください。別の認証局の証明書が選ばれています（補18、補23）",
        ),
        TlsRejectedCertificateExpired => e(
            S23,
            "{subject}: the server rejected our certificate ({cert}) with alert certificate_expired",
            "電子証明書が失効しています: renew the certificate per the Online Billing NW user manual and import it (補16, 補18, 補23)",
            "{subject}: サーバがクライアント証明書（{cert}）を certificate_expired で拒否しました",
            "電子証明書が失効しています。共通ユーザーマニュアルに従って更新し、インポートしてください（補16、補18、補23）",
        ),
        TlsRejectedCertificateRevoked => e(
            S23,
            "{subject}: the server rejected our certificate ({cert}) with alert certificate_revoked",
            "The certificate was revoked: obtain a new one per the Online Billing NW user manual (補23)",
            "{subject}: サーバがクライアント証明書（{cert}）を certificate_revoked で拒否しました（失効済み）",
            "証明書が失効（取消）されています。共通ユーザーマニュアルに従って再取得してください（補23）",
        ),
        TlsRejectedCertificateRequired => e(
            S23,
            "{subject}: the server closed with alert certificate_required: it got no certificate from us",
            "電子証明書がインストールされていません: give the PFX (--pfx), or on the terminal log in as OqsComApp and import the certificate (補23)",
            "{subject}: サーバが certificate_required で切断しました（証明書が届いていません）",
            "電子証明書がインストールされていません。--pfx でPFXを指定するか、端末ではOqsComAppでログインして証明書をインポートしてください（補23）",
        ),
        TlsRejectedAccessDenied => e(
            S23,
            "{subject}: the server refused our certificate ({cert}) with alert access_denied",
            "The certificate is valid but not allowed here (another institution's, or the other environment's): check the institution code (補18) and the environment (補16)",
            "{subject}: サーバがクライアント証明書（{cert}）を access_denied で拒否しました",
            "証明書は有効ですがこの接続先では許可されていません。医療機関コード（補18）と接続環境（補16）を確認してください",
        ),
        TlsRejectedOther => e(
            S23,
            "{subject}: the server ended the handshake with alert {alert}",
            "Report the alert to the help desk with this report (補23)",
            "{subject}: サーバがアラート {alert} でハンドシェイクを終了しました",
            "このレポートとアラート名をヘルプデスクに伝えてください（補23）",
        ),
        TlsRejectedHttp => e(
            S23,
            "{subject}: the handshake completed but the server refused the request for our certificate: HTTP {status} {reason}",
            "The server checks the certificate after the handshake (as nginx does) and does not accept ours: check its issuer, expiry and institution code (補18, 補23)",
            "{subject}: ハンドシェイク後にサーバがクライアント証明書を理由に要求を拒否しました: HTTP {status} {reason}",
            "サーバはハンドシェイク後に証明書を検査し、受け入れていません。発行者・有効期限・医療機関コードを確認してください（補18、補23）",
        ),
        TlsNotTls => e(
            S23,
            "{subject}: {addr} does not answer in TLS ({detail})",
            "Something else listens there (plain HTTP, a proxy port, another service): check the port and the proxy bypass list for this host (補23)",
            "{subject}: {addr} がTLSで応答しません（{detail}）",
            "別のサービス（平文HTTP、プロキシのポート等）が応答しています。ポートとこのホストのプロキシ除外設定を確認してください（補23）",
        ),
        TlsProtocolMismatch => e(
            S23,
            "{subject}: no TLS version or cipher suite in common with the server ({detail})",
            "A middlebox or an old server offers only what this client refuses (or the reverse): check the path for TLS-intercepting devices (補23)",
            "{subject}: サーバと共通のTLSバージョンまたは暗号スイートがありません（{detail}）",
            "経路上の機器やサーバが対応していないTLS設定です。TLSを中継する機器がないか確認してください（補23）",
        ),
        TlsClosedAfterHandshake => e(
            S23,
            "{subject}: the server closed the connection during the {stage} without an alert",
            "Servers do this when they refuse the client certificate silently: check the certificate (issuer, expiry, institution code, 補18)",
            "{subject}: サーバが{stage}中にアラートなしで接続を閉じました",
            "クライアント証明書を黙って拒否した可能性があります。証明書の発行者・有効期限・医療機関コードを確認してください（補18）",
        ),
        TlsRequestTimeout => e(
            S23,
            "{subject}: no HTTPS response to {request} within {timeout_ms} ms",
            "The connection works but the application does not answer: try again later, and report it if it persists (補23)",
            "{subject}: {request} へのHTTPS応答が {timeout_ms} ms 以内にありませんでした",
            "接続はできていますがアプリケーションが応答しません。時間をおいて再確認し、続く場合は報告してください（補23）",
        ),
        TlsHttpError => e(
            S23,
            "{subject}: the HTTPS request failed: {detail}",
            "Report it with this report (補23)",
            "{subject}: HTTPS要求が失敗しました: {detail}",
            "このレポートを添えて報告してください（補23）",
        ),
        TlsOther => e(
            S23,
            "{subject}: TLS failed: {detail}",
            "Report it with this report (補23)",
            "{subject}: TLSが失敗しました: {detail}",
            "このレポートを添えて報告してください（補23）",
        ),
        TlsCaBundle => e(
            S23,
            "the CA bundle for servers' certificates could not be loaded: {detail}",
            "Give a readable PEM file of root certificates (profile `ca_bundle` or --ca-bundle), or leave it unset for the system's store",
            "サーバ証明書検証用のCAバンドルを読み込めません: {detail}",
            "読み取れるPEM形式のルート証明書を指定するか（ca_bundle / --ca-bundle）、指定せずにシステムの証明書ストアを使用してください",
        ),
        CertNotInstalled => e(
            S23,
            "no client certificate is available (電子証明書がインストールされていません)",
            "Give the PFX with --pfx; on the terminal, log in as the setup administrator (OqsComApp), not another Windows user, and import the Online Billing NW certificate (補23)",
            "クライアント証明書がありません（電子証明書がインストールされていません）",
            "--pfx でPFXを指定してください。端末ではセットアップで作成した管理者ユーザー（OqsComApp）でログインし、オンライン請求ネットワークの電子証明書をインポートしてください（補23）",
        ),
        CertExpired => e(
            S23,
            "the client certificate {subject} expired on {not_after} (電子証明書が失効しています)",
            "Renew it per the Online Billing NW user manual and import the new one; an expired certificate stops the linkage and face-authentication apps (補16, 補18, 補23)",
            "クライアント証明書 {subject} は {not_after} に有効期限が切れています（電子証明書が失効しています）",
            "共通ユーザーマニュアルに従って更新し、新しい証明書をインポートしてください。期限切れは連携アプリ・顔認証アプリを停止させます（補16、補18、補23）",
        ),
        CertExpiring => e(
            S18,
            "the client certificate {subject} expires in {days_left} days ({not_after}; warn within {warn_days})",
            "Renew it before then per the Online Billing NW user manual (補18)",
            "クライアント証明書 {subject} の有効期限まであと {days_left} 日です（{not_after}、警告 {warn_days} 日前）",
            "期限前に共通ユーザーマニュアルに従って更新してください（補18）",
        ),
        CertForeignIssuer => e(
            S18,
            "the client certificate {subject} was issued by {issuer}, not by {expected}",
            "Select the certificate issued by the Online Billing NW CA; the OQS hosts will not accept this one (補18, 補23)",
            "クライアント証明書 {subject} の発行者は {issuer} で、{expected} ではありません",
            "オンライン請求ネットワーク関連システム共通認証局が発行した証明書を使用してください（補18、補23）",
        ),
        CertCodeUnmatched => e(
            S18,
            "no client certificate carries institution code {code}; the one with the latest expiry ({subject}) is used",
            "Check OQS_MEDICAL_INSTITUTION_CODE (10 digits, 補8) and that this institution's certificate is imported (補18)",
            "医療機関コード {code} を含むクライアント証明書がありません。有効期限が最も遅い証明書（{subject}）を使用します",
            "OQS_MEDICAL_INSTITUTION_CODE（10桁、補8）と、この医療機関の証明書がインポートされているかを確認してください（補18）",
        ),
        PfxWrongPassword => e(
            S23,
            "{subject}: wrong password (the file's integrity check failed)",
            "Give the password the PFX was exported with (--pfx-password-env VAR, --pfx-password-file FILE, or at the prompt)",
            "{subject}: パスワードが違います（ファイルの整合性検査に失敗）",
            "PFXをエクスポートした時のパスワードを指定してください（--pfx-password-env / --pfx-password-file / 入力）",
        ),
        PfxNoPassword => e(
            S23,
            "{subject}: no password was given, and the file needs one",
            "Name the password the PFX was exported with: --pfx-password-env VAR or --pfx-password-file FILE, or pfx_password_env / pfx_password_file in the profile (on a terminal it is asked for)",
            "{subject}: パスワードが指定されていませんが、このファイルには必要です",
            "PFXをエクスポートした時のパスワードを --pfx-password-env VAR / --pfx-password-file FILE、またはプロファイルの pfx_password_env / pfx_password_file で指定してください（端末からの実行では入力を求めます）",
        ),
        PfxCorrupt => e(
            S23,
            "{subject}: not a readable PFX file ({detail})",
            "The file is damaged, truncated or not PKCS#12: export the certificate again with its private key (.pfx)",
            "{subject}: 読み取れるPFXファイルではありません（{detail}）",
            "ファイルが壊れているか途中までしかないか、PKCS#12形式ではありません。秘密キーを含めて再エクスポートしてください",
        ),
        PfxNoPrivateKey => e(
            S23,
            "{subject}: the file holds certificates but no private key",
            "Export again choosing \"Yes, export the private key\" (.pfx); a certificate without its key cannot be presented (補23)",
            "{subject}: 証明書はありますが秘密キーが含まれていません",
            "「はい、秘密キーをエクスポートします」を選んで再エクスポートしてください（補23）",
        ),
        PfxUnreadable => e(
            S23,
            "{subject}: cannot read the file: {detail}",
            "Check the path and permissions of the PFX",
            "{subject}: ファイルを読み込めません: {detail}",
            "PFXのパスと権限を確認してください",
        ),
        PfxPasswordUnavailable => e(
            S23,
            "{subject}: the password could not be read: {detail}",
            "Set the variable named by --pfx-password-env, or give a readable --pfx-password-file",
            "{subject}: パスワードを読み込めません: {detail}",
            "--pfx-password-env の環境変数を設定するか、読み取れる --pfx-password-file を指定してください",
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

/// Why no OQS adapter was found, in one language (the `reason` of `adapter.not_found`, and the
/// adapter section's line).
pub fn not_found(n: &NotFound, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    match n {
        NotFound::NoSuchName { name, source } => match (source, ja) {
            (NameSource::Flag, false) => format!("no adapter named `{name}` (--interface)"),
            (NameSource::Flag, true) => {
                format!("`{name}` という名前のアダプタがありません（--interface）")
            }
            (NameSource::Profile, false) => {
                format!("no adapter named `{name}` (the profile's [adapter] name)")
            }
            (NameSource::Profile, true) => {
                format!(
                    "`{name}` という名前のアダプタがありません（プロファイルの [adapter] name）"
                )
            }
        },
        NotFound::NoRoute { target } if ja => {
            format!("OQSの宛先 {target} への経路を持つアダプタがありません")
        }
        NotFound::NoRoute { target } => {
            format!("no adapter holds a route to the OQS target {target}")
        }
        NotFound::SeveralDefaultRoutes { family, adapters } if ja => format!(
            "たどるOQSの宛先がなく、{}のデフォルトルートを持つアダプタが複数あります（{}）",
            family.as_label(),
            adapters.join(", ")
        ),
        NotFound::SeveralDefaultRoutes { family, adapters } => format!(
            "no OQS target address to follow, and several adapters have an {} default route ({})",
            family.as_label(),
            adapters.join(", ")
        ),
        NotFound::Nothing if ja => {
            "たどるOQSの宛先がなく、デフォルトルートを持つアダプタもありません".to_string()
        }
        NotFound::Nothing => {
            "no OQS target address to follow, and no adapter has a default route".to_string()
        }
    }
}

/// Why sockets were not bound or the adapter not judged, in one language.
pub fn skipped(s: Skipped, lang: Lang) -> &'static str {
    match (s, lang) {
        (Skipped::Loopback, Lang::En) => "the OQS targets are on this machine (loopback)",
        (Skipped::Loopback, Lang::Ja) => "OQSの宛先がこの端末上にあります（ループバック）",
        (Skipped::NoAdapter, Lang::En) => "no OQS adapter was found",
        (Skipped::NoAdapter, Lang::Ja) => "OQS用アダプタが見つかりません",
        (Skipped::AdapterGone, Lang::En) => "the chosen adapter is no longer in the inventory",
        (Skipped::AdapterGone, Lang::Ja) => "選んだアダプタが一覧から消えました",
    }
}

/// A finding rendered in one language.
#[derive(Clone, Debug, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Rendered {
    pub cause: String,
    pub fix: String,
    pub section: &'static str,
}

/// Why a target goes its way, in `lang`.
pub fn route_reason(r: &RouteReason, lang: Lang) -> String {
    use RouteReason::*;
    let src = |k: crate::model::ProxySourceKind| labels::proxy_source(k.as_label(), lang);
    match (r, lang) {
        (NothingSet, Lang::En) => "no proxy is set anywhere".into(),
        (NothingSet, Lang::Ja) => "プロキシがどこにも設定されていません".into(),
        (SaysDirect { source }, Lang::En) => format!("{} says direct", src(*source)),
        (SaysDirect { source }, Lang::Ja) => format!("{} は直接接続の設定", src(*source)),
        (NoServer { source }, Lang::En) => format!("{} sets no proxy server", src(*source)),
        (NoServer { source }, Lang::Ja) => {
            format!("{} にプロキシサーバの設定なし", src(*source))
        }
        (Bypass { entry, source }, Lang::En) => {
            format!("bypass entry `{entry}` of {}", src(*source))
        }
        (Bypass { entry, source }, Lang::Ja) => {
            format!("{} の除外リストの `{entry}`", src(*source))
        }
        (ProxyOf { source }, Lang::En) => format!("proxy of {}", src(*source)),
        (ProxyOf { source }, Lang::Ja) => format!("{} のプロキシ", src(*source)),
        (Pac { answer }, Lang::En) => format!("the PAC file answers {answer}"),
        (Pac { answer }, Lang::Ja) => format!("PACファイルの回答 {answer}"),
        (
            PacFailed {
                explicit,
                label,
                detail,
            },
            Lang::En,
        ) => format!(
            "{} (the PAC file failed: {label}: {detail})",
            route_reason(explicit, lang)
        ),
        (
            PacFailed {
                explicit,
                label,
                detail,
            },
            Lang::Ja,
        ) => {
            format!(
                "{}（PACファイルが失敗: {}）",
                route_reason(explicit, lang),
                labels::pac_failure(&format!("{label}: {detail}"), lang)
            )
        }
    }
}

/// The codes whose advice in [`entry`] is an IP-VPN line's (an IPv6-only adapter, router discovery,
/// NTT's OQS DNS), with the advice for an IPsec+IKE line, where the OQS adapter keeps IPv4 and its
/// routes and DNS come from the IPsec router and the line's operator. The judge marks these
/// findings with the round's mode (the `mode` value); every other code's text fits both lines.
pub fn ipsec_entry(code: Code) -> Option<Entry> {
    use Code::*;
    let e = |cause_en, fix_en, cause_ja, fix_ja| Entry {
        section: S35,
        cause_en,
        fix_en,
        cause_ja,
        fix_ja,
    };
    let cause = entry(code);
    Some(match code {
        AdapterNotFound => e(
            cause.cause_en,
            "Name the OQS adapter with --interface NAME or the profile's [adapter] name (adapters here: {adapters}); on an IPsec+IKE line it is the adapter cabled to the IPsec router, which keeps its IPv4 address",
            cause.cause_ja,
            "--interface NAME またはプロファイルの [adapter] name でOQS用アダプタを指定してください（この端末のアダプタ: {adapters}）。IPsec+IKE接続ではIPsecルーターに接続したアダプタで、IPv4アドレスを持ちます",
        ),
        AdapterNoDns => e(
            cause.cause_en,
            "Set on it the DNS servers the IPsec+IKE line's operator gives (IPv4 addresses); the NTT East/West OQS DNS of IP-VPN lines do not apply here",
            cause.cause_ja,
            "回線事業者が指定するIPsec+IKE接続用のDNSサーバ（IPv4アドレス）を設定してください。IP-VPN接続用のNTT東西のOQS向けDNSは使いません",
        ),
        RouteNone => e(
            cause.cause_en,
            "The OQS adapter lacks the route to these targets: check its IPv4 settings (default gateway: the IPsec router) and that the IPsec tunnel is up",
            cause.cause_ja,
            "OQS用アダプタにこれらの宛先への経路がありません。アダプタのIPv4設定（デフォルトゲートウェイがIPsecルーターか）とIPsecトンネルが確立しているかを確認してください",
        ),
        ReachUnreachable => e(
            cause.cause_en,
            "The OQS adapter has no route to it: check its IPv4 default gateway (the IPsec router), that the IPsec tunnel is up, and that the address belongs to the OQS network",
            cause.cause_ja,
            "OQS用アダプタにこの宛先への経路がありません。IPv4のデフォルトゲートウェイ（IPsecルーター）、IPsecトンネルの状態、宛先アドレスを確認してください",
        ),
        _ => return None,
    })
}

/// The texts of a code whose usual fix is a fallback NTP name (ntp1/ntp2, ntp1v4/ntp2v4), for a
/// round in which those fallbacks gave no time either (`fallbacks` = `failing`): advice never
/// suggests a fallback the same round shows failing.
pub fn fallbacks_failing_entry(code: Code) -> Option<Entry> {
    use Code::*;
    let base = entry(code);
    let e = |fix_en, fix_ja| Entry {
        section: S24,
        cause_en: base.cause_en,
        fix_en,
        cause_ja: base.cause_ja,
        fix_ja,
    };
    Some(match code {
        DnsMemberNoNtp | DnsFirstPickDead | DnsNoRotation => e(
            "The fallback names ({ntp_fallbacks}) gave no time in this round either, so setting them on devices does not help: first make NTP reach the servers (see the NTP findings), then report the member if it still does not answer (補24)",
            "代替のNTPサーバ名（{ntp_fallbacks}）もこの確認で時刻を返さなかったため、機器に設定しても解決しません。まずNTPがサーバに届くようにし（NTPの結果を参照）、それでも応答しないメンバーはヘルプデスクに連絡してください（補24）",
        ),
        NtpRefused => e(
            "The address is up but runs no NTP server: report it; the fallback names ({ntp_fallbacks}) gave no time in this round either, so using them on devices does not help yet (補24)",
            "アドレスは存在しますがNTPサーバが動作していません。ヘルプデスクに連絡してください。代替のNTPサーバ名（{ntp_fallbacks}）もこの確認で時刻を返さなかったため、機器に設定しても解決しません（補24）",
        ),
        _ => return None,
    })
}

pub fn render(f: &Finding, lang: Lang) -> Rendered {
    let e = match (f.value("fallbacks"), f.value("mode")) {
        (Some("failing"), _) if fallbacks_failing_entry(f.code).is_some() => {
            fallbacks_failing_entry(f.code).unwrap_or_else(|| entry(f.code))
        }
        (_, Some("ipsec")) => ipsec_entry(f.code).unwrap_or_else(|| entry(f.code)),
        _ => entry(f.code),
    };
    let (cause, fix) = match lang {
        Lang::Ja => (e.cause_ja, e.fix_ja),
        Lang::En => (e.cause_en, e.fix_en),
    };
    Rendered {
        cause: fill(cause, f, lang),
        fix: fill(fix, f, lang),
        section: e.section,
    }
}

/// The template with the finding's values; a value naming where proxy settings come from, or a
/// synthetic row, is given in `lang` (the rest are names, addresses and numbers).
fn fill(template: &str, f: &Finding, lang: Lang) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match (key, f.value(key)) {
                    ("subject", _) => out.push_str(labels::target(&f.subject, lang)),
                    ("ntp_fallbacks", _) => out.push_str(ntp_fallbacks(f.value("mode"), lang)),
                    (_, Some(v)) => out.push_str(&labels::value(key, v, lang)),
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

/// The fallback NTP names (補24) of the mode a finding was judged in (its `mode` value): a
/// device on an IP-VPN line is given ntp1/ntp2, on an IPsec+IKE line ntp1v4/ntp2v4. Without a
/// mode (an older journal's finding, `explain`), both, each with its line type.
pub fn ntp_fallbacks(mode: Option<&str>, lang: Lang) -> &'static str {
    match (mode, lang) {
        (Some("ipvpn"), _) => "ntp1/ntp2",
        (Some("ipsec"), _) => "ntp1v4/ntp2v4",
        (_, Lang::En) => "ntp1/ntp2 (IP-VPN) or ntp1v4/ntp2v4 (IPsec+IKE)",
        (_, Lang::Ja) => "ntp1/ntp2（IP-VPN）または ntp1v4/ntp2v4（IPsec+IKE）",
    }
}

/// The values a code's texts take from a finding, so the judge can attach them and tests can
/// check every finding supplies them. `{ntp_fallbacks}` takes the finding's `mode`.
pub fn placeholders(code: Code) -> Vec<String> {
    let mut texts = Vec::new();
    for e in [Some(entry(code)), fallbacks_failing_entry(code)]
        .into_iter()
        .flatten()
    {
        texts.extend([e.cause_en, e.fix_en, e.cause_ja, e.fix_ja]);
    }
    let mut keys = Vec::new();
    for t in texts {
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let key = match &rest[open + 1..open + close] {
                "ntp_fallbacks" => "mode".to_string(),
                k => k.to_string(),
            };
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
    fn every_tls_code_has_its_own_text() {
        // The TLS table ends in a catch-all arm; no code may land there.
        for &code in Code::ALL {
            assert_ne!(entry(code).fix_en, "-", "{code:?} has no entry");
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

    /// What an IP-VPN line's advice says and an IPsec+IKE line's must not.
    const IPVPN_ONLY: &[&str] = &[
        "IPv4 is unbound",
        "IPv4のチェックを外した",
        "router discovery",
        "ルーター広告",
        "IPv6 settings",
        "IPv6設定",
        "NTT East 2404",
        "2404:1a8",
    ];

    #[test]
    fn fallback_ntp_names_are_those_of_the_findings_mode() {
        // The findings that are about one line type by nature name its own names.
        let own = [Code::DnsNoA, Code::Ipv4Fallback];
        let mut named = 0;
        for &code in Code::ALL.iter().filter(|c| !own.contains(c)) {
            for failing in [false, true] {
                for lang in [Lang::En, Lang::Ja] {
                    let f = |mode| {
                        let f = Finding::new(code, Status::Fail, "x").with("mode", mode);
                        render(
                            &if failing {
                                f.with("fallbacks", "failing")
                            } else {
                                f
                            },
                            lang,
                        )
                    };
                    let (ipvpn, ipsec) = (f("ipvpn"), f("ipsec"));
                    let ipvpn = format!("{} {}", ipvpn.cause, ipvpn.fix);
                    let ipsec = format!("{} {}", ipsec.cause, ipsec.fix);
                    assert!(!ipvpn.contains("ntp1v4"), "{code:?} {lang:?}: {ipvpn}");
                    assert!(!ipsec.contains("ntp1/ntp2"), "{code:?} {lang:?}: {ipsec}");
                    named += usize::from(ipsec.contains("ntp1v4/ntp2v4"));
                }
            }
        }
        // DnsNoRotation, DnsMemberNoNtp, DnsFirstPickDead, the three soak codes and NtpRefused's
        // failing text, in two languages (the failing texts of the DNS codes too).
        assert!(named >= 20, "{named}");
        // Without a mode (an older journal), both, each with its line type.
        let old = render(
            &Finding::new(Code::DnsFirstPickDead, Status::Fail, "x"),
            Lang::En,
        )
        .fix;
        assert!(
            old.contains("ntp1/ntp2 (IP-VPN) or ntp1v4/ntp2v4 (IPsec+IKE)"),
            "{old}"
        );
        assert!(placeholders(Code::DnsFirstPickDead).contains(&"mode".to_string()));
    }

    #[test]
    fn every_finding_marked_ipsec_gets_advice_for_an_ipsec_line() {
        for &code in Code::ALL {
            let f = Finding::new(code, Status::Fail, "x").with("mode", "ipsec");
            for lang in [Lang::En, Lang::Ja] {
                let r = render(&f, lang);
                if ipsec_entry(code).is_some() {
                    for word in IPVPN_ONLY {
                        assert!(!r.fix.contains(word), "{code:?} {lang:?}: {}", r.fix);
                    }
                }
            }
        }
        // The codes the judge marks are exactly those with an IPsec text, and each IP-VPN text
        // among them does say something an IPsec line must not be told.
        for code in [
            Code::AdapterNotFound,
            Code::AdapterNoDns,
            Code::RouteNone,
            Code::ReachUnreachable,
        ] {
            let ipvpn = render(&Finding::new(code, Status::Fail, "x"), Lang::En).fix;
            let ipsec = render(
                &Finding::new(code, Status::Fail, "x").with("mode", "ipsec"),
                Lang::En,
            )
            .fix;
            assert_ne!(ipvpn, ipsec, "{code:?}");
            assert!(
                IPVPN_ONLY.iter().any(|w| ipvpn.contains(w)),
                "{code:?}: {ipvpn}"
            );
        }
        let f = Finding::new(Code::AdapterNotFound, Status::Fail, "OQS adapter")
            .with("adapters", "eth0, eth1")
            .with("mode", "ipsec");
        assert!(
            render(&f, Lang::En)
                .fix
                .contains("cabled to the IPsec router")
        );
        assert!(!render(&f, Lang::En).fix.contains("unbound"));
    }

    #[test]
    fn locale_detection() {
        assert_eq!(Lang::from_locale(Some("ja_JP.UTF-8")), Lang::Ja);
        assert_eq!(Lang::from_locale(Some("ja-JP")), Lang::Ja);
        assert_eq!(Lang::from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }
}
