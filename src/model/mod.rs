//! Plain data shared by every layer: profiles, probe results, findings and the round report.
//! No I/O and no dependency on any other module of the crate.

mod finding;
mod report;
mod result;
mod soak;
mod target;

pub use finding::{Code, Finding, Status};
pub use report::{
    Check, CheckData, CheckKind, FamilySummary, ProfileSummary, Round, SCHEMA_VERSION,
};
pub use result::{
    DnsAnswer, DnsFailure, DnsNameResult, DnsQuery, Family, FamilyLookup, NameRole, NtpReading,
    NtpSample, NtpSampleError, NtpSampleOutcome, NtpServerResult,
};
pub use soak::{
    CodeCount, DriftFit, FlapPeriod, NtpOffsets, OffsetBucket, Outage, PhaseLatency,
    SOAK_SCHEMA_VERSION, SetChange, SoakHeader, SoakReport, Stamp, StatusCounts, TargetReport,
    display_target, human_duration,
};
pub use target::{
    Acceptance, AdapterExpect, DnsSettings, Environment, HostPort, Mode, NtpSettings, Profile,
    ProxySettings, SoakSettings, TlsEndpoint,
};
