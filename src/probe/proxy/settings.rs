//! Where the terminal's proxy settings come from, each read as it says them: the `--proxy` flag, the
//! environment (curl's precedence), Windows' WinINet and WinHTTP settings (decoded here from the
//! registry's values; `platform` reads them), and the profile. Then which of them rules, and how
//! explicit settings route a destination. Pure functions over given inputs, testable anywhere.

use crate::model::{HostPort, ProxySettings, ProxySource, ProxySourceKind, WinInetValues};

fn source(kind: ProxySourceKind, origin: impl Into<String>) -> ProxySource {
    ProxySource {
        kind,
        origin: origin.into(),
        proxy: None,
        bypass: Vec::new(),
        pac_url: None,
        auto_detect: None,
        direct: false,
    }
}

/// `host:port` from a proxy URL or bare `host:port` (`http://user:pw@h:p/` → `h:p`; the port
/// defaults to 80 for http:// and 1080 for socks, as curl does).
pub fn proxy_host_port(value: &str) -> Result<String, String> {
    let v = value.trim();
    let (scheme, rest) = match v.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), v),
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let default = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        s if s.starts_with("socks") => 1080,
        other => return Err(format!("`{value}`: unknown proxy scheme `{other}`")),
    };
    let hp = HostPort::parse(authority).map_err(|e| format!("`{value}`: {e}"))?;
    Ok(HostPort {
        port: Some(hp.port_or(default)),
        ..hp
    }
    .to_string())
}

/// `--proxy URL|none|auto`.
pub fn from_flag(value: &str) -> Result<ProxySource, String> {
    let mut s = source(ProxySourceKind::Flag, "--proxy");
    match value.trim() {
        "none" | "direct" | "DIRECT" => s.direct = true,
        "auto" => s.auto_detect = Some(true),
        v if v.ends_with(".pac") || v.ends_with(".dat") => s.pac_url = Some(v.to_string()),
        v => s.proxy = Some(proxy_host_port(v)?),
    }
    Ok(s)
}

/// The environment as curl reads it for an https destination: `https_proxy` before
/// `HTTPS_PROXY`, then `all_proxy`/`ALL_PROXY`; `no_proxy` before `NO_PROXY`. `None` when the
/// environment says nothing about proxies.
pub fn from_environment(get: impl Fn(&str) -> Option<String>) -> Option<ProxySource> {
    let first = |names: &[&str]| {
        names.iter().find_map(|n| {
            get(n)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (n.to_string(), v))
        })
    };
    let proxy = first(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]);
    let no_proxy = first(&["no_proxy", "NO_PROXY"]);
    if proxy.is_none() && no_proxy.is_none() {
        return None;
    }
    let origin: Vec<String> = proxy
        .iter()
        .chain(no_proxy.iter())
        .map(|(n, _)| n.clone())
        .collect();
    let mut s = source(ProxySourceKind::Environment, origin.join(" + "));
    if let Some((name, v)) = proxy {
        s.proxy = Some(
            proxy_host_port(&v)
                .map_err(|e| format!("{name}: {e}"))
                .unwrap_or(v),
        );
    }
    if let Some((_, v)) = no_proxy {
        s.bypass = split_list(&v, &[',']);
    }
    Some(s)
}

/// The profile's proxy: what installers are expected to have set.
pub fn from_profile(profile_name: &str, p: &ProxySettings) -> ProxySource {
    let mut s = source(ProxySourceKind::Profile, format!("profile {profile_name}"));
    s.proxy = Some(p.server.to_string());
    s.bypass = p.bypass.clone();
    s
}

/// WinINet's settings. The connection blob's flags byte (offset 8) is authoritative for the
/// switches the dialog shows: 0x02 proxy, 0x04 script (AutoConfigURL), 0x08 automatically detect.
pub fn from_wininet(v: &WinInetValues) -> ProxySource {
    let mut s = source(
        ProxySourceKind::WinInet,
        r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings",
    );
    let flags = v
        .default_connection_settings
        .as_deref()
        .and_then(|b| b.get(8).copied());
    let proxy_on = flags.map_or(v.proxy_enable == Some(1), |f| f & 0x02 != 0);
    if proxy_on {
        s.proxy = v.proxy_server.as_deref().and_then(https_proxy_of_wininet);
    }
    if flags.is_none_or(|f| f & 0x04 != 0) {
        s.pac_url = v.auto_config_url.clone().filter(|u| !u.trim().is_empty());
    }
    s.auto_detect = flags.map(|f| f & 0x08 != 0);
    s.bypass = v
        .proxy_override
        .as_deref()
        .map(|o| split_list(o, &[';']))
        .unwrap_or_default();
    s
}

/// `ProxyServer` is `host:port` for every protocol, or `http=h:p;https=h:p;…` per protocol.
fn https_proxy_of_wininet(server: &str) -> Option<String> {
    let server = server.trim();
    if server.is_empty() {
        return None;
    }
    if !server.contains('=') {
        return proxy_host_port(server).ok();
    }
    let per: Vec<(&str, &str)> = server
        .split(';')
        .filter_map(|p| p.split_once('='))
        .collect();
    per.iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("https"))
        .or_else(|| {
            per.iter()
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("http"))
        })
        .and_then(|(_, v)| proxy_host_port(v).ok())
}

/// WinHTTP's settings from the `WinHttpSettings` value (`netsh winhttp set proxy` writes it):
/// a version dword, a counter dword, flags (1 direct, 3 proxy), then the proxy and bypass strings,
/// each after a length dword. `None` when the blob is not that shape.
pub fn from_winhttp(blob: &[u8]) -> Option<ProxySource> {
    let dword = |at: usize| {
        blob.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let flags = dword(8)?;
    let string = |at: usize| -> Option<(String, usize)> {
        let len = dword(at)? as usize;
        let bytes = blob.get(at + 4..at.checked_add(4 + len)?)?;
        Some((String::from_utf8_lossy(bytes).into_owned(), at + 4 + len))
    };
    let (proxy, next) = string(12)?;
    let (bypass, _) = string(next).unwrap_or_default();
    let mut s = source(
        ProxySourceKind::WinHttp,
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections\WinHttpSettings",
    );
    if flags & 0x02 != 0 {
        s.proxy = https_proxy_of_wininet(&proxy);
        s.bypass = split_list(&bypass, &[';']);
    } else {
        s.direct = true;
    }
    Some(s)
}

/// Entries of a bypass list, trimmed, without empties.
pub fn split_list(list: &str, separators: &[char]) -> Vec<String> {
    list.split(|c| separators.contains(&c))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .take(512)
        .collect()
}

/// The source that decides, by precedence: the flag, then the environment, then the user's
/// Internet Options, then WinHTTP. The profile never decides: it is what should have been set.
pub fn effective(sources: &[ProxySource]) -> Option<&ProxySource> {
    sources
        .iter()
        .filter(|s| s.kind != ProxySourceKind::Profile)
        .min_by_key(|s| s.kind)
}

/// The bypass entry (Windows `ProxyOverride` rules, which also cover curl's `NO_PROXY` suffixes)
/// that sends `host` DIRECT, if any.
pub fn bypassed_by<'a>(bypass: &'a [String], host: &str) -> Option<&'a str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    bypass.iter().map(String::as_str).find(|entry| {
        let e = entry.trim().to_ascii_lowercase();
        if e == "<local>" {
            return !host.contains('.') && host.parse::<std::net::IpAddr>().is_err();
        }
        if e == "*" {
            return true;
        }
        if e.contains('*') {
            return wildcard(&e, &host);
        }
        // NO_PROXY style: `example.org` and `.example.org` cover the domain and its subdomains.
        let bare = e.trim_start_matches('.');
        host == bare || host.ends_with(&format!(".{bare}"))
    })
}

/// `*` matches any run of characters (ProxyOverride's only wildcard).
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// The configured bypass list against the expected one: (expected but missing, present but not
/// expected), compared case-insensitively. `<local>` ("bypass the proxy for local addresses",
/// plain host names) is never extra: it sends no OQS or internet-bound host past the proxy.
pub fn compare_bypass(expected: &[String], configured: &[String]) -> (Vec<String>, Vec<String>) {
    let norm = |s: &String| s.trim().trim_end_matches('.').to_ascii_lowercase();
    let conf: Vec<String> = configured.iter().map(norm).collect();
    let exp: Vec<String> = expected.iter().map(norm).collect();
    let missing = expected
        .iter()
        .filter(|e| !conf.contains(&norm(e)))
        .cloned()
        .collect();
    let extra = configured
        .iter()
        .filter(|c| !exp.contains(&norm(c)) && norm(c) != "<local>")
        .cloned()
        .collect();
    (missing, extra)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn proxy_urls_become_host_port() {
        assert_eq!(
            proxy_host_port("http://proxy.base.oqs-pdl.org:8080").unwrap(),
            "proxy.base.oqs-pdl.org:8080"
        );
        assert_eq!(
            proxy_host_port("http://u:p@proxy.lab/").unwrap(),
            "proxy.lab:80"
        );
        assert_eq!(proxy_host_port("proxy.lab:3128").unwrap(), "proxy.lab:3128");
        assert_eq!(proxy_host_port("socks5://[::1]").unwrap(), "[::1]:1080");
        assert!(proxy_host_port("ftp://x").is_err());
        assert!(proxy_host_port("http://bad host:1").is_err());
    }

    #[test]
    fn environment_follows_curls_precedence() {
        let s = from_environment(env(&[
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:2"),
        ]))
        .unwrap();
        assert_eq!(s.proxy.as_deref(), Some("lower:2"));
        assert_eq!(s.origin, "https_proxy");
        let s = from_environment(env(&[
            ("ALL_PROXY", "http://all:3"),
            ("NO_PROXY", ".onshikaku.org,localhost"),
        ]))
        .unwrap();
        assert_eq!(s.proxy.as_deref(), Some("all:3"));
        assert_eq!(s.bypass, [".onshikaku.org", "localhost"]);
        assert_eq!(s.origin, "ALL_PROXY + NO_PROXY");
        // curl ignores HTTP_PROXY for https destinations.
        assert!(from_environment(env(&[("HTTP_PROXY", "http://x:1")])).is_none());
        assert!(from_environment(env(&[])).is_none());
    }

    #[test]
    fn wininet_switches_come_from_the_connection_blob() {
        let mut blob = vec![0x46, 0, 0, 0, 5, 0, 0, 0, 0x0b, 0, 0, 0];
        blob.extend_from_slice(&[0; 8]);
        let v = WinInetValues {
            proxy_enable: Some(0),
            proxy_server: Some("http=p:80;https=proxy.base.oqs-pdl.org:8080".into()),
            proxy_override: Some("*.onshikaku.org;<local>".into()),
            auto_config_url: None,
            default_connection_settings: Some(blob.clone()),
        };
        let s = from_wininet(&v);
        assert_eq!(s.proxy.as_deref(), Some("proxy.base.oqs-pdl.org:8080"));
        assert_eq!(s.auto_detect, Some(true));
        assert_eq!(s.bypass, ["*.onshikaku.org", "<local>"]);
        blob[8] = 0x01;
        let s = from_wininet(&WinInetValues {
            default_connection_settings: Some(blob),
            ..v.clone()
        });
        assert_eq!((s.proxy, s.auto_detect), (None, Some(false)));
        // Without the blob, ProxyEnable decides.
        let s = from_wininet(&WinInetValues {
            proxy_enable: Some(1),
            default_connection_settings: None,
            ..v
        });
        assert_eq!(s.proxy.as_deref(), Some("proxy.base.oqs-pdl.org:8080"));
        assert_eq!(s.auto_detect, None);
    }

    #[test]
    fn winhttp_blob_decodes_and_rejects_garbage() {
        let mut blob = vec![0x18, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0];
        let proxy = b"proxy.base.oqs-pdl.org:8080";
        blob.extend_from_slice(&(proxy.len() as u32).to_le_bytes());
        blob.extend_from_slice(proxy);
        let bypass = b"*.onshikaku.org;<local>";
        blob.extend_from_slice(&(bypass.len() as u32).to_le_bytes());
        blob.extend_from_slice(bypass);
        let s = from_winhttp(&blob).unwrap();
        assert_eq!(s.proxy.as_deref(), Some("proxy.base.oqs-pdl.org:8080"));
        assert_eq!(s.bypass.len(), 2);
        let direct = [
            0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert!(from_winhttp(&direct).unwrap().direct);
        assert!(from_winhttp(&[1, 2, 3]).is_none());
        let mut lying = blob.clone();
        lying[12] = 0xff;
        lying[13] = 0xff;
        assert!(from_winhttp(&lying).is_none());
    }

    #[test]
    fn bypass_rules_match_like_windows_and_curl() {
        let list: Vec<String> = [
            "*.onshikaku.org",
            "pweb.base.oqs-pdl.org",
            "<local>",
            ".flets-east.jp",
            "192.168.220.*",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            bypassed_by(&list, "hweb.oqs.onshikaku.org"),
            Some("*.onshikaku.org")
        );
        assert_eq!(
            bypassed_by(&list, "PWEB.base.oqs-pdl.org."),
            Some("pweb.base.oqs-pdl.org")
        );
        assert_eq!(bypassed_by(&list, "printer"), Some("<local>"));
        assert_eq!(
            bypassed_by(&list, "assv.asc.flets-east.jp"),
            Some(".flets-east.jp")
        );
        assert_eq!(bypassed_by(&list, "192.168.220.1"), Some("192.168.220.*"));
        assert_eq!(bypassed_by(&list, "proxy.base.oqs-pdl.org"), None);
        assert_eq!(bypassed_by(&list, "onshikaku.org.evil.example"), None);
        assert!(wildcard("a*b*c", "axxbyyc") && !wildcard("a*b*c", "axxc") && wildcard("*", ""));
    }

    #[test]
    fn bypass_lists_compare_by_entry() {
        let exp: Vec<String> = ["*.onshikaku.org", "*.rece", "pweb.base.oqs-pdl.org"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let conf: Vec<String> = [
            "*.ONSHIKAKU.org",
            "pweb.base.oqs-pdl.org",
            "*.example",
            "<Local>",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (missing, extra) = compare_bypass(&exp, &conf);
        assert_eq!(missing, ["*.rece"]);
        assert_eq!(extra, ["*.example"]);
    }

    #[test]
    fn the_flag_rules_then_the_environment_then_windows() {
        let p = from_flag("http://p:1").unwrap();
        let e = from_environment(env(&[("https_proxy", "q:2")])).unwrap();
        let w = from_wininet(&WinInetValues::default());
        let all = [w.clone(), e.clone(), p.clone()];
        assert_eq!(effective(&all).unwrap().kind, ProxySourceKind::Flag);
        assert_eq!(
            effective(&[w.clone(), e]).unwrap().kind,
            ProxySourceKind::Environment
        );
        assert_eq!(effective(&[w]).unwrap().kind, ProxySourceKind::WinInet);
        assert!(from_flag("none").unwrap().direct);
        assert_eq!(from_flag("auto").unwrap().auto_detect, Some(true));
        assert_eq!(
            from_flag("http://wpad.lab/wpad.dat")
                .unwrap()
                .pac_url
                .as_deref(),
            Some("http://wpad.lab/wpad.dat")
        );
    }
}
