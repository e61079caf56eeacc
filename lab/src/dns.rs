//! The lab's authoritative DNS server (UDP, and TCP on the same port): answers A/AAAA from the live
//! [`LabSpec`](super::LabSpec) with round-robin rotation and configured faults. Depends only on the
//! lab's own data and hickory-proto; never on probes or anything else in the crate.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::shared::Shared;
use crate::spec::normalize_name;
use crate::{LabError, LabRcode};

/// Delayed replies in flight per socket; beyond this, queries are dropped rather than queued.
const MAX_PENDING: usize = 4096;
/// Concurrent TCP connections; beyond this, new ones are closed at once.
const MAX_TCP: usize = 256;
/// A TCP connection idle this long is closed.
const TCP_IDLE: Duration = Duration::from_secs(10);
/// Largest UDP payload the lab advertises and sends with EDNS.
const EDNS_PAYLOAD: u16 = 1232;
/// Attempts to find a port free for both UDP and TCP when binding port 0. A port of a client
/// connection in TIME_WAIT on the same address refuses a listener (the client socket had no
/// SO_REUSEADDR): a machine that has just made tens of thousands of loopback connections (a fast
/// soak, a benchmark) holds half the ephemeral ports that way, and 8 attempts failed in a test.
const BIND_ATTEMPTS: u32 = 64;

/// Binds UDP and TCP on the same address; with port 0, one port free for both.
pub(super) async fn bind(addr: SocketAddr) -> Result<(UdpSocket, TcpListener), LabError> {
    let udp_err = |source| LabError::Bind {
        service: "DNS/UDP",
        addr,
        source,
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let udp = UdpSocket::bind(addr).await.map_err(udp_err)?;
        let bound = udp.local_addr().map_err(udp_err)?;
        match TcpListener::bind(bound).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e)
                if addr.port() == 0
                    && e.kind() == io::ErrorKind::AddrInUse
                    && attempt < BIND_ATTEMPTS => {}
            Err(source) => {
                return Err(LabError::Bind {
                    service: "DNS/TCP",
                    addr: bound,
                    source,
                });
            }
        }
    }
}

/// What to do with one incoming message.
#[derive(Debug, PartialEq)]
pub(super) enum Action {
    /// Not a decodable query: drop it (counted as malformed).
    Drop,
    /// A configured silence: do not answer.
    Silent,
    /// Send these bytes after `latency`; `key` is the stats key when there was a question.
    Reply {
        bytes: Vec<u8>,
        key: Option<(String, String)>,
        latency: Duration,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Transport {
    Udp,
    Tcp,
}

/// Decides the answer to one message against the live spec, updating rotation and counters.
pub(super) fn handle(shared: &Shared, request: &[u8], transport: Transport) -> Action {
    let Ok(req) = Message::from_vec(request) else {
        shared.stats().dns_malformed += 1;
        return Action::Drop;
    };
    if req.metadata.message_type != MessageType::Query {
        shared.stats().dns_malformed += 1;
        return Action::Drop;
    }

    let mut resp = Message::response(req.metadata.id, req.metadata.op_code);
    resp.metadata.authoritative = true;
    resp.metadata.recursion_desired = req.metadata.recursion_desired;
    // A resolver-facing server says recursion is available, so stub resolvers accept the answer.
    resp.metadata.recursion_available = true;
    resp.metadata.checking_disabled = req.metadata.checking_disabled;
    resp.add_queries(req.queries.iter().cloned());
    let mut udp_limit = 512usize;
    if let Some(edns) = &req.edns {
        udp_limit = usize::from(edns.max_payload().clamp(512, EDNS_PAYLOAD));
        let mut out = Edns::new();
        out.set_max_payload(EDNS_PAYLOAD);
        resp.set_edns(out);
    }

    let latency;
    let mut key = None;
    if req.metadata.op_code != OpCode::Query {
        resp.metadata.response_code = ResponseCode::NotImp;
        latency = Duration::from_millis(shared.spec().latency_ms);
    } else if req.queries.len() != 1 {
        resp.metadata.response_code = ResponseCode::FormErr;
        latency = Duration::from_millis(shared.spec().latency_ms);
    } else {
        let query = &req.queries[0];
        let qname = normalize_name(&query.name.to_ascii());
        let qtype = query.query_type;
        let k = (qname.clone(), qtype.to_string());
        *shared.stats().dns_queries.entry(k.clone()).or_default() += 1;
        key = Some(k);

        // Copy what this answer needs, then release the spec lock.
        let (entry, lat) = {
            let spec = shared.spec();
            (spec.name(&qname).cloned(), spec.latency_ms)
        };
        latency = Duration::from_millis(lat);
        match entry {
            None => resp.metadata.response_code = ResponseCode::NXDomain,
            Some(name) if name.silent => return Action::Silent,
            Some(name) => match name.rcode {
                Some(rcode) => resp.metadata.response_code = response_code(rcode),
                None => {
                    let rdata: Vec<RData> = match qtype {
                        RecordType::A => name.a.iter().map(|ip| RData::A(A(*ip))).collect(),
                        RecordType::AAAA => {
                            name.aaaa.iter().map(|ip| RData::AAAA(AAAA(*ip))).collect()
                        }
                        // Known name without records of this type: NOERROR, no answers.
                        _ => Vec::new(),
                    };
                    let rdata = if name.rotate {
                        rotate(shared, &qname, qtype, rdata)
                    } else {
                        rdata
                    };
                    for data in rdata {
                        resp.add_answer(Record::from_rdata(query.name.clone(), name.ttl, data));
                    }
                }
            },
        }
    }

    let bytes = match resp.to_vec() {
        Ok(b) if transport == Transport::Udp && b.len() > udp_limit => {
            // Too big for this client over UDP: answer with TC so it retries over TCP.
            let mut small = resp.truncate();
            small.metadata.truncation = true;
            match small.to_vec() {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "lab DNS: cannot encode truncated reply");
                    return Action::Drop;
                }
            }
        }
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "lab DNS: cannot encode reply");
            return Action::Drop;
        }
    };
    Action::Reply {
        bytes,
        key,
        latency,
    }
}

fn response_code(rcode: LabRcode) -> ResponseCode {
    match rcode {
        LabRcode::NxDomain => ResponseCode::NXDomain,
        LabRcode::ServFail => ResponseCode::ServFail,
        LabRcode::Refused => ResponseCode::Refused,
    }
}

/// Rotates the answer list by one more than the previous query for the same (name, type).
fn rotate(shared: &Shared, qname: &str, qtype: RecordType, mut rdata: Vec<RData>) -> Vec<RData> {
    if rdata.is_empty() {
        return rdata;
    }
    let mut rotation = shared.rotation();
    let next = rotation
        .entry((qname.to_owned(), u16::from(qtype)))
        .or_insert(0);
    let by = *next % rdata.len();
    *next = next.wrapping_add(1);
    drop(rotation);
    rdata.rotate_left(by);
    rdata
}

fn count_reply(shared: &Shared, key: Option<(String, String)>) {
    if let Some(key) = key {
        *shared.stats().dns_replies.entry(key).or_default() += 1;
    }
}

/// Serves DNS over UDP until cancelled. Each delayed reply is its own task, so concurrent queries
/// each see only the fixed latency.
pub(super) async fn serve_udp(
    socket: Arc<UdpSocket>,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) {
    let mut buf = vec![0u8; 65535];
    let mut pending: JoinSet<()> = JoinSet::new();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            Some(_) = pending.join_next(), if !pending.is_empty() => {}
            received = socket.recv_from(&mut buf) => {
                let (len, peer) = match received {
                    Ok(r) => r,
                    Err(e) => {
                        // e.g. an ICMP error reported on the socket; the server carries on.
                        tracing::debug!(error = %e, "lab DNS: recv error");
                        continue;
                    }
                };
                let Action::Reply { bytes, key, latency } =
                    handle(&shared, &buf[..len], Transport::Udp)
                else {
                    continue;
                };
                if latency.is_zero() {
                    if socket.send_to(&bytes, peer).await.is_ok() {
                        count_reply(&shared, key);
                    }
                } else if pending.len() < MAX_PENDING {
                    let (socket, shared) = (socket.clone(), shared.clone());
                    pending.spawn(async move {
                        crate::delay::sleep(latency).await;
                        if socket.send_to(&bytes, peer).await.is_ok() {
                            count_reply(&shared, key);
                        }
                    });
                }
            }
        }
    }
    pending.abort_all();
    while pending.join_next().await.is_some() {}
}

/// Serves DNS over TCP (RFC 1035 two-byte length framing) until cancelled.
pub(super) async fn serve_tcp(
    listener: TcpListener,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) {
    let mut connections: JoinSet<()> = JoinSet::new();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) if connections.len() < MAX_TCP => {
                    connections.spawn(serve_connection(stream, shared.clone()));
                }
                Ok(_) => {} // over the limit: dropping the stream closes it
                Err(e) => {
                    tracing::debug!(error = %e, "lab DNS: accept error");
                    // Avoid spinning on a persistent error such as EMFILE.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(mut stream: TcpStream, shared: Arc<Shared>) {
    loop {
        let mut len = [0u8; 2];
        if !matches!(
            tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut len)).await,
            Ok(Ok(_))
        ) {
            return;
        }
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if !matches!(
            tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut msg)).await,
            Ok(Ok(_))
        ) {
            return;
        }
        match handle(&shared, &msg, Transport::Tcp) {
            Action::Drop => return,
            Action::Silent => continue,
            Action::Reply {
                bytes,
                key,
                latency,
            } => {
                crate::delay::sleep(latency).await;
                let Ok(len) = u16::try_from(bytes.len()) else {
                    return;
                };
                let mut framed = Vec::with_capacity(bytes.len() + 2);
                framed.extend_from_slice(&len.to_be_bytes());
                framed.extend_from_slice(&bytes);
                if stream.write_all(&framed).await.is_err() {
                    return;
                }
                count_reply(&shared, key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    use std::time::Instant;

    use hickory_proto::op::Query;
    use hickory_proto::rr::Name;

    use super::super::{Lab, LabRcode, LabSpec};
    use super::*;

    const RR: &str = "ntp.lab.example";

    fn v4(last: u8) -> Ipv4Addr {
        Ipv4Addr::new(127, 0, 0, last)
    }

    fn query_bytes(name: &str, rtype: RecordType) -> (u16, Vec<u8>) {
        let mut msg = Message::query();
        msg.metadata.recursion_desired = true;
        msg.add_query(Query::query(
            Name::from_ascii(name).expect("valid name"),
            rtype,
        ));
        (msg.metadata.id, msg.to_vec().expect("encodes"))
    }

    /// Sends one query and waits up to `wait` for the reply.
    async fn ask(
        server: SocketAddr,
        name: &str,
        rtype: RecordType,
        wait: Duration,
    ) -> Option<Message> {
        let client = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("client binds");
        let (id, bytes) = query_bytes(name, rtype);
        client.send_to(&bytes, server).await.expect("sends");
        let mut buf = [0u8; 4096];
        let (len, _) = tokio::time::timeout(wait, client.recv_from(&mut buf))
            .await
            .ok()?
            .expect("receives");
        let msg = Message::from_vec(&buf[..len]).expect("reply decodes");
        assert_eq!(msg.metadata.id, id, "id echoed");
        Some(msg)
    }

    async fn ask_ok(server: SocketAddr, name: &str, rtype: RecordType) -> Message {
        ask(server, name, rtype, Duration::from_secs(2))
            .await
            .expect("an answer")
    }

    fn addrs(msg: &Message) -> Vec<IpAddr> {
        msg.answers
            .iter()
            .filter_map(|r| match &r.data {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                _ => None,
            })
            .collect()
    }

    fn spec3() -> LabSpec {
        LabSpec::healthy(
            RR,
            &["ntp1.lab.example", "ntp2.lab.example"],
            &[v4(1), v4(2), v4(3)],
            &[],
        )
    }

    #[tokio::test]
    async fn round_robin_rotates_by_one_per_query() {
        let lab = Lab::start(spec3()).await.expect("lab starts");
        let mut seen = Vec::new();
        for _ in 0..4 {
            let msg = ask_ok(lab.dns_addr(), RR, RecordType::A).await;
            assert_eq!(msg.metadata.response_code, ResponseCode::NoError);
            assert!(msg.metadata.authoritative);
            assert!(msg.metadata.recursion_available);
            assert!(msg.metadata.recursion_desired);
            assert_eq!(msg.queries.len(), 1, "question echoed");
            assert!(msg.answers.iter().all(|r| r.ttl == 300));
            seen.push(addrs(&msg));
        }
        let ip = |n| IpAddr::V4(v4(n));
        assert_eq!(seen[0], [ip(1), ip(2), ip(3)]);
        assert_eq!(seen[1], [ip(2), ip(3), ip(1)]);
        assert_eq!(seen[2], [ip(3), ip(1), ip(2)]);
        assert_eq!(seen[3], seen[0]);
        // Case-insensitive, trailing dot, and the fallbacks are inside the set.
        let fb = ask_ok(lab.dns_addr(), "NTP2.Lab.Example.", RecordType::A).await;
        assert_eq!(addrs(&fb), [ip(2)]);
        let stats = lab.stats();
        assert_eq!(stats.dns_replies_for(RR, "A"), 4);
        assert_eq!(stats.dns_queries_for("ntp2.lab.example", "a"), 1);
        lab.shutdown().await;
    }

    #[tokio::test]
    async fn rotate_false_keeps_the_order_and_update_applies_live() {
        let lab = Lab::start(spec3()).await.expect("lab starts");
        lab.update(|s| s.names[0].rotate = false);
        for _ in 0..3 {
            let msg = ask_ok(lab.dns_addr(), RR, RecordType::A).await;
            assert_eq!(
                addrs(&msg),
                [v4(1), v4(2), v4(3)].map(IpAddr::V4),
                "fixed order"
            );
        }
        lab.update(|s| s.names[0].a.truncate(1));
        let msg = ask_ok(lab.dns_addr(), RR, RecordType::A).await;
        assert_eq!(addrs(&msg), [IpAddr::V4(v4(1))]);
        lab.shutdown().await;
    }

    #[tokio::test]
    async fn error_rcodes_nodata_and_silence() {
        let lab = Lab::start(spec3()).await.expect("lab starts");
        let unknown = ask_ok(lab.dns_addr(), "nowhere.lab.example", RecordType::A).await;
        assert_eq!(unknown.metadata.response_code, ResponseCode::NXDomain);
        assert!(unknown.answers.is_empty());

        let nodata = ask_ok(lab.dns_addr(), RR, RecordType::AAAA).await;
        assert_eq!(nodata.metadata.response_code, ResponseCode::NoError);
        assert!(nodata.answers.is_empty());
        let mx = ask_ok(lab.dns_addr(), RR, RecordType::MX).await;
        assert_eq!(mx.metadata.response_code, ResponseCode::NoError);
        assert!(mx.answers.is_empty());

        for (rcode, expect) in [
            (LabRcode::NxDomain, ResponseCode::NXDomain),
            (LabRcode::ServFail, ResponseCode::ServFail),
            (LabRcode::Refused, ResponseCode::Refused),
        ] {
            lab.update(|s| s.names[0].rcode = Some(rcode));
            let msg = ask_ok(lab.dns_addr(), RR, RecordType::A).await;
            assert_eq!(msg.metadata.response_code, expect);
            assert!(msg.answers.is_empty());
        }

        lab.update(|s| {
            s.names[0].rcode = None;
            s.names[0].silent = true;
        });
        let silent = ask(
            lab.dns_addr(),
            RR,
            RecordType::A,
            Duration::from_millis(300),
        )
        .await;
        assert!(silent.is_none(), "a silent name never answers");
        let stats = lab.stats();
        assert_eq!(stats.dns_queries_for(RR, "A"), 4);
        assert_eq!(stats.dns_replies_for(RR, "A"), 3);
        // Other names are still answered.
        let fb = ask_ok(lab.dns_addr(), "ntp1.lab.example", RecordType::A).await;
        assert_eq!(addrs(&fb), [IpAddr::V4(v4(1))]);
        lab.shutdown().await;
    }

    #[tokio::test]
    async fn aaaa_over_ipv6_loopback() {
        let probe = std::net::UdpSocket::bind((Ipv6Addr::LOCALHOST, 0));
        if let Err(e) = probe {
            println!("skipping aaaa_over_ipv6_loopback: cannot bind [::1]: {e}");
            return;
        }
        let v6b: Ipv6Addr = "::ffff:127.0.0.9".parse().expect("literal");
        let mut spec = LabSpec::healthy(RR, &["ntp1.lab.example"], &[v4(1)], &[]);
        spec.dns_bind = SocketAddr::from((Ipv6Addr::LOCALHOST, 0));
        spec.names[0].aaaa = vec![Ipv6Addr::LOCALHOST, v6b];
        spec.names[1].aaaa = vec![Ipv6Addr::LOCALHOST];
        let lab = Lab::start(spec).await.expect("lab starts on [::1]");
        assert!(lab.dns_addr().is_ipv6());

        let client = UdpSocket::bind((Ipv6Addr::LOCALHOST, 0))
            .await
            .expect("v6 client");
        let mut buf = [0u8; 2048];
        let mut lists = Vec::new();
        for _ in 0..2 {
            let (_, bytes) = query_bytes(RR, RecordType::AAAA);
            client.send_to(&bytes, lab.dns_addr()).await.expect("sends");
            let (len, _) = tokio::time::timeout(Duration::from_secs(2), client.recv_from(&mut buf))
                .await
                .expect("answered")
                .expect("receives");
            lists.push(addrs(&Message::from_vec(&buf[..len]).expect("decodes")));
        }
        assert_eq!(lists[0], [IpAddr::V6(Ipv6Addr::LOCALHOST), IpAddr::V6(v6b)]);
        assert_eq!(lists[1], [IpAddr::V6(v6b), IpAddr::V6(Ipv6Addr::LOCALHOST)]);
        lab.shutdown().await;
    }

    #[tokio::test]
    async fn tcp_answers_with_length_framing() {
        let lab = Lab::start(spec3()).await.expect("lab starts");
        let mut stream = TcpStream::connect(lab.dns_addr()).await.expect("connects");
        for _ in 0..2 {
            let (id, bytes) = query_bytes(RR, RecordType::A);
            let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
            framed.extend_from_slice(&bytes);
            stream.write_all(&framed).await.expect("writes");
            let mut len = [0u8; 2];
            stream.read_exact(&mut len).await.expect("length");
            let mut reply = vec![0u8; usize::from(u16::from_be_bytes(len))];
            stream.read_exact(&mut reply).await.expect("body");
            let msg = Message::from_vec(&reply).expect("decodes");
            assert_eq!(msg.metadata.id, id);
            assert_eq!(msg.answers.len(), 3);
        }
        lab.shutdown().await;
    }

    #[tokio::test]
    async fn oversized_udp_answer_is_truncated() {
        let mut spec = spec3();
        spec.names[0].a = (1..=60).map(v4).collect();
        let lab = Lab::start(spec).await.expect("lab starts");
        let msg = ask_ok(lab.dns_addr(), RR, RecordType::A).await;
        assert!(msg.metadata.truncation, "TC set");
        assert!(msg.answers.is_empty());
        lab.shutdown().await;
    }

    #[tokio::test]
    async fn latency_is_per_reply_not_queued() {
        let mut spec = spec3();
        spec.latency_ms = 200;
        let lab = Lab::start(spec).await.expect("lab starts");
        let started = Instant::now();
        let mut set = JoinSet::new();
        for _ in 0..10 {
            let server = lab.dns_addr();
            set.spawn(async move { ask(server, RR, RecordType::A, Duration::from_secs(3)).await });
        }
        let mut answered = 0;
        while let Some(r) = set.join_next().await {
            assert!(r.expect("task").is_some(), "answered");
            answered += 1;
        }
        let took = started.elapsed();
        assert_eq!(answered, 10);
        assert!(
            took >= Duration::from_millis(190),
            "latency applied: {took:?}"
        );
        assert!(took < Duration::from_millis(400), "not queued: {took:?}");
        lab.shutdown().await;
    }

    #[tokio::test]
    async fn malformed_input_does_not_kill_the_server() {
        let lab = Lab::start(spec3()).await.expect("lab starts");
        let client = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("binds");
        let (_, good) = query_bytes(RR, RecordType::A);
        let mut as_response = Message::from_vec(&good).expect("decodes");
        as_response.metadata.message_type = MessageType::Response;
        let junk: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![0xff; 12],
            vec![0xff; 700],
            good[..good.len() - 3].to_vec(),
            (0..=255u8).collect(),
            as_response.to_vec().expect("encodes"),
        ];
        for bytes in &junk {
            client.send_to(bytes, lab.dns_addr()).await.expect("sends");
        }
        // TCP: a bogus length followed by hangup, and a garbage message.
        if let Ok(mut s) = TcpStream::connect(lab.dns_addr()).await {
            let _ = s.write_all(&[0xff, 0xff, 1, 2, 3]).await;
        }
        if let Ok(mut s) = TcpStream::connect(lab.dns_addr()).await {
            let _ = s.write_all(&[0, 4, 1, 2, 3, 4]).await;
            let mut b = [0u8; 1];
            let closed = tokio::time::timeout(Duration::from_secs(2), s.read(&mut b)).await;
            assert!(
                matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
                "garbage closes the connection"
            );
        }
        let msg = ask_ok(lab.dns_addr(), RR, RecordType::A).await;
        assert_eq!(msg.answers.len(), 3, "still serving");
        let stats = lab.stats();
        assert!(stats.dns_malformed >= junk.len() as u64, "{stats:?}");
        lab.shutdown().await;
    }

    /// The real client the probes use accepts the lab's answers, over UDP and (after TC) TCP.
    #[tokio::test]
    async fn hickory_resolver_accepts_the_answers() {
        use hickory_resolver::config::{
            ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig,
        };
        use hickory_resolver::net::runtime::TokioRuntimeProvider;

        let mut spec = spec3();
        spec.names.push(super::super::LabName {
            name: "big.lab.example".into(),
            a: (1..=60).map(v4).collect(),
            ..Default::default()
        });
        let lab = Lab::start(spec).await.expect("lab starts");
        let server = lab.dns_addr();
        let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()]
            .into_iter()
            .map(|mut c| {
                c.port = server.port();
                c
            })
            .collect();
        let config = ResolverConfig::from_name_servers(vec![NameServerConfig::new(
            server.ip(),
            true,
            connections,
        )]);
        let mut builder = hickory_resolver::Resolver::builder_with_config(
            config,
            TokioRuntimeProvider::default(),
        );
        let opts = builder.options_mut();
        opts.cache_size = 0;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.timeout = Duration::from_secs(2);
        opts.attempts = 0;
        let resolver = builder.build().expect("resolver builds");

        let fqdn = format!("{RR}.");
        let mut firsts = Vec::new();
        for _ in 0..3 {
            let lookup = resolver
                .lookup(fqdn.as_str(), RecordType::A)
                .await
                .expect("A lookup");
            let ips: Vec<_> = lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::A(a) => Some(a.0),
                    _ => None,
                })
                .collect();
            assert_eq!(ips.len(), 3);
            firsts.push(ips[0]);
        }
        assert_eq!(
            firsts,
            [v4(1), v4(2), v4(3)],
            "rotation visible through the resolver"
        );

        let err = resolver
            .lookup("nowhere.lab.example.", RecordType::A)
            .await
            .expect_err("NXDOMAIN");
        assert!(err.is_nx_domain(), "{err}");
        let err = resolver
            .lookup(fqdn.as_str(), RecordType::AAAA)
            .await
            .expect_err("no AAAA");
        assert!(err.is_no_records_found(), "{err}");

        let big = resolver
            .lookup("big.lab.example.", RecordType::A)
            .await
            .expect("TCP retry after TC");
        assert_eq!(big.answers().len(), 60);
        lab.shutdown().await;
    }

    #[tokio::test]
    async fn multiple_questions_get_formerr() {
        let lab = Lab::start(spec3()).await.expect("lab starts");
        let mut msg = Message::query();
        for rtype in [RecordType::A, RecordType::AAAA] {
            msg.add_query(Query::query(Name::from_ascii(RR).expect("name"), rtype));
        }
        let client = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("binds");
        client
            .send_to(&msg.to_vec().expect("encodes"), lab.dns_addr())
            .await
            .expect("sends");
        let mut buf = [0u8; 1024];
        let (len, _) = tokio::time::timeout(Duration::from_secs(2), client.recv_from(&mut buf))
            .await
            .expect("answered")
            .expect("receives");
        let reply = Message::from_vec(&buf[..len]).expect("decodes");
        assert_eq!(reply.metadata.response_code, ResponseCode::FormErr);
        lab.shutdown().await;
    }
}
