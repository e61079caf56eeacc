//! The names of the line's checks: each NGN DNS server asked directly (bound to the OQS adapter)
//! for the NGN test names and the OQS names, and the hosts of both environments asked of the
//! terminal's own resolver. Uses `net`, `model` and the DNS probe's single query; no output.

use crate::model::{EnvName, Environment, EnvironmentResult, Family, NgnAnswer, NgnDns};
use crate::net::{DnsResolver, NetOptions};
use crate::probe::dns::query_once;
use futures_util::future::join_all;
use std::net::IpAddr;
use std::time::Duration;

/// Every NGN server asked for every name (`oqs_names` added to the profile's test names), in
/// the families given; all at once, each query bounded by `timeout`.
pub(crate) async fn ngn_answers(
    ngn: &NgnDns,
    oqs_names: &[String],
    net: &NetOptions,
    families: &[Family],
    timeout: Duration,
) -> Vec<NgnAnswer> {
    let mut names: Vec<&str> = ngn.names.iter().map(String::as_str).collect();
    for n in oqs_names {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    // A forced family (`--family`) leaves out the servers of the other family.
    let servers = ngn
        .servers
        .iter()
        .filter(|s| net.family.is_none_or(|f| Family::of(&s.ip()) == f));
    let per_server = servers.map(|server| {
        let names = names.clone();
        async move {
            let opts = NetOptions {
                resolvers: vec![*server],
                ..net.clone()
            };
            let resolver = opts.resolver(timeout);
            let asks = names.iter().map(|name| {
                let resolver = resolver.as_ref();
                async move {
                    match resolver {
                        Ok(r) => ask(r, *server, name, families, timeout).await,
                        Err(e) => NgnAnswer {
                            server: *server,
                            name: name.to_string(),
                            addresses: Vec::new(),
                            failure: Some(format!("resolver: {e}")),
                            elapsed_ms: 0.0,
                        },
                    }
                }
            });
            join_all(asks).await
        }
    });
    join_all(per_server).await.into_iter().flatten().collect()
}

/// One name of one server: the addresses of every family, or why there were none.
async fn ask(
    resolver: &DnsResolver,
    server: std::net::SocketAddr,
    name: &str,
    families: &[Family],
    timeout: Duration,
) -> NgnAnswer {
    let mut addresses: Vec<IpAddr> = Vec::new();
    let mut why = Vec::new();
    let mut elapsed_ms: f64 = 0.0;
    for &f in families {
        let q = query_once(resolver, name, f, timeout).await;
        elapsed_ms += q.elapsed_ms;
        addresses.extend(q.answers.iter().map(|a| a.ip));
        if q.answers.is_empty() {
            let reason = q.failure.map_or("no answer", |f| f.as_label());
            why.push(format!("{} {}", f.record(), reason.to_uppercase()));
        }
    }
    NgnAnswer {
        server,
        name: name.to_string(),
        failure: addresses.is_empty().then(|| why.join(", ")),
        addresses,
        elapsed_ms,
    }
}

/// Whether each host of either environment resolves through the terminal's resolver.
pub(crate) async fn environment(
    hosts: &[(String, Environment)],
    resolver: Option<&DnsResolver>,
    families: &[Family],
    timeout: Duration,
) -> EnvironmentResult {
    let asks = hosts.iter().map(|(host, env)| async move {
        let r = crate::probe::resolve::resolve(resolver, host, families, timeout).await;
        EnvName {
            host: host.clone(),
            environment: *env,
            resolves: r.is_ok(),
            detail: r.err(),
        }
    });
    EnvironmentResult {
        names: join_all(asks).await,
    }
}
