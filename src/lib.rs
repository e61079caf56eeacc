//! # oqs-net
//!
//! Tells whether an Online Qualification Confirmation (オンライン資格確認) terminal's network path
//! works, and which section of the troubleshooting guide (補N) fixes it when it does not.
//!
//! # Layout
//! Dependencies point down this list, never up:
//! - [`model`]: plain data (profiles, measurements, findings, the round report). No I/O.
//! - [`findings`]: the catalogue of finding codes with Japanese and English text and 補N, and beside
//!   it (`findings::causes`) which finding explains which, for the root causes a round opens with.
//! - [`profile`]: `targets/*.toml` into a checked [`model::Profile`], with file:line errors.
//! - [`platform`]: the only module with `cfg(target_os)`: device binding, the adapter inventory,
//!   locale, namespaces.
//! - [`net`]: sockets and resolvers made the way the plan says (source, device, family,
//!   nameservers), the resolver's own sockets included.
//! - [`probe`]: one module per protocol (dns, ntp, tls, pac, proxy, tcp, ipv6; pfx reads the
//!   client identity): spec in, raw measurements out. No output.
//! - [`engine`]: runs a round's probes concurrently with bounds, deadlines and cancellation.
//! - [`judge`]: measurements into checks with statuses and findings, by the guide's rules, and the
//!   round's root causes.
//! - [`soak`]: rounds over time, the crash-safe journal, flap detection, the soak report. Reads
//!   `model` only; rounds reach it through a trait.
//! - [`output`]: renderers (human, JSON) reading `model` and `findings` only. No sockets.
//! - [`lab`]: a simulated OQS network on loopback (DNS, NTP, TLS servers and their PKI, the
//!   proxy, a WPAD/PAC server) for tests and `oqs-net lab`. A crate of its own (`lab/`,
//!   `oqs-net-lab`) re-exported here, so the compiler keeps it free of probes.
//! - [`round`]: one round planned from a profile and the round's settings, the same for every
//!   command, test and benchmark; the bridge to the lab; the rounds a soak runs.
//! - [`exporter`]: Prometheus: the `/metrics` and `/probe` server, the textfile, a soak's and
//!   `serve`'s rounds published as metrics (rendered by `output::metrics`).
//! - [`cli`]: the flags of every command into settings, and dispatch. Nothing else.

pub mod cli;
pub mod engine;
pub mod exporter;
pub mod findings;
#[doc(hidden)]
pub mod fuzzing;
pub mod judge;
pub mod model;
pub mod net;
pub mod output;
pub mod platform;
pub mod probe;
pub mod profile;
pub mod round;
pub mod soak;

/// The lab crate, under the name the product has always used (`crate::lab::…`, `oqs_net::lab::…`).
pub use oqs_net_lab as lab;
