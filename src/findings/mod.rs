//! The catalogue: for each finding code, the guide section (補N) that fixes it and its cause and fix in
//! Japanese and English. Reads `model` only; probes never write prose, renderers ask here.

use crate::model::{Code, Finding, NameSource, NotFound, Skipped};
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
