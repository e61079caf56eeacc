//! Every word the renderers print that is not a finding's, in one table beside the catalogue:
//! status words, row and figure labels, section titles, the soak report's words (for its terminal
//! page and its HTML file), the names of the round's synthetic rows and of the places settings come
//! from, in Japanese (in the guide's terms: 電子証明書, 本番環境, 接続検証環境, インターネット
//! オプション) and English. Reads `model` only; renderers ask [`Label::text`] (or the lookups below
//! for a model's label) instead of writing `if ja { … } else { … }` pairs of their own.

use super::Lang;
use crate::model::{CharsetOrigin, Status};

/// One table: every word or short phrase a renderer prints, English then Japanese. `{n}` in a text
/// is filled by [`Label::with`]. The macro makes the enum, its texts and [`Label::ALL`] from the one
/// list, so a word cannot be added without both languages.
macro_rules! table {
    ($($name:ident => ($en:expr, $ja:expr $(,)?)),* $(,)?) => {
        /// A word or short phrase a renderer prints.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Label {
            $($name,)*
        }

        impl Label {
            /// Every word, for the tests that check both languages.
            pub const ALL: &'static [Label] = &[$(Label::$name,)*];

            fn pair(self) -> (&'static str, &'static str) {
                match self {
                    $(Label::$name => ($en, $ja),)*
                }
            }
        }
    };
}

table! {
    // The round's rows and figures.
    Resolver => ("resolver", "DNSサーバ"),
    SystemResolver => ("system", "システム設定"),
    Offset => ("offset", "時刻差"),
    Delay => ("delay", "遅延"),
    Stratum => ("stratum", "階層"),
    RefId => ("ref", "参照元"),
    Servers => ("{n} servers", "サーバ {n} 台"),
    Spread => ("spread", "ばらつき"),
    MedianOffset => ("median offset", "時刻差の中央値"),
    Connect => ("connect", "接続"),
    Handshake => ("handshake", "ハンドシェイク"),
    DaysLeft => ("{n} days left", "残り {n} 日"),
    Days => ("{n} days", "{n} 日"),
    Issuer => ("issuer", "発行者"),
    Valid => ("valid", "有効期間"),
    Serial => ("serial", "シリアル"),
    Key => ("key", "鍵"),
    Expired => ("{n} days: EXPIRED", "期限切れ（{n} 日）"),
    Presented => ("presented", "提示する証明書"),
    Selection => ("Selection", "選択"),
    Answered => ("answered", "応答"),
    WellKnown => ("{n} (well-known)", "{n}（既定）"),
    Prefix => ("prefix", "プレフィックス"),
    Decides => ("decides:", "採用:"),
    Bypass => ("bypass", "除外"),
    Proxy => ("proxy", "プロキシ"),
    AutoDetectOn => ("auto-detect on", "自動検出オン"),
    WpadByDhcp => ("WPAD by DHCP", "DHCPによるWPAD"),
    NotAvailable => ("not available", "利用不可"),
    NotOffered => ("not offered", "配布なし"),
    NoProxyAnywhere => ("no proxy set anywhere (all DIRECT)", "プロキシ設定なし（すべて直接）"),
    Unusable => ("unusable", "使用不可"),
    WithoutThePac => ("without the PAC:", "PACなしでは"),
    AutoDetectOff => ("auto-detect off", "自動検出オフ"),
    Result => ("Result", "結果"),
    DirectOnly => ("direct", "直接接続"),
    NothingSet => ("nothing set", "設定なし"),
    ThroughTunnel => ("through the tunnel", "（トンネル経由）"),
    PacBytes => ("({n} bytes)", "（{n} バイト）"),
    PacFetched => ("fetched", "取得"),
    PacNoContentType => ("no content type", "Content-Type なし"),
    PacRedirectedFrom => ("redirected from", "転送元"),
    PacLossy => (
        "not UTF-8 (invalid bytes replaced)",
        "UTF-8 ではありません（不正なバイトを置換）",
    ),
    PacCall => ("call", "呼び出し"),
    PacUrl => ("url", "URL"),
    PacUrlStripped => (
        "path, query and credentials stripped, as Chrome and Windows do (--keep-path passes them)",
        "パス・クエリ・認証情報を除いて渡しました（Chrome・Windows と同じ。--keep-path でそのまま渡します）",
    ),
    PacUrlKept => (
        "passed as given, as pacparser does",
        "指定どおり渡しました（pacparser と同じ）",
    ),
    PacMyIp => ("my ip", "自端末IP"),
    PacNoRoute => ("(no route found)", "（経路が見つかりません）"),
    PacIn => ("in", "所要"),
    PacAnsweredBy => ("by {n} in", "{n} · 所要"),
    PacResult => ("result", "戻り値"),
    PacRoutes => ("routes", "経路"),
    PacSkipped => (
        "(skipped by browsers)",
        "（ブラウザはこの項目を飛ばします）",
    ),
    PacMoreRoutes => ("... more routes not shown", "… 以降の経路は省略"),
    PacEffective => ("effective", "実際の経路"),
    PacNoUsableRoute => (
        "no usable route: Chrome falls back to DIRECT on such an answer",
        "使用できる経路がありません。Chrome はこの場合 DIRECT（直接接続）にします",
    ),
    PacLookups => ("lookups", "名前解決"),
    PacAlerts => ("alerts", "alert()"),
    PacFailed => ("failed", "失敗"),
    PacInvalid => ("invalid", "無効"),
    ExplainsOne => ("explains 1 failure", "起因する失敗 1 件"),
    ExplainsMany => ("explains {n} failures", "起因する失敗 {n} 件"),
    // The round's sections and their rows.
    SectionDns => ("DNS round robin", "DNS ラウンドロビン"),
    SectionTls => ("TLS (client certificate)", "TLS（電子証明書）"),
    SectionAdapter => ("OQS adapter (補35)", "OQS用アダプタ（補35）"),
    SectionTcp => ("TCP reachability (through the OQS adapter)", "TCP到達性（OQS用アダプタ経由）"),
    SectionProxy => ("Proxy (補22, 補17)", "プロキシ（補22・補17）"),
    SectionLine => ("Line (NGN, environment; 補35, 補16)", "回線（NGN・接続先環境、補35・補16）"),
    SectionCutOff => ("Cut off", "期限切れ"),
    PassCount => ("{n} pass", "正常 {n}"),
    WarnCount => ("{n} warn", "警告 {n}"),
    FailCount => ("{n} fail", "失敗 {n}"),
    ErrorCount => ("{n} error", "エラー {n}"),
    At => ("at:", "該当:"),
    OneMember => ("{n} member", "{n}件"),
    MembersCount => ("{n} members", "{n}件"),
    Rotating => (" rotating", " 巡回あり"),
    FixedOrder => (" fixed order", " 巡回なし"),
    FirstPickDead => (" first-pick dead", " 先頭選択でNTP不達"),
    OutsideSet => (" outside set", " 集合外"),
    NoPfxGiven => ("no PFX given", "PFX指定なし"),
    NoUsableCertificate => ("no usable certificate", "使用できる証明書なし"),
    ByInstitutionCode => ("by institution code", "医療機関コードで選択"),
    LatestExpiry => ("latest expiry", "有効期限が最も遅い"),
    OnlyOne => ("only one", "唯一の証明書"),
    Cert => ("cert", "証明書"),
    ClientCertAcceptedNoAlert => ("client cert accepted (no alert)", "クライアント証明書 受理（拒否アラートなし）"),
    ClientCertAccepted => ("client cert accepted", "クライアント証明書 受理"),
    ClientCertRequested => ("client cert requested", "クライアント証明書 要求あり"),
    NoClientCertRequested => ("no client cert requested", "クライアント証明書 要求なし"),
    // The OQS adapter's section (routes, IPv4 fallback, NAT64, TCP).
    RuleUp => ("up", "有効"),
    RuleGlobalIpv6 => ("global IPv6", "グローバルIPv6あり"),
    RuleNoIpv4 => ("no IPv4", "IPv4なし"),
    RuleIpv6DefaultRoute => ("IPv6 default route", "IPv6デフォルトルートあり"),
    RuleIpv4 => ("IPv4 address", "IPv4アドレスあり"),
    RuleDnsServers => ("DNS servers set", "DNSサーバ設定あり"),
    NamedBy => ("named by {n}", "{n}で指定"),
    TheProfile => ("the profile", "プロファイル"),
    HoldsRouteTo => ("holds the route to {target} (source {source})", "{target} への経路を持つアダプタ（送信元 {source}）"),
    OnlyDefaultRoute => ("the only {n} default route", "{n}デフォルトルートを持つ唯一のアダプタ"),
    NotFound => ("not found: {n}", "特定できません: {n}"),
    BoundToDevice => ("sockets bound to device {n}", "ソケットをデバイス {n} に固定"),
    BoundToSource => ("sockets bound to source {v6} / {v4}", "ソケットを送信元 {v6} / {v4} に固定"),
    NotBound => ("not bound: {n}", "固定なし: {n}"),
    NoAddressOff => ("no address off this machine", "端末外の宛先なし"),
    LeaveBy => ("{via} of {total} addresses leave by {a}", "{total} 件中 {via} 件が {a} から送出"),
    NoOqsAdapterToCompare => ("{n} addresses, no OQS adapter to compare", "{n} 件（比較するOQS用アダプタなし）"),
    Ipv6Only => ("none: the round used IPv6 only", "なし（IPv6のみ使用）"),
    Ipv4UsedFor => ("IPv4 used for {n}", "{n} でIPv4を使用"),
    ListComma => (", ", "、"),
    AaaaNotSynthesised => ("AAAA not synthesised", "AAAAあり（合成ではない）"),
    NoNat64 => ("no NAT64/DNS64 (AAAA {n})", "NAT64/DNS64なし（AAAA {n}）"),
    CannotTell => ("cannot tell (AAAA {n})", "判定できません（AAAA {n}）"),
    NoAddressToConnect => ("no address to connect to", "接続先なし"),
    AdapterDown => ("down", "無効"),
    GlobalIpv6 => ("global IPv6", "グローバルIPv6"),
    LinkLocal => ("link-local", "リンクローカル"),
    SystemWide => (" (system-wide)", "（端末全体）"),
    Ipv6DefaultRouteVia => ("IPv6 default route via", "IPv6デフォルトルート"),
    Ipv4DefaultRouteVia => ("IPv4 default route via", "IPv4デフォルトルート"),
    NotJudged => ("expectations not judged: {n}", "期待値は判定しません: {n}"),
    ExpectedWith => ("expected with {fams} (補35): {rules}", "期待値（補35、{fams}）: {rules}"),
    OtherAdapters => ("other adapters", "他のアダプタ"),
    // `oqs-net cert inspect`.
    PfxWrongPassword => ("wrong password (the file's integrity check failed)", "パスワードが違います（整合性検査に失敗）"),
    PfxNoPassword => ("no password given, and the file needs one: name it with --pfx-password-env VAR or --pfx-password-file FILE (on a terminal it is asked for)", "パスワードが指定されていませんが、このファイルには必要です。--pfx-password-env VAR または --pfx-password-file FILE で指定してください（端末からの実行では入力を求めます）"),
    PfxCorrupt => ("not a readable PFX file ({n})", "読み取れるPFXファイルではありません（{n}）"),
    PfxNoPrivateKey => ("certificates but no private key: export again with the private key", "秘密キーが含まれていません。秘密キーを含めて再エクスポートしてください"),
    PfxUnreadable => ("cannot read the file: {n}", "ファイルを読み込めません: {n}"),
    PfxPasswordUnavailable => ("the password could not be read: {n}", "パスワードを読み込めません: {n}"),
    PrivateKeyPresent => (" · private key present", " · 秘密キーあり"),
    NoPrivateKey => (" · no private key", " · 秘密キーなし"),
    InstitutionCode => ("institution code", "医療機関コード"),
    RuleInstitutionCode => ("the one carrying institution code {n} (補18)", "医療機関コード {n} を含む証明書（補18）"),
    RuleLatestExpiryUnmatched => ("no certificate carries the code given, so the latest expiry (補18)", "コードに一致する証明書がないため有効期限が最も遅い証明書（補18）"),
    RuleLatestExpiryNoCode => ("no institution code given, so the latest expiry (補18)", "コード指定がないため有効期限が最も遅い証明書（補18）"),
    RuleOnly => ("the only client certificate with a key", "唯一の証明書"),
    RuleNone => ("none: no client certificate with its private key", "提示できる証明書がありません"),
    // `oqs-net profiles`.
    ShippedProfiles => (
        "Shipped profiles (use --profile NAME, or --mode/--env):",
        "同梱のプロファイル（--profile NAME、または --mode/--env で選びます）:",
    ),
    ProviderOwn => ("provider {n}", "事業者 {n}"),
    ProfilesHint => (
        "`oqs-net profiles --show NAME` prints one; `oqs-net profiles FILE` validates a file, and\n`oqs-net profiles --show FILE` prints it after inheritance, each value with its origin.",
        "`oqs-net profiles --show NAME` で1つを表示し、`oqs-net profiles FILE` でファイルを検証します。\n`oqs-net profiles --show FILE` は継承後の内容を、各値の出どころを添えて表示します。",
    ),
    ValidProfile => (
        "{path}: valid profile `{name}` ({mode} / {environment})",
        "{path}: プロファイル `{name}` は有効です（{mode} / {environment}）",
    ),
    RoundRobin => ("round robin", "ラウンドロビン"),
    Fallbacks => ("fallbacks", "代替名"),
    TlsEndpoints => ("tls", "TLS接続先"),
    Endpoints => ("{n} endpoint(s)", "{n} 件"),
    // The soak report's terminal page.
    LabFaults => ("lab, faults", "ラボ、障害"),
    Lab => ("lab", "ラボ"),
    Of => ("of", "/"),
    ContinueWith => ("continue with", "再開:"),
    Overran => ("overran", "超過"),
    SlotSkipped => ("slot skipped", "回スキップ"),
    SlotsSkipped => ("slots skipped", "回スキップ"),
    NowCol => ("now", "現在"),
    FlappingCol => ("flapping", "フラップ"),
    FlappingNow => ("now", "継続中"),
    Max => ("max", "最大"),
    LimitCol => ("limit", "しきい値"),
    Min => ("min", "最小"),
    Step => ("step", "跳び"),
    MedianOverTime => ("median over time", "中央値の推移"),
    WaysChanged => ("Certificates and proxy ways that changed", "変化したサーバ証明書とプロキシ経路"),
    FromRound => ("from round {n}", "ラウンド {n} から"),
    FoundAfterResume => (" (found after a resume)", "（再開後に判明）"),
    // `oqs-net lab`: what it serves and how to probe it.
    LabServing => (
        "oqs-net lab: serving the names of `{name}`{ns}",
        "oqs-net lab: `{name}` の名前を応答しています{ns}",
    ),
    LabInNetns => (" in network namespace `{n}`", "（ネットワーク名前空間 `{n}`）"),
    UdpAndTcp => ("UDP and TCP", "UDP・TCP"),
    PortOn => ("port {n} on", "ポート {n}"),
    Port => ("port {n}", "ポート {n}"),
    LabScenario => ("scenario:", "シナリオ:"),
    LabProbeIt => (
        "Probe it from another terminal (the profile file holds the lab's ports, resolver and PKI;\n--proxy takes the lab's PAC file, since the lab's terminal settings stay in the lab):",
        "別の端末から次のように調べます（プロファイルファイルにラボのポート・DNSサーバ・PKIが入っています。\nラボの端末設定はラボの中にしかないため、--proxy でラボのPACファイルを渡します）:",
    ),
    SearchDomain => ("search domain {n}", "検索ドメイン {n}"),
    LabTlsServers => (
        "TLS servers (client certificate required):",
        "TLSサーバ（クライアント証明書が必要）:",
    ),
    LabPki => (
        "Lab PKI in {n} (gone when the lab stops):",
        "ラボのPKI: {n}（ラボの停止で消えます）:",
    ),
    LabCa => ("CA (trust it)", "CA（信頼する）"),
    LabClientPfx => ("client PFX", "クライアントPFX"),
    LabLegacy => ("legacy:", "旧形式:"),
    LabOtherPfx => ("other PFX", "その他のPFX"),
    LabPasswordFile => ("PFX password file", "PFXパスワードファイル"),
    LabLookInside => ("Look inside one:", "中身を見るには:"),
    LabStops => ("Ctrl-C (or SIGTERM) stops the lab.", "Ctrl-C（または SIGTERM）でラボを停止します。"),
    LabStopped => (
        "lab stopped: answered {dns} DNS queries and {ntp} NTP requests",
        "ラボを停止しました: DNS問い合わせ {dns} 件、NTP要求 {ntp} 件に応答",
    ),
    // `oqs-net accept`: the verdict table's headings and fixed phrases.
    AccTitle => ("Acceptance", "受け入れ試験"),
    AccRounds => ("rounds", "ラウンド"),
    AccJournal => ("Journal (evidence)", "ジャーナル（証跡）"),
    AccArea => ("Area", "区分"),
    AccCriterion => ("Criterion", "基準"),
    AccMeasured => ("Measured", "測定値"),
    AccLimit => ("Limit", "基準値"),
    AccResult => ("Result", "判定"),
    AccAt => ("at", "対象"),
    AccOneOf => ("one of", "いずれか"),
    AccBlockedBy => ("explained by", "原因の基準"),
    AccFailed => ("ACCEPTANCE FAILED", "受け入れ不合格"),
    AccPassed => ("ACCEPTED", "受け入れ合格"),
    AccNotMeasured => ("no data", "データなし"),
    // The monitoring-plugin lines (`--format nagios`), after the plugin's own state word.
    AndMore => (" (+{n} more)", "（ほか {n} 件）"),
    AllChecksPassed => ("all {n} checks passed", "{n} 件のチェックすべて合格"),
    AllCriteriaHold => ("all {n} acceptance criteria hold", "受け入れ基準 {n} 件すべて合格"),
    Totals => (
        "{pass} pass · {warn} warn · {fail} fail · {error} error",
        "合格 {pass} · 警告 {warn} · 失敗 {fail} · エラー {error}",
    ),
    // The line section.
    CharsetFrom => ("{charset} ({from})", "{charset}（{from}）"),
    CharsetHttpHeader => ("HTTP header", "HTTPヘッダで宣言"),
    CharsetBom => ("BOM", "バイト順マーク"),
    CharsetMeta => ("meta", "ページ内で宣言"),
    CharsetValidUtf8 => ("valid UTF-8", "UTF-8として解読"),
    CharsetGuessed => ("guessed", "推定"),
    Undecodable => (", with undecodable bytes", "、解読できないバイトあり"),
    CertNotChecked => ("certificate not checked", "証明書未検証"),
    Authenticated => ("authenticated", "認証済み"),
    NotAuthenticated => ("NOT authenticated", "未認証"),
    UnexpectedPage => ("unexpected page", "想定外のページ"),
    Bytes => ("{n} B", "{n} バイト"),
    Unreachable => ("unreachable", "到達できません"),
    TerminalDns => ("terminal DNS", "端末のDNS"),
    ProfileLower => ("profile", "プロファイル"),
    Resolving => ("resolving", "名前解決"),
    Certificates => ("certificates", "証明書"),
    // The soak report's, for both its pages (the terminal page and the HTML file).
    SoakReport => ("soak report", "連続監視レポート"),
    Profile => ("Profile", "プロファイル"),
    WrittenBy => ("written by", "記録"),
    Soak => ("Soak", "期間"),
    NoRound => ("no round yet", "記録なし"),
    Complete => ("complete", "完了"),
    NotFinished => ("not finished", "未完了"),
    Left => ("left", "残り"),
    Resumed => ("resumed", "再開"),
    Every => ("every", "間隔"),
    BackToBack => ("back to back", "連続"),
    Measured => ("measured", "測定"),
    Rounds => ("rounds", "回"),
    RoundsTitle => ("Rounds", "ラウンド"),
    FlapThresholds => ("flap thresholds", "フラップしきい値"),
    Targets => ("Targets", "対象"),
    Avail => ("avail", "可用性"),
    Changes => ("changes", "状態変化"),
    OutagesCol => ("outages", "停止"),
    Longest => ("longest", "最長"),
    Flapping => ("Flapping", "フラップ期間"),
    Ongoing => ("ongoing", "継続中"),
    Peak => ("peak", "最大"),
    Outages => ("Outages", "停止"),
    MoreJson => ("more (see --format json)", "件省略（--format json で全件）"),
    StillDown => ("(still down)", "（停止中）"),
    Interrupted => ("(soak interrupted)", "（監視中断）"),
    Latency => ("Latency (ms)", "遅延 (ms)"),
    Samples => ("samples", "件数"),
    NtpOffset => ("NTP offset (server − this machine, ms)", "NTP時刻差（サーバ − この端末, ms）"),
    Drift => ("drift", "ドリフト"),
    LocalClock => ("this machine's clock (median of the servers per round)", "この端末の時計（各ラウンドのサーバ中央値から）"),
    FittedOver => ("fitted over", "推定期間"),
    SADay => ("s a day", "秒/日"),
    NoDrift => (" — no drift to tell", "（有意なずれなし）"),
    RunsFast => (" — runs fast", "（進み）"),
    RunsSlow => (" — runs slow", "（遅れ）"),
    RrSets => ("Round-robin answer sets", "ラウンドロビン応答"),
    AtStart => ("at start", "開始時"),
    Members => ("members", "件"),
    NoChange => ("no change", "変化なし"),
    MoreChanges => ("more changes", "件省略"),
    ProxySettings => ("Proxy settings over time", "プロキシ設定の推移"),
    AutoDetectUnknown => ("auto-detect unknown", "自動検出は不明"),
    Phase => ("phase", "段階"),
    First => ("first", "最初"),
    Last => ("last", "最後"),
    Round => ("round", "回"),
    Findings => ("Findings", "検出事項"),
    Notes => ("Notes", "注記"),
    RootCauses => ("Root causes (fix these first)", "根本原因（まずここから直す）"),
    Start => ("start", "開始"),
    End => ("end", "終了"),
    Length => ("length", "長さ"),
    Up => ("up", "正常"),
    Down => ("down", "停止"),
    UpAndDown => ("up and down", "正常と停止が混在"),
    NotMeasured => ("not measured", "未測定"),
    Median => ("median", "中央値"),
    MinMax => ("min–max", "最小–最大"),
    P50P95 => ("p50–p95", "p50–p95"),
    Mean => ("mean", "平均"),
    Mode => ("Mode", "モード"),
    Environment => ("Environment", "環境"),
    Acceptance => ("Acceptance", "受け入れ判定"),
    Criterion => ("criterion", "基準"),
    Wanted => ("wanted", "目標"),
    MeasuredValue => ("measured", "実測"),
    Timeline => ("Timeline", "推移"),
    Advice => ("advice", "対処"),
    NotDrawn => ("later changes are not drawn (see --format json)", "以降の変化は描画していません（--format json で全件）"),
    // `oqs-net explain`: one entry's rows, and the list's headings.
    ExplainSeen => ("Seen (likely cause)", "見られたこと・原因"),
    ExplainFix => ("What to do", "対処"),
    ExplainGuide => ("Guide", "参照"),
    ExplainGuideRef => ("{n} of 資格確認端末セットアップトラブルシューティング集", "資格確認端末セットアップトラブルシューティング集 {n}"),
    ExplainValues => ("{…} values", "{…} の値"),
    ExplainFilled => ("filled in from the round: {n}", "実行結果から埋まります: {n}"),
    ExplainSubject => ("{subject} (the name or address concerned)", "{subject}（対象の名前またはアドレス）"),
    ListCode => ("CODE", "コード"),
    ListSection => ("SECTION", "節"),
    ListSeen => ("SEEN (LIKELY CAUSE)", "見られたこと・原因"),
}

impl Label {
    /// The text in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        let (en, ja) = self.pair();
        match lang {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }

    /// The text in `lang` with `{n}` replaced by `n`.
    pub fn with(self, lang: Lang, n: impl std::fmt::Display) -> String {
        self.text(lang).replace("{n}", &n.to_string())
    }

    /// The text in `lang` with each `{key}` replaced by its value: for phrases whose parts come
    /// in another order in Japanese (`{via} of {total}` / `{total} 件中 {via} 件`).
    pub fn fill(self, lang: Lang, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut s = self.text(lang).to_string();
        for (k, v) in values {
            s = s.replace(&format!("{{{k}}}"), &v.to_string());
        }
        s
    }
}

/// How many failures a root cause explains, as the suffix its line ends with
/// (` — explains 2 failures`); nothing when it explains none.
pub fn explains(n: usize, lang: Lang) -> String {
    match n {
        0 => String::new(),
        1 => format!(" — {}", Label::ExplainsOne.text(lang)),
        n => format!(" — {}", Label::ExplainsMany.with(lang, n)),
    }
}

/// A status as a round's rows and totals show it: `PASS` … in English, 正常 … in Japanese.
pub fn status(s: Status, lang: Lang) -> &'static str {
    match (s, lang) {
        (Status::Pass, Lang::En) => "PASS",
        (Status::Warn, Lang::En) => "WARN",
        (Status::Fail, Lang::En) => "FAIL",
        (Status::Error, Lang::En) => "ERROR",
        (Status::Pass, Lang::Ja) => "正常",
        (Status::Warn, Lang::Ja) => "警告",
        (Status::Fail, Lang::Ja) => "失敗",
        (Status::Error, Lang::Ja) => "エラー",
    }
}

/// How many of a round's checks (or a soak's rounds) had a status: `3 pass` in English, 正常 3 in
/// Japanese.
pub fn status_count(s: Status, n: impl std::fmt::Display, lang: Lang) -> String {
    match s {
        Status::Pass => Label::PassCount,
        Status::Warn => Label::WarnCount,
        Status::Fail => Label::FailCount,
        Status::Error => Label::ErrorCount,
    }
    .with(lang, n)
}

/// The round's rows that stand for no host, and the subjects of findings about them, by the name
/// the model gives them; any other target is a name and is shown as it is.
pub fn target(t: &str, lang: Lang) -> &str {
    if lang == Lang::En {
        return t;
    }
    match t {
        "client certificate" => "電子証明書",
        "ntp servers" => "NTPサーバ全体",
        "routes" => "経路",
        "IPv4 fallback" => "IPv4への切り替え",
        "proxy settings" => "プロキシ設定",
        "auto-detect" => "設定を自動的に検出する",
        other => other,
    }
}

/// Where proxy settings come from (`ProxySourceKind::as_label`), as the user knows the place.
pub fn proxy_source(label: &str, lang: Lang) -> &str {
    match (label, lang) {
        ("wininet", Lang::Ja) => "インターネットオプション",
        ("winhttp", Lang::Ja) => "WinHTTP",
        ("environment", Lang::Ja) => "環境変数",
        ("profile", Lang::Ja) => "プロファイル",
        ("flag", Lang::Ja) => "--proxy",
        (other, _) => other,
    }
}

/// A finding's value for `key` in `lang`: where proxy settings come from, how a PAC file was found,
/// the stage of a connection; other values (names, addresses, numbers, codes) as they are.
pub fn value<'a>(key: &str, v: &'a str, lang: Lang) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    if lang == Lang::En {
        return Cow::Borrowed(v);
    }
    Cow::Borrowed(match (key, v) {
        ("source" | "effective" | "decided", _) => proxy_source(v, lang),
        ("via", "wpad") => "WPAD",
        ("via", "pac_url") => "PAC URL",
        ("stage", "resolve") => "名前解決",
        ("stage", "connect") => "接続",
        ("stage", "handshake") => "ハンドシェイク",
        ("stage", "request") => "要求",
        ("reason", _) => return Cow::Owned(pac_failure(v, lang)),
        ("phase", "loading the helpers") => "補助関数の読み込み中",
        ("phase", "loading the script") => "スクリプトの読み込み中",
        ("phase", "looking up FindProxyForURL") => "FindProxyForURL の検索中",
        ("phase", "running FindProxyForURL") => "FindProxyForURL の実行中",
        _ => v,
    })
}

/// Why a PAC file could not be used, from its `label: detail` (the probe's words, English): in
/// Japanese the label's meaning with the HTTP status or time limit the detail names (the label
/// itself stays in the JSON). Anything else is returned as it is.
pub fn pac_failure(v: &str, lang: Lang) -> String {
    let (label, detail) = v.split_once(": ").unwrap_or((v, ""));
    if lang == Lang::En {
        return v.to_string();
    }
    let number = detail
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    match label {
        "timeout" if detail.contains("script") => {
            format!("スクリプトが制限時間 {number} ms 内に終わりません")
        }
        "timeout" => "応答がありません（時間切れ）".to_string(),
        "http_status" => format!("サーバがHTTP {number} を返しました"),
        "resolve" => "サーバ名を名前解決できません".to_string(),
        "connect" => "サーバに接続できません".to_string(),
        "tls" => "サーバとのTLS接続に失敗しました".to_string(),
        "protocol" => "サーバの応答がHTTPとして読めません".to_string(),
        "too_many_redirects" => "リダイレクトが多すぎます".to_string(),
        "bad_url" | "unsupported_scheme" => "URLが使用できません".to_string(),
        "syntax_error" => "スクリプトに構文エラーがあります".to_string(),
        "script_error" => "スクリプトが例外で終了しました".to_string(),
        "no_find_proxy_for_url" => "FindProxyForURL 関数がありません".to_string(),
        "non_string_result" => "FindProxyForURL の戻り値が文字列ではありません".to_string(),
        "out_of_memory" | "stack_overflow" | "result_too_long" | "script_too_large" => {
            "スクリプトが制限（メモリ・大きさ）を超えました".to_string()
        }
        "sandbox_denied" | "undefined_function" => {
            "スクリプトが使用できない機能を呼び出しました".to_string()
        }
        _ => v.to_string(),
    }
}

/// A DNS failure's label as a row shows it: the response codes as resolvers print them
/// (NXDOMAIN, SERVFAIL, REFUSED, NODATA), a timeout in words.
pub fn dns_failure(label: &str, lang: Lang) -> String {
    match (label, lang) {
        ("timeout", Lang::Ja) => "応答なし".to_string(),
        ("other", Lang::Ja) => "名前解決エラー".to_string(),
        _ => label.to_uppercase(),
    }
}

/// A soak target's kind (`dns`, `tls_client_cert`, `proxy_route` …) as the report's rows open with
/// it; the protocol names stay in Latin letters, the others are said in words.
pub fn soak_kind(kind: &str, lang: Lang) -> String {
    match (kind, lang) {
        ("dns" | "ntp" | "tls" | "tcp", _) => kind.to_uppercase(),
        (_, Lang::En) => kind.replace('_', " ").to_uppercase(),
        ("tls_client_cert", Lang::Ja) => "電子証明書".into(),
        ("ntp_consensus", Lang::Ja) => "NTPサーバ全体".into(),
        ("adapter", Lang::Ja) => "OQS用アダプタ".into(),
        ("route", Lang::Ja) => "経路".into(),
        ("ipv4_fallback", Lang::Ja) => "IPv4への切り替え".into(),
        ("nat64", Lang::Ja) => "NAT64".into(),
        ("proxy_settings", Lang::Ja) => "プロキシ設定".into(),
        ("proxy_route", Lang::Ja) => "プロキシ経路".into(),
        ("deadline", Lang::Ja) => "期限切れ".into(),
        ("line_auth", Lang::Ja) => "回線認証".into(),
        ("ngn_dns", Lang::Ja) => "NGNのDNSサーバ".into(),
        ("environment", Lang::Ja) => "接続先環境".into(),
        (other, Lang::Ja) => other.replace('_', " ").to_uppercase(),
    }
}

/// A soak target's id as a row shows it after its kind: nothing for the rows that stand for no
/// host (the kind says it all in Japanese), else the id.
pub fn soak_id(id: &str, lang: Lang) -> &str {
    match (id, lang) {
        (
            "client-certificate" | "adapter" | "routes" | "ipv4-fallback" | "proxy:settings"
            | "ntp-consensus" | "nat64" | "line:auth" | "line:ngn-dns" | "environment",
            Lang::Ja,
        ) => "",
        _ => id,
    }
}

/// Up or down, as a soak's table says a target is now.
pub fn up_down(up: bool, lang: Lang) -> &'static str {
    match (up, lang) {
        (true, Lang::En) => "UP",
        (false, Lang::En) => "DOWN",
        (true, Lang::Ja) => "正常",
        (false, Lang::Ja) => "停止",
    }
}

/// The environment as the guide names it (本番環境, 接続検証環境).
pub fn environment(label: &str, lang: Lang) -> &str {
    match (label, lang) {
        ("production", Lang::Ja) => "本番環境",
        ("verification", Lang::Ja) => "接続検証環境",
        (other, _) => other,
    }
}

/// Where the charset a page was decoded by came from.
pub fn charset_origin(o: CharsetOrigin, lang: Lang) -> &'static str {
    match o {
        CharsetOrigin::HttpHeader => Label::CharsetHttpHeader,
        CharsetOrigin::Bom => Label::CharsetBom,
        CharsetOrigin::Meta => Label::CharsetMeta,
        CharsetOrigin::ValidUtf8 => Label::CharsetValidUtf8,
        CharsetOrigin::Guessed => Label::CharsetGuessed,
    }
    .text(lang)
}

/// The line type as the guide names it (IP-VPN接続方式, IPsec+IKE).
pub fn mode(label: &str, lang: Lang) -> &str {
    match (label, lang) {
        ("ipvpn", Lang::Ja) => "IP-VPN",
        ("ipsec", Lang::Ja) => "IPsec+IKE",
        (other, _) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `{…}` a text leaves to be filled, sorted.
    fn holes(s: &str) -> Vec<&str> {
        let mut v: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(k, _)| k))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn every_label_has_both_languages_and_fills_its_number() {
        use Label::*;
        // Names and figures the same in both languages.
        let same = [P50P95];
        for &l in Label::ALL {
            let (en, ja) = l.pair();
            assert!(!en.is_empty() && !ja.is_empty(), "{l:?}");
            assert!(en != ja || same.contains(&l), "{l:?}");
            assert_eq!(holes(en), holes(ja), "{l:?}");
        }
        let mut texts: Vec<(&str, &str)> = Label::ALL.iter().map(|l| l.pair()).collect();
        let n = texts.len();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), n, "a word said twice in the table");
        assert_eq!(DaysLeft.with(Lang::Ja, 29), "残り 29 日");
        assert_eq!(DaysLeft.with(Lang::En, -1), "-1 days left");
        assert_eq!(status(Status::Fail, Lang::Ja), "失敗");
        assert_eq!(target("routes", Lang::Ja), "経路");
        assert_eq!(target("oqs-web", Lang::Ja), "oqs-web");
    }
}
