//! The round benchmark's floor: a minimal blocking client (std sockets, rustls, one hand-built DNS
//! query) that does what one TLS endpoint of a round does against the same lab and nothing else.
//! What it takes over the critical-path bound is the lab's and the kernel's share (their wake-ups,
//! the server's handshake, a loopback connect) plus the handshake's unavoidable crypto: no client
//! can go below it on this machine. Uses the lab's PKI files and hickory's message codec only.

use hickory_resolver::proto::op::{Message, Query};
use hickory_resolver::proto::rr::{Name, RecordType};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

/// One endpoint for the reference client: its name, port and the path it requests.
pub struct Target {
    pub host: String,
    pub port: u16,
    pub path: String,
}

pub struct Reference {
    config: Arc<rustls::ClientConfig>,
    dns: SocketAddr,
    record: RecordType,
}

impl Reference {
    /// A client trusting the lab's CA and presenting its client certificate (PEM files, so no PFX
    /// decoding), session resumption off as in a round.
    pub fn new(pki: &oqs_net::lab::pki::LabPki, dns: SocketAddr, ipv6: bool) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.root.clone()).expect("the lab's root");
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(&pki.files.client_cert_pem)
                .expect("the lab's client certificate")
                .collect::<Result<_, _>>()
                .expect("the lab's client certificate");
        let key = PrivateKeyDer::from_pem_file(&pki.files.client_key_pem).expect("the lab's key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)
            .expect("the client identity");
        config.resumption = rustls::client::Resumption::disabled();
        Reference {
            config: Arc::new(config),
            dns,
            record: if ipv6 {
                RecordType::AAAA
            } else {
                RecordType::A
            },
        }
    }

    /// Resolve, connect, handshake and request, each timed in ms, as a round's TLS probe reports
    /// them.
    pub fn endpoint(&self, t: &Target) -> [f64; 4] {
        let ms = |s: Instant| s.elapsed().as_secs_f64() * 1e3;
        let start = Instant::now();
        let ip = self.resolve(&t.host);
        let resolve = ms(start);

        let start = Instant::now();
        let mut tcp =
            TcpStream::connect_timeout(&SocketAddr::new(ip, t.port), WAIT).expect("connects");
        let connect = ms(start);
        tcp.set_nodelay(true).expect("nodelay");
        tcp.set_read_timeout(Some(WAIT)).expect("read timeout");

        let start = Instant::now();
        let name = ServerName::try_from(t.host.clone()).expect("a server name");
        let mut tls =
            rustls::ClientConnection::new(self.config.clone(), name).expect("a connection");
        while tls.is_handshaking() {
            tls.complete_io(&mut tcp).expect("the handshake");
        }
        while tls.wants_write() {
            tls.write_tls(&mut tcp).expect("the client's last flight");
        }
        let handshake = ms(start);

        let start = Instant::now();
        let mut stream = rustls::Stream::new(&mut tls, &mut tcp);
        let get = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            t.path, t.host
        );
        stream.write_all(get.as_bytes()).expect("the request");
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).expect("the response");
            assert!(n > 0, "the lab closed before its response");
            head.extend_from_slice(&buf[..n]);
        }
        assert!(
            head.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&head)
        );
        [resolve, connect, handshake, ms(start)]
    }

    /// One query from a fresh socket, the first address of the answer.
    fn resolve(&self, host: &str) -> IpAddr {
        let mut q = Message::query();
        q.add_query(Query::query(
            Name::from_ascii(host).expect("a name"),
            self.record,
        ));
        let wire = q.to_vec().expect("encodes");
        let bind: SocketAddr = if self.dns.is_ipv6() {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        }
        .parse()
        .expect("an address");
        let socket = UdpSocket::bind(bind).expect("a UDP socket");
        socket.set_read_timeout(Some(WAIT)).expect("read timeout");
        socket.send_to(&wire, self.dns).expect("sends");
        let mut buf = [0u8; 4096];
        let n = socket.recv(&mut buf).expect("an answer");
        let answer = Message::from_vec(&buf[..n]).expect("decodes");
        answer
            .answers
            .iter()
            .find_map(|r| r.data.ip_addr())
            .unwrap_or_else(|| panic!("no address for {host}"))
    }
}
