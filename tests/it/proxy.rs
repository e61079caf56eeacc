//! Proxies: a CONNECT through the lab's proxy with each of its faults, named plainly.

use oqs_net::lab::proxy::{LabProxy, LabProxySpec, ProxyFault};
use oqs_net::model::ConnectOutcome;
use oqs_net::net::NetOptions;
use oqs_net::probe::proxy::connect::{ConnectSpec, connect};
use std::net::SocketAddr;
use std::time::Duration;

fn spec(proxy: SocketAddr, target: &str) -> ConnectSpec {
    ConnectSpec {
        proxy_name: format!("proxy.lab:{}", proxy.port()),
        proxy,
        target: target.to_string(),
        connect_timeout: Duration::from_millis(500),
        response_timeout: Duration::from_millis(700),
    }
}

#[tokio::test]
async fn each_proxy_fault_is_named() {
    let upstream = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = upstream.local_addr().unwrap().to_string();
    tokio::spawn(async move { while upstream.accept().await.is_ok() {} });
    let proxy = LabProxy::start(LabProxySpec::default()).await.unwrap();
    let net = NetOptions::default();
    for (fault, want) in [
        (ProxyFault::None, "tunnel"),
        (ProxyFault::RequireAuth, "auth_required"),
        (ProxyFault::Forbidden, "forbidden"),
        (ProxyFault::BadGateway, "upstream_failed"),
        (ProxyFault::Unavailable, "unavailable"),
        (ProxyFault::Stall, "silent"),
        (ProxyFault::Garbage, "not_http"),
        (ProxyFault::Reset, "reset"),
    ] {
        proxy.set_fault(fault);
        let (r, stream) = connect(&net, &spec(proxy.addr(), &target)).await;
        assert_eq!(r.outcome.as_label(), want, "{fault:?}: {r:?}");
        assert_eq!(stream.is_some(), want == "tunnel");
        assert!(r.connect_ms.is_some());
    }
    proxy.set_fault(ProxyFault::RequireAuth);
    let (r, _) = connect(&net, &spec(proxy.addr(), &target)).await;
    assert_eq!(
        r.outcome,
        ConnectOutcome::AuthRequired {
            scheme: Some("Basic".into())
        }
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_closed_proxy_port_is_refused_and_an_unknown_destination_is_upstream_failed() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (r, _) = connect(
        &NetOptions::default(),
        &spec(SocketAddr::from(([127, 0, 0, 1], port)), "x:443"),
    )
    .await;
    assert_eq!(r.outcome, ConnectOutcome::Refused);
    let proxy = LabProxy::start(LabProxySpec::default()).await.unwrap();
    let (r, _) = connect(
        &NetOptions::default(),
        &spec(proxy.addr(), "nowhere.lab:443"),
    )
    .await;
    assert_eq!(r.outcome, ConnectOutcome::UpstreamFailed { status: 502 });
    assert_eq!(r.status_line.as_deref(), Some("HTTP/1.1 502 Bad Gateway"));
}
