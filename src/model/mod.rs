//! Plain data shared by every layer: profiles, probe results, findings and the round report.
//! No I/O and no dependency on any other module of the crate.

mod acceptance;
mod adapter;
mod finding;
mod line;
mod measurements;
mod pac;
mod proxy;
mod report;
mod result;
mod settings;
mod soak;
mod target;
mod tls;

pub use acceptance::{
    ACCEPT_SCHEMA_VERSION, AcceptanceReport, Area, Criteria, CriterionId, CriterionResult,
    Evidence, LastTarget, Limit, Measured, Sample, Unit, Verdict,
};
pub use adapter::{
    Adapter, AdapterAddress, AdapterDns, AdapterMeasurement, AdapterRequest, AddressKind, Binding,
    Contact, Expectation, Inventory, NameSource, Nat64Prefix, Nat64Result, NotFound,
    PathMeasurements, RouteProbe, RouteView, Rule, Selection, Skipped, TcpAttempt, TcpOutcome,
    TcpTargetResult,
};
pub use finding::{Code, Finding, Status};
pub use line::{
    AuthPage, CharsetOrigin, EnvName, EnvironmentResult, LINEAUTH_HOST, LINEAUTH_MAX_BYTES,
    LineAuth, LineAuthResult, LinePlan, LineRound, LineSettings, NGN_DNS, NGN_TEST_NAMES,
    NgnAnswer, NgnDns, NgnDnsResult, PageReading, ReachStage, counterpart, environment_of,
    ngn_dns_default,
};
pub use measurements::Measurements;
pub use pac::{FetchError, PacError, ProxyKind, Route, RouteFault, RouteList};
pub use proxy::{
    ConnectOutcome, ConnectResult, DhcpRead, DhcpWpad, Fallback, PacUse, ProxyRound, ProxySource,
    ProxySourceKind, RouteReason, TargetRoute, Way, WinInetValues,
};
pub use report::{
    Check, CheckData, CheckKind, FamilySummary, FindingRef, ProfileSummary, RootCause, Round,
    SCHEMA_VERSION,
};
pub use result::{
    DnsAnswer, DnsFailure, DnsNameResult, DnsQuery, Family, FamilyLookup, NameRole, NtpReading,
    NtpSample, NtpSampleError, NtpSampleOutcome, NtpServerResult,
};
pub use settings::{ChosenCertificate, PasswordOrigin, RoundSettings, StartFacts, TlsOverrides};
pub use soak::{
    CodeCount, Columns, DriftFit, FlapPeriod, LatencyColumn, MAX_COLUMNS, NtpOffsets, OffsetBucket,
    OffsetStep, Outage, PhaseColumns, PhaseLatency, SOAK_SCHEMA_VERSION, SetChange, SettingsChange,
    SoakHeader, SoakReport, Stamp, StateColumn, StatusCounts, TargetColumns, TargetReport,
    ValueChange, display_target, human_duration,
};
pub use target::{
    Acceptance, AdapterExpect, DnsSettings, Environment, HostPort, Mode, NtpSettings, Profile,
    ProxySettings, Slowness, SoakSettings, TlsEndpoint,
};
pub use tls::{
    Acceptance as TlsAcceptance, CertInfo, IdentityReport, InstitutionCode, MssRetry,
    PasswordSource, PfxEntry, PfxFailure, PfxReport, Secret, SelectionRule, Stage,
    TlsEndpointResult, TlsFailure, TlsRound, TlsSettings, TlsVersion,
};
