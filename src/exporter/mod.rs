//! Prometheus for fleets of terminals: a minimal HTTP server for `/metrics` and `/probe`
//! ([`http`]), the node_exporter textfile written atomically ([`textfile`]), a soak's latest
//! round published as it is journalled ([`soak`]), and `serve`'s rounds on demand, one at a time
//! and no more often than asked ([`probe`]).
//!
//! Above `soak`, `round` and `output` (the metrics renderer, `output::metrics`): it wires them to
//! sockets and files, and decides nothing about a round. The command line starts it.

pub mod http;
pub mod probe;
pub mod soak;
pub mod textfile;
