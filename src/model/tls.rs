//! TLS as data: the profile's client-certificate settings (CA bundle, PFX, password source,
//! institution code, thresholds), what a PFX held, which certificate was chosen and why, and what
//! each endpoint's connection and handshake came to. No I/O; the secret is only carried, redacted.

use serde::Serialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A password held in memory that wipes itself on drop and never prints or serialises.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(zeroize::Zeroizing<String>);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(zeroize::Zeroizing::new(s))
    }
    /// The secret itself, for the one call that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

impl schemars::JsonSchema for Secret {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Secret".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"const": "<redacted>"})
    }
}

/// Where the PFX password comes from. Never argv.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "from", rename_all = "snake_case")]
pub enum PasswordSource {
    /// No source given: the empty password is tried (some exports have none).
    #[default]
    None,
    /// The name of an environment variable holding it.
    Env(String),
    /// A file whose first line is the password.
    File(PathBuf),
    /// Typed at the prompt (or handed over by a caller that read it itself).
    Given(Secret),
}

/// The 10-digit medical institution code (OQS_MEDICAL_INSTITUTION_CODE, 補5/補8/補18).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct InstitutionCode(String);

impl InstitutionCode {
    pub fn parse(s: &str) -> Result<InstitutionCode, String> {
        let s = s.trim();
        if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(InstitutionCode(s.to_string()))
        } else {
            Err(format!(
                "`{s}` is not an institution code (exactly 10 digits, 補5)"
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Lowest TLS version the client offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub enum TlsVersion {
    #[serde(rename = "TLSv1.2")]
    Tls12,
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    pub fn as_label(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

/// The client side of every TLS probe of a profile.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TlsSettings {
    /// PEM file of trusted roots for the servers' chains; `None`: the system's store.
    pub ca_bundle: Option<PathBuf>,
    /// PFX (PKCS#12) files holding the client certificate(s).
    pub pfx: Vec<PathBuf>,
    pub password: PasswordSource,
    /// Selects among several client certificates (補18).
    pub institution_code: Option<InstitutionCode>,
    /// Client (and server) certificates expiring within this many days warn.
    pub expiry_warn_days: u32,
    /// Issuer names that count as the Online Billing NW CA (matched inside the issuer DN).
    pub issuer_names: Vec<String>,
    pub min_version: TlsVersion,
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub connect_timeout: Duration,
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub handshake_timeout: Duration,
    #[serde(serialize_with = "ser_ms")]
    #[schemars(with = "u64")]
    pub request_timeout: Duration,
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            ca_bundle: None,
            pfx: Vec::new(),
            password: PasswordSource::None,
            institution_code: None,
            expiry_warn_days: 30,
            issuer_names: vec![
                "Online Billing NW Common Root CA".into(),
                "Online Billing NW System".into(),
            ],
            min_version: TlsVersion::Tls12,
            connect_timeout: Duration::from_secs(3),
            handshake_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
        }
    }
}

/// One certificate as a person reads it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// Hex, colon-free.
    pub serial: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    pub not_after: String,
    /// Whole days until `not_after` (negative once expired).
    pub days_left: i64,
    /// `ECDSA P-256`, `RSA 2048`, `Ed25519`…
    pub key_type: String,
    pub is_ca: bool,
    /// DNS names and IP addresses of the subjectAltName.
    pub names: Vec<String>,
    /// A 10-digit run in the subject, if any.
    pub institution_code: Option<String>,
    pub sha256: String,
}

impl CertInfo {
    pub fn expired(&self) -> bool {
        self.days_left < 0
    }
}

/// Why a PFX file gave no usable certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PfxFailure {
    /// Missing, unreadable, or too large.
    Unreadable { detail: String },
    /// The integrity check (MAC) failed: almost always the wrong password.
    WrongPassword,
    /// No password was given (no flag, profile key or terminal) and the file needs one: the
    /// empty password tried instead failed its integrity check.
    NoPassword,
    /// Not a PKCS#12 file, truncated, or an encoding we cannot read.
    Corrupt { detail: String },
    /// Certificates but no private key: exported without "export the private key".
    NoPrivateKey,
    /// The password variable or file named could not be read.
    PasswordUnavailable { detail: String },
}

impl PfxFailure {
    pub fn as_label(&self) -> &'static str {
        match self {
            PfxFailure::Unreadable { .. } => "unreadable",
            PfxFailure::WrongPassword => "wrong_password",
            PfxFailure::NoPassword => "no_password",
            PfxFailure::Corrupt { .. } => "corrupt",
            PfxFailure::NoPrivateKey => "no_private_key",
            PfxFailure::PasswordUnavailable { .. } => "password_unavailable",
        }
    }
}

/// One certificate found in a PFX.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PfxEntry {
    pub cert: CertInfo,
    /// Whether the file holds the private key for this certificate.
    pub has_private_key: bool,
}

/// One PFX file: what it held, or why it could not be read.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PfxReport {
    pub path: String,
    pub entries: Vec<PfxEntry>,
    pub failure: Option<PfxFailure>,
}

/// Which rule of 補18 chose the certificate presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SelectionRule {
    /// The only client certificate with a key.
    Only,
    /// Its subject carries the institution code given.
    InstitutionCode,
    /// No code given, or none matched: the latest expiry.
    LatestExpiry,
}

impl SelectionRule {
    pub fn as_label(self) -> &'static str {
        match self {
            SelectionRule::Only => "only",
            SelectionRule::InstitutionCode => "institution_code",
            SelectionRule::LatestExpiry => "latest_expiry",
        }
    }
}

/// The client identity of a round: the files read, the candidates, and the one chosen.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct IdentityReport {
    pub files: Vec<PfxReport>,
    /// Client certificates with their private key (leaf, not CA), in file order.
    pub candidates: Vec<CertInfo>,
    /// Index into `candidates`.
    pub selected: Option<usize>,
    pub rule: Option<SelectionRule>,
    pub institution_code: Option<String>,
    /// Whether the code was given but no candidate carried it.
    pub code_unmatched: bool,
    pub expected_issuers: Vec<String>,
    /// The chain of the selected certificate as the file gave it (issuers above the leaf).
    pub selected_chain: Vec<CertInfo>,
    /// Set when the CA bundle for servers' chains could not be loaded.
    pub ca_error: Option<String>,
    /// `system` or the bundle's path.
    pub ca_source: String,
}

impl IdentityReport {
    pub fn selected_cert(&self) -> Option<&CertInfo> {
        self.selected.and_then(|i| self.candidates.get(i))
    }
}

/// Where a connection stopped when the peer reset it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Connect,
    Handshake,
    Request,
}

impl Stage {
    pub fn as_label(self) -> &'static str {
        match self {
            Stage::Connect => "connect",
            Stage::Handshake => "handshake",
            Stage::Request => "request",
        }
    }
}

/// Why a TLS probe did not end in an accepted handshake (and answered request, when asked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TlsFailure {
    Unresolved {
        detail: String,
    },
    Refused,
    Reset {
        stage: Stage,
    },
    ConnectTimeout,
    /// Unreachable network or host, or a local socket error.
    ConnectError {
        detail: String,
    },
    HandshakeTimeout,
    /// The handshake stalled once the server's large flight (its certificate chain) was due, and
    /// a second handshake offering small TCP segments completed: packets above the path's MTU are
    /// dropped and the ICMP "too big" that would shrink them never comes back (a path-MTU black
    /// hole). [`TlsEndpointResult::small_mss_retry`] holds the figures.
    MtuBlackHole,
    /// The server's chain does not lead to a trusted root.
    ServerUnknownCa,
    ServerCertExpired,
    /// The server's certificate is not for the name asked.
    ServerNameMismatch,
    ServerCertInvalid {
        detail: String,
    },
    /// The server demanded a client certificate and we had none to give.
    ClientCertRequired,
    /// The server sent a fatal alert after seeing our certificate (named by the alert).
    Rejected {
        alert: String,
    },
    /// What came back is not TLS at all (plain HTTP, another protocol, garbage).
    NotTls {
        detail: String,
    },
    /// No protocol version or cipher suite in common.
    ProtocolMismatch {
        detail: String,
    },
    /// The server closed the connection right after the handshake without a word.
    ClosedAfterHandshake {
        stage: Stage,
    },
    RequestTimeout,
    /// The HTTPS request failed for another reason.
    Http {
        detail: String,
    },
    Other {
        detail: String,
    },
}

impl TlsFailure {
    pub fn as_label(&self) -> &'static str {
        match self {
            TlsFailure::Unresolved { .. } => "unresolved",
            TlsFailure::Refused => "refused",
            TlsFailure::Reset { .. } => "reset",
            TlsFailure::ConnectTimeout => "connect_timeout",
            TlsFailure::ConnectError { .. } => "connect_error",
            TlsFailure::HandshakeTimeout => "handshake_timeout",
            TlsFailure::MtuBlackHole => "mtu_black_hole",
            TlsFailure::ServerUnknownCa => "server_unknown_ca",
            TlsFailure::ServerCertExpired => "server_cert_expired",
            TlsFailure::ServerNameMismatch => "server_name_mismatch",
            TlsFailure::ServerCertInvalid { .. } => "server_cert_invalid",
            TlsFailure::ClientCertRequired => "client_cert_required",
            TlsFailure::Rejected { .. } => "rejected",
            TlsFailure::NotTls { .. } => "not_tls",
            TlsFailure::ProtocolMismatch { .. } => "protocol_mismatch",
            TlsFailure::ClosedAfterHandshake { .. } => "closed_after_handshake",
            TlsFailure::RequestTimeout => "request_timeout",
            TlsFailure::Http { .. } => "http",
            TlsFailure::Other { .. } => "other",
        }
    }
}

/// How the acceptance of our certificate was established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    /// An HTTPS response came back over the connection.
    Response,
    /// TLS 1.2: the handshake itself completes only after the server checked our certificate.
    Handshake,
    /// TLS 1.3 without a request: no alert arrived within the confirmation window.
    NoAlert,
}

/// Everything measured against one TLS endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TlsEndpointResult {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// The address connected to.
    #[serde(serialize_with = "ser_opt_sock")]
    pub addr: Option<SocketAddr>,
    pub resolve_ms: Option<f64>,
    pub connect_ms: Option<f64>,
    pub handshake_ms: Option<f64>,
    pub request_ms: Option<f64>,
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    /// The server's end-entity certificate, seen even when it failed validation.
    pub server_cert: Option<CertInfo>,
    pub server_chain_len: usize,
    /// Whether the server sent a CertificateRequest (`None`: the handshake did not get that far).
    pub client_cert_requested: Option<bool>,
    /// Whether we presented a certificate.
    pub client_cert_sent: bool,
    /// The profile expects this endpoint to demand a client certificate.
    pub client_cert_expected: bool,
    pub accepted_by: Option<Acceptance>,
    /// The request path asked (`None`: no request).
    pub request: Option<String>,
    pub http_status: Option<u16>,
    /// What the response says for itself (an HTML title or the first line), when it is an error.
    pub http_reason: Option<String>,
    pub failure: Option<TlsFailure>,
    /// After a stalled handshake on a direct connection: a second one offering small segments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_mss_retry: Option<MssRetry>,
}

/// A handshake retried with a small TCP maximum segment size (`TCP_MAXSEG`) after the first one
/// stalled: when it completes, the first stalled on packet size, not on a filter or a server.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MssRetry {
    /// The segment size offered (536 over IPv4, 1220 over IPv6: packets of 576 and 1280 bytes,
    /// which every path carries).
    pub mss: u32,
    /// Bytes the stalled handshake had received from the server before it stalled.
    pub received_before_stall: u64,
    /// The retry's handshake time, when it completed.
    pub handshake_ms: Option<f64>,
    /// Why the retry did not complete, when it did not (a failure's label).
    pub failed: Option<String>,
}

impl MssRetry {
    pub fn completed(&self) -> bool {
        self.handshake_ms.is_some()
    }
}

/// The TLS part of a round's measurements.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TlsRound {
    /// `None` when the round had no TLS endpoint.
    pub identity: Option<IdentityReport>,
    pub endpoints: Vec<TlsEndpointResult>,
}

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

fn ser_opt_sock<S: serde::Serializer>(a: &Option<SocketAddr>, s: S) -> Result<S::Ok, S::Error> {
    match a {
        Some(a) => s.collect_str(a),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2-very-secret".into());
        assert!(!format!("{s:?}").contains("hunter2"));
        let p = PasswordSource::Given(s);
        assert!(!format!("{p:?}").contains("hunter2"));
        assert!(!serde_json::to_string(&p).unwrap().contains("hunter2"));
    }

    #[test]
    fn institution_code_is_ten_digits() {
        assert!(InstitutionCode::parse("1234567890").is_ok());
        for bad in ["123456789", "12345678901", "12345678a0", ""] {
            assert!(InstitutionCode::parse(bad).is_err(), "{bad}");
        }
    }
}
