//! Why a lab could not start ([`LabError`]), with a stable label per kind and a hint for the usual
//! causes of a failed bind. Depends on nothing but the PKI's own error.

use std::io;
use std::net::{IpAddr, SocketAddr};

use crate::pki;

/// Why the lab could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
    /// A socket could not be bound.
    #[error("lab {service} server cannot bind {addr}: {source}{hint}", hint = bind_hint(.source))]
    Bind {
        service: &'static str,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    /// With `ntp_port = 0`, no port was free on every member address.
    #[error(
        "lab NTP servers found no port free on every member address after {attempts} attempts \
         (last conflict on {addr}: {source})"
    )]
    NoCommonPort {
        attempts: u32,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    /// Two members share one address.
    #[error("lab spec lists NTP member {ip} more than once; each member needs its own address")]
    DuplicateMember { ip: IpAddr },
    /// The PKI for the TLS servers could not be made.
    #[error("{0}")]
    Pki(#[from] pki::PkiError),
}

impl LabError {
    /// Stable short label for JSON, metrics and JUnit.
    pub fn as_label(&self) -> &'static str {
        match self {
            LabError::Bind { .. } => "lab_bind",
            LabError::NoCommonPort { .. } => "lab_no_common_port",
            LabError::DuplicateMember { .. } => "lab_duplicate_member",
            LabError::Pki(e) => e.as_label(),
        }
    }
}

fn bind_hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::AddrNotAvailable => {
            " (the address is not assigned to any local interface: Linux routes all of 127.0.0.0/8 \
             to lo, but an IPv6 address other than ::1 must first be added to an interface, and \
             ::1 itself is missing when IPv6 is disabled)"
        }
        io::ErrorKind::PermissionDenied => {
            " (ports below 1024 need privileges; use port 0 to pick a free one)"
        }
        io::ErrorKind::AddrInUse => " (another socket already uses this address and port)",
        _ => "",
    }
}
