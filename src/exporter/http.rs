//! A deliberately small HTTP/1.1 server for scrapes: GET (and HEAD) only, a path and a query,
//! headers bounded in size and in time, at most [`MAX_CONNECTIONS`] connections, every
//! connection ended when it has lasted [`CONNECTION_LIFETIME`] or the shutdown token fires. What
//! each path answers is the [`Handler`]'s business.

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Connections served at once; more wait in the kernel's backlog.
pub const MAX_CONNECTIONS: usize = 64;
/// Time allowed for a request's headers to arrive.
pub const HEADER_DEADLINE: Duration = Duration::from_secs(10);
/// The longest a connection (keep-alive included) is kept.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(300);
/// Bytes of request head read at most (hyper's smallest read buffer).
pub const MAX_HEAD_BYTES: usize = 8192;

/// What a path answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Arc<String>,
}

impl Reply {
    pub fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: Arc::new(body.into()),
        }
    }

    pub fn metrics(body: Arc<String>) -> Reply {
        Reply {
            status: 200,
            content_type: crate::output::metrics::CONTENT_TYPE,
            body,
        }
    }
}

/// Answers a GET of `path` with `query` (the part after `?`, undecoded).
pub trait Handler: Send + Sync + 'static {
    fn get(&self, path: &str, query: Option<&str>) -> impl Future<Output = Reply> + Send;
}

/// Serves `listener` until `shutdown` fires; then waits for the connections in flight to end
/// (they are told to close).
pub async fn serve<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    shutdown: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut conns = JoinSet::new();
    loop {
        let permit = tokio::select! {
            _ = shutdown.cancelled() => break,
            p = slots.clone().acquire_owned() => p,
        };
        let Ok(permit) = permit else { break };
        let stream = tokio::select! {
            _ = shutdown.cancelled() => break,
            a = listener.accept() => match a {
                Ok((s, _)) => s,
                // Out of descriptors and the like: wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        // Reap finished connections so the set stays as small as the connections alive.
        while conns.try_join_next().is_some() {}
        let handler = handler.clone();
        let stop = shutdown.clone();
        conns.spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req| {
                let handler = handler.clone();
                async move { Ok::<_, std::convert::Infallible>(answer(&*handler, req).await) }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_DEADLINE)
                .max_buf_size(MAX_HEAD_BYTES);
            let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = &mut conn => {}
                _ = stop.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_secs(2), conn).await;
                }
                _ = tokio::time::sleep(CONNECTION_LIFETIME) => {}
            }
        });
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

async fn answer<H: Handler>(handler: &H, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let reply = match *req.method() {
        Method::GET | Method::HEAD => handler.get(req.uri().path(), req.uri().query()).await,
        _ => Reply::text(405, "only GET\n"),
    };
    let head = req.method() == Method::HEAD;
    let body = if head {
        Bytes::new()
    } else {
        Bytes::from(reply.body.as_bytes().to_vec())
    };
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(reply.content_type),
    );
    if reply.status == 405 {
        resp.headers_mut().insert(
            hyper::header::ALLOW,
            hyper::header::HeaderValue::from_static("GET, HEAD"),
        );
    }
    resp
}

/// The value of `key` in a query string (`a=1&b=2`), percent-decoded; `None` when absent or
/// not UTF-8.
pub fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    struct Echo;
    impl Handler for Echo {
        fn get(&self, path: &str, query: Option<&str>) -> impl Future<Output = Reply> + Send {
            let r = Reply::text(200, format!("{path} {:?}", query_value(query, "profile")));
            async move { r }
        }
    }

    async fn exchange(addr: std::net::SocketAddr, req: &[u8]) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(req).await.unwrap();
        let mut out = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out))
            .await
            .expect("the server answers and closes")
            .unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn gets_only_with_bounded_heads() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let stop = CancellationToken::new();
        let server = tokio::spawn(serve(l, Arc::new(Echo), stop.clone()));
        let ok = exchange(
            addr,
            b"GET /probe?profile=ipsec%2Dlab HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert!(ok.ends_with("/probe Some(\"ipsec-lab\")"), "{ok}");
        let post = exchange(
            addr,
            b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");
        // A head larger than the buffer is refused, not read on and on.
        let mut big = b"GET /metrics HTTP/1.1\r\nX-Filler: ".to_vec();
        big.extend(std::iter::repeat_n(b'a', 64 * 1024));
        big.extend(b"\r\n\r\n");
        let refused = exchange(addr, &big).await;
        assert!(
            refused.starts_with("HTTP/1.1 431") || refused.is_empty(),
            "{refused}"
        );
        stop.cancel();
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the server stops on its token")
            .unwrap();
    }
}
