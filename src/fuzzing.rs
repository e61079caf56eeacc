//! Untrusted bytes in, a named result out: the entry points the fuzz targets (`fuzz/`), the
//! corpus replay test and the hostile corpus call, each the product's own code path from the bytes
//! a server or a file gives to the verdict. Not an API: hidden from the docs, and nothing in the
//! product calls it. Depends on the modules it drives and on nothing they do not.

use crate::model::{
    Code, DnsNameResult, DnsQuery, Environment, Family, FamilyLookup, Measurements, Mode, NameRole,
    NtpSample, NtpSampleOutcome, NtpServerResult, Round,
};
use crate::soak::journal::{JournalReader, read_header};
use crate::soak::report::Aggregator;
use std::io::BufRead;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

/// The profile every verdict here is judged by: the shipped IPsec production profile (its adapter keeps IPv4: A queries are judged).
fn profile() -> crate::model::Profile {
    crate::profile::shipped_for(Mode::Ipsec, Environment::Production)
}

fn measurements() -> Measurements {
    Measurements {
        started_at: SystemTime::UNIX_EPOCH,
        duration: Duration::ZERO,
        dns: Vec::new(),
        ntp: Vec::new(),
        cut_off: Vec::new(),
        resolvers: Vec::new(),
        resolver_error: None,
        tls: Default::default(),
        path: Default::default(),
        proxy: None,
        line: Default::default(),
    }
}

/// The finding codes of a round, in order, without repeats.
fn codes(r: &Round) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in r.checks.iter().flat_map(|c| &c.findings) {
        let c = f.code.as_label().to_string();
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// An NTP server's reply. The first byte says how it is sent (bit 0: our request's transmit time
/// copied into the origin field, as a genuine reply has it); the rest is the datagram. Returns the
/// sample's name (`reading` or the error's label) and then the finding codes the round's judge
/// gives a server that answered every sample so.
pub fn ntp_reply(data: &[u8]) -> Vec<String> {
    let (flags, reply) = data.split_first().unwrap_or((&0, &[]));
    let r = crate::probe::ntp::exchange_bytes(reply, flags & 1 == 1);
    let mut out = vec![match &r {
        Ok(_) => "reading".to_string(),
        Err(e) => e.as_label().to_string(),
    }];
    let outcome = match r {
        Ok(reading) => NtpSampleOutcome::Reading(reading),
        Err(e) => NtpSampleOutcome::Error(e),
    };
    let mut m = measurements();
    m.ntp.push(NtpServerResult {
        addr: SocketAddr::from(([192, 0, 2, 123], 123)),
        names: vec![profile().dns.round_robin.host],
        samples: vec![
            NtpSample {
                sent_at_ms: 0.0,
                outcome,
            };
            4
        ],
    });
    out.extend(codes(&crate::judge::judge(&profile(), &m)));
    out
}

/// The A query [`dns_reply`] answers, as the resolver writes it (id 0x0b5e, recursion desired,
/// the round-robin name of the profile).
pub fn dns_query() -> Vec<u8> {
    use hickory_resolver::proto::op::{Message, MessageType, OpCode, Query};
    use hickory_resolver::proto::rr::{Name, RecordType};
    use std::str::FromStr;
    let host = format!("{}.", profile().dns.round_robin.host);
    let mut m = Message::new(0x0b5e, MessageType::Query, OpCode::Query);
    m.metadata.recursion_desired = true;
    if let Ok(name) = Name::from_str(&host) {
        m.add_query(Query::query(name, RecordType::A));
    }
    m.to_vec().unwrap_or_default()
}

/// A resolver's reply to [`dns_query`], as the resolver's socket hands it on (a bare error reply
/// completed with our question) and decoded. A reply the resolver would drop (undecodable, another
/// id, another question) is named `dropped`: the resolver keeps waiting, and the round reports
/// its timeout. Otherwise the query's name (`answered` or the failure's label), then the finding
/// codes of the round-robin name's check when every A query is answered so.
pub fn dns_reply(data: &[u8]) -> Vec<String> {
    use hickory_resolver::proto::op::{Message, MessageType};
    let query = dns_query();
    let server = SocketAddr::from(([192, 0, 2, 53], 53));
    let received = crate::net::as_received(&query, server, data);
    let Ok(msg) = Message::from_vec(&received) else {
        return vec!["dropped".into()];
    };
    let asked = Message::from_vec(&query).ok();
    let ours = asked.is_some_and(|q| {
        msg.metadata.id == q.metadata.id
            && msg.metadata.message_type == MessageType::Response
            && msg.queries == q.queries
    });
    if !ours {
        return vec!["dropped".into()];
    }
    dns_verdict(crate::probe::dns::query_from_message(&msg))
}

/// One A query's result, named (`answered` or the failure's label), then the finding codes of the
/// round-robin name's check when every A query of the round ends so.
pub fn dns_verdict(q: DnsQuery) -> Vec<String> {
    let mut out = vec![match &q.failure {
        None => "answered".to_string(),
        Some(f) => f.as_label().to_string(),
    }];
    let p = profile();
    let mut m = measurements();
    m.dns.push(DnsNameResult {
        name: p.dns.round_robin.host.clone(),
        role: NameRole::RoundRobin,
        lookups: vec![FamilyLookup {
            family: Family::Ipv4,
            queries: vec![q; 3],
        }],
    });
    let r = crate::judge::judge(&p, &m);
    for c in r.checks.iter().filter(|c| c.id.starts_with("dns:")) {
        for f in &c.findings {
            let c = f.code.as_label().to_string();
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// A PAC script's result string (lossily decoded): how many routes it names, then the codes of
/// the findings the judge draws from them and what is wrong with each unusable route.
pub fn pac_result(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let routes = crate::probe::pac::routes::parse(&text);
    let mut out = vec![format!("routes:{}", routes.routes.len())];
    for f in crate::judge::pac::route_findings("fuzz", &routes) {
        out.push(f.code.as_label().to_string());
    }
    for r in &routes.routes {
        if let crate::model::Route::Invalid { fault, .. } = r {
            out.push(fault.as_label().to_string());
        }
    }
    out
}

/// A profile file: `ok` or the error's label.
pub fn profile_file(data: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return vec!["not_utf8".into()];
    };
    match crate::profile::parse(text, "fuzz.toml") {
        Ok(_) => vec!["ok".into()],
        Err(e) => vec![e.as_label().into()],
    }
}

/// A soak journal from any reader: the header's error label, or `report` with how many rounds it
/// read, then the report's finding codes and `notes:N` for what the reader skipped.
pub fn journal<R: BufRead>(input: R) -> Vec<String> {
    let mut reader = JournalReader::new(input);
    let header = match read_header(&mut reader, "fuzz.jsonl") {
        Ok(h) => h,
        Err(e) => return vec![e.as_label().into()],
    };
    let mut agg = Aggregator::new(&header, None);
    loop {
        match reader.next_record() {
            Ok(Some(rec)) => agg.add(&rec),
            Ok(None) => break,
            Err(_) => return vec!["read".into()],
        }
    }
    let report = agg.finish(reader.notes());
    let mut out = vec![format!("rounds:{}", report.rounds)];
    for f in &report.findings {
        out.push(f.code.as_label().to_string());
    }
    out.push(format!("notes:{}", report.notes.len()));
    out
}

/// [`journal`] of bytes.
pub fn journal_bytes(data: &[u8]) -> Vec<String> {
    journal(data)
}

/// Whether `code` is a finding code of the catalogue (for tables that name expected codes).
pub fn is_code(label: &str) -> bool {
    Code::ALL.iter().any(|c| c.as_label() == label)
}
