//! Probes: one module per protocol, each turning a spec into raw measurements (`model` data).
//! They use `model` and `net` only: no output, no engine, no lab. `resolve` is the one step they
//! share: a host name to the address to connect to (TLS, proxy, PAC fetch).

pub mod dns;
pub mod ipv6;
pub mod line;
pub mod ntp;
pub mod pac;
pub mod pfx;
pub mod proxy;
pub(crate) mod resolve;
pub mod tcp;
pub mod tls;
