//! One host name to one address through the round's resolver, trying the mode's families in order:
//! how the TLS, proxy and PAC-fetch probes find the address they connect to. Uses `model`, `net`
//! and the DNS probe's single query; no output, no engine, no lab.

use crate::model::Family;
use crate::net::DnsResolver;
use std::net::IpAddr;
use std::time::Duration;

/// The first answer for `host` in the first of `families` that has one; else why none had one
/// (`A NXDOMAIN, AAAA NO ANSWER`).
pub(crate) async fn resolve(
    resolver: Option<&DnsResolver>,
    host: &str,
    families: &[Family],
    timeout: Duration,
) -> Result<IpAddr, String> {
    let Some(resolver) = resolver else {
        return Err("no resolver".into());
    };
    let mut why = Vec::new();
    for &f in families {
        let q = super::dns::query_once(resolver, host, f, timeout).await;
        if let Some(a) = q.answers.first() {
            return Ok(a.ip);
        }
        let reason = q.failure.map_or("no answer", |f| f.as_label());
        why.push(format!("{} {}", f.record(), reason.to_uppercase()));
    }
    Err(why.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_a_resolver_nothing_is_asked_and_the_reason_says_so() {
        let got = resolve(
            None,
            "ntp.example",
            &[Family::Ipv6, Family::Ipv4],
            Duration::ZERO,
        )
        .await;
        assert_eq!(got, Err("no resolver".to_string()));
    }
}
