//! The one integration-test binary: probes against the lab, against real peers (chrony, unbound,
//! nginx), hostile input, the command line as a user runs it, PAC evaluation against pacparser, and
//! the OQS adapter in real network namespaces.

mod support;

/// Issue 11: `oqs-net accept` against the lab and on journals written by hand.
mod accept;
mod adapter;
/// Issue 10: `cert inspect` renderings.
mod cert_inspect;
mod cli;
/// Issue 15: one JSON envelope across commands, and the published schemas.
mod envelope;
/// Issue 13: the fuzz corpora replayed without a fuzzer.
mod fuzz_corpus;
/// Issue 15: examples and exit codes in every `--help`, completions, the man page.
mod help;
/// Issue 13: the hostile corpus (one table) and hostile rounds.
mod hostile;
/// Issue 12: the soak report as one HTML file, opened in headless Chromium.
mod html;
/// Issue 15: Japanese renderings are wholly Japanese.
mod japanese;
mod lab_faults;
/// Issue 11: the line's own checks (NGN line authentication, NGN DNS, the environment).
mod line;
/// Issue 12: Prometheus metrics, read by promtool and a real Prometheus server.
mod metrics;
mod netns;
/// Issue 11: `explain`, and the JUnit and Nagios formats read by their real consumers.
mod outputs;
mod pac;
/// Issue 16: path-MTU black holes, DNS over TCP blocked, one family filtered, in namespaces.
mod path_faults;
mod proxy;
/// Issue 15: README's example output is today's.
mod readme;
mod real_peers;
/// Issue 15: each round opens with the findings no other finding explains.
mod root_causes;
/// Issue 13: what each signal leaves behind.
#[cfg(target_os = "linux")]
mod signals;
/// Issue 6: soaks, the journal's crash safety, the report.
mod soak;
/// Issue 10: tables line up by display width in both languages.
mod tables;
mod tls;
/// Issue 14: the Windows terminal: `unsafe` confined, WPAD by DHCP.
mod windows;
