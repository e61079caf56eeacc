//! The hostile corpus's network peers, each on loopback and made from its table row: NTP and DNS
//! servers that answer what the row says (or nothing, or too late, or from elsewhere), TLS servers
//! and proxies that misbehave, an HTTP server for PAC files. Each case runs the product's own
//! probe against its peer and returns what the probe named.

use super::table::{Case, Got};
use hickory_resolver::proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, CNAME, TXT};
use hickory_resolver::proto::rr::{Name, RData, Record};
use oqs_net::model::{Family, NtpSampleError};
use oqs_net::net::NetOptions;
use oqs_net::probe::ntp;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

pub async fn run(c: &Case) -> Got {
    match c.kind.as_str() {
        "ntp_packet" => ntp_packet(c).await,
        "ntp_server" => ntp_server(c).await,
        "dns" => dns(c).await,
        "tls" => tls(c).await,
        "proxy" => proxy(c).await,
        "pac_fetch" => pac_fetch(c).await,
        other => panic!("{}: no kind {other}", c.name),
    }
}

// ---------------------------------------------------------------------------------------------
// NTP

/// The NTP timestamp of now (seconds since 1900, 32-bit fraction).
fn ntp_now() -> [u8; 8] {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let secs = (d.as_secs() + 2_208_988_800) as u32;
    let frac = ((d.subsec_nanos() as u64) << 32) / 1_000_000_000;
    let mut t = [0u8; 8];
    t[..4].copy_from_slice(&secs.to_be_bytes());
    t[4..].copy_from_slice(&(frac as u32).to_be_bytes());
    t
}

/// The reply a row describes, to `request` when there is one (its transmit time becomes the
/// origin when `origin = "echo"`, the default). `hex` gives the datagram outright.
fn ntp_reply(c: &Case, request: Option<&[u8]>) -> Vec<u8> {
    let echo = |r: &mut Vec<u8>| {
        if c.str("origin").unwrap_or("echo") == "echo"
            && r.len() >= 32
            && let Some(t) = request.and_then(|q| q.get(40..48))
        {
            r[24..32].copy_from_slice(t);
        }
    };
    if let Some(mut r) = c.hex("hex") {
        echo(&mut r);
        return r;
    }
    if let Some(b) = c.int("byte") {
        let mut r = vec![b as u8; c.int("len").unwrap_or(48) as usize];
        echo(&mut r);
        return r;
    }
    let mut r = vec![0u8; 48];
    let leap = c.int("leap").unwrap_or(0) as u8;
    let version = c.int("version").unwrap_or(4) as u8;
    let mode = c.int("mode").unwrap_or(4) as u8;
    r[0] = (leap << 6) | ((version & 7) << 3) | (mode & 7);
    r[1] = c.int("stratum").unwrap_or(2) as u8;
    r[2] = 6;
    r[3] = 0xec; // precision 2^-20
    r[4..8].copy_from_slice(&(c.int("root_delay").unwrap_or(0x0000_0100) as u32).to_be_bytes());
    r[8..12].copy_from_slice(&0x0000_0200u32.to_be_bytes());
    match c.str("refid") {
        Some(id) => {
            let b = id.as_bytes();
            r[12..12 + b.len().min(4)].copy_from_slice(&b[..b.len().min(4)]);
        }
        None => r[12..16].copy_from_slice(&[192, 0, 2, 1]),
    }
    let now = ntp_now();
    r[16..24].copy_from_slice(&now);
    if c.str("origin") == Some("other") {
        r[24..32].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
    }
    echo(&mut r);
    r[32..40].copy_from_slice(&now);
    if c.str("transmit") != Some("zero") {
        r[40..48].copy_from_slice(&now);
    }
    let len = c.int("len").unwrap_or(48) as usize;
    r.resize(len, 0);
    r
}

async fn sample(addr: SocketAddr, c: &Case) -> Result<oqs_net::model::NtpReading, NtpSampleError> {
    let timeout = Duration::from_millis(c.int("timeout_ms").unwrap_or(2000) as u64);
    ntp::sample(&NetOptions::default(), addr, timeout).await
}

fn label(r: &Result<oqs_net::model::NtpReading, NtpSampleError>) -> String {
    match r {
        Ok(_) => "reading".into(),
        Err(e) => e.as_label().into(),
    }
}

/// A reply as a row describes it, sent by a real server and by the canned socket of the fuzz
/// target: both must name it alike; the canned one adds the judge's finding codes.
async fn ntp_packet(c: &Case) -> Got {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    let row = c.clone();
    let server = tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while let Ok((n, peer)) = sock.recv_from(&mut buf).await {
            let _ = sock.send_to(&ntp_reply(&row, Some(&buf[..n])), peer).await;
        }
    });
    let real = sample(addr, c).await;
    server.abort();
    let mut canned = vec![u8::from(c.str("origin").unwrap_or("echo") == "echo")];
    canned.extend(ntp_reply(c, None));
    super::table::seed("ntp_reply", c, &canned);
    let named = oqs_net::fuzzing::ntp_reply(&canned);
    let mut names = vec![label(&real)];
    if named[0] != names[0] {
        names.push(format!("canned path disagrees: {}", named[0]));
    }
    names.extend(named.into_iter().skip(1));
    let text = match &real {
        Ok(r) => format!("{r:?}"),
        Err(e) => format!("{e:?}"),
    };
    Got::of(names).with_text(text)
}

/// Servers that misbehave as a whole: silence, a closed port, a reply from another address, a
/// flood, a reply after the deadline.
async fn ntp_server(c: &Case) -> Got {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    let behaviour = c.str("behaviour").unwrap_or("silent").to_string();
    if behaviour == "closed" {
        drop(sock);
        let r = sample(addr, c).await;
        return Got::of(vec![label(&r)]);
    }
    let row = c.clone();
    let server = tokio::spawn(async move {
        let other = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut buf = [0u8; 2048];
        while let Ok((n, peer)) = sock.recv_from(&mut buf).await {
            let reply = ntp_reply(&row, Some(&buf[..n]));
            match behaviour.as_str() {
                "silent" => {}
                "other_address" => {
                    let _ = other.send_to(&reply, peer).await;
                }
                "late" => {
                    tokio::time::sleep(Duration::from_millis(2500)).await;
                    let _ = sock.send_to(&reply, peer).await;
                }
                "flood" => {
                    for _ in 0..row.int("count").unwrap_or(500) {
                        let _ = sock.send_to(&reply, peer).await;
                    }
                }
                other => panic!("no NTP behaviour {other}"),
            }
        }
    });
    let r = sample(addr, c).await;
    server.abort();
    Got::of(vec![label(&r)])
}

// ---------------------------------------------------------------------------------------------
// DNS

fn rcode(s: &str) -> ResponseCode {
    match s {
        "noerror" => ResponseCode::NoError,
        "formerr" => ResponseCode::FormErr,
        "servfail" => ResponseCode::ServFail,
        "nxdomain" => ResponseCode::NXDomain,
        "notimp" => ResponseCode::NotImp,
        "refused" => ResponseCode::Refused,
        other => panic!("no rcode {other}"),
    }
}

/// The reply a row describes to `req` (bytes as they came).
fn dns_reply(c: &Case, req: &[u8]) -> Option<Vec<u8>> {
    if let Some(mut r) = c.hex("hex") {
        if c.flag("keep_id") && r.len() >= 2 && req.len() >= 2 {
            r[..2].copy_from_slice(&req[..2]);
        }
        return Some(r);
    }
    let q = Message::from_vec(req).ok()?;
    let id = q
        .metadata
        .id
        .wrapping_add(c.int("id_offset").unwrap_or(0) as u16);
    let mut m = Message::new(id, MessageType::Response, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.metadata.recursion_available = true;
    m.metadata.response_code = rcode(c.str("rcode").unwrap_or("noerror"));
    m.metadata.truncation = c.flag("tc");
    let asked = q.queries.first()?.name().clone();
    if c.input.get("question").and_then(toml::Value::as_bool) != Some(false) {
        m.add_query(q.queries.first()?.clone());
    }
    let ttl = 30;
    for i in 0..c.int("a").unwrap_or(0) {
        let ip = Ipv4Addr::from(0x0a00_0000u32 + 1 + i as u32);
        m.add_answer(Record::from_rdata(asked.clone(), ttl, RData::A(A(ip))));
    }
    if c.flag("aaaa") {
        m.add_answer(Record::from_rdata(
            asked.clone(),
            ttl,
            RData::AAAA(AAAA("2001:db8::1".parse().unwrap())),
        ));
    }
    if c.flag("txt") {
        m.add_answer(Record::from_rdata(
            asked.clone(),
            ttl,
            RData::TXT(TXT::new(vec!["v=hostile".into()])),
        ));
    }
    if c.flag("cname_loop") {
        let other = Name::from_str("loop.oqs-pdl.org.").unwrap();
        m.add_answer(Record::from_rdata(
            asked.clone(),
            ttl,
            RData::CNAME(CNAME(other.clone())),
        ));
        m.add_answer(Record::from_rdata(other, ttl, RData::CNAME(CNAME(asked))));
    }
    m.to_vec().ok()
}

/// A DNS server on loopback answering as the row says, asked by the product's resolver (UDP,
/// then TCP to the same port when truncated: nothing listens there, so TCP is refused).
async fn dns(c: &Case) -> Got {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    let row = c.clone();
    let server = tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok((n, peer)) = sock.recv_from(&mut buf).await {
            if row.flag("silent") {
                continue;
            }
            if let Some(r) = dns_reply(&row, &buf[..n]) {
                let _ = sock.send_to(&r, peer).await;
            }
        }
    });
    if let Some(r) = dns_reply(c, &oqs_net::fuzzing::dns_query()) {
        super::table::seed("dns_reply", c, &r);
    }
    let net = NetOptions {
        resolvers: vec![addr],
        ..NetOptions::default()
    };
    let timeout = Duration::from_millis(c.int("timeout_ms").unwrap_or(2000) as u64);
    let resolver = net.resolver(timeout).unwrap();
    let q =
        oqs_net::probe::dns::query_once(&resolver, "ntp.base.oqs-pdl.org", Family::Ipv4, timeout)
            .await;
    server.abort();
    let text = format!("{:?} {} answers", q.failure, q.answers.len());
    Got::of(oqs_net::fuzzing::dns_verdict(q)).with_text(text)
}

// ---------------------------------------------------------------------------------------------
// TLS and the proxy

/// The lab's PKI (made once, see [`super::inputs::pki`]), from async code.
async fn pki() -> &'static oqs_net::lab::pki::LabPki {
    tokio::task::spawn_blocking(super::inputs::pki)
        .await
        .unwrap()
}

fn tls_profile(pki: &oqs_net::lab::pki::LabPki, port: u16) -> oqs_net::model::Profile {
    use oqs_net::model::*;
    let mut p = crate::support::quick_profile(Mode::Ipsec);
    p.tls_settings.connect_timeout = Duration::from_millis(800);
    p.tls_settings.handshake_timeout = Duration::from_millis(800);
    p.tls_settings.request_timeout = Duration::from_millis(800);
    p.tls = vec![TlsEndpoint {
        name: "hostile".into(),
        host: HostPort::parse(&format!("127.0.0.1:{port}")).unwrap(),
        client_certificate: false,
        request: None,
    }];
    p.tls_settings.ca_bundle = Some(pki.files.ca_pem.clone());
    p.tls_settings.pfx = vec![pki.files.client_pfx.clone()];
    p.tls_settings.password = PasswordSource::File(pki.files.password_file.clone());
    p
}

/// A rustls server whose certificate chain has `n` certificates: the lab's chain, padded with
/// copies of its intermediate.
fn long_chain_acceptor(pki: &oqs_net::lab::pki::LabPki, n: usize) -> tokio_rustls::TlsAcceptor {
    let mut chain = pki.server.chain.clone();
    while chain.len() < n {
        chain.push(pki.intermediate.clone());
    }
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, pki.server.key())
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(cfg))
}

/// What a misbehaving TLS server does with one connection.
async fn tls_peer(mut s: TcpStream, c: &Case, acceptor: Option<tokio_rustls::TlsAcceptor>) {
    let mut buf = vec![0u8; 16 * 1024];
    match c.str("server").unwrap() {
        "garbage_hello" => {
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(&c.hex("reply").unwrap_or(vec![0x5a; 512]))
                .await;
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        "close_after_hello" => {
            let _ = s.read(&mut buf).await;
        }
        "reset_after_hello" => {
            let _ = s.read(&mut buf).await;
            // SO_LINGER 0: the close sends a reset.
            let _ = socket2::SockRef::from(&s).set_linger(Some(Duration::ZERO));
        }
        "silent" => tokio::time::sleep(Duration::from_secs(5)).await,
        "trickle" => {
            let _ = s.read(&mut buf).await;
            // A ServerHello's record header, one byte a second.
            for b in [0x16u8, 0x03, 0x03, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d] {
                if s.write_all(&[b]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        "chain" => {
            if let Some(a) = acceptor
                && let Ok(mut t) = a.accept(s).await
            {
                let _ = t.read(&mut buf).await;
            }
        }
        other => panic!("no TLS server {other}"),
    }
}

async fn tls_listener(c: &Case) -> (u16, tokio::task::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let acceptor = match c.int("chain") {
        Some(n) => Some(long_chain_acceptor(pki().await, n as usize)),
        None => None,
    };
    let row = c.clone();
    let h = tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let (row, acceptor) = (row.clone(), acceptor.clone());
            tokio::spawn(async move { tls_peer(s, &row, acceptor).await });
        }
    });
    (port, h)
}

/// The TLS probe of the product against one misbehaving server: its failure's label and the
/// judge's codes.
async fn tls(c: &Case) -> Got {
    let pki = pki().await;
    let (port, server) = tls_listener(c).await;
    let p = tls_profile(pki, port);
    let (id, ctx) = oqs_net::probe::tls::prepare(&p.tls_settings);
    let r = oqs_net::probe::tls::probe_endpoint(
        &ctx,
        &NetOptions::default(),
        None,
        &p.dns.families,
        p.dns.timeout,
        &p.tls[0],
        tokio::time::Instant::now() + std::time::Duration::from_secs(30),
    )
    .await;
    server.abort();
    judged_tls(&p, id, r)
}

fn judged_tls(
    p: &oqs_net::model::Profile,
    id: oqs_net::model::IdentityReport,
    r: oqs_net::model::TlsEndpointResult,
) -> Got {
    let text = r
        .failure
        .as_ref()
        .map(|f| format!("{f:?}"))
        .unwrap_or_default();
    let mut names = vec![
        r.failure
            .as_ref()
            .map_or("ok", |f| f.as_label())
            .to_string(),
    ];
    let m = oqs_net::model::Measurements {
        line: Default::default(),
        started_at: SystemTime::now(),
        duration: Duration::ZERO,
        dns: vec![],
        ntp: vec![],
        cut_off: vec![],
        resolvers: vec![],
        resolver_error: None,
        path: Default::default(),
        tls: oqs_net::model::TlsRound {
            identity: Some(id),
            endpoints: vec![r],
        },
        proxy: None,
    };
    let round = oqs_net::judge::judge(p, &m);
    for ch in round.checks.iter().filter(|c| c.id.starts_with("tls:")) {
        names.extend(ch.findings.iter().map(|f| f.code.as_label().to_string()));
    }
    Got::of(names).with_text(text)
}

/// A proxy that answers CONNECT as the row says; the product's CONNECT, then its TLS handshake
/// through whatever tunnel it got.
async fn proxy(c: &Case) -> Got {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let answer = c.str("answer").unwrap_or("").replace("\\r\\n", "\r\n");
    let close = c.flag("close");
    let repeat = c.int("repeat").unwrap_or(1) as usize;
    let server = tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = s.read(&mut buf).await;
                for _ in 0..repeat {
                    if s.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
                if !close {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            });
        }
    });
    let spec = oqs_net::probe::proxy::connect::ConnectSpec {
        proxy_name: format!("proxy.hostile:{}", addr.port()),
        proxy: addr,
        target: "hweb.oqs.onshikaku.org:443".into(),
        connect_timeout: Duration::from_millis(500),
        response_timeout: Duration::from_millis(2000),
    };
    let (r, stream) = oqs_net::probe::proxy::connect::connect(&NetOptions::default(), &spec).await;
    let mut names = vec![r.outcome.as_label().to_string()];
    let mut text = format!("{:?}", r.outcome);
    if let Some(stream) = stream {
        let pki = pki().await;
        let p = tls_profile(pki, 443);
        let (_, ctx) = oqs_net::probe::tls::prepare(&p.tls_settings);
        let mut t = oqs_net::probe::tls::blank_result(&p.tls[0]);
        oqs_net::probe::tls::session(&ctx, &p.tls[0], stream, &mut t).await;
        let f = t.failure.as_ref();
        names.push(format!("tunnel {}", f.map_or("ok", |f| f.as_label())));
        if let Some(f) = f {
            names.push(f.as_label().to_string());
            text = format!("{f:?}");
        }
    }
    server.abort();
    Got::of(names).with_text(text)
}

// ---------------------------------------------------------------------------------------------
// PAC files over HTTP

/// An HTTP server for PAC files: a body of `mb` megabytes made as it is sent, an empty one, or a
/// redirect to itself.
async fn pac_fetch(c: &Case) -> Got {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let row = c.clone();
    let server = tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let row = row.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = s.read(&mut buf).await;
                match row.str("server").unwrap() {
                    "huge" => {
                        let mb = row.int("mb").unwrap_or(50) as usize;
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/x-ns-proxy-autoconfig\r\nContent-Length: {}\r\n\r\n",
                            mb << 20
                        );
                        if s.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let chunk = vec![b'/'; 1 << 16];
                        for _ in 0..(mb << 4) {
                            if s.write_all(&chunk).await.is_err() {
                                return;
                            }
                        }
                    }
                    "loop" => {
                        let _ = s
                            .write_all(
                                format!("HTTP/1.1 302 Found\r\nLocation: http://{addr}/again.pac\r\nContent-Length: 0\r\n\r\n")
                                    .as_bytes(),
                            )
                            .await;
                    }
                    "empty" => {
                        let _ = s
                            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                            .await;
                    }
                    other => panic!("no PAC server {other}"),
                }
            });
        }
    });
    let via = oqs_net::probe::pac::fetch::FetchVia::default();
    let limits = oqs_net::probe::pac::fetch::FetchLimits {
        timeout: Duration::from_secs(3),
        ..Default::default()
    };
    let url = format!("http://{addr}/proxy.pac");
    let r = oqs_net::probe::pac::fetch::fetch(&url, &NetOptions::default(), &via, &limits).await;
    server.abort();
    match r {
        // What was fetched is evaluated, as a round does.
        Ok(f) => {
            let script = f.text.clone();
            let mut names = vec![format!("fetched {} bytes", f.bytes)];
            let named = tokio::task::spawn_blocking(move || super::inputs::evaluate(&script))
                .await
                .unwrap();
            names.extend(named.names);
            Got::of(names).with_text(named.text)
        }
        Err(e) => Got::of(vec![e.as_label().to_string()]).with_text(e.to_string()),
    }
}
