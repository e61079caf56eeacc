//! NTP: several politely paced SNTP exchanges with one server address, each validated and decoded.
//! The exchange and its checks are sntpc's; a recording socket keeps the raw reply and the socket
//! error so that what sntpc reports only as an error (unsynchronised header, refused port) is still
//! named. Uses `model` and `net` only.

use crate::model::{NtpReading, NtpSample, NtpSampleError, NtpSampleOutcome};
use crate::net::NetOptions;
use sntpc::{NtpContext, NtpUdpSocket, StdTimestampGen};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct NtpSpec {
    pub samples: u32,
    /// Time between the starts of consecutive samples.
    pub interval: Duration,
    /// How long one sample waits for its reply.
    pub timeout: Duration,
}

impl NtpSpec {
    /// The longest this probe can take: every sample waits out its timeout at its paced start.
    pub fn worst_case(&self) -> Duration {
        let n = self.samples.max(1);
        (self.interval.max(self.timeout)) * (n - 1) + self.timeout
    }
}

/// Takes `spec.samples` samples from `addr`, each on a fresh socket so a late reply to one sample
/// can never be mistaken for the next. Stops early after a kiss-o'-death (the server asked us to).
pub async fn probe_server(net: &NetOptions, addr: SocketAddr, spec: &NtpSpec) -> Vec<NtpSample> {
    let start = tokio::time::Instant::now();
    let mut samples = Vec::with_capacity(spec.samples as usize);
    for i in 0..spec.samples {
        tokio::time::sleep_until(start + spec.interval * i).await;
        let sent_at_ms = start.elapsed().as_secs_f64() * 1000.0;
        let outcome = match sample(net, addr, spec.timeout).await {
            Ok(r) => NtpSampleOutcome::Reading(r),
            Err(e) => NtpSampleOutcome::Error(e),
        };
        let kod = matches!(
            outcome,
            NtpSampleOutcome::Error(NtpSampleError::KissOfDeath { .. })
        );
        samples.push(NtpSample {
            sent_at_ms,
            outcome,
        });
        if kod {
            break;
        }
    }
    samples
}

/// One exchange.
pub async fn sample(
    net: &NetOptions,
    addr: SocketAddr,
    timeout: Duration,
) -> Result<NtpReading, NtpSampleError> {
    let sock = net.udp_connected(addr).map_err(|e| match e.kind() {
        std::io::ErrorKind::ConnectionRefused => NtpSampleError::Refused,
        _ => NtpSampleError::Network {
            detail: e.to_string(),
        },
    })?;
    let rec = Recording {
        sock,
        peer: addr,
        last: Mutex::new(None),
        io: Mutex::new(None),
    };
    let ctx = NtpContext::new(StdTimestampGen::default());
    let started = Instant::now();
    let res = tokio::time::timeout(timeout, sntpc::get_time(addr, &rec, ctx)).await;
    let raw = rec.last.lock().map(|g| g.clone()).unwrap_or(None);
    let io = rec.io.lock().map(|g| *g).unwrap_or(None);
    match res {
        Err(_) => Err(NtpSampleError::Timeout),
        Ok(r) => {
            if let Err(e) = &r {
                tracing::debug!(%addr, error = ?e, elapsed = ?started.elapsed(), "ntp sample failed");
            }
            outcome(r, raw.as_deref(), io)
        }
    }
}

/// What sntpc's verdict on one reply means to us: a reading, or the error named from the raw
/// reply and the socket's last error.
fn outcome(
    r: sntpc::Result<sntpc::NtpResult>,
    raw: Option<&[u8]>,
    io: Option<std::io::ErrorKind>,
) -> Result<NtpReading, NtpSampleError> {
    match r {
        Ok(r) => Ok(reading(&r)),
        Err(e) => Err(classify(e, raw, io)),
    }
}

/// One exchange with no socket: `reply` is the datagram the server sends back, with our request's
/// transmit timestamp copied into its origin field first when `echo_origin` (so that the checks
/// behind the origin check are reached). The same validation and naming as [`sample`]; for the
/// fuzz targets and the hostile corpus.
pub(crate) fn exchange_bytes(
    reply: &[u8],
    echo_origin: bool,
) -> Result<NtpReading, NtpSampleError> {
    let peer = SocketAddr::from(([127, 0, 0, 1], 123));
    let sock = Canned {
        reply: reply.to_vec(),
        echo_origin,
        request: Mutex::new(Vec::new()),
        last: Mutex::new(None),
    };
    let ctx = NtpContext::new(StdTimestampGen::default());
    // The canned socket never waits, so the exchange completes on its first poll.
    let mut fut = std::pin::pin!(sntpc::get_time(peer, &sock, ctx));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(r) => {
            let raw = sock.last.lock().map(|g| g.clone()).unwrap_or(None);
            outcome(r, raw.as_deref(), None)
        }
        std::task::Poll::Pending => Err(NtpSampleError::Timeout),
    }
}

/// A socket that answers the one request with a canned datagram (see [`exchange_bytes`]).
struct Canned {
    reply: Vec<u8>,
    echo_origin: bool,
    request: Mutex<Vec<u8>>,
    last: Mutex<Option<Vec<u8>>>,
}

impl NtpUdpSocket for Canned {
    async fn send_to(&self, buf: &[u8], _addr: SocketAddr) -> sntpc::Result<usize> {
        if let Ok(mut g) = self.request.lock() {
            *g = buf.to_vec();
        }
        Ok(buf.len())
    }

    async fn recv_from(&self, buf: &mut [u8]) -> sntpc::Result<(usize, SocketAddr)> {
        let mut reply = self.reply.clone();
        reply.truncate(1024);
        if self.echo_origin
            && reply.len() >= 32
            && let Ok(req) = self.request.lock()
            && let Some(t) = req.get(40..48)
        {
            reply[24..32].copy_from_slice(t);
        }
        let keep = reply.len().min(buf.len());
        buf[..keep].copy_from_slice(&reply[..keep]);
        if let Ok(mut g) = self.last.lock() {
            *g = Some(reply);
        }
        Ok((keep, SocketAddr::from(([127, 0, 0, 1], 123))))
    }
}

fn short_ms(v: u32) -> f64 {
    (v >> 16) as f64 * 1000.0 + (v & 0xffff) as f64 * 1000.0 / 65536.0
}

fn reading(r: &sntpc::NtpResult) -> NtpReading {
    let delay_ms = r.roundtrip as f64 / 1000.0;
    NtpReading {
        offset_ms: r.offset as f64 / 1000.0,
        delay_ms,
        error_bound_ms: delay_ms / 2.0,
        stratum: r.stratum,
        leap: r.leap_indicator,
        ref_id: ref_id(r.stratum, r.reference_id),
        root_delay_ms: short_ms(r.root_delay),
        root_dispersion_ms: short_ms(r.root_dispersion),
        precision: r.precision,
    }
}

/// The reference id as people read it: ASCII for stratum 0/1, an IPv4 address (or hash) above.
pub fn ref_id(stratum: u8, id: [u8; 4]) -> String {
    if stratum <= 1 {
        id.iter()
            .take_while(|b| **b != 0)
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
            .collect()
    } else {
        std::net::Ipv4Addr::from(id).to_string()
    }
}

/// The header fields we need when sntpc rejected a reply.
struct Header {
    leap: u8,
    mode: u8,
    stratum: u8,
    ref_id: [u8; 4],
    transmit_zero: bool,
}

fn header(raw: &[u8]) -> Option<Header> {
    if raw.len() < 48 {
        return None;
    }
    Some(Header {
        leap: raw[0] >> 6,
        mode: raw[0] & 0x07,
        stratum: raw[1],
        ref_id: [raw[12], raw[13], raw[14], raw[15]],
        transmit_zero: raw[40..48].iter().all(|b| *b == 0),
    })
}

/// The kiss code of a stratum-0 reply: RFC 5905 (7.4) has one only where the reference id is four
/// printable ASCII characters.
fn kiss_code(id: [u8; 4]) -> Option<String> {
    id.iter()
        .all(u8::is_ascii_graphic)
        .then(|| id.iter().map(|&b| b as char).collect())
}

/// What a stratum-0 reply means. sntpc calls every one a kiss-o'-death; real servers send it for
/// two other reasons too. chronyd and w32time with no time source answer leap 3, stratum 0 and a
/// zero reference id (no code at all); ntpd before its first sync and after a step answers leap 3,
/// stratum 0 with the reference id `INIT` or `STEP`, which RFC 5905 lists as states of an
/// association, not requests to the client. Those three are an unsynchronised server. A real
/// kiss-o'-death (ntpd's `RATE`, `DENY`, `RSTR` come with leap 3 as well) keeps its code.
fn stratum_zero(h: &Header) -> NtpSampleError {
    match kiss_code(h.ref_id) {
        Some(code) if !(h.leap == 3 && matches!(code.as_str(), "INIT" | "STEP")) => {
            NtpSampleError::KissOfDeath { code }
        }
        _ if h.leap == 3 => NtpSampleError::Unsynchronised {
            leap: h.leap,
            stratum: h.stratum,
        },
        _ => NtpSampleError::Implausible {
            detail: format!(
                "stratum 0 (kiss-o'-death) without a kiss code (reference id {:02x?})",
                h.ref_id
            ),
        },
    }
}

fn classify(e: sntpc::Error, raw: Option<&[u8]>, io: Option<std::io::ErrorKind>) -> NtpSampleError {
    use sntpc::Error as E;
    let h = raw.and_then(header);
    match e {
        E::Network => match io {
            Some(std::io::ErrorKind::ConnectionRefused) => NtpSampleError::Refused,
            Some(kind) => NtpSampleError::Network {
                detail: kind.to_string(),
            },
            None => NtpSampleError::Network {
                detail: "send or receive failed".into(),
            },
        },
        E::IncorrectPayload => NtpSampleError::Truncated {
            len: raw.map_or(0, <[u8]>::len),
        },
        E::IncorrectOriginTimestamp => NtpSampleError::OriginMismatch,
        E::IncorrectMode => NtpSampleError::WrongMode {
            mode: h.map_or(0, |h| h.mode),
        },
        E::KissOfDeath(_) => match h {
            Some(h) => stratum_zero(&h),
            None => NtpSampleError::KissOfDeath {
                code: "????".into(),
            },
        },
        // RFC 5905 (7.3): 16 is "unsynchronized", 17 to 255 are reserved: no server sends them.
        E::UnsynchronizedClock | E::IncorrectStratumHeaders => match h {
            Some(h) if h.stratum > 16 => NtpSampleError::Implausible {
                detail: format!("reserved stratum {}", h.stratum),
            },
            Some(h) => NtpSampleError::Unsynchronised {
                leap: h.leap,
                stratum: h.stratum,
            },
            None => NtpSampleError::Implausible {
                detail: format!("{e:?}"),
            },
        },
        E::InvalidTimestamp if h.as_ref().is_none_or(|h| h.transmit_zero) => {
            NtpSampleError::ZeroTimestamp
        }
        E::IncorrectResponseVersion => NtpSampleError::BadVersion,
        E::ResponseAddressMismatch => NtpSampleError::WrongSource,
        other => NtpSampleError::Implausible {
            detail: format!("{other:?}"),
        },
    }
}

/// A connected UDP socket that remembers the last datagram and the last socket error.
struct Recording {
    sock: tokio::net::UdpSocket,
    peer: SocketAddr,
    last: Mutex<Option<Vec<u8>>>,
    io: Mutex<Option<std::io::ErrorKind>>,
}

impl Recording {
    fn note_io(&self, e: &std::io::Error) {
        if let Ok(mut g) = self.io.lock() {
            *g = Some(e.kind());
        }
    }
}

impl NtpUdpSocket for Recording {
    async fn send_to(&self, buf: &[u8], _addr: SocketAddr) -> sntpc::Result<usize> {
        self.sock.send(buf).await.map_err(|e| {
            self.note_io(&e);
            sntpc::Error::Network
        })
    }

    async fn recv_from(&self, buf: &mut [u8]) -> sntpc::Result<(usize, SocketAddr)> {
        // Read into a larger buffer so a reply with extension fields is not an error, then keep 48.
        let mut big = [0u8; 1024];
        let n = self.sock.recv(&mut big).await.map_err(|e| {
            self.note_io(&e);
            sntpc::Error::Network
        })?;
        if let Ok(mut g) = self.last.lock() {
            *g = Some(big[..n].to_vec());
        }
        let keep = n.min(buf.len());
        buf[..keep].copy_from_slice(&big[..keep]);
        Ok((keep, self.peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(li_vn_mode: u8, stratum: u8, refid: &[u8; 4]) -> Vec<u8> {
        let mut v = vec![0u8; 48];
        v[0] = li_vn_mode;
        v[1] = stratum;
        v[12..16].copy_from_slice(refid);
        v[40] = 1;
        v
    }

    #[test]
    fn errors_are_named_from_the_raw_header() {
        let r = raw(0b11_100_100, 16, b"\x7f\0\0\x01");
        assert_eq!(
            classify(sntpc::Error::IncorrectStratumHeaders, Some(&r), None),
            NtpSampleError::Unsynchronised {
                leap: 3,
                stratum: 16
            }
        );
        let r = raw(0b11_100_100, 0, b"RATE");
        assert_eq!(
            classify(sntpc::Error::IncorrectMode, Some(&r), None),
            NtpSampleError::WrongMode { mode: 4 }
        );
        assert!(matches!(
            classify(
                sntpc::Error::Network,
                None,
                Some(std::io::ErrorKind::ConnectionRefused)
            ),
            NtpSampleError::Refused
        ));
        assert_eq!(
            classify(sntpc::Error::IncorrectPayload, Some(&[0u8; 20]), None),
            NtpSampleError::Truncated { len: 20 }
        );
        let mut z = raw(0b00_100_100, 2, b"\x7f\0\0\x01");
        z[40] = 0;
        assert_eq!(
            classify(sntpc::Error::InvalidTimestamp, Some(&z), None),
            NtpSampleError::ZeroTimestamp
        );
    }

    /// Every stratum-0 and leap-3 header chrony, ntpd and w32time send, as their sources and
    /// captures show them, and what each is named.
    #[test]
    fn stratum_zero_is_a_kiss_only_with_a_kiss_code() {
        let kod = |leap: u8, stratum: u8, id: &[u8; 4]| {
            let r = raw((leap << 6) | 0b100_100, stratum, id);
            let e = if stratum == 0 {
                // classify reads the code from the raw header, not from sntpc's value.
                sntpc::Error::KissOfDeath(sntpc::KissOfDeathCode::Experimental(*id))
            } else if leap == 3 {
                sntpc::Error::UnsynchronizedClock
            } else {
                sntpc::Error::IncorrectStratumHeaders
            };
            classify(e, Some(&r), None)
        };
        let unsync = |leap, stratum| NtpSampleError::Unsynchronised { leap, stratum };
        let kiss = |code: &str| NtpSampleError::KissOfDeath { code: code.into() };
        // chronyd and w32time without a time source: no code at all.
        assert_eq!(kod(3, 0, &[0, 0, 0, 0]), unsync(3, 0));
        // ntpd before its first sync, and after stepping the clock.
        assert_eq!(kod(3, 0, b"INIT"), unsync(3, 0));
        assert_eq!(kod(3, 0, b"STEP"), unsync(3, 0));
        // ntpd's kiss-o'-death packets carry leap 3 too, and stay kisses.
        assert_eq!(kod(3, 0, b"RATE"), kiss("RATE"));
        assert_eq!(kod(3, 0, b"DENY"), kiss("DENY"));
        assert_eq!(kod(0, 0, b"RSTR"), kiss("RSTR"));
        // INIT from a server that claims to be synchronised is still a code it chose to send.
        assert_eq!(kod(0, 0, b"INIT"), kiss("INIT"));
        // Stratum 16 on the wire (older SNTP servers), with or without leap 3.
        assert_eq!(kod(3, 16, &[127, 0, 0, 1]), unsync(3, 16));
        assert_eq!(kod(0, 16, &[0, 0, 0, 0]), unsync(0, 16));
        // 17 to 255 are reserved: an invalid reply, not an unsynchronised server.
        assert!(matches!(
            kod(0, 255, &[127, 0, 0, 1]),
            NtpSampleError::Implausible { .. }
        ));
        assert!(matches!(
            kod(3, 17, &[127, 0, 0, 1]),
            NtpSampleError::Implausible { .. }
        ));
        // A synchronised chronyd that only says leap 3 (before its first update) with stratum 2.
        assert_eq!(kod(3, 2, &[192, 0, 2, 1]), unsync(3, 2));
        // Stratum 0 with neither a code nor leap 3 is neither: an invalid reply.
        assert!(matches!(
            kod(0, 0, &[0, 0, 0, 0]),
            NtpSampleError::Implausible { .. }
        ));
        assert!(matches!(
            kod(0, 0, b"GPS\0"),
            NtpSampleError::Implausible { .. }
        ));
    }

    #[test]
    fn ref_ids_read_as_people_write_them() {
        assert_eq!(ref_id(1, *b"GPS\0"), "GPS");
        assert_eq!(ref_id(0, *b"DENY"), "DENY");
        assert_eq!(ref_id(2, [192, 0, 2, 1]), "192.0.2.1");
    }

    #[test]
    fn root_fields_convert_from_short_format() {
        assert_eq!(short_ms(0x0001_8000), 1500.0);
    }
}
