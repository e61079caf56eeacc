//! The one integration-test binary: probes against the lab, against real peers (chrony, unbound,
//! nginx), hostile input, the command line as a user runs it, and PAC evaluation against pacparser.

mod support;

mod cli;
mod hostile;
mod lab_faults;
mod pac;
mod proxy;
mod real_peers;
mod tls;
