//! The `FindProxyForURL` result parsed into an ordered list of routes. The text is hostile (any
//! script wrote it): the parser never panics, is linear in its input, and its output is bounded in
//! count and size. Pure: depends on `model` only.

use crate::model::{ProxyKind, Route, RouteFault, RouteList};
use std::net::Ipv6Addr;

/// At most this many routes are kept; a longer result is marked truncated.
pub const MAX_ROUTES: usize = 64;
/// An element longer than this is garbage (the longest host name is 253 characters).
pub const MAX_ELEMENT: usize = 300;
/// Garbage is quoted back at most this long (in characters).
pub const MAX_QUOTE: usize = 80;

/// Parses a PAC result such as `"PROXY proxy.example:8080; SOCKS5 [::1]:1080; DIRECT"`.
///
/// Elements are separated by `;`; empty elements (a trailing `;`) are skipped as browsers do, but a
/// result with no element at all is one `Empty` route, so an empty answer is never silently DIRECT.
pub fn parse(result: &str) -> RouteList {
    let mut routes = Vec::new();
    let mut truncated = false;
    for element in result.split(';') {
        let element = element.trim();
        if element.is_empty() {
            continue;
        }
        if routes.len() == MAX_ROUTES {
            truncated = true;
            break;
        }
        routes.push(parse_element(element));
    }
    if routes.is_empty() {
        routes.push(Route::Invalid {
            text: quote(result.trim()),
            fault: RouteFault::Empty,
        });
    }
    RouteList { routes, truncated }
}

fn parse_element(element: &str) -> Route {
    let bad = |fault| Route::Invalid {
        text: quote(element),
        fault,
    };
    if element.len() > MAX_ELEMENT {
        return bad(RouteFault::TooLong);
    }
    let mut words = element.split_ascii_whitespace();
    let keyword = words.next().unwrap_or_default();
    let target = words.next();
    let extra = words.next().is_some();
    if keyword.eq_ignore_ascii_case("DIRECT") {
        return if target.is_some() {
            bad(RouteFault::ExtraText)
        } else {
            Route::Direct
        };
    }
    let Some(kind) = ProxyKind::from_keyword(keyword) else {
        return bad(RouteFault::UnknownKeyword);
    };
    let Some(target) = target else {
        return bad(RouteFault::MissingHost);
    };
    if extra {
        return bad(RouteFault::ExtraText);
    }
    match host_port(target) {
        Ok((host, port)) => Route::Proxy { kind, host, port },
        Err(fault) => bad(fault),
    }
}

/// `host:port` or `[v6]:port` into its parts, or what is wrong with it.
fn host_port(s: &str) -> Result<(String, u16), RouteFault> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or(RouteFault::BadHost)?;
        inside
            .parse::<Ipv6Addr>()
            .map_err(|_| RouteFault::BadHost)?;
        if after.is_empty() {
            return Err(RouteFault::MissingPort);
        }
        let port = after.strip_prefix(':').ok_or(RouteFault::BadHost)?;
        (inside.to_string(), port)
    } else {
        match s.rsplit_once(':') {
            // Two colons or more: an IPv6 address without brackets, ambiguous with a port.
            Some((host, _)) if host.contains(':') => return Err(RouteFault::BadHost),
            Some((host, port)) => {
                check_host(host)?;
                (host.to_string(), port)
            }
            None => {
                check_host(s)?;
                return Err(RouteFault::MissingPort);
            }
        }
    };
    Ok((host, port_number(port)?))
}

fn check_host(host: &str) -> Result<(), RouteFault> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    if host.is_empty() || host.len() > 253 || !host.chars().all(ok_char) {
        return Err(RouteFault::BadHost);
    }
    Ok(())
}

fn port_number(port: &str) -> Result<u16, RouteFault> {
    if port.is_empty() {
        return Err(RouteFault::MissingPort);
    }
    if port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RouteFault::BadPort);
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(RouteFault::BadPort),
        Ok(p) => Ok(p),
    }
}

/// About [`MAX_QUOTE`] characters of `s` (at most one escape more), cut on a character boundary,
/// control characters shown escaped so a hostile result cannot drive the terminal.
fn quote(s: &str) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for c in s.chars() {
        if shown >= MAX_QUOTE {
            out.push('…');
            break;
        }
        if c.is_control() {
            let escaped: String = c.escape_default().collect();
            shown += escaped.chars().count();
            out.push_str(&escaped);
        } else {
            shown += 1;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy(kind: ProxyKind, host: &str, port: u16) -> Route {
        Route::Proxy {
            kind,
            host: host.into(),
            port,
        }
    }

    fn faults(s: &str) -> Vec<&'static str> {
        parse(s)
            .routes
            .iter()
            .map(|r| match r {
                Route::Invalid { fault, .. } => fault.as_label(),
                _ => "ok",
            })
            .collect()
    }

    #[test]
    fn the_usual_answers() {
        let l = parse("PROXY proxy.base.oqs-pdl.org:8080; DIRECT");
        assert_eq!(
            l.routes,
            vec![
                proxy(ProxyKind::Proxy, "proxy.base.oqs-pdl.org", 8080),
                Route::Direct
            ]
        );
        assert!(!l.truncated);
        assert_eq!(parse("DIRECT").routes, vec![Route::Direct]);
        assert_eq!(parse("direct;").routes, vec![Route::Direct]);
        assert_eq!(
            parse(
                "SOCKS5 [2001:db8::1]:1080;socks 10.0.0.1:1080 ; HTTPS h:443;HTTP h:80;SOCKS4 s:1"
            )
            .routes,
            vec![
                proxy(ProxyKind::Socks5, "2001:db8::1", 1080),
                proxy(ProxyKind::Socks, "10.0.0.1", 1080),
                proxy(ProxyKind::Https, "h", 443),
                proxy(ProxyKind::Http, "h", 80),
                proxy(ProxyKind::Socks4, "s", 1),
            ]
        );
        assert_eq!(
            parse("PROXY\ta:1").routes,
            vec![proxy(ProxyKind::Proxy, "a", 1)]
        );
    }

    #[test]
    fn garbage_is_named() {
        assert_eq!(faults(""), ["empty"]);
        assert_eq!(faults("  ; ;"), ["empty"]);
        assert_eq!(faults("PROXIE a:1"), ["unknown_keyword"]);
        assert_eq!(faults("QUIC a:443"), ["unknown_keyword"]);
        assert_eq!(faults("PROXY"), ["missing_host"]);
        assert_eq!(faults("PROXY a"), ["missing_port"]);
        assert_eq!(faults("PROXY a:"), ["missing_port"]);
        assert_eq!(faults("PROXY [::1]"), ["missing_port"]);
        assert_eq!(faults("PROXY a:0"), ["bad_port"]);
        assert_eq!(faults("PROXY a:65536"), ["bad_port"]);
        assert_eq!(faults("PROXY a:8o80"), ["bad_port"]);
        assert_eq!(faults("PROXY a:+80"), ["bad_port"]);
        assert_eq!(faults("PROXY a:0000080"), ["bad_port"]);
        assert_eq!(faults("PROXY :80"), ["bad_host"]);
        assert_eq!(faults("PROXY 2001:db8::1:80"), ["bad_host"]);
        assert_eq!(faults("PROXY [zz]:80"), ["bad_host"]);
        assert_eq!(faults("PROXY [::1]80"), ["bad_host"]);
        assert_eq!(faults("PROXY a/b:80"), ["bad_host"]);
        assert_eq!(faults("PROXY a:1 b:2"), ["extra_text"]);
        assert_eq!(faults("DIRECT now"), ["extra_text"]);
        assert_eq!(
            faults(&format!("PROXY {}:1", "a".repeat(400))),
            ["too_long"]
        );
        assert_eq!(
            faults("PROXY a:1; nonsense; DIRECT"),
            ["ok", "unknown_keyword", "ok"]
        );
    }

    #[test]
    fn output_is_bounded() {
        let l = parse(&"DIRECT;".repeat(10_000));
        assert_eq!(l.routes.len(), MAX_ROUTES);
        assert!(l.truncated);
        let l = parse(&"x".repeat(100_000));
        match &l.routes[0] {
            Route::Invalid { text, fault } => {
                assert_eq!(*fault, RouteFault::TooLong);
                assert!(text.chars().count() <= MAX_QUOTE + 1);
            }
            other => panic!("{other:?}"),
        }
        // Control characters are escaped, multi-byte text is cut on a boundary.
        let l = parse(&"\u{1b}[31mRED\u{7}".repeat(50));
        assert!(matches!(&l.routes[0], Route::Invalid { text, .. }
            if !text.contains('\u{1b}') && text.chars().count() <= MAX_QUOTE + 11));
        let _ = parse(&"日本語".repeat(100));
    }

    #[test]
    fn display_round_trips_usable_routes() {
        let s = "PROXY a.b:8080; SOCKS5 [2001:db8::1]:1080; DIRECT";
        let shown: Vec<String> = parse(s).routes.iter().map(ToString::to_string).collect();
        assert_eq!(shown.join("; "), s);
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        /// Text shaped like PAC results: keywords, hosts, ports, separators and noise.
        fn pac_like() -> impl Strategy<Value = String> {
            let token = prop_oneof![
                Just("DIRECT".to_string()),
                Just("PROXY".to_string()),
                Just("SOCKS5".to_string()),
                Just("HTTPS".to_string()),
                Just(";".to_string()),
                Just(" ".to_string()),
                Just(":".to_string()),
                Just("[".to_string()),
                Just("]".to_string()),
                "[a-z0-9.-]{0,12}",
                "[0-9]{0,7}",
                "\\PC{0,4}",
                any::<char>().prop_map(String::from),
            ];
            proptest::collection::vec(token, 0..40).prop_map(|v| v.concat())
        }

        fn check_bounds(l: &RouteList) {
            assert!(!l.routes.is_empty());
            assert!(l.routes.len() <= MAX_ROUTES);
            for r in &l.routes {
                match r {
                    Route::Invalid { text, .. } => {
                        // One escape (at most 10 characters) may straddle the limit, then the ellipsis.
                        assert!(text.chars().count() <= MAX_QUOTE + 11, "{text:?}");
                        assert!(!text.chars().any(char::is_control));
                    }
                    Route::Proxy { host, port, .. } => {
                        assert!(*port > 0);
                        assert!(!host.is_empty() && host.len() <= 253);
                    }
                    Route::Direct => {}
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn any_string_parses_without_panic_and_bounded(s in any::<String>()) {
                check_bounds(&parse(&s));
            }

            #[test]
            fn pac_like_text_parses_without_panic_and_bounded(s in pac_like()) {
                check_bounds(&parse(&s));
            }

            #[test]
            fn long_inputs_stay_bounded(s in pac_like(), n in 1usize..400) {
                check_bounds(&parse(&s.repeat(n)));
            }

            #[test]
            fn usable_routes_round_trip(
                routes in proptest::collection::vec(
                    prop_oneof![
                        Just(Route::Direct),
                        (0usize..6, "[a-z][a-z0-9-]{0,20}(\\.[a-z0-9-]{1,10}){0,3}", 1u16..)
                            .prop_map(|(k, host, port)| Route::Proxy {
                                kind: [ProxyKind::Proxy, ProxyKind::Http, ProxyKind::Https,
                                       ProxyKind::Socks, ProxyKind::Socks4, ProxyKind::Socks5][k],
                                host,
                                port,
                            }),
                        (any::<[u16; 8]>(), 1u16..).prop_map(|(seg, port)| Route::Proxy {
                            kind: ProxyKind::Socks5,
                            host: std::net::Ipv6Addr::from(seg).to_string(),
                            port,
                        }),
                    ],
                    1..20,
                )
            ) {
                let text = routes.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                prop_assert_eq!(parse(&text).routes, routes);
            }
        }
    }
}
