//! The one integration-test binary: probes against the lab, against real peers (chrony, unbound),
//! hostile input, the command line as a user runs it, and soaks.

mod support;

mod cli;
mod hostile;
mod lab_faults;
mod real_peers;
mod soak;
