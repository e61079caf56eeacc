//! TCP reachability of an endpoint through the OQS adapter: its A and AAAA records (both, so that a
//! host without AAAA is seen for what it is), then a TCP connect — the handshake only, no payload —
//! to each address of the families the round uses, on sockets from `net` (bound to the adapter).
//! Not TLS: that is a probe of its own. Uses `model` and `net` only.

use super::dns::query_once;
use crate::model::{DnsFailure, DnsQuery, Family, TcpAttempt, TcpOutcome, TcpTargetResult};
use crate::net::{DnsResolver, NetOptions};
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

#[derive(Clone, Debug)]
pub struct TcpSpec {
    /// The endpoint's name in the profile.
    pub name: String,
    pub host: String,
    pub port: u16,
    /// The families connected to (the others are only looked up).
    pub families: Vec<Family>,
    pub dns_timeout: Duration,
    pub connect_timeout: Duration,
}

impl TcpSpec {
    /// The longest this probe can take: both lookups at once, then every connect at once.
    pub fn worst_case(&self) -> Duration {
        self.dns_timeout + Duration::from_millis(200) + self.connect_timeout
    }
}

/// Looks the host up and connects to each of its addresses of `spec.families` concurrently.
pub async fn probe_target(
    resolver: Option<&DnsResolver>,
    net: &NetOptions,
    spec: &TcpSpec,
) -> TcpTargetResult {
    let (a, aaaa, mut addrs) = match spec.host.parse::<IpAddr>() {
        Ok(ip) => (None, None, vec![ip]),
        Err(_) => {
            let (a, aaaa) = match resolver {
                Some(r) => {
                    tokio::join!(
                        query_once(r, &spec.host, Family::Ipv4, spec.dns_timeout),
                        query_once(r, &spec.host, Family::Ipv6, spec.dns_timeout),
                    )
                }
                None => (no_resolver(), no_resolver()),
            };
            let mut addrs: Vec<IpAddr> = Vec::new();
            for &f in &spec.families {
                let q = if f == Family::Ipv4 { &a } else { &aaaa };
                for ans in &q.answers {
                    if !addrs.contains(&ans.ip) {
                        addrs.push(ans.ip);
                    }
                }
            }
            (Some(a), Some(aaaa), addrs)
        }
    };
    addrs.retain(|ip| spec.families.contains(&Family::of(ip)));

    let mut set = JoinSet::new();
    for (i, ip) in addrs.iter().enumerate() {
        let addr = SocketAddr::new(*ip, spec.port);
        let net = net.clone();
        let timeout = spec.connect_timeout;
        set.spawn(async move { (i, connect(&net, addr, timeout).await) });
    }
    let mut attempts: Vec<(usize, TcpAttempt)> = Vec::with_capacity(addrs.len());
    while let Some(done) = set.join_next().await {
        if let Ok(a) = done {
            attempts.push(a);
        }
    }
    attempts.sort_by_key(|(i, _)| *i);
    TcpTargetResult {
        name: spec.name.clone(),
        host: spec.host.clone(),
        port: spec.port,
        a,
        aaaa,
        families: spec.families.clone(),
        attempts: attempts.into_iter().map(|(_, a)| a).collect(),
    }
}

fn no_resolver() -> DnsQuery {
    DnsQuery {
        answers: vec![],
        failure: Some(DnsFailure::Other {
            detail: "no resolver could be built".into(),
        }),
        elapsed_ms: 0.0,
    }
}

/// One connect, closed at once.
async fn connect(net: &NetOptions, addr: SocketAddr, timeout: Duration) -> TcpAttempt {
    let start = Instant::now();
    let outcome = match net.tcp_connect_within(addr, timeout).await {
        Ok(stream) => {
            drop(stream);
            TcpOutcome::Connected
        }
        Err(e) => classify(&e),
    };
    TcpAttempt {
        addr,
        outcome,
        elapsed_ms: start.elapsed().as_secs_f64() * 1000.0,
    }
}

fn classify(e: &std::io::Error) -> TcpOutcome {
    match e.kind() {
        ErrorKind::ConnectionRefused => TcpOutcome::Refused,
        ErrorKind::TimedOut => TcpOutcome::Timeout,
        ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable => TcpOutcome::Unreachable {
            detail: e.to_string(),
        },
        _ => TcpOutcome::Local {
            detail: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(host: &str, port: u16) -> TcpSpec {
        TcpSpec {
            name: "t".into(),
            host: host.into(),
            port,
            families: vec![Family::Ipv4],
            dns_timeout: Duration::from_millis(300),
            connect_timeout: Duration::from_secs(2),
        }
    }

    #[tokio::test]
    async fn literal_targets_connect_or_are_refused() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let net = NetOptions::default();
        let r = probe_target(None, &net, &spec("127.0.0.1", port)).await;
        assert_eq!(r.attempts.len(), 1);
        assert_eq!(r.attempts[0].outcome, TcpOutcome::Connected);
        assert!(
            r.a.is_none() && r.aaaa.is_none(),
            "a literal is not looked up"
        );
        drop(l);
        let r = probe_target(None, &net, &spec("127.0.0.1", port)).await;
        assert_eq!(r.attempts[0].outcome, TcpOutcome::Refused);
    }

    #[tokio::test]
    async fn a_literal_of_another_family_is_not_tried() {
        let mut s = spec("::1", 9);
        s.families = vec![Family::Ipv4];
        let r = probe_target(None, &NetOptions::default(), &s).await;
        assert!(r.attempts.is_empty());
        assert_eq!(
            r.addresses(Family::Ipv6),
            ["::1".parse::<IpAddr>().unwrap()]
        );
    }

    #[tokio::test]
    async fn without_a_resolver_a_name_is_not_resolved_and_nothing_is_sent() {
        let r = probe_target(None, &NetOptions::default(), &spec("hweb.example", 443)).await;
        assert!(r.attempts.is_empty());
        assert!(matches!(
            r.a.as_ref().and_then(|q| q.failure.clone()),
            Some(DnsFailure::Other { .. })
        ));
    }

    #[test]
    fn errors_are_named() {
        let e = |k| std::io::Error::new(k, "x");
        assert_eq!(
            classify(&e(ErrorKind::ConnectionRefused)),
            TcpOutcome::Refused
        );
        assert_eq!(classify(&e(ErrorKind::TimedOut)), TcpOutcome::Timeout);
        assert_eq!(
            classify(&e(ErrorKind::NetworkUnreachable)).as_label(),
            "unreachable"
        );
        assert_eq!(
            classify(&e(ErrorKind::AddrNotAvailable)).as_label(),
            "local"
        );
    }
}
