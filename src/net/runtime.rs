//! The resolver's sockets made like every other socket of the round: a hickory runtime provider
//! that is Tokio's, except that its UDP and TCP sockets come from [`NetOptions::socket_for`] (bound
//! to the OQS adapter's device or source address, confined to the forced family).

use super::NetOptions;
use hickory_resolver::net::runtime::iocompat::AsyncIoTokioAsStd;
use hickory_resolver::net::runtime::{
    RuntimeProvider, TokioHandle, TokioRuntimeProvider, TokioTime,
};
use socket2::Type;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Hickory's default wait for a TCP connection when it gives none.
const TCP_CONNECT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct BoundRuntime {
    tokio: TokioRuntimeProvider,
    net: Arc<NetOptions>,
}

impl BoundRuntime {
    pub fn new(net: NetOptions) -> BoundRuntime {
        BoundRuntime {
            tokio: TokioRuntimeProvider::default(),
            net: Arc::new(net),
        }
    }
}

type Boxed<T> = Pin<Box<dyn Send + Future<Output = io::Result<T>>>>;

impl RuntimeProvider for BoundRuntime {
    type Handle = TokioHandle;
    type Timer = TokioTime;
    type Udp = tokio::net::UdpSocket;
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
            .and_then(|s| tokio::net::UdpSocket::from_std(s.into()));
        Box::pin(async move { sock })
    }
}
