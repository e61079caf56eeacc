//! Scheduled faults: a timeline of changes to a running lab, so a soak can watch a flap, a member
//! dying, a clock drifting, a round-robin set changing or the terminal's proxy settings changing.
//! Written as TOML (`lab/faults/*.toml`, also built in). [`Timeline::spec_at`] is a pure
//! function of time (tested without a clock); [`drive`] applies it to a [`Lab`] with
//! [`Lab::update`]. Self-contained like the rest of the lab: it imports nothing outside `lab`.
//!
//! # Format (times in seconds from the start of the soak)
//! ```toml
//! description = "member 1 flaps"
//!
//! [[flap]]            # up for up_s, down for down_s, in turn, from start_s until stop_s
//! member = 1          # the member: the N-th address (from 0) of each family of the healthy set
//! # name = "@rr"      # ...or a DNS name (by role or literally), which then goes silent
//! up_s = 4
//! down_s = 4
//! start_s = 10        # default 0
//! stop_s = 70         # default: never
//!
//! [[die]]             # dead (or silent) from at_s, back at revive_s if given
//! member = 2
//! at_s = 30
//!
//! [[drift]]           # the member's clock gains ppm (µs per second) from start_s
//! member = 0          # omitted: every member
//! ppm = 200
//!
//! [[rr_change]]       # from at_s the name answers without (remove) or with (add) members
//! name = "@rr"        # default @rr
//! at_s = 40
//! remove = [3]
//!
//! [[terminal]]        # from at_s the terminal's proxy settings change: any field of the
//! at_s = 20           # scenario's [terminal] (auto_detect, proxy_enable, proxy_server,
//! auto_detect = true  # proxy_override, auto_config_url, dhcp_wpad, winhttp_proxy, winhttp_bypass,
//!                     # environment), set over what the terminal had
//! ```

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::scenario::NameRef;
use super::spec::normalize_name;
use super::{Lab, LabSpec, Terminal};

/// How often [`drive`] looks at the timeline (a drift moves the offset by ppm × 50 µs per tick).
pub const TICK: Duration = Duration::from_millis(50);

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSchedule {
    #[serde(default)]
    pub description: String,
    #[serde(default, rename = "flap")]
    pub flaps: Vec<Flap>,
    #[serde(default, rename = "die")]
    pub deaths: Vec<Die>,
    #[serde(default, rename = "drift")]
    pub drifts: Vec<Drift>,
    #[serde(default, rename = "rr_change")]
    pub rr_changes: Vec<RrChange>,
    #[serde(default, rename = "terminal", skip_serializing_if = "Vec::is_empty")]
    pub terminal_changes: Vec<TerminalChange>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<NameRef>,
    pub up_s: f64,
    pub down_s: f64,
    #[serde(default)]
    pub start_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_s: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Die {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<NameRef>,
    pub at_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revive_s: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drift {
    /// `None`: every member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<usize>,
    pub ppm: f64,
    #[serde(default)]
    pub start_s: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RrChange {
    #[serde(default = "rr")]
    pub name: NameRef,
    pub at_s: f64,
    #[serde(default)]
    pub remove: Vec<usize>,
    #[serde(default)]
    pub add: Vec<usize>,
}

/// `[[terminal]]`: from `at_s` on, the fields given are set over the terminal's proxy settings
/// (those not given stay as they were).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TerminalChange {
    pub at_s: f64,
    #[serde(flatten)]
    pub set: Terminal,
}

/// By hand, as `at_s` beside [`Terminal`]'s own fields: serde's `flatten` would drop a misspelt
/// field without a word, where a step must name it.
impl<'de> Deserialize<'de> for TerminalChange {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut table = toml::Table::deserialize(de)?;
        let at_s = match table.remove("at_s") {
            Some(toml::Value::Float(v)) => v,
            Some(toml::Value::Integer(v)) => v as f64,
            Some(_) => return Err(D::Error::custom("`at_s` is a number of seconds")),
            None => return Err(D::Error::missing_field("at_s")),
        };
        let set = toml::Value::Table(table)
            .try_into::<Terminal>()
            .map_err(|e| D::Error::custom(e.message()))?;
        Ok(TerminalChange { at_s, set })
    }
}

fn rr() -> NameRef {
    NameRef::RoundRobin
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    #[error("cannot read lab fault schedule {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("lab fault schedule {origin} is not valid: {source}")]
    Parse {
        origin: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("lab fault schedule {origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("no built-in lab fault schedule `{name}`; known: {}", builtin_names().join(", "))]
    UnknownBuiltin { name: String },
}

impl ScheduleError {
    pub fn as_label(&self) -> &'static str {
        match self {
            ScheduleError::Io { .. } => "faults_io",
            ScheduleError::Parse { .. } => "faults_parse",
            ScheduleError::Invalid { .. } => "faults_invalid",
            ScheduleError::UnknownBuiltin { .. } => "faults_unknown",
        }
    }
}

fn secs(v: f64) -> bool {
    v.is_finite() && (0.0..=1e9).contains(&v)
}

fn one_target(member: Option<usize>, name: &Option<NameRef>) -> Result<(), String> {
    match (member, name) {
        (Some(_), None) | (None, Some(_)) => Ok(()),
        _ => Err("give exactly one of `member` and `name`".into()),
    }
}

impl FaultSchedule {
    pub fn from_toml_str(text: &str, origin: &str) -> Result<FaultSchedule, ScheduleError> {
        let s: FaultSchedule = toml::from_str(text).map_err(|source| ScheduleError::Parse {
            origin: origin.to_owned(),
            source,
        })?;
        s.check().map_err(|message| ScheduleError::Invalid {
            origin: origin.to_owned(),
            message,
        })?;
        Ok(s)
    }

    pub fn load(path: &Path) -> Result<FaultSchedule, ScheduleError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScheduleError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    fn check(&self) -> Result<(), String> {
        for (i, f) in self.flaps.iter().enumerate() {
            let at = |m: String| format!("[[flap]] #{}: {m}", i + 1);
            one_target(f.member, &f.name).map_err(at)?;
            if !(f.up_s.is_finite() && f.up_s > 0.0 && f.down_s.is_finite() && f.down_s > 0.0) {
                return Err(at("`up_s` and `down_s` must be positive".into()));
            }
            if !secs(f.start_s) || f.stop_s.is_some_and(|s| !secs(s) || s <= f.start_s) {
                return Err(at("`start_s` ≥ 0 and `stop_s` after it".into()));
            }
        }
        for (i, d) in self.deaths.iter().enumerate() {
            let at = |m: String| format!("[[die]] #{}: {m}", i + 1);
            one_target(d.member, &d.name).map_err(at)?;
            if !secs(d.at_s) || d.revive_s.is_some_and(|r| !secs(r) || r <= d.at_s) {
                return Err(at("`at_s` ≥ 0 and `revive_s` after it".into()));
            }
        }
        for (i, d) in self.drifts.iter().enumerate() {
            if !(d.ppm.is_finite() && d.ppm.abs() <= 1e6 && secs(d.start_s)) {
                return Err(format!(
                    "[[drift]] #{}: `ppm` within ±1000000 and `start_s` ≥ 0",
                    i + 1
                ));
            }
        }
        for (i, c) in self.rr_changes.iter().enumerate() {
            if !secs(c.at_s) || (c.remove.is_empty() && c.add.is_empty()) {
                return Err(format!(
                    "[[rr_change]] #{}: `at_s` ≥ 0 and members to `remove` or `add`",
                    i + 1
                ));
            }
        }
        for (i, c) in self.terminal_changes.iter().enumerate() {
            if !secs(c.at_s) || c.set.is_empty() {
                return Err(format!(
                    "[[terminal]] #{}: `at_s` ≥ 0 and at least one setting to change",
                    i + 1
                ));
            }
        }
        Ok(())
    }
}

/// The fault files under `lab/faults/`, compiled in.
const BUILTIN: &[(&str, &str)] = &[
    ("flap", include_str!("../faults/flap.toml")),
    ("member-dies", include_str!("../faults/member-dies.toml")),
    ("drift", include_str!("../faults/drift.toml")),
    ("rr-change", include_str!("../faults/rr-change.toml")),
    ("dns-flap", include_str!("../faults/dns-flap.toml")),
    (
        "autodetect-on",
        include_str!("../faults/autodetect-on.toml"),
    ),
];

pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// The built-in schedule's TOML text.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

pub fn builtin(name: &str) -> Result<FaultSchedule, ScheduleError> {
    let text = builtin_text(name).ok_or_else(|| ScheduleError::UnknownBuiltin {
        name: name.to_owned(),
    })?;
    FaultSchedule::from_toml_str(text, &format!("builtin:{name}"))
}

/// A schedule bound to the spec it changes: member numbers and name roles resolved.
#[derive(Clone, Debug)]
pub struct Timeline {
    schedule: FaultSchedule,
    base: LabSpec,
}

impl Timeline {
    /// Binds `schedule` to `base` (the lab's spec at start). A member number must exist in at
    /// least one family, and a name must be in the spec.
    pub fn new(schedule: FaultSchedule, base: LabSpec) -> Result<Timeline, ScheduleError> {
        let t = Timeline { schedule, base };
        let invalid = |message: String| ScheduleError::Invalid {
            origin: "bound to the lab".into(),
            message,
        };
        let members = t
            .schedule
            .flaps
            .iter()
            .filter_map(|f| f.member)
            .chain(t.schedule.deaths.iter().filter_map(|d| d.member))
            .chain(t.schedule.drifts.iter().filter_map(|d| d.member))
            .chain(
                t.schedule
                    .rr_changes
                    .iter()
                    .flat_map(|c| c.remove.iter().chain(&c.add).copied()),
            );
        for m in members {
            if t.member_ips(m).is_empty() {
                return Err(invalid(format!("the lab has no member {m} in any family")));
            }
        }
        let names = t
            .schedule
            .flaps
            .iter()
            .filter_map(|f| f.name.as_ref())
            .chain(t.schedule.deaths.iter().filter_map(|d| d.name.as_ref()))
            .chain(t.schedule.rr_changes.iter().map(|c| &c.name));
        for n in names {
            if t.name_index(n).is_none() {
                return Err(invalid(format!("the lab has no name {n}")));
            }
        }
        Ok(t)
    }

    pub fn base(&self) -> &LabSpec {
        &self.base
    }

    /// The N-th address of each family among the base spec's members.
    fn member_ips(&self, n: usize) -> Vec<IpAddr> {
        let v4 = self.base.members.iter().filter(|m| m.ip.is_ipv4()).nth(n);
        let v6 = self.base.members.iter().filter(|m| m.ip.is_ipv6()).nth(n);
        v4.into_iter().chain(v6).map(|m| m.ip).collect()
    }

    fn name_index(&self, n: &NameRef) -> Option<usize> {
        match n {
            NameRef::RoundRobin => (!self.base.names.is_empty()).then_some(0),
            NameRef::Fallback(i) => (*i < self.base.names.len()).then_some(*i),
            NameRef::Literal(s) => {
                let key = normalize_name(s);
                self.base
                    .names
                    .iter()
                    .position(|x| normalize_name(&x.name) == key)
            }
        }
    }

    fn take_down(&self, spec: &mut LabSpec, member: Option<usize>, name: &Option<NameRef>) {
        if let Some(m) = member {
            let ips = self.member_ips(m);
            for x in spec.members.iter_mut().filter(|x| ips.contains(&x.ip)) {
                x.ntp.dead = true;
            }
        }
        if let Some(i) = name.as_ref().and_then(|n| self.name_index(n)) {
            spec.names[i].silent = true;
        }
    }

    /// The lab as it is `t` after the start: a pure function of `t`.
    pub fn spec_at(&self, t: Duration) -> LabSpec {
        let t = t.as_secs_f64();
        let mut spec = self.base.clone();
        for f in &self.schedule.flaps {
            let active = t >= f.start_s && f.stop_s.is_none_or(|s| t < s);
            if active && (t - f.start_s) % (f.up_s + f.down_s) >= f.up_s {
                self.take_down(&mut spec, f.member, &f.name);
            }
        }
        for d in &self.schedule.deaths {
            if t >= d.at_s && d.revive_s.is_none_or(|r| t < r) {
                self.take_down(&mut spec, d.member, &d.name);
            }
        }
        for d in &self.schedule.drifts {
            if t < d.start_s {
                continue;
            }
            let shift_ms = d.ppm * 1e-3 * (t - d.start_s);
            let ips = d.member.map(|m| self.member_ips(m));
            for x in &mut spec.members {
                if ips.as_ref().is_none_or(|ips| ips.contains(&x.ip)) {
                    x.ntp.offset_ms += shift_ms;
                }
            }
        }
        let mut changes: Vec<&RrChange> = self.schedule.rr_changes.iter().collect();
        changes.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        for c in changes.into_iter().filter(|c| t >= c.at_s) {
            let Some(i) = self.name_index(&c.name) else {
                continue;
            };
            let entry = &mut spec.names[i];
            for ip in c.remove.iter().flat_map(|m| self.member_ips(*m)) {
                match ip {
                    IpAddr::V4(a) => entry.a.retain(|x| *x != a),
                    IpAddr::V6(a) => entry.aaaa.retain(|x| *x != a),
                }
            }
            for ip in c.add.iter().flat_map(|m| self.member_ips(*m)) {
                match ip {
                    IpAddr::V4(a) if !entry.a.contains(&a) => entry.a.push(a),
                    IpAddr::V6(a) if !entry.aaaa.contains(&a) => entry.aaaa.push(a),
                    _ => {}
                }
            }
        }
        let mut steps: Vec<&TerminalChange> = self.schedule.terminal_changes.iter().collect();
        steps.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        for c in steps.into_iter().filter(|c| t >= c.at_s) {
            spec.terminal.get_or_insert_default().overlay(&c.set);
        }
        spec
    }

    /// The next time after `t` at which something other than a drift changes, if any.
    pub fn next_change(&self, t: Duration) -> Option<Duration> {
        let now = t.as_secs_f64();
        let mut best: Option<f64> = None;
        let mut consider = |at: f64| {
            if at > now + 1e-9 && best.is_none_or(|b| at < b) {
                best = Some(at);
            }
        };
        for f in &self.schedule.flaps {
            let period = f.up_s + f.down_s;
            if now < f.start_s {
                consider(f.start_s + f.up_s);
            } else {
                let k = ((now - f.start_s) / period).floor();
                let base = f.start_s + k * period;
                consider(base + f.up_s);
                consider(base + period);
            }
            if let Some(s) = f.stop_s {
                consider(s);
            }
        }
        for d in &self.schedule.deaths {
            consider(d.at_s);
            if let Some(r) = d.revive_s {
                consider(r);
            }
        }
        for c in &self.schedule.rr_changes {
            consider(c.at_s);
        }
        for c in &self.schedule.terminal_changes {
            consider(c.at_s);
        }
        best.map(Duration::from_secs_f64)
    }
}

/// What changed between two specs, in words (drifting offsets are left out: they change on every
/// tick).
pub fn describe(before: &LabSpec, after: &LabSpec) -> Vec<String> {
    let mut out = Vec::new();
    for a in &after.members {
        let Some(b) = before.members.iter().find(|b| b.ip == a.ip) else {
            continue;
        };
        if a.ntp.dead != b.ntp.dead {
            out.push(if a.ntp.dead {
                format!("lab: NTP member {} stops answering", a.ip)
            } else {
                format!("lab: NTP member {} answers again", a.ip)
            });
        }
    }
    for a in &after.names {
        let Some(b) = before.names.iter().find(|b| b.name == a.name) else {
            continue;
        };
        if a.silent != b.silent {
            out.push(if a.silent {
                format!("lab: DNS name {} goes silent", a.name)
            } else {
                format!("lab: DNS name {} answers again", a.name)
            });
        }
        let list = |v: &[String]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(" ")
            }
        };
        let a_set: Vec<String> =
            a.a.iter()
                .map(|x| x.to_string())
                .chain(a.aaaa.iter().map(|x| x.to_string()))
                .collect();
        let b_set: Vec<String> =
            b.a.iter()
                .map(|x| x.to_string())
                .chain(b.aaaa.iter().map(|x| x.to_string()))
                .collect();
        if a_set != b_set {
            let added: Vec<String> = a_set
                .iter()
                .filter(|x| !b_set.contains(x))
                .cloned()
                .collect();
            let removed: Vec<String> = b_set
                .iter()
                .filter(|x| !a_set.contains(x))
                .cloned()
                .collect();
            out.push(format!(
                "lab: DNS name {} answers with {} (added {}, removed {})",
                a.name,
                list(&a_set),
                list(&added),
                list(&removed)
            ));
        }
    }
    out.extend(describe_terminal(
        &before.terminal.clone().unwrap_or_default(),
        &after.terminal.clone().unwrap_or_default(),
    ));
    out
}

/// What changed in the terminal's proxy settings, in words. An unset field is the installers'
/// setting.
fn describe_terminal(before: &Terminal, after: &Terminal) -> Vec<String> {
    let mut out = Vec::new();
    let on = |v: bool| if v { "on" } else { "off" };
    let mut switch = |b: Option<bool>, a: Option<bool>, what: &str| {
        if a != b {
            out.push(match a {
                Some(v) => format!("lab: the terminal turns {what} {}", on(v)),
                None => format!("lab: the terminal's {what} is back to the installers' setting"),
            });
        }
    };
    switch(
        before.auto_detect,
        after.auto_detect,
        "automatic proxy detection",
    );
    switch(before.proxy_enable, after.proxy_enable, "its proxy server");
    let texts = [
        (&before.proxy_server, &after.proxy_server, "proxy server"),
        (&before.proxy_override, &after.proxy_override, "bypass list"),
        (
            &before.auto_config_url,
            &after.auto_config_url,
            "automatic configuration script",
        ),
        (
            &before.dhcp_wpad,
            &after.dhcp_wpad,
            "DHCP server's WPAD URL (option 252)",
        ),
        (&before.winhttp_proxy, &after.winhttp_proxy, "WinHTTP proxy"),
        (
            &before.winhttp_bypass,
            &after.winhttp_bypass,
            "WinHTTP bypass list",
        ),
    ];
    for (b, a, what) in texts {
        if a != b {
            out.push(match a {
                Some(v) => format!("lab: the terminal's {what} becomes {v}"),
                None => format!("lab: the terminal's {what} is back to the installers' setting"),
            });
        }
    }
    for (k, v) in &after.environment {
        if before.environment.get(k) != Some(v) {
            out.push(format!("lab: the terminal's environment sets {k}={v}"));
        }
    }
    for k in before.environment.keys() {
        if !after.environment.contains_key(k) {
            out.push(format!(
                "lab: the terminal's environment no longer sets {k}"
            ));
        }
    }
    out
}

/// Applies `timeline` to `lab` until `cancel`: time `t` is `offset` plus the time since `origin`
/// (a resumed soak passes the time already run). `on_change` hears each discrete change, with the
/// instant it was applied.
pub async fn drive(
    lab: &Lab,
    timeline: &Timeline,
    origin: tokio::time::Instant,
    offset: Duration,
    cancel: CancellationToken,
    mut on_change: impl FnMut(tokio::time::Instant, Vec<String>),
) {
    let mut current = timeline.base().clone();
    let has_drift = !timeline.schedule.drifts.is_empty();
    loop {
        let now = tokio::time::Instant::now();
        let t = now.saturating_duration_since(origin) + offset;
        let next = timeline.spec_at(t);
        if next != current {
            let words = describe(&current, &next);
            let (names, members) = (next.names.clone(), next.members.clone());
            let terminal = next.terminal.clone();
            lab.update(|s| {
                s.names = names;
                s.members = members;
                s.terminal = terminal;
            });
            if !words.is_empty() {
                on_change(now, words);
            }
            current = next;
        }
        let wake = match (has_drift, timeline.next_change(t)) {
            (true, _) => now + TICK,
            (false, Some(at)) => now + at.saturating_sub(t).min(Duration::from_secs(3600)),
            (false, None) => now + Duration::from_secs(3600),
        };
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep_until(wake) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn base() -> LabSpec {
        LabSpec::healthy(
            "ntp.lab.example",
            &["ntp1.lab.example"],
            &[
                Ipv4Addr::new(127, 0, 0, 11),
                Ipv4Addr::new(127, 0, 0, 12),
                Ipv4Addr::new(127, 0, 0, 13),
                Ipv4Addr::new(127, 0, 0, 14),
            ],
            &[Ipv6Addr::LOCALHOST],
        )
    }

    fn s(v: f64) -> Duration {
        Duration::from_secs_f64(v)
    }

    fn timeline(text: &str) -> Timeline {
        Timeline::new(FaultSchedule::from_toml_str(text, "t").unwrap(), base()).unwrap()
    }

    fn dead(spec: &LabSpec) -> Vec<String> {
        spec.members
            .iter()
            .filter(|m| m.ntp.dead)
            .map(|m| m.ip.to_string())
            .collect()
    }

    #[test]
    fn a_flapping_member_is_up_then_down_in_turn() {
        let t = timeline("[[flap]]\nmember = 1\nup_s = 4\ndown_s = 2\nstart_s = 10\nstop_s = 22\n");
        for (at, down) in [
            (0.0, false),
            (9.9, false),
            (10.0, false),
            (13.9, false),
            (14.0, true),
            (15.9, true),
            (16.0, false),
            (20.0, true),
            (21.9, true),
            (22.0, false),
            (100.0, false),
        ] {
            let want: Vec<String> = if down {
                vec!["127.0.0.12".into()]
            } else {
                vec![]
            };
            assert_eq!(dead(&t.spec_at(s(at))), want, "at {at} s");
        }
        assert_eq!(t.next_change(s(0.0)), Some(s(14.0)));
        assert_eq!(t.next_change(s(14.0)), Some(s(16.0)));
        assert_eq!(t.next_change(s(21.0)), Some(s(22.0)));
    }

    #[test]
    fn member_number_means_each_family() {
        // Member 0 is 127.0.0.11 and ::1 (the first of each family).
        let t = timeline("[[die]]\nmember = 0\nat_s = 5\nrevive_s = 8\n");
        assert!(dead(&t.spec_at(s(4.0))).is_empty());
        assert_eq!(dead(&t.spec_at(s(5.0))), ["127.0.0.11", "::1"]);
        assert!(dead(&t.spec_at(s(8.0))).is_empty());
        // Member 2 exists only in IPv4.
        let t = timeline("[[die]]\nmember = 2\nat_s = 0\n");
        assert_eq!(dead(&t.spec_at(s(1.0))), ["127.0.0.13"]);
        let err = Timeline::new(
            FaultSchedule::from_toml_str("[[die]]\nmember = 7\nat_s = 0\n", "t").unwrap(),
            base(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("no member 7"), "{err}");
    }

    #[test]
    fn names_go_silent_and_sets_change() {
        let t = timeline(
            "[[die]]\nname = \"@fallback1\"\nat_s = 3\n\n[[rr_change]]\nat_s = 5\nremove = [1]\n\n[[rr_change]]\nat_s = 9\nadd = [1]\n",
        );
        assert!(!t.spec_at(s(2.0)).names[1].silent);
        assert!(t.spec_at(s(3.0)).names[1].silent);
        let a = |at| t.spec_at(s(at)).names[0].a.clone();
        assert_eq!(a(4.0).len(), 4);
        assert_eq!(
            a(5.0),
            [
                Ipv4Addr::new(127, 0, 0, 11),
                Ipv4Addr::new(127, 0, 0, 13),
                Ipv4Addr::new(127, 0, 0, 14)
            ]
        );
        assert_eq!(t.spec_at(s(5.0)).names[0].aaaa, [Ipv6Addr::LOCALHOST]);
        assert_eq!(a(9.0).len(), 4, "added back (at the end)");
        let words = describe(&t.spec_at(s(4.0)), &t.spec_at(s(5.0)));
        assert_eq!(words.len(), 1, "{words:?}");
        assert!(words[0].contains("removed 127.0.0.12"), "{words:?}");
    }

    #[test]
    fn drift_moves_offsets_linearly() {
        let t =
            timeline("[[drift]]\nppm = 500\nstart_s = 10\n\n[[drift]]\nmember = 0\nppm = -100\n");
        let off = |at: f64, i: usize| t.spec_at(s(at)).members[i].ntp.offset_ms;
        assert_eq!(off(5.0, 1), 0.0);
        // 500 ppm = 0.5 ms per second: 20 s after start_s, 10 ms.
        assert!((off(30.0, 1) - 10.0).abs() < 1e-9);
        // Member 0 (each family) also drifts −100 ppm from 0: −3 ms at 30 s, plus the 10 ms.
        assert!((off(30.0, 0) - 7.0).abs() < 1e-9);
        assert!((off(30.0, 4) - 7.0).abs() < 1e-9, "::1 is member 0 of IPv6");
        assert!(describe(&t.spec_at(s(10.0)), &t.spec_at(s(30.0))).is_empty());
    }

    #[test]
    fn bad_schedules_are_named() {
        for bad in [
            "[[flap]]\nup_s = 1\ndown_s = 1\n",
            "[[flap]]\nmember = 1\nname = \"@rr\"\nup_s = 1\ndown_s = 1\n",
            "[[flap]]\nmember = 1\nup_s = 0\ndown_s = 1\n",
            "[[flap]]\nmember = 1\nup_s = 1\ndown_s = 1\nstart_s = 5\nstop_s = 2\n",
            "[[die]]\nmember = 1\nat_s = -1\n",
            "[[drift]]\nppm = nan\n",
            "[[rr_change]]\nat_s = 1\n",
            "[[wobble]]\n",
        ] {
            let e = FaultSchedule::from_toml_str(bad, "t").expect_err(bad);
            assert!(
                matches!(e.as_label(), "faults_parse" | "faults_invalid"),
                "{bad}"
            );
        }
        assert_eq!(builtin("nope").unwrap_err().as_label(), "faults_unknown");
    }

    #[test]
    fn builtins_match_the_fixture_directory_and_bind_to_a_lab() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("faults");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
            .collect();
        on_disk.sort();
        let mut names: Vec<String> = builtin_names().iter().map(|s| s.to_string()).collect();
        names.sort();
        assert_eq!(on_disk, names);
        for name in builtin_names() {
            let s = builtin(name).unwrap();
            assert!(!s.description.is_empty(), "{name}");
            assert_eq!(
                s,
                FaultSchedule::load(&dir.join(format!("{name}.toml"))).unwrap()
            );
            Timeline::new(s, base()).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn a_terminal_step_changes_the_terminal_from_its_time_on() {
        // The lab starts with a scenario's terminal (an explicit proxy server); the step turns
        // auto-detect on at 20 s and keeps the rest.
        let mut start = base();
        start.terminal = Some(Terminal {
            proxy_server: Some("@proxy".into()),
            ..Terminal::default()
        });
        let t = Timeline::new(
            builtin("autodetect-on").expect("a built-in schedule"),
            start.clone(),
        )
        .unwrap();
        assert_eq!(t.spec_at(s(0.0)), start);
        assert_eq!(t.spec_at(s(19.9)), start);
        let after = t.spec_at(s(20.0)).terminal.expect("a terminal");
        assert_eq!(after.auto_detect, Some(true));
        assert_eq!(after.proxy_server.as_deref(), Some("@proxy"), "kept");
        assert_eq!(t.spec_at(s(500.0)).terminal, Some(after));
        assert_eq!(t.next_change(s(0.0)), Some(s(20.0)));
        assert_eq!(t.next_change(s(20.0)), None);

        // Without a terminal at the start (the installers' settings), the step makes one.
        let t = timeline("[[terminal]]\nat_s = 5\nproxy_enable = false\n");
        assert_eq!(t.spec_at(s(4.0)).terminal, None);
        assert_eq!(
            t.spec_at(s(5.0)).terminal,
            Some(Terminal {
                proxy_enable: Some(false),
                ..Terminal::default()
            })
        );
    }

    #[test]
    fn later_terminal_steps_win_field_by_field() {
        let t = timeline(concat!(
            "[[terminal]]\nat_s = 30\nauto_detect = false\n",
            "[[terminal]]\nat_s = 10\nauto_detect = true\nenvironment = { HTTPS_PROXY = \"@proxy\" }\n",
        ));
        let term = |at| t.spec_at(s(at)).terminal.unwrap_or_default();
        assert_eq!(term(10.0).auto_detect, Some(true));
        assert_eq!(
            term(30.0).auto_detect,
            Some(false),
            "the later step, whatever the order"
        );
        assert_eq!(
            term(30.0)
                .environment
                .get("HTTPS_PROXY")
                .map(String::as_str),
            Some("@proxy"),
            "the earlier step's other fields stay"
        );
    }

    #[test]
    fn terminal_changes_are_described() {
        let t = timeline("[[terminal]]\nat_s = 20\nauto_detect = true\n");
        assert_eq!(
            describe(&t.spec_at(s(19.0)), &t.spec_at(s(20.0))),
            ["lab: the terminal turns automatic proxy detection on"]
        );
        assert!(describe(&t.spec_at(s(20.0)), &t.spec_at(s(60.0))).is_empty());

        let before = Terminal {
            auto_detect: Some(true),
            proxy_server: Some("proxy.lab.test:8080".into()),
            environment: [("NO_PROXY".to_string(), "lab.test".to_string())].into(),
            ..Terminal::default()
        };
        let after = Terminal {
            auto_detect: Some(false),
            proxy_enable: Some(false),
            auto_config_url: Some("http://pac.lab.test/proxy.pac".into()),
            winhttp_proxy: Some("direct".into()),
            environment: [("HTTPS_PROXY".to_string(), "@proxy".to_string())].into(),
            ..Terminal::default()
        };
        let spec = |terminal| LabSpec {
            terminal: Some(terminal),
            ..base()
        };
        assert_eq!(
            describe(&spec(before), &spec(after)),
            [
                "lab: the terminal turns automatic proxy detection off",
                "lab: the terminal turns its proxy server off",
                "lab: the terminal's proxy server is back to the installers' setting",
                "lab: the terminal's automatic configuration script becomes http://pac.lab.test/proxy.pac",
                "lab: the terminal's WinHTTP proxy becomes direct",
                "lab: the terminal's environment sets HTTPS_PROXY=@proxy",
                "lab: the terminal's environment no longer sets NO_PROXY",
            ]
        );
    }

    #[test]
    fn bad_terminal_steps_are_named() {
        for (bad, label, says) in [
            ("[[terminal]]\nauto_detect = true\n", "faults_parse", "at_s"),
            (
                "[[terminal]]\nat_s = \"soon\"\nauto_detect = true\n",
                "faults_parse",
                "at_s",
            ),
            (
                "[[terminal]]\nat_s = 5\nauto_detec = true\n",
                "faults_parse",
                "auto_detec",
            ),
            (
                "[[terminal]]\nat_s = 5\nauto_detect = \"yes\"\n",
                "faults_parse",
                "bool",
            ),
            (
                "[[terminal]]\nat_s = 5\n",
                "faults_invalid",
                "[[terminal]] #1",
            ),
            (
                "[[terminal]]\nat_s = 1\nauto_detect = true\n[[terminal]]\nat_s = -1\nauto_detect = false\n",
                "faults_invalid",
                "[[terminal]] #2",
            ),
        ] {
            let e = FaultSchedule::from_toml_str(bad, "t").expect_err(bad);
            assert_eq!(e.as_label(), label, "{bad}: {e}");
            let text = format!(
                "{e} {:?}",
                std::error::Error::source(&e).map(|s| s.to_string())
            );
            assert!(text.contains(says), "{bad}: {text}");
        }
    }

    #[test]
    fn a_schedule_with_terminal_steps_round_trips_through_toml() {
        let text = "description = \"x\"\n[[terminal]]\nat_s = 2.5\nauto_detect = true\nproxy_override = \"@bypass\"\n";
        let schedule = FaultSchedule::from_toml_str(text, "t").unwrap();
        assert_eq!(schedule.terminal_changes[0].at_s, 2.5);
        let again = toml::to_string(&schedule).expect("serialises");
        assert_eq!(
            FaultSchedule::from_toml_str(&again, "again").unwrap(),
            schedule
        );
    }

    #[tokio::test(start_paused = true)]
    async fn drive_changes_a_running_labs_terminal() {
        let lab = Lab::start(base()).await.unwrap();
        let t = Timeline::new(
            FaultSchedule::from_toml_str("[[terminal]]\nat_s = 2\nauto_detect = true\n", "t")
                .unwrap(),
            lab.spec(),
        )
        .unwrap();
        let cancel = CancellationToken::new();
        let origin = tokio::time::Instant::now();
        let mut heard = Vec::new();
        let driver = drive(&lab, &t, origin, Duration::ZERO, cancel.clone(), |_, w| {
            heard.extend(w)
        });
        let check = async {
            tokio::time::sleep(Duration::from_millis(1900)).await;
            assert_eq!(lab.spec().terminal, None);
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert_eq!(
                lab.spec().terminal.and_then(|t| t.auto_detect),
                Some(true),
                "a reader of Lab::spec sees the change"
            );
            cancel.cancel();
        };
        tokio::join!(driver, check);
        assert_eq!(
            heard,
            ["lab: the terminal turns automatic proxy detection on"]
        );
        lab.shutdown().await;
    }

    #[tokio::test(start_paused = true)]
    async fn drive_applies_the_timeline_to_a_running_lab() {
        let lab = Lab::start(base()).await.unwrap();
        let t = Timeline::new(
            FaultSchedule::from_toml_str("[[die]]\nmember = 1\nat_s = 2\nrevive_s = 4\n", "t")
                .unwrap(),
            lab.spec(),
        )
        .unwrap();
        let cancel = CancellationToken::new();
        let origin = tokio::time::Instant::now();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let c = cancel.clone();
        let lab_ref = &lab;
        let driver = drive(
            lab_ref,
            &t,
            origin,
            Duration::from_secs(1),
            c,
            move |at, w| {
                let _ = tx.send((at, w));
            },
        );
        let check = async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            assert!(dead(&lab.spec()).is_empty());
            // With an offset of 1 s, the member dies 1 s after the origin.
            tokio::time::sleep(Duration::from_millis(700)).await;
            assert_eq!(dead(&lab.spec()), ["127.0.0.12"]);
            tokio::time::sleep(Duration::from_secs(2)).await;
            assert!(dead(&lab.spec()).is_empty());
            cancel.cancel();
        };
        tokio::join!(driver, check);
        let (at, words) = rx.recv().await.unwrap();
        assert_eq!(at - origin, Duration::from_secs(1));
        assert_eq!(words, ["lab: NTP member 127.0.0.12 stops answering"]);
        assert!(rx.recv().await.unwrap().1[0].contains("answers again"));
        lab.shutdown().await;
    }
}
