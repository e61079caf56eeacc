//! A round as Prometheus metrics (OpenMetrics text, encoded by `prometheus-client`), the same for
//! `soak --metrics-listen`, `soak --metrics-textfile` and `serve`'s `/probe`; and `serve`'s own
//! process metrics. Reads `model` (and the plain flap view its callers hand in); never opens a
//! socket nor decides a verdict.
//!
//! Named in the manner of blackbox_exporter where they overlap (`probe_success`,
//! `probe_duration_seconds`), in base units (seconds, ratios, Unix timestamps), and with bounded
//! labels only: a check's id (from the profile), its kind, the address measured, a phase, a
//! family, a finding code. Never an error text, a time or anything secret.

use crate::model::{CheckData, CheckKind, Code, Round, Status};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::collections::BTreeSet;

/// The content type of what [`round`] and [`process`] return.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// One followed target as a soak sees it after a round: its check id and the flap detector's view.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetState {
    pub check: String,
    pub kind: String,
    pub up: bool,
    pub flapping: bool,
    /// Weighted percent state change, 0 to 100 (as `--flap-high` is given).
    pub score_pct: f64,
}

/// What following rounds adds to the last one (a soak's, or `serve`'s real rounds): where it is
/// and every target's flap state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SoakView {
    /// The journal's sequence number of the round shown.
    pub seq: u64,
    pub rounds: u64,
    pub flaps: u64,
    pub overruns: u64,
    pub targets: Vec<TargetState>,
}

/// `serve`'s own counters, for its `/metrics`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProcessView {
    /// Per profile: rounds really run, and `/probe` answers given from the last round.
    pub profiles: Vec<(String, u64, u64)>,
    /// `/probe` requests refused (unknown profile, bad query, a round that could not be planned).
    pub refused: u64,
}

type Labels = Vec<(&'static str, String)>;

/// One metric family and its series, in the order they were set.
#[derive(Debug)]
struct Fam {
    name: &'static str,
    help: &'static str,
    series: Vec<(Labels, f64)>,
}

/// The families of one exposition, encoded by `prometheus-client` in the order they were made
/// (the client's own `Family` keeps its series in a hash map, so the order would change between
/// scrapes; built once per round, constant values need no atomics either).
#[derive(Debug, Default)]
struct Sheet {
    fams: Vec<Fam>,
}

impl Collector for Sheet {
    fn encode(&self, mut enc: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for f in self.fams.iter().filter(|f| !f.series.is_empty()) {
            let mut me = enc.encode_descriptor(f.name, f.help, None, MetricType::Gauge)?;
            for (labels, v) in &f.series {
                if labels.is_empty() {
                    me.encode_gauge(v)?;
                } else {
                    me.encode_family(labels)?.encode_gauge(v)?;
                }
            }
        }
        Ok(())
    }
}

/// A family's place in its sheet.
#[derive(Clone, Copy)]
struct F(usize);

impl Sheet {
    fn new() -> Sheet {
        let mut s = Sheet::default();
        let info = s.gauge(
            "oqs_net_build_info",
            "oqs-net's version; always 1 (join on it to label other series)",
        );
        s.set(
            info,
            vec![("version", env!("CARGO_PKG_VERSION").to_string())],
            1.0,
        );
        s
    }

    fn gauge(&mut self, name: &'static str, help: &'static str) -> F {
        self.fams.push(Fam {
            name,
            help,
            series: Vec::new(),
        });
        F(self.fams.len() - 1)
    }

    /// A count of one series. Counts are gauges: OpenMetrics names a counter's family without
    /// its `_total`, which the Prometheus text format (node_exporter's textfile collector,
    /// `promtool check metrics`) reads as two families, one without samples.
    fn count(&mut self, name: &'static str, help: &'static str, v: u64) {
        let f = self.gauge(name, help);
        self.set(f, vec![], v as f64);
    }

    fn set(&mut self, f: F, labels: Labels, v: f64) {
        self.fams[f.0].series.push((labels, v));
    }

    fn text(self) -> String {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(self));
        let mut out = String::with_capacity(16 * 1024);
        // Writing to a String cannot fail.
        let _ = encode_registry(&mut out, &registry);
        let _ = encode_eof(&mut out);
        out
    }
}

fn bool01(b: bool) -> f64 {
    f64::from(u8::from(b))
}

fn kind_label(k: CheckKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".into())
}

/// The address a check measured, where it measured one.
fn address(data: &CheckData) -> String {
    match data {
        CheckData::Ntp(r) => r.addr.to_string(),
        CheckData::Tls(r) => r.addr.map(|a| a.to_string()).unwrap_or_default(),
        CheckData::Tcp(r) => r
            .attempts
            .iter()
            .find(|a| a.outcome == crate::model::TcpOutcome::Connected)
            .or(r.attempts.first())
            .map(|a| a.addr.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The phases a check measured, in milliseconds.
fn phases(data: &CheckData) -> Vec<(&'static str, f64)> {
    let mut out = Vec::new();
    match data {
        CheckData::Dns { result, summary } => {
            let mut v: Vec<f64> = result
                .lookups
                .iter()
                .filter(|l| summary.iter().any(|s| s.expected && s.family == l.family))
                .flat_map(|l| &l.queries)
                .map(|q| q.elapsed_ms)
                .collect();
            v.sort_by(f64::total_cmp);
            if let Some(m) = v.get(v.len() / 2) {
                out.push(("dns", *m));
            }
        }
        CheckData::Ntp(r) => {
            if let Some(b) = r.best() {
                out.push(("ntp", b.delay_ms));
            }
        }
        CheckData::Tls(r) => {
            for (p, v) in [
                ("resolve", r.resolve_ms),
                ("connect", r.connect_ms),
                ("handshake", r.handshake_ms),
                ("request", r.request_ms),
            ] {
                if let Some(ms) = v.filter(|v| v.is_finite()) {
                    out.push((p, ms));
                }
            }
        }
        CheckData::Tcp(r) => {
            if let Some(a) = r
                .attempts
                .iter()
                .find(|a| a.outcome == crate::model::TcpOutcome::Connected)
            {
                out.push(("tcp_connect", a.elapsed_ms));
            }
        }
        _ => {}
    }
    out
}

/// An RFC 3339 time as Unix seconds.
fn unix(at: &str) -> Option<f64> {
    at.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond() as f64 / 1000.0)
}

/// The build info alone: what a soak's `/metrics` shows before its first round.
pub fn build_only() -> String {
    Sheet::new().text()
}

/// The metrics of one round, with the soak's flap view when a soak produced it.
pub fn round(r: &Round, soak: Option<&SoakView>) -> String {
    let mut s = Sheet::new();
    let info = s.gauge("oqs_net_round_info", "The profile the round ran; always 1");
    s.set(
        info,
        vec![
            ("profile", r.profile.name.clone()),
            ("mode", r.profile.mode.as_label().to_string()),
            ("environment", r.profile.environment.as_label().to_string()),
        ],
        1.0,
    );
    let ok = s.gauge(
        "oqs_net_round_success",
        "1 when every check of the round passed or warned",
    );
    s.set(
        ok,
        vec![],
        bool01(matches!(r.status, Status::Pass | Status::Warn)),
    );
    let dur = s.gauge("oqs_net_round_duration_seconds", "How long the round took");
    s.set(dur, vec![], r.duration_ms / 1000.0);
    if let Some(t) = unix(&r.started_at) {
        let at = s.gauge(
            "oqs_net_round_start_timestamp_seconds",
            "When the round started, Unix time",
        );
        s.set(at, vec![], t);
    }
    let success = s.gauge(
        "probe_success",
        "1 when the check passed or warned, 0 when it failed or could not be carried out",
    );
    let status = s.gauge(
        "oqs_net_check_status",
        "The check's verdict: 0 pass, 1 warn, 2 fail, 3 error",
    );
    let duration = s.gauge(
        "probe_duration_seconds",
        "Time of the check's own exchanges: the sum of its phases",
    );
    let phase = s.gauge(
        "oqs_net_phase_duration_seconds",
        "One phase of a check: dns (median query), ntp (best sample's round trip), resolve, connect, handshake, request, tcp_connect",
    );
    let offset = s.gauge(
        "oqs_net_ntp_offset_seconds",
        "The server's clock minus ours, from the sample with the least delay",
    );
    let delay = s.gauge(
        "oqs_net_ntp_delay_seconds",
        "Round-trip delay of the sample with the least delay",
    );
    let stratum = s.gauge("oqs_net_ntp_stratum", "The server's stratum");
    let members = s.gauge(
        "oqs_net_dns_members",
        "Addresses in a name's answer set (the round-robin members), per family",
    );
    let expiry = s.gauge(
        "oqs_net_certificate_expiry_timestamp_seconds",
        "When the certificate expires, Unix time (role: client, the one presented; server, the endpoint's)",
    );
    for c in &r.checks {
        let kind = kind_label(c.kind);
        let addr = address(&c.data);
        let base = || -> Labels {
            vec![
                ("check", c.id.clone()),
                ("kind", kind.clone()),
                ("address", addr.clone()),
            ]
        };
        s.set(
            success,
            base(),
            bool01(matches!(c.status, Status::Pass | Status::Warn)),
        );
        s.set(status, base(), c.status as u8 as f64);
        let ph = phases(&c.data);
        if !ph.is_empty() {
            s.set(
                duration,
                base(),
                ph.iter().map(|(_, ms)| ms).sum::<f64>() / 1000.0,
            );
        }
        for (p, ms) in ph {
            s.set(
                phase,
                vec![
                    ("check", c.id.clone()),
                    ("address", addr.clone()),
                    ("phase", p.to_string()),
                ],
                ms / 1000.0,
            );
        }
        match &c.data {
            CheckData::Ntp(n) => {
                if let Some(b) = n.best() {
                    let l = || vec![("check", c.id.clone()), ("address", addr.clone())];
                    s.set(offset, l(), b.offset_ms / 1000.0);
                    s.set(delay, l(), b.delay_ms / 1000.0);
                    s.set(stratum, l(), f64::from(b.stratum));
                }
            }
            CheckData::Dns { summary, .. } => {
                for f in summary.iter().filter(|f| f.expected) {
                    s.set(
                        members,
                        vec![
                            ("check", c.id.clone()),
                            ("family", f.family.as_label().to_string()),
                        ],
                        f.members.len() as f64,
                    );
                }
            }
            CheckData::TlsClientCert(id) => {
                if let Some(t) = id.selected_cert().and_then(|c| unix(&c.not_after)) {
                    s.set(
                        expiry,
                        vec![("check", c.id.clone()), ("role", "client".into())],
                        t,
                    );
                }
            }
            CheckData::Tls(t) => {
                if let Some(t) = t.server_cert.as_ref().and_then(|c| unix(&c.not_after)) {
                    s.set(
                        expiry,
                        vec![("check", c.id.clone()), ("role", "server".into())],
                        t,
                    );
                }
            }
            _ => {}
        }
    }
    let raised: BTreeSet<Code> = r.findings().map(|(_, f)| f.code).collect();
    let finding = s.gauge(
        "oqs_net_finding",
        "1 when the round raised the finding code (`oqs-net explain CODE`), else 0; one series per code",
    );
    for code in Code::ALL {
        s.set(
            finding,
            vec![("code", code.as_label().to_string())],
            bool01(raised.contains(code)),
        );
    }
    if let Some(v) = soak {
        soak_metrics(&mut s, v);
    }
    s.text()
}

fn soak_metrics(s: &mut Sheet, v: &SoakView) {
    let seq = s.gauge(
        "oqs_net_round_seq",
        "The round's sequence number: the journal's in a soak, the real rounds' count in serve",
    );
    s.set(seq, vec![], v.seq as f64);
    s.count(
        "oqs_net_rounds_followed",
        "Rounds the flap detector has followed (a resumed soak's earlier rounds included)",
        v.rounds,
    );
    s.count(
        "oqs_net_flaps",
        "Flapping periods started in the rounds followed",
        v.flaps,
    );
    s.count(
        "oqs_net_round_overruns",
        "Rounds that ran past the next slot",
        v.overruns,
    );
    let up = s.gauge(
        "oqs_net_target_up",
        "1 when the target did its job in the last round (the soak report's up)",
    );
    let flapping = s.gauge(
        "oqs_net_flapping",
        "1 while the target is flapping (its score rose to --flap-high and has not fallen to --flap-low)",
    );
    let score = s.gauge(
        "oqs_net_flap_score_ratio",
        "The target's weighted state-change score over its last 21 states, 0 to 1",
    );
    for t in &v.targets {
        let l = || vec![("check", t.check.clone()), ("kind", t.kind.clone())];
        s.set(up, l(), bool01(t.up));
        s.set(flapping, l(), bool01(t.flapping));
        // A score of nothing is 0, not the -0 a float can carry.
        s.set(score, l(), (t.score_pct / 100.0).max(0.0) + 0.0);
    }
}

/// `serve`'s own metrics.
pub fn process(p: &ProcessView) -> String {
    let mut s = Sheet::new();
    let rounds = s.gauge(
        "oqs_net_serve_rounds",
        "Rounds run for /probe since the start, per profile",
    );
    let cached = s.gauge(
        "oqs_net_serve_cached_answers",
        "/probe answers given from the last round since the start (asked within the minimum interval, or while one ran)",
    );
    for (profile, r, c) in &p.profiles {
        s.set(rounds, vec![("profile", profile.clone())], *r as f64);
        s.set(cached, vec![("profile", profile.clone())], *c as f64);
    }
    s.count(
        "oqs_net_serve_refused",
        "/probe requests refused since the start (unknown profile, bad query, a round that could not be planned)",
        p.refused,
    );
    s.text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn ntp_check(addr: &str, offset_ms: f64, delay_ms: f64) -> Check {
        Check {
            id: format!("ntp:{addr}"),
            kind: CheckKind::Ntp,
            target: addr.into(),
            status: Status::Warn,
            findings: vec![Finding::new(
                Code::NtpOffsetWarn,
                Status::Warn,
                addr.to_string(),
            )],
            data: CheckData::Ntp(NtpServerResult {
                addr: addr.parse().unwrap(),
                names: vec!["ntp.example".into()],
                samples: [(offset_ms + 1.0, delay_ms + 4.0), (offset_ms, delay_ms)]
                    .into_iter()
                    .map(|(o, d)| NtpSample {
                        sent_at_ms: 0.0,
                        outcome: NtpSampleOutcome::Reading(NtpReading {
                            offset_ms: o,
                            delay_ms: d,
                            error_bound_ms: d / 2.0,
                            stratum: 3,
                            leap: 0,
                            ref_id: "GPS".into(),
                            root_delay_ms: 0.0,
                            root_dispersion_ms: 0.0,
                            precision: -20,
                        }),
                    })
                    .collect(),
            }),
        }
    }

    fn round() -> Round {
        Round {
            schema_version: 1,
            tool_version: "0.0.0".into(),
            started_at: "2026-12-06T23:00:00Z".into(),
            duration_ms: 1250.0,
            profile: ProfileSummary {
                name: "ipsec-production".into(),
                source: "builtin:ipsec-production".into(),
                mode: Mode::Ipsec,
                environment: Environment::Production,
                provider: None,
            },
            resolvers: vec![],
            status: Status::Warn,
            checks: vec![ntp_check("10.0.0.1:123", 250.0, 2.0)],
            root_causes: vec![],
        }
    }

    fn line<'a>(text: &'a str, start: &str) -> &'a str {
        text.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start:?} in\n{text}"))
    }

    #[test]
    fn a_round_in_base_units_with_bounded_labels() {
        let t = super::round(&round(), None);
        let labels = r#"{check="ntp:10.0.0.1:123",address="10.0.0.1:123"}"#;
        // The least-delay sample (2 ms, offset 250 ms), not the first.
        assert_eq!(
            line(&t, "oqs_net_ntp_offset_seconds{"),
            format!("oqs_net_ntp_offset_seconds{labels} 0.25")
        );
        assert_eq!(
            line(&t, "oqs_net_ntp_delay_seconds{"),
            format!("oqs_net_ntp_delay_seconds{labels} 0.002")
        );
        assert_eq!(
            line(&t, "oqs_net_ntp_stratum{"),
            format!("oqs_net_ntp_stratum{labels} 3.0")
        );
        assert_eq!(
            line(&t, "probe_success{"),
            r#"probe_success{check="ntp:10.0.0.1:123",kind="ntp",address="10.0.0.1:123"} 1.0"#
        );
        assert_eq!(
            line(&t, "oqs_net_round_duration_seconds "),
            "oqs_net_round_duration_seconds 1.25"
        );
        assert_eq!(
            line(&t, "oqs_net_round_start_timestamp_seconds "),
            "oqs_net_round_start_timestamp_seconds 1796598000.0"
        );
        assert!(
            t.contains(r#"oqs_net_finding{code="ntp.offset_warn"} 1.0"#),
            "{t}"
        );
        assert!(
            t.contains(r#"oqs_net_finding{code="dns.nxdomain"} 0.0"#),
            "{t}"
        );
        let findings = t
            .lines()
            .filter(|l| l.starts_with("oqs_net_finding{"))
            .count();
        assert_eq!(findings, Code::ALL.len());
        assert!(t.contains(&format!(
            "oqs_net_build_info{{version=\"{}\"}} 1.0",
            env!("CARGO_PKG_VERSION")
        )));
        assert!(t.ends_with("# EOF\n"));
        assert!(!t.contains("oqs_net_flapping"), "no soak, no flap view");
    }

    #[test]
    fn a_soak_adds_its_flap_view() {
        let v = SoakView {
            seq: 42,
            rounds: 42,
            flaps: 1,
            overruns: 0,
            targets: vec![TargetState {
                check: "ntp:10.0.0.1:123".into(),
                kind: "ntp".into(),
                up: false,
                flapping: true,
                score_pct: 37.5,
            }],
        };
        let t = super::round(&round(), Some(&v));
        let l = r#"{check="ntp:10.0.0.1:123",kind="ntp"}"#;
        assert_eq!(
            line(&t, "oqs_net_flapping{"),
            format!("oqs_net_flapping{l} 1.0")
        );
        assert_eq!(
            line(&t, "oqs_net_flap_score_ratio{"),
            format!("oqs_net_flap_score_ratio{l} 0.375")
        );
        assert_eq!(
            line(&t, "oqs_net_target_up{"),
            format!("oqs_net_target_up{l} 0.0")
        );
        assert_eq!(line(&t, "oqs_net_round_seq "), "oqs_net_round_seq 42.0");
        assert_eq!(line(&t, "oqs_net_flaps "), "oqs_net_flaps 1.0");
    }

    #[test]
    fn serve_counts_rounds_and_cached_answers() {
        let t = process(&ProcessView {
            profiles: vec![("lab".into(), 3, 5)],
            refused: 2,
        });
        assert!(
            t.contains(r#"oqs_net_serve_rounds{profile="lab"} 3.0"#),
            "{t}"
        );
        assert!(
            t.contains(r#"oqs_net_serve_cached_answers{profile="lab"} 5.0"#),
            "{t}"
        );
        assert!(t.contains("oqs_net_serve_refused 2.0"), "{t}");
    }
}
