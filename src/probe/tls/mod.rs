//! TLS to one endpoint with the client certificate, in one file per concern: `config` (provider,
//! roots, identity, client configurations), `verify` (the server-certificate verifier and the
//! client-certificate resolver), `failure` (every failure named), `handshake` (the timed
//! connect, handshake and acceptance), `mtu` (a stalled handshake retried with small segments) and `request` (the HTTPS request over the connection).
//! Uses `model`, `net`, `pfx` and the round's resolver; no output, no engine, no lab.

mod config;
mod failure;
mod handshake;
mod mtu;
mod request;
mod verify;

pub(crate) use config::server_auth_config;
pub use config::{TlsContext, prepare};
pub use handshake::{blank_result, probe_endpoint, session};
