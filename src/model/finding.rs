//! Statuses, the closed set of finding codes, and a finding as data (its text lives in `findings`).

use serde::{Deserialize, Serialize};

/// A check's verdict, ordered from best to worst.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// The check could not be carried out (a local problem, not the network's verdict).
    Error,
}

impl Status {
    pub fn as_label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $label:literal,)*) => {
        /// Every finding oqs-net can report. Labels are stable: JSON, metrics and JUnit use them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
            pub fn as_label(self) -> &'static str {
                match self { $(Code::$variant => $label,)* }
            }
        }
    };
}

codes! {
    DnsNxDomain = "dns.nxdomain",
    DnsServFail = "dns.servfail",
    DnsRefused = "dns.refused",
    DnsTimeout = "dns.timeout",
    DnsTcpBlocked = "dns.tcp_blocked",
    DnsResolverError = "dns.resolver_error",
    DnsNoAddress = "dns.no_address",
    DnsNoAaaa = "dns.no_aaaa",
    DnsNoA = "dns.no_a",
    DnsUnstable = "dns.unstable",
    DnsSingleMember = "dns.single_member",
    DnsNoRotation = "dns.no_rotation",
    DnsMemberNoNtp = "dns.member_no_ntp",
    DnsFirstPickDead = "dns.first_pick_dead",
    DnsFallbackOutsideSet = "dns.fallback_outside_set",
    DnsFallbackUnresolvable = "dns.fallback_unresolvable",
    DnsSlow = "dns.slow",
    NtpNoReply = "ntp.no_reply",
    NtpRefused = "ntp.refused",
    NtpPartialLoss = "ntp.partial_loss",
    NtpOffsetWarn = "ntp.offset_warn",
    NtpOffsetFail = "ntp.offset_fail",
    NtpServerOff = "ntp.server_off",
    NtpUnsynchronised = "ntp.unsynchronised",
    NtpKodRate = "ntp.kod_rate",
    NtpKodDeny = "ntp.kod_deny",
    NtpKodRstr = "ntp.kod_rstr",
    NtpKodOther = "ntp.kod_other",
    NtpInvalidReply = "ntp.invalid_reply",
    NtpLocalError = "ntp.local_error",
    NtpMembersDisagree = "ntp.members_disagree",
    NtpNoServers = "ntp.no_servers",
    NtpSlowDelay = "ntp.slow_delay",
    NtpFamilyBlocked = "ntp.family_blocked",
    AdapterNotFound = "adapter.not_found",
    AdapterDown = "adapter.down",
    AdapterNoGlobalIpv6 = "adapter.no_global_ipv6",
    AdapterIpv4Bound = "adapter.ipv4_bound",
    AdapterNoIpv6DefaultRoute = "adapter.no_ipv6_default_route",
    AdapterOtherIpv6DefaultRoute = "adapter.other_ipv6_default_route",
    AdapterNoIpv4 = "adapter.no_ipv4",
    AdapterNoDns = "adapter.no_dns",
    RouteWrongAdapter = "route.wrong_adapter",
    RouteNone = "route.none",
    Ipv4Fallback = "ipv6.ipv4_fallback",
    Nat64Detected = "nat64.detected",
    ReachNoAaaa = "reach.no_aaaa",
    ReachUnresolved = "reach.unresolved",
    ReachRefused = "reach.refused",
    ReachTimeout = "reach.timeout",
    ReachUnreachable = "reach.unreachable",
    ReachLocalError = "reach.local_error",
    ReachViaNat64 = "reach.via_nat64",
    ProbeDeadline = "probe.deadline",
    ProxyRouteWrong = "proxy.route_wrong",
    ProxyBypassMissing = "proxy.bypass_missing",
    ProxyBypassExtra = "proxy.bypass_extra",
    ProxyAuthRequired = "proxy.auth_required",
    ProxyForbidden = "proxy.forbidden",
    ProxyUpstreamFailed = "proxy.upstream_failed",
    ProxyUnavailable = "proxy.unavailable",
    ProxyUnreachable = "proxy.unreachable",
    ProxySilent = "proxy.silent",
    ProxyNotHttp = "proxy.not_http",
    ProxyOtherStatus = "proxy.other_status",
    ProxyTunnelTlsFailed = "proxy.tunnel_tls_failed",
    ProxyPacUnusable = "proxy.pac_unusable",
    ProxyAutoDetectOn = "proxy.autodetect_on",
    ProxyAutoDetectWaysDiffer = "proxy.autodetect_ways_differ",
    ProxyWinHttpDiffers = "proxy.winhttp_differs",
    TlsUnresolved = "tls.unresolved",
    TlsRefused = "tls.refused",
    TlsReset = "tls.reset",
    TlsConnectTimeout = "tls.connect_timeout",
    TlsConnectError = "tls.connect_error",
    TlsHandshakeTimeout = "tls.handshake_timeout",
    TlsMtuBlackHole = "tls.mtu_black_hole",
    TlsServerUnknownCa = "tls.server_unknown_ca",
    TlsServerCertExpired = "tls.server_cert_expired",
    TlsServerCertExpiring = "tls.server_cert_expiring",
    TlsServerNameMismatch = "tls.server_name_mismatch",
    TlsServerCertInvalid = "tls.server_cert_invalid",
    TlsWrongEnvironment = "tls.wrong_environment",
    TlsClientCertRequired = "tls.client_cert_required",
    TlsClientCertNotRequested = "tls.client_cert_not_requested",
    TlsRejectedBadCertificate = "tls.rejected.bad_certificate",
    TlsRejectedUnknownCa = "tls.rejected.unknown_ca",
    TlsRejectedCertificateExpired = "tls.rejected.certificate_expired",
    TlsRejectedCertificateRevoked = "tls.rejected.certificate_revoked",
    TlsRejectedCertificateRequired = "tls.rejected.certificate_required",
    TlsRejectedAccessDenied = "tls.rejected.access_denied",
    TlsRejectedOther = "tls.rejected.other",
    TlsRejectedHttp = "tls.rejected.http",
    TlsProtocolMismatch = "tls.protocol_mismatch",
    TlsNotTls = "tls.not_tls",
    TlsClosedAfterHandshake = "tls.closed_after_handshake",
    TlsRequestTimeout = "tls.request_timeout",
    TlsHttpError = "tls.http_error",
    TlsOther = "tls.other",
    TlsCaBundle = "tls.ca_bundle",
    TcpSlow = "tcp.slow",
    TlsSlow = "tls.slow",
    CertNotInstalled = "cert.not_installed",
    CertExpired = "cert.expired",
    CertExpiring = "cert.expiring",
    CertForeignIssuer = "cert.foreign_issuer",
    CertCodeUnmatched = "cert.institution_code_unmatched",
    PfxWrongPassword = "pfx.wrong_password",
    PfxNoPassword = "pfx.no_password",
    PfxCorrupt = "pfx.corrupt",
    PfxNoPrivateKey = "pfx.no_private_key",
    PfxUnreadable = "pfx.unreadable",
    PfxPasswordUnavailable = "pfx.password_unavailable",
    PacFetchFailed = "pac.fetch_failed",
    PacScriptTooLarge = "pac.script_too_large",
    PacSyntaxError = "pac.syntax_error",
    PacTimeout = "pac.timeout",
    PacResourceLimit = "pac.resource_limit",
    PacUndefinedFunction = "pac.undefined_function",
    PacSandboxDenied = "pac.sandbox_denied",
    PacNoEntryPoint = "pac.no_find_proxy_for_url",
    PacNonStringResult = "pac.non_string_result",
    PacScriptError = "pac.script_error",
    PacInvalidRoute = "pac.invalid_route",
    SoakFlapping = "soak.flapping",
    SoakNtpFlapping = "soak.ntp_flapping",
    SoakDnsFlapping = "soak.dns_flapping",
    SoakClockDrift = "soak.clock_drift",
    SoakSlow = "soak.slow",
    SoakNtpStep = "soak.ntp_step",
    SoakClockStep = "soak.clock_step",
    SoakSetChanged = "soak.set_changed",
    SoakCertChanged = "soak.cert_changed",
    SoakClientCertChanged = "soak.client_cert_changed",
    SoakWayChanged = "soak.way_changed",
    LineAuthRequired = "line.auth_required",
    LineAuthUnreachable = "line.auth_unreachable",
    LineAuthUnexpected = "line.auth_unexpected",
    LineDnsNotNgn = "line.dns_not_ngn",
    LineNgnDnsNoAnswer = "line.ngn_dns_no_answer",
    EnvOtherEnvironment = "env.other_environment",
    AcceptAvailability = "accept.availability_low",
    AcceptHandshakeSlow = "accept.handshake_slow",
    AcceptLastRound = "accept.last_round_failed",
    AcceptNotMeasured = "accept.not_measured",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_label())
    }
}

impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let labels: Vec<&str> = Code::ALL.iter().map(|c| c.as_label()).collect();
        schemars::json_schema!({"type": "string", "enum": labels})
    }
}

/// One finding: a code, how bad it is, what it is about, and the values its text refers to.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    pub code: Code,
    pub severity: Status,
    /// The name or address concerned.
    pub subject: String,
    /// Named values the catalogue's text fills in (`{offset_ms}` and so on).
    pub values: Vec<(String, String)>,
}

impl Finding {
    pub fn new(code: Code, severity: Status, subject: impl Into<String>) -> Finding {
        Finding {
            code,
            severity,
            subject: subject.into(),
            values: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl ToString) -> Finding {
        self.values.push((key.to_string(), value.to_string()));
        self
    }

    pub fn value(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}
