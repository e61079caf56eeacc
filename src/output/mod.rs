//! Renderers: a round (human terminal page, JSON, JUnit XML, a monitoring-plugin status), the
//! soak report, `oqs-net pac`, `oqs-net cert inspect` and `oqs-net explain`. They read `model` and
//! `findings` (the pac report also the PAC evaluator's plain result types) and never open a socket
//! or decide a verdict.

/// `oqs-net accept`: the verdict table, JUnit, JSON and the plugin line.
pub mod acceptance;
/// `oqs-net cert inspect`: the PFX files and the certificate presented.
pub mod cert;
/// The envelope every JSON output shares: versions, rounded durations, errors.
pub mod envelope;
/// `oqs-net explain`: the finding catalogue itself.
pub mod explain;
/// The soak report as one self-contained HTML file with SVG charts.
pub mod html;
pub mod human;
pub mod json;
/// A round as JUnit XML, for CI systems and ticket pipelines.
pub mod junit;
/// A round as Prometheus metrics (soak's listener and textfile, `serve`).
pub mod metrics;
/// A round as a monitoring plugin reports it (Nagios, Icinga, Zabbix external checks).
pub mod nagios;
/// `oqs-net pac`: one PAC evaluation.
pub(crate) mod pac;
/// `oqs-net profiles`: the shipped profiles and a validated file.
pub(crate) mod profiles;
/// The JSON Schemas of the JSON outputs, generated from the types.
pub mod schema;
/// The soak report's terminal and JSON forms.
pub mod soak;
/// Display width and padding by it: every column of the terminal renderers.
pub(crate) mod width;

/// Output formats a user can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// The formats of one round (`oqs-net probe --format`): the two every command has, and the two
/// that pipelines and monitors read. Other commands keep [`Format`], so clap refuses `junit` and
/// `nagios` there as a usage error.
// (Plain comments on the variants: doc comments would switch `--help` to its long layout.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RoundFormat {
    Human,
    Json,
    // JUnit XML: one testsuite per section, one testcase per check.
    Junit,
    // A monitoring-plugin status line with performance data; exit 0/1/2/3 as OK/WARNING/CRITICAL/UNKNOWN.
    Nagios,
}

/// The section a check belongs to, by its stable key (JUnit suite names). The sections' titles
/// are words of the label table (`Label::Section*`).
pub(crate) fn section(kind: crate::model::CheckKind) -> &'static str {
    use crate::model::CheckKind::*;
    match kind {
        Dns => "dns",
        Ntp | NtpConsensus => "ntp",
        TlsClientCert | Tls => "tls",
        Adapter | Route | Ipv4Fallback | Nat64 => "adapter",
        Tcp => "tcp",
        ProxySettings | ProxyRoute => "proxy",
        LineAuth | NgnDns | Environment => "line",
        Deadline => "deadline",
    }
}

/// `text` in the colour of a status (bold green, yellow, red, magenta) when `color` is on.
pub(crate) fn paint(color: bool, s: crate::model::Status, text: &str) -> String {
    use crate::model::Status;
    let code = match s {
        Status::Pass => "32",
        Status::Warn => "33",
        Status::Fail => "31",
        Status::Error => "35",
    };
    if color {
        format!("\x1b[1;{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}
