//! The resolver's sockets made like every other socket of the round: a hickory runtime provider
//! that is Tokio's, except that its UDP and TCP sockets come from [`NetOptions::socket_for`] (bound
//! to the OQS adapter's device or source address, confined to the forced family), and whose UDP
//! socket keeps an error reply that hickory would otherwise drop as forged (see [`ResolverUdp`])
//! and notes every answer that came back truncated (see [`Truncations`]).

use super::NetOptions;
use hickory_resolver::net::runtime::iocompat::AsyncIoTokioAsStd;
use hickory_resolver::net::runtime::{
    DnsUdpSocket, RuntimeProvider, TokioHandle, TokioRuntimeProvider, TokioTime,
};
use hickory_resolver::proto::op::ResponseCode;
use socket2::Type;
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

/// Hickory's default wait for a TCP connection when it gives none.
const TCP_CONNECT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct BoundRuntime {
    tokio: TokioRuntimeProvider,
    net: Arc<NetOptions>,
    truncations: Arc<Truncations>,
}

impl BoundRuntime {
    pub fn new(net: NetOptions) -> BoundRuntime {
        BoundRuntime {
            tokio: TokioRuntimeProvider::default(),
            net: Arc::new(net),
            truncations: Arc::default(),
        }
    }

    /// The truncated answers this runtime's sockets saw.
    pub(crate) fn truncations(&self) -> Arc<Truncations> {
        self.truncations.clone()
    }
}

/// Answers that came back over UDP with the truncated (TC) flag: from which server, to which
/// question, when. Hickory retries such a question over TCP, and when that retry is refused or
/// dropped its error says only "truncated" or "timeout"; these notes let the DNS probe say that
/// the server did answer and only TCP port 53 failed. Bounded: the latest [`KEPT`] only.
#[derive(Debug, Default)]
pub struct Truncations(Mutex<VecDeque<Truncated>>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Truncated {
    server: SocketAddr,
    /// Lower case, with the final dot.
    name: String,
    qtype: u16,
    at: Instant,
}

/// How many truncated answers are remembered.
const KEPT: usize = 64;

impl Truncations {
    fn note(&self, t: Truncated) {
        if let Ok(mut list) = self.0.lock() {
            if list.len() == KEPT {
                list.pop_front();
            }
            list.push_back(t);
        }
    }

    /// The server that answered `name` (`qtype`) truncated at or after `since`, if one did.
    pub fn server_for(&self, name: &str, qtype: u16, since: Instant) -> Option<SocketAddr> {
        let mut want = name.to_ascii_lowercase();
        if !want.ends_with('.') {
            want.push('.');
        }
        let list = self.0.lock().ok()?;
        list.iter()
            .rev()
            .find(|t| t.at >= since && t.qtype == qtype && t.name == want)
            .map(|t| t.server)
    }
}

/// The name (lower case, final dot) and type of an uncompressed question section.
fn question_of(question: &[u8]) -> Option<(String, u16)> {
    let mut name = String::new();
    let mut at = 0;
    loop {
        let len = *question.get(at)? as usize;
        at += 1;
        if len == 0 {
            break;
        }
        let label = question.get(at..at + len)?;
        name.push_str(&String::from_utf8_lossy(label).to_ascii_lowercase());
        name.push('.');
        at += len;
    }
    if name.is_empty() {
        name.push('.');
    }
    let qtype = question.get(at..at + 2)?;
    Some((name, u16::from_be_bytes([qtype[0], qtype[1]])))
}

/// The query of `sent` a truncated reply `reply` (from `from`) answers, as a note; `None` for a
/// reply that is not truncated or not to a query sent on this socket.
fn truncated_reply(sent: &[Sent], reply: &[u8], from: SocketAddr) -> Option<Truncated> {
    let header: &[u8; 12] = reply.first_chunk()?;
    let is_response = header[2] & 0x80 != 0;
    let truncated = header[2] & 0x02 != 0;
    if !(is_response && truncated) {
        return None;
    }
    let id = u16::from_be_bytes([header[0], header[1]]);
    let q = sent
        .iter()
        .rev()
        .find(|s| s.id == id && same_peer(&s.to, &from))?;
    let (name, qtype) = question_of(&q.question)?;
    Some(Truncated {
        server: from,
        name,
        qtype,
        at: Instant::now(),
    })
}

fn same_peer(a: &SocketAddr, b: &SocketAddr) -> bool {
    a.ip().to_canonical() == b.ip().to_canonical() && a.port() == b.port()
}

type Boxed<T> = Pin<Box<dyn Send + Future<Output = io::Result<T>>>>;

impl RuntimeProvider for BoundRuntime {
    type Handle = TokioHandle;
    type Timer = TokioTime;
    type Udp = ResolverUdp;
    type Tcp = AsyncIoTokioAsStd<tokio::net::TcpStream>;

    fn create_handle(&self) -> Self::Handle {
        self.tokio.create_handle()
    }

    fn connect_tcp(
        &self,
        server_addr: SocketAddr,
        bind_addr: Option<SocketAddr>,
        timeout: Option<Duration>,
    ) -> Boxed<Self::Tcp> {
        let net = self.net.clone();
        Box::pin(async move {
            let stream = net
                .tcp_connect_from(server_addr, bind_addr, timeout.unwrap_or(TCP_CONNECT))
                .await?;
            stream.set_nodelay(true)?;
            Ok(AsyncIoTokioAsStd(stream))
        })
    }

    fn bind_udp(&self, local_addr: SocketAddr, server_addr: SocketAddr) -> Boxed<Self::Udp> {
        // Made at once, so the future is ready when returned (as hickory asks).
        let sock = self
            .net
            .socket_for(Type::DGRAM, server_addr, Some(local_addr))
            .and_then(|s| tokio::net::UdpSocket::from_std(s.into()))
            .map(|s| ResolverUdp::new(s, self.truncations.clone()));
        Box::pin(async move { sock })
    }
}

/// The resolver's UDP socket: Tokio's, except that a server's error reply without a question
/// section gets back the question it answers. unbound refuses a client its access list does not
/// serve with a bare header (REFUSED, no question; FORMERR replies are often the same). Hickory
/// matches a reply's question against the query's, drops such a reply as forged and waits for its
/// timeout, so a server that refused at once would be called unreachable. Only a reply that passes
/// hickory's own first screens (the server's address and port, the id of a query sent on this
/// socket) is completed, and only with that query's own question: hickory then reads the server's
/// code as if the server had repeated the question, and it is as hard to forge as any reply
/// hickory accepts. (Failing the receive instead does not work: hickory's server pool ranks an
/// I/O error below "no connections available" and the code would be lost.)
pub struct ResolverUdp {
    sock: tokio::net::UdpSocket,
    sent: Mutex<Vec<Sent>>,
    truncations: Arc<Truncations>,
}

/// A query this socket sent: its id, where to, and its question section as sent.
struct Sent {
    id: u16,
    to: SocketAddr,
    questions: u16,
    question: Vec<u8>,
}

/// How many queries a socket remembers (hickory sends one per socket; a few retries at most).
const REMEMBERED: usize = 8;

impl ResolverUdp {
    fn new(sock: tokio::net::UdpSocket, truncations: Arc<Truncations>) -> ResolverUdp {
        ResolverUdp {
            sock,
            sent: Mutex::new(Vec::new()),
            truncations,
        }
    }

    fn note_sent(&self, query: &[u8], to: SocketAddr) {
        let Some(sent) = sent_query(query, to) else {
            return;
        };
        if let Ok(mut list) = self.sent.lock() {
            if list.len() == REMEMBERED {
                list.remove(0);
            }
            list.push(sent);
        }
    }
}

/// The id and question section of a standard query with questions in uncompressed names (as
/// hickory writes them); `None` for anything else, which is then left alone.
fn sent_query(query: &[u8], to: SocketAddr) -> Option<Sent> {
    let header: &[u8; 12] = query.first_chunk()?;
    let questions = u16::from_be_bytes([header[4], header[5]]);
    if header[2] & 0x80 != 0 || questions == 0 {
        return None;
    }
    let mut at = 12;
    for _ in 0..questions {
        loop {
            let len = *query.get(at)? as usize;
            at += 1;
            match len {
                0 => break,
                1..=63 => at += len,
                _ => return None, // a compression pointer or a reserved label type
            }
        }
        at += 4; // type and class
    }
    Some(Sent {
        id: u16::from_be_bytes([header[0], header[1]]),
        to,
        questions,
        question: query.get(12..at)?.to_vec(),
    })
}

/// Completes `buf[..len]` in place when it is a bare error reply to one of the queries `sent` (a
/// response to a standard query, from the address and port the query went to, with its id, a
/// non-zero code and no question): the query's question goes in after the header. Returns the new
/// length, or `None` to leave the datagram as it came.
fn complete_bare_error(
    sent: &[Sent],
    buf: &mut [u8],
    len: usize,
    from: SocketAddr,
) -> Option<usize> {
    let header: &[u8; 12] = buf.get(..len)?.first_chunk()?;
    let id = u16::from_be_bytes([header[0], header[1]]);
    let is_response = header[2] & 0x80 != 0;
    let opcode = (header[2] >> 3) & 0x0f;
    let rcode = header[3] & 0x0f;
    let questions = u16::from_be_bytes([header[4], header[5]]);
    if !(is_response && opcode == 0 && rcode != 0 && questions == 0) {
        return None;
    }
    let q = sent
        .iter()
        .rev()
        .find(|s| s.id == id && same_peer(&s.to, &from))?;
    let grown = len + q.question.len();
    if grown > buf.len() {
        return None;
    }
    buf.copy_within(12..len, 12 + q.question.len());
    buf[12..12 + q.question.len()].copy_from_slice(&q.question);
    buf[4..6].copy_from_slice(&q.questions.to_be_bytes());
    tracing::debug!(
        %from,
        id,
        rcode = %ResponseCode::from_low(rcode),
        "an error reply without the question: completed with the question asked"
    );
    Some(grown)
}

/// `reply` as this socket hands it on to hickory when it answers `query`, sent to `to` (a bare
/// error reply completed with the question, anything else as it came). For the fuzz targets.
pub(crate) fn as_received(query: &[u8], to: SocketAddr, reply: &[u8]) -> Vec<u8> {
    let sent: Vec<Sent> = sent_query(query, to).into_iter().collect();
    // Hickory's receive buffer.
    let mut buf = vec![0u8; 4096.max(reply.len())];
    buf[..reply.len()].copy_from_slice(reply);
    let n = complete_bare_error(&sent, &mut buf, reply.len(), to).unwrap_or(reply.len());
    buf.truncate(n);
    buf
}

impl DnsUdpSocket for ResolverUdp {
    type Time = TokioTime;

    fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        let (n, from) = ready!(DnsUdpSocket::poll_recv_from(&self.sock, cx, buf))?;
        let n = match self.sent.lock() {
            Ok(sent) => {
                if let Some(t) = truncated_reply(&sent, &buf[..n], from) {
                    tracing::debug!(%from, name = %t.name, "a truncated answer over UDP");
                    self.truncations.note(t);
                }
                complete_bare_error(&sent, buf, n, from).unwrap_or(n)
            }
            Err(_) => n,
        };
        Poll::Ready(Ok((n, from)))
    }

    fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        let sent = ready!(DnsUdpSocket::poll_send_to(&self.sock, cx, buf, target))?;
        self.note_sent(buf, target);
        Poll::Ready(Ok(sent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(id: u16, flags: [u8; 2], questions: u16) -> Vec<u8> {
        let mut h = id.to_be_bytes().to_vec();
        h.extend_from_slice(&flags);
        h.extend_from_slice(&questions.to_be_bytes());
        h.extend_from_slice(&[0; 6]);
        h
    }

    /// `ntp.oqs.test. A IN`, as a query's question section.
    const QUESTION: &[u8] = b"\x03ntp\x03oqs\x04test\x00\x00\x01\x00\x01";

    fn query(id: u16) -> Vec<u8> {
        let mut q = header(id, [0x01, 0x00], 1);
        q.extend_from_slice(QUESTION);
        q
    }

    fn completed(sent: &[Sent], reply: &[u8], from: SocketAddr) -> Option<Vec<u8>> {
        let mut buf = reply.to_vec();
        buf.resize(512, 0);
        complete_bare_error(sent, &mut buf, reply.len(), from).map(|n| buf[..n].to_vec())
    }

    #[test]
    fn a_truncated_answer_to_our_query_is_noted_by_name_type_and_server() {
        let server: SocketAddr = "[2001:db8::53]:53".parse().unwrap();
        let sent = [sent_query(&query(0x4321), server).expect("a query")];
        let mut tc = header(0x4321, [0x83, 0x80], 1);
        tc.extend_from_slice(QUESTION);
        let log = Truncations::default();
        let before = Instant::now();
        log.note(truncated_reply(&sent, &tc, server).expect("truncated"));
        assert_eq!(log.server_for("NTP.oqs.test", 1, before), Some(server));
        assert_eq!(
            log.server_for("ntp.oqs.test.", 28, before),
            None,
            "AAAA was not asked"
        );
        assert_eq!(
            log.server_for("ntp.oqs.test", 1, Instant::now()),
            None,
            "too old"
        );
        // Not truncated, another id, another server: nothing.
        let mut whole = header(0x4321, [0x81, 0x80], 1);
        whole.extend_from_slice(QUESTION);
        assert_eq!(truncated_reply(&sent, &whole, server), None);
        let other_id = header(0x4322, [0x83, 0x80], 0);
        assert_eq!(truncated_reply(&sent, &other_id, server), None);
        let elsewhere: SocketAddr = "[2001:db8::54]:53".parse().unwrap();
        assert_eq!(truncated_reply(&sent, &tc, elsewhere), None);
    }

    #[test]
    fn a_bare_refusal_to_our_query_gets_its_question_back_and_nothing_else_changes() {
        let server: SocketAddr = "127.0.0.1:53".parse().unwrap();
        let sent = [sent_query(&query(0x1234), server).expect("a query")];
        assert_eq!(sent[0].question, QUESTION);
        // unbound's refusal: QR, RD, RA; REFUSED; no question.
        let refused = header(0x1234, [0x81, 0x85], 0);
        let mut expected = header(0x1234, [0x81, 0x85], 1);
        expected.extend_from_slice(QUESTION);
        assert_eq!(completed(&sent, &refused, server), Some(expected.clone()));
        // Hickory reads it as the server's REFUSED to our question.
        let m = hickory_resolver::proto::op::Message::from_vec(&expected).expect("parses");
        assert_eq!(m.metadata.response_code, ResponseCode::Refused);
        assert_eq!(m.queries.len(), 1);
        // Sections after the header (an OPT record) stay, after the question.
        let mut with_opt = header(0x1234, [0x80, 0x01], 0);
        with_opt[11] = 1;
        with_opt.extend_from_slice(&[0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
        let out = completed(&sent, &with_opt, server).expect("completed");
        assert_eq!(&out[12..12 + QUESTION.len()], QUESTION);
        assert_eq!(&out[12 + QUESTION.len()..], &with_opt[12..]);
        // The same from an IPv4-mapped address of the server is the server.
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:53".parse().unwrap();
        assert!(completed(&sent, &refused, mapped).is_some());
        // Left to hickory: another id, another server or port, a question, success, a query.
        assert_eq!(
            completed(&sent, &header(0x4321, [0x81, 0x85], 0), server),
            None
        );
        let other: SocketAddr = "127.0.0.2:53".parse().unwrap();
        assert_eq!(completed(&sent, &refused, other), None);
        let port: SocketAddr = "127.0.0.1:5353".parse().unwrap();
        assert_eq!(completed(&sent, &refused, port), None);
        let mut asked = header(0x1234, [0x81, 0x85], 1);
        asked.extend_from_slice(QUESTION);
        assert_eq!(completed(&sent, &asked, server), None);
        assert_eq!(
            completed(&sent, &header(0x1234, [0x81, 0x80], 0), server),
            None
        );
        assert_eq!(
            completed(&sent, &header(0x1234, [0x01, 0x05], 0), server),
            None
        );
        // A short datagram is not a reply; a full buffer is left alone.
        assert_eq!(completed(&sent, &refused[..11], server), None);
        let mut tight = refused.clone();
        assert_eq!(complete_bare_error(&sent, &mut tight, 12, server), None);
    }

    #[test]
    fn only_plain_queries_are_remembered() {
        let to: SocketAddr = "127.0.0.1:53".parse().unwrap();
        assert!(sent_query(&header(1, [0x01, 0x00], 0), to).is_none());
        assert!(sent_query(&header(1, [0x81, 0x00], 1), to).is_none());
        let mut pointer = header(1, [0x01, 0x00], 1);
        pointer.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1]);
        assert!(sent_query(&pointer, to).is_none());
        let cut = &query(1)[..20];
        assert!(sent_query(cut, to).is_none());
    }
}
