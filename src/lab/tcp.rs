//! The lab's TCP endpoints: one listener per member address on a shared port that accepts each
//! connection and closes it, so that TCP reachability probes have something to reach. A stand-in
//! until the lab serves TLS. Depends only on the lab's own data; never on probes.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::{LabError, Shared};

/// Attempts to find one port free on every member address when `tcp_port` is 0.
const PORT_ATTEMPTS: u32 = 8;

/// Binds one listener per address, all on one port (0: the first address picks, the rest follow).
pub(super) fn bind(ips: &[IpAddr], port: u16) -> Result<(Vec<TcpListener>, u16), LabError> {
    let Some(&first) = ips.first() else {
        return Ok((Vec::new(), port));
    };
    let err = |addr, source| LabError::Bind {
        service: "TCP",
        addr,
        source,
    };
    let mut attempt = 0;
    'attempt: loop {
        attempt += 1;
        let first_addr = SocketAddr::new(first, port);
        let listener = bind_one(first_addr).map_err(|e| err(first_addr, e))?;
        let chosen = listener
            .local_addr()
            .map_err(|e| err(first_addr, e))?
            .port();
        let mut listeners = vec![listener];
        for &ip in &ips[1..] {
            let addr = SocketAddr::new(ip, chosen);
            match bind_one(addr) {
                Ok(l) => listeners.push(l),
                Err(source) if port == 0 && source.kind() == io::ErrorKind::AddrInUse => {
                    if attempt >= PORT_ATTEMPTS {
                        return Err(LabError::NoCommonPort {
                            attempts: attempt,
                            addr,
                            source,
                        });
                    }
                    continue 'attempt;
                }
                Err(source) => return Err(err(addr, source)),
            }
        }
        return Ok((listeners, chosen));
    }
}

/// A listener on `addr`; an IPv4-mapped IPv6 address gets a dual-stack socket (as the NTP side).
fn bind_one(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if let SocketAddr::V6(v6) = addr {
        socket.set_only_v6(v6.ip().to_ipv4_mapped().is_none())?;
    }
    // Closed connections leave TIME_WAIT behind; the port must be bindable again at once.
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    TcpListener::from_std(socket.into())
}

/// Accepts and closes connections on one member's listener until cancelled, counting them.
pub(super) async fn serve(
    listener: TcpListener,
    ip: IpAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    *shared.stats().tcp_accepts.entry(ip).or_default() += 1;
                    drop(stream);
                }
                Err(e) => {
                    tracing::debug!(error = %e, %ip, "lab TCP: accept error");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
}
