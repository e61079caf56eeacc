//! The one integration-test binary: probes against the lab, against real peers (chrony, unbound,
//! nginx),
//! hostile input, and the command line as a user runs it.

mod support;

mod cli;
mod hostile;
mod lab_faults;
mod real_peers;
mod tls;
