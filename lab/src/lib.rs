//! The lab: a simulated OQS network on loopback (round-robin DNS, per-member NTP servers, TLS
//! servers for the OQS hosts and the distribution server that demand a client certificate from the
//! lab's own PKI, the distribution base's proxy and a WPAD/PAC server, all with adjustable
//! faults), a test instrument. A crate of its own (`oqs-net-lab`, re-exported by the product as
//! `oqs_net::lab`), so it cannot import the product's probes, model or output; probes never depend
//! on it.
//!
//! # Shape
//! - [`LabSpec`] is plain data (TOML-deserialisable): the DNS names and their answers, the NTP members
//!   and each one's behaviour, a fixed added latency, and the proxy settings of the terminal the
//!   lab stands beside ([`Terminal`]).
//! - [`Lab::start`] binds every socket before it returns, then serves until [`Lab::shutdown`] or drop.
//!   Servers read the live spec per packet, so [`Lab::update`] changes faults at runtime.
//! - [`scenario`] turns named fault files (`lab/scenarios/*.toml`, also built in) into edits of a
//!   healthy spec.
//! - [`schedule`] changes a running lab over time (flapping, a member dying, drifting clocks,
//!   round-robin membership, the terminal's proxy settings), from `lab/faults/*.toml` or
//!   a file.
//!
//! # Latency model
//! `latency_ms` is added to every reply without queueing (each delayed reply is its own task), the
//! proxy's answer to a CONNECT and the WPAD server's answers too. For NTP it is modelled as a symmetric network path: the receive timestamp is stamped half the latency
//! after arrival and the transmit timestamp half the latency before departure, so a client measures
//! a round-trip delay of about `latency_ms` and still sees the configured offset.
//!
//! # Files
//! - `spec`: the plain data a lab is made from ([`LabSpec`] and its parts).
//! - `running`: the running [`Lab`]: start, update, stats, shutdown.
//! - `wiring`: how the proxy and WPAD servers are started and pointed at one another.
//! - `stats`, `error`: the counters tests read, and why a lab could not start.
//! - `delay`: the added latency, held to a tenth of a millisecond by a thread of its own (tokio's
//!   timers would add 1–3 ms to every delayed reply).
//! - `dns`, `ntp`, [`tls`], [`proxy`], [`wpad`], [`pki`]: one server (or the PKI) each.

mod delay;
mod dns;
mod error;
mod line_page;
mod ntp;
pub mod pki;
pub mod proxy;
mod running;
pub mod scenario;
pub mod schedule;
mod shared;
mod spec;
mod stats;
pub mod tls;
mod wiring;
pub mod wpad;

pub use error::LabError;
pub use proxy::{LabProxy, ProxyFault};
pub use running::Lab;
pub use scenario::{Scenario, ScenarioError};
pub use spec::{
    ClientCertificate, LabMember, LabName, LabProxyConf, LabRcode, LabSpec, LabWpadConf,
    NtpBehaviour, ReplyShape, Terminal,
};
pub use stats::LabStats;
pub use tls::{LabTls, LinePage, TlsFault};
pub use wpad::{LabWpad, WpadFault};
