//! DNS round robin: repeated A and AAAA queries for one name, answers kept in wire order with TTLs,
//! each address reported as soon as it is first seen. Uses `model` and `net` only.

use crate::model::{
    DnsAnswer, DnsFailure, DnsNameResult, DnsQuery, Family, FamilyLookup, NameRole,
};
use crate::net::DnsResolver;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::{Message, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use std::net::IpAddr;
use std::str::FromStr;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct DnsSpec {
    pub name: String,
    pub role: NameRole,
    pub queries: u32,
    pub timeout: Duration,
}

/// Queries A and AAAA `spec.queries` times each (the two families side by side, the repeats of
/// one family in sequence so their order is meaningful), calling `found` for every new address.
/// A family stops early after two failures of the same kind in a row.
pub async fn probe_name(
    resolver: &DnsResolver,
    spec: &DnsSpec,
    found: &(dyn Fn(IpAddr) + Sync),
) -> DnsNameResult {
    let (a, aaaa) = tokio::join!(
        lookup_family(resolver, spec, Family::Ipv4, found),
        lookup_family(resolver, spec, Family::Ipv6, found),
    );
    DnsNameResult {
        name: spec.name.clone(),
        role: spec.role,
        lookups: vec![a, aaaa],
    }
}

async fn lookup_family(
    resolver: &DnsResolver,
    spec: &DnsSpec,
    family: Family,
    found: &(dyn Fn(IpAddr) + Sync),
) -> FamilyLookup {
    let mut seen: Vec<IpAddr> = Vec::new();
    let mut queries: Vec<DnsQuery> = Vec::with_capacity(spec.queries as usize);
    for _ in 0..spec.queries {
        // Two failures of the same kind in a row say all the rest would: stop asking (a dead
        // resolver would otherwise cost every query's full timeout).
        if let [.., a, b] = queries.as_slice()
            && a.failure.is_some()
            && a.failure == b.failure
        {
            break;
        }
        let q = query_once(resolver, &spec.name, family, spec.timeout).await;
        for a in &q.answers {
            if !seen.contains(&a.ip) {
                seen.push(a.ip);
                found(a.ip);
            }
        }
        queries.push(q);
    }
    FamilyLookup { family, queries }
}

/// One real query (the resolver's cache is off), bounded by `timeout` plus a small margin.
pub async fn query_once(
    resolver: &DnsResolver,
    name: &str,
    family: Family,
    timeout: Duration,
) -> DnsQuery {
    let start = Instant::now();
    let fqdn = if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    };
    let rtype = match family {
        Family::Ipv4 => RecordType::A,
        Family::Ipv6 => RecordType::AAAA,
    };
    let outcome = match Name::from_str(&fqdn) {
        Err(e) => Err(DnsFailure::Other {
            detail: format!("`{name}` is not a DNS name: {e}"),
        }),
        Ok(n) => {
            let deadline = timeout + Duration::from_millis(200);
            match tokio::time::timeout(deadline, resolver.lookup(n, rtype)).await {
                Err(_) => Err(DnsFailure::Timeout),
                Ok(Err(e)) => Err(classify(&e)),
                Ok(Ok(lookup)) => Ok(answers_of(lookup.answers())),
            }
        }
    };
    // A truncated answer whose TCP retry failed says only "truncated" or "timeout" by then; the
    // resolver's sockets saw the truncated answer come.
    let truncated_by = match &outcome {
        Err(DnsFailure::Timeout | DnsFailure::Other { .. } | DnsFailure::TcpBlocked { .. }) => {
            resolver.truncated_by(&fqdn, u16::from(rtype), start)
        }
        _ => None,
    };
    let outcome = match (outcome, truncated_by) {
        (Err(f), Some(server)) => Err(DnsFailure::TcpBlocked {
            server: server.to_string(),
            tcp: match f {
                DnsFailure::Timeout => "timeout",
                _ => "refused",
            }
            .to_string(),
        }),
        (other, _) => other,
    };
    query_of(outcome, start.elapsed().as_secs_f64() * 1000.0)
}

/// The addresses among a reply's answer records, in wire order with their TTLs (a CNAME and any
/// other type are not addresses).
fn answers_of(records: &[Record]) -> Vec<DnsAnswer> {
    records
        .iter()
        .filter_map(|r| {
            let ip = match &r.data {
                RData::A(a) => IpAddr::V4(a.0),
                RData::AAAA(a) => IpAddr::V6(a.0),
                _ => return None,
            };
            Some(DnsAnswer { ip, ttl: r.ttl })
        })
        .collect()
}

/// One decoded reply to an `rtype` query as [`query_once`] names it: the server's error code, or
/// the addresses it answered (none is no data). For the fuzz targets and the hostile corpus,
/// which have the bytes but no resolver.
pub(crate) fn query_from_message(msg: &Message) -> DnsQuery {
    let outcome = match msg.metadata.response_code {
        ResponseCode::NoError => Ok(answers_of(&msg.answers)),
        code => Err(from_code(code)),
    };
    query_of(outcome, 0.0)
}

fn query_of(outcome: Result<Vec<DnsAnswer>, DnsFailure>, elapsed_ms: f64) -> DnsQuery {
    match outcome {
        Ok(answers) if answers.is_empty() => DnsQuery {
            answers,
            failure: Some(DnsFailure::NoData),
            elapsed_ms,
        },
        Ok(answers) => DnsQuery {
            answers,
            failure: None,
            elapsed_ms,
        },
        Err(f) => DnsQuery {
            answers: vec![],
            failure: Some(f),
            elapsed_ms,
        },
    }
}

fn from_code(code: ResponseCode) -> DnsFailure {
    match code {
        ResponseCode::NXDomain => DnsFailure::NxDomain,
        ResponseCode::ServFail => DnsFailure::ServFail,
        ResponseCode::Refused => DnsFailure::Refused,
        ResponseCode::NoError => DnsFailure::NoData,
        other => DnsFailure::Other {
            detail: format!("response code {other}"),
        },
    }
}

fn classify(e: &NetError) -> DnsFailure {
    match e {
        NetError::Timeout => DnsFailure::Timeout,
        // Hickory's error once the TCP retry of a truncated answer failed at once (refused,
        // reset); the server is filled in from what the resolver's sockets saw.
        NetError::Truncated => DnsFailure::TcpBlocked {
            server: "?".into(),
            tcp: "refused".into(),
        },
        NetError::Dns(DnsError::NoRecordsFound(nr)) => from_code(nr.response_code),
        NetError::Dns(DnsError::ResponseCode(code)) => from_code(*code),
        NetError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => DnsFailure::Timeout,
        other => DnsFailure::Other {
            detail: other.to_string(),
        },
    }
}
