//! A profile after inheritance, written back as TOML with each value marked by where it came
//! from: the file, `base NAME`, or the default. What `oqs-net profiles --show FILE` prints.
//! Depends on `model` and this module's parsing only.

use super::{ProfileError, SHIPPED};
use crate::model::{Family, PasswordSource, Profile, TlsVersion};
use std::time::Duration;
use toml::{Table, Value};
use unicode_width::UnicodeWidthStr;

/// The effective profile of `text` (read from `file`), as TOML a profile file could hold (no
/// `base`), each line commented with its origin.
pub fn effective(text: &str, file: &str) -> Result<String, ProfileError> {
    let p = super::parse(text, file)?;
    let invalid = |e: toml::de::Error| ProfileError::Invalid {
        file: file.to_string(),
        line: 1,
        column: 1,
        message: e.message().to_string(),
    };
    let own: Table = toml::from_str(text).map_err(invalid)?;
    let base_name = own.get("base").and_then(Value::as_str).map(str::to_string);
    let base: Table = match &base_name {
        Some(n) => SHIPPED
            .iter()
            .find(|(s, _)| s == n)
            .map_or(Ok(Table::new()), |(_, t)| toml::from_str(t))
            .map_err(invalid)?,
        None => Table::new(),
    };
    let o = Origins {
        own,
        base,
        file: file.to_string(),
        base_name: base_name.unwrap_or_default(),
    };
    Ok(render(&p, &o))
}

struct Origins {
    own: Table,
    base: Table,
    file: String,
    base_name: String,
}

fn lookup<'t>(t: &'t Table, path: &[&str]) -> Option<&'t Value> {
    let (last, tables) = path.split_last()?;
    let mut at = t;
    for k in tables {
        at = at.get(*k)?.as_table()?;
    }
    at.get(*last)
}

impl Origins {
    fn base(&self) -> String {
        format!("base {}", self.base_name)
    }

    /// Where a single value came from.
    fn of(&self, path: &[&str]) -> String {
        if lookup(&self.own, path).is_some() {
            self.file.clone()
        } else if lookup(&self.base, path).is_some() {
            self.base()
        } else {
            "default".to_string()
        }
    }

    /// Where one entry of an inherited list came from.
    fn entry(&self, path: &[&str], entry: &str) -> String {
        let holds = |t: &Table| {
            lookup(t, path).and_then(Value::as_array).is_some_and(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .any(|e| super::raw::same_entry(e, entry))
            })
        };
        if holds(&self.own) {
            self.file.clone()
        } else if holds(&self.base) {
            self.base()
        } else {
            "default".to_string()
        }
    }

    /// Where a `[[tls]]` endpoint came from (`distribution` may come from `distribution_server`).
    fn tls(&self, name: &str) -> String {
        let named = |t: &Table| {
            t.get("tls").and_then(Value::as_array).is_some_and(|a| {
                a.iter()
                    .any(|e| e.get("name").and_then(Value::as_str) == Some(name))
            })
        };
        let dist = ["tls_settings", "distribution_server"];
        if name == "distribution" && lookup(&self.own, &dist).is_some() {
            format!("{} (tls_settings.distribution_server)", self.file)
        } else if named(&self.own) && named(&self.base) {
            format!("{} (replaces {}'s)", self.file, self.base())
        } else if named(&self.own) {
            self.file.clone()
        } else if name == "distribution" && lookup(&self.base, &dist).is_some() {
            format!("{} (tls_settings.distribution_server)", self.base())
        } else {
            self.base()
        }
    }
}

/// Lines of TOML, each with its origin (empty for headers and brackets).
#[derive(Default)]
struct Out(Vec<(String, String)>);

impl Out {
    fn line(&mut self, toml: impl Into<String>, origin: impl Into<String>) {
        self.0.push((toml.into(), origin.into()));
    }
    fn header(&mut self, h: &str) {
        self.line("", "");
        self.line(h, "");
    }
    fn kv(&mut self, key: &str, v: Value, origin: String) {
        self.line(format!("{key} = {v}"), origin);
    }
    /// A list written one entry a line, so that each entry carries its own origin.
    fn list(&mut self, key: &str, entries: &[(String, String)]) {
        if entries.is_empty() {
            self.line(format!("{key} = []"), "");
            return;
        }
        self.line(format!("{key} = ["), "");
        for (e, origin) in entries {
            self.line(format!("    {},", Value::String(e.clone())), origin.clone());
        }
        self.line("]", "");
    }
    fn text(self) -> String {
        let width = self
            .0
            .iter()
            .filter(|(_, o)| !o.is_empty())
            .map(|(t, _)| t.width())
            .max()
            .unwrap_or(0)
            .min(40);
        let mut s = String::new();
        for (t, o) in self.0 {
            if o.is_empty() {
                s.push_str(&t);
            } else {
                s.push_str(&t);
                s.push_str(&" ".repeat(width.saturating_sub(t.width()) + 2));
                s.push_str("# ");
                s.push_str(&o);
            }
            s.push('\n');
        }
        s
    }
}

fn s(v: impl Into<String>) -> Value {
    Value::String(v.into())
}
fn i(v: impl Into<i64>) -> Value {
    Value::Integer(v.into())
}
fn ms(d: Duration) -> Value {
    Value::Integer(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
fn strs(v: impl IntoIterator<Item = String>) -> Value {
    Value::Array(v.into_iter().map(Value::String).collect())
}

fn render(p: &Profile, o: &Origins) -> String {
    let mut out = Out::default();
    let from = if o.base_name.is_empty() {
        String::new()
    } else {
        format!(" over {}", o.base())
    };
    out.line(
        format!(
            "# The effective profile of {}{from}: each value's origin after `#`.",
            o.file
        ),
        "",
    );
    out.kv("name", s(&p.name), o.of(&["name"]));
    out.kv("description", s(&p.description), o.of(&["description"]));
    out.kv("mode", s(p.mode.as_label()), o.of(&["mode"]));
    out.kv(
        "environment",
        s(p.environment.as_label()),
        o.of(&["environment"]),
    );
    if let Some(pr) = &p.provider {
        out.kv("provider", s(pr), o.of(&["provider"]));
    }

    let d = &p.dns;
    out.header("[dns]");
    if !d.resolvers.is_empty() {
        let r = d.resolvers.iter().map(ToString::to_string);
        out.kv("resolvers", strs(r), o.of(&["dns", "resolvers"]));
    }
    out.kv(
        "round_robin",
        s(d.round_robin.to_string()),
        o.of(&["dns", "round_robin"]),
    );
    let f: Vec<_> = d
        .fallbacks
        .iter()
        .map(|h| {
            let h = h.to_string();
            let origin = o.entry(&["dns", "fallbacks"], &h);
            (h, origin)
        })
        .collect();
    out.list("fallbacks", &f);
    let k = |key: &str| o.of(&["dns", key]);
    out.kv(
        "expect_round_robin",
        Value::Boolean(d.expect_round_robin),
        k("expect_round_robin"),
    );
    out.kv("queries", i(d.queries), k("queries"));
    out.kv("timeout_ms", ms(d.timeout), k("timeout_ms"));
    let fam = d.families.iter().map(|f| match f {
        Family::Ipv4 => "ipv4".to_string(),
        Family::Ipv6 => "ipv6".to_string(),
    });
    out.kv("families", strs(fam), k("families"));

    let n = &p.ntp;
    out.header("[ntp]");
    let k = |key: &str| o.of(&["ntp", key]);
    out.kv("port", i(n.port), k("port"));
    out.kv("samples", i(n.samples), k("samples"));
    out.kv("interval_ms", ms(n.interval), k("interval_ms"));
    out.kv("timeout_ms", ms(n.timeout), k("timeout_ms"));
    out.kv(
        "offset_warn_ms",
        Value::Float(n.offset_warn_ms),
        k("offset_warn_ms"),
    );
    out.kv(
        "offset_fail_ms",
        Value::Float(n.offset_fail_ms),
        k("offset_fail_ms"),
    );
    out.kv(
        "disagreement_ms",
        Value::Float(n.disagreement_ms),
        k("disagreement_ms"),
    );

    let t = &p.tls_settings;
    out.header("[tls_settings]");
    let k = |key: &str| o.of(&["tls_settings", key]);
    if let Some(c) = &t.ca_bundle {
        out.kv("ca_bundle", s(c.display().to_string()), k("ca_bundle"));
    }
    if !t.pfx.is_empty() {
        let f = t.pfx.iter().map(|f| f.display().to_string());
        out.kv("pfx", strs(f), k("pfx"));
    }
    match &t.password {
        PasswordSource::Env(v) => out.kv("pfx_password_env", s(v), k("pfx_password_env")),
        PasswordSource::File(f) => out.kv(
            "pfx_password_file",
            s(f.display().to_string()),
            k("pfx_password_file"),
        ),
        PasswordSource::None | PasswordSource::Given(_) => {}
    }
    if let Some(c) = &t.institution_code {
        out.kv("institution_code", s(c.as_str()), k("institution_code"));
    }
    out.kv(
        "expiry_warn_days",
        i(t.expiry_warn_days),
        k("expiry_warn_days"),
    );
    out.kv(
        "issuer_names",
        strs(t.issuer_names.iter().cloned()),
        k("issuer_names"),
    );
    let v = match t.min_version {
        TlsVersion::Tls12 => "1.2",
        TlsVersion::Tls13 => "1.3",
    };
    out.kv("min_version", s(v), k("min_version"));
    out.kv(
        "connect_timeout_ms",
        ms(t.connect_timeout),
        k("connect_timeout_ms"),
    );
    out.kv(
        "handshake_timeout_ms",
        ms(t.handshake_timeout),
        k("handshake_timeout_ms"),
    );
    out.kv(
        "request_timeout_ms",
        ms(t.request_timeout),
        k("request_timeout_ms"),
    );

    for e in &p.tls {
        out.header("[[tls]]");
        let origin = o.tls(&e.name);
        out.kv("name", s(&e.name), origin.clone());
        out.kv("host", s(e.host.to_string()), origin.clone());
        out.kv(
            "client_certificate",
            Value::Boolean(e.client_certificate),
            origin.clone(),
        );
        out.kv("request", s(e.request.clone().unwrap_or_default()), origin);
    }

    if let Some(px) = &p.proxy {
        out.header("[proxy]");
        out.kv(
            "server",
            s(px.server.to_string()),
            o.of(&["proxy", "server"]),
        );
        let b: Vec<_> = px
            .bypass
            .iter()
            .map(|e| (e.clone(), o.entry(&["proxy", "bypass"], e)))
            .collect();
        out.list("bypass", &b);
        let n: Vec<_> = px
            .internet
            .iter()
            .map(|h| {
                let h = h.to_string();
                let origin = o.entry(&["proxy", "internet"], &h);
                (h, origin)
            })
            .collect();
        out.list("internet", &n);
    }

    out.header("[adapter]");
    if let Some(a) = &p.adapter.name {
        out.kv("name", s(a), o.of(&["adapter", "name"]));
    }
    out.kv(
        "ipv6_only",
        Value::Boolean(p.adapter.ipv6_only),
        o.of(&["adapter", "ipv6_only"]),
    );

    out.header("[line]");
    let k = |key: &str| o.of(&["line", key]);
    out.kv("auth", Value::Boolean(p.line.auth.is_some()), k("auth"));
    if let Some(a) = &p.line.auth {
        out.kv("auth_url", s(a.url()), k("auth_url"));
        out.kv("auth_timeout_ms", ms(a.timeout), k("auth_timeout_ms"));
        out.kv("auth_verify", Value::Boolean(a.verify), k("auth_verify"));
    }
    out.kv("dns", Value::Boolean(p.line.ngn_dns.is_some()), k("dns"));
    if let Some(n) = &p.line.ngn_dns {
        let servers: Vec<_> = n
            .servers
            .iter()
            .map(|a| (a.to_string(), k("ngn_dns")))
            .collect();
        out.list("ngn_dns", &servers);
        let names: Vec<_> = n
            .names
            .iter()
            .map(|a| (a.clone(), k("ngn_names")))
            .collect();
        out.list("ngn_names", &names);
    }

    let a = &p.acceptance;
    out.header("[acceptance]");
    let k = |key: &str| o.of(&["acceptance", key]);
    out.kv(
        "min_availability_pct",
        Value::Float(a.min_availability_pct),
        k("min_availability_pct"),
    );
    out.kv("max_flaps", i(a.max_flaps), k("max_flaps"));
    out.kv(
        "max_ntp_offset_ms",
        Value::Float(a.max_ntp_offset_ms),
        k("max_ntp_offset_ms"),
    );
    out.kv(
        "max_handshake_p95_ms",
        Value::Float(a.max_handshake_p95_ms),
        k("max_handshake_p95_ms"),
    );
    out.kv("min_cert_days", i(a.min_cert_days), k("min_cert_days"));
    out.kv("duration_min", i(a.duration_min), k("duration_min"));

    out.header("[soak]");
    let k = |key: &str| o.of(&["soak", key]);
    out.kv(
        "flap_high_pct",
        Value::Float(p.soak.flap_high_pct),
        k("flap_high_pct"),
    );
    out.kv(
        "flap_low_pct",
        Value::Float(p.soak.flap_low_pct),
        k("flap_low_pct"),
    );

    out.header("[slowness]");
    let k = |key: &str| o.of(&["slowness", key]);
    let sl = &p.slowness;
    for (key, v) in [
        ("dns_answer_ms", sl.dns_answer_ms),
        ("ntp_delay_ms", sl.ntp_delay_ms),
        ("tcp_connect_ms", sl.tcp_connect_ms),
        ("tls_handshake_ms", sl.tls_handshake_ms),
    ] {
        out.kv(key, Value::Float(v), k(key));
    }
    out.text()
}
