//! What a PAC script may learn from outside its sandbox, each behind a seam so tests are exact:
//! name resolution ([`PacResolver`]), the time ([`PacClock`]), and this machine's addresses. Also the
//! address-literal rules that decide when no lookup is needed. No JavaScript here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

/// Name resolution for `dnsResolve`, `dnsResolveEx`, `isResolvable`, `isInNet`. Called from inside
/// the script, which cannot be interrupted while the call blocks: an implementation must return
/// within its own timeout.
pub trait PacResolver {
    /// The addresses of `name` in the resolver's order, or why there are none.
    fn lookup(&self, name: &str) -> Result<Vec<IpAddr>, String>;
}

/// A fixed table: the only resolver tests use, and `--resolve NAME=IP` on the command line.
/// Names not in the table do not resolve. Names compare case-insensitively.
#[derive(Clone, Debug, Default)]
pub struct FixedResolver {
    entries: Vec<(String, IpAddr)>,
}

impl FixedResolver {
    pub fn new() -> FixedResolver {
        FixedResolver::default()
    }

    pub fn with(mut self, name: &str, ip: IpAddr) -> FixedResolver {
        self.insert(name, ip);
        self
    }

    pub fn insert(&mut self, name: &str, ip: IpAddr) {
        self.entries.push((name.to_ascii_lowercase(), ip));
    }

    pub fn get(&self, name: &str) -> Vec<IpAddr> {
        let name = name.to_ascii_lowercase();
        self.entries
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, ip)| *ip)
            .collect()
    }
}

impl PacResolver for FixedResolver {
    fn lookup(&self, name: &str) -> Result<Vec<IpAddr>, String> {
        let found = self.get(name);
        if found.is_empty() {
            Err("not in the fixed table".into())
        } else {
            Ok(found)
        }
    }
}

/// The operating system's resolver (hosts file included, as the terminal's own PAC engine uses
/// it), each lookup on a thread of its own so that a stuck lookup is abandoned after `timeout`.
/// Entries of `overrides` answer first and never reach the system.
#[derive(Clone, Debug)]
pub struct SystemResolver {
    pub timeout: Duration,
    pub overrides: FixedResolver,
}

impl PacResolver for SystemResolver {
    fn lookup(&self, name: &str) -> Result<Vec<IpAddr>, String> {
        let fixed = self.overrides.get(name);
        if !fixed.is_empty() {
            return Ok(fixed);
        }
        let (tx, rx) = mpsc::channel();
        let query = format!("{name}:0");
        std::thread::Builder::new()
            .name("pac-dns".into())
            .spawn(move || {
                let r = query
                    .to_socket_addrs()
                    .map(|it| it.map(|sa| sa.ip()).collect::<Vec<_>>());
                let _ = tx.send(r);
            })
            .map_err(|e| format!("cannot start a lookup: {e}"))?;
        match rx.recv_timeout(self.timeout) {
            Ok(Ok(ips)) if !ips.is_empty() => Ok(dedup(ips)),
            Ok(Ok(_)) => Err("no address".into()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {} ms", self.timeout.as_millis())),
        }
    }
}

fn dedup(ips: Vec<IpAddr>) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::with_capacity(ips.len());
    for ip in ips {
        if !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

/// An instant and the local UTC offset in force then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacTime {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub unix_ms: i64,
    /// Local time minus UTC, in seconds (+32400 in Japan).
    pub utc_offset_s: i32,
}

/// The clock that `weekdayRange`, `dateRange`, `timeRange` and a script's `new Date()` read.
pub trait PacClock {
    fn now(&self) -> PacTime;
}

/// Always the same instant: for tests, and for asking "what would this PAC say on Monday 09:00".
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub PacTime);

impl PacClock for FixedClock {
    fn now(&self) -> PacTime {
        self.0
    }
}

/// This machine's clock and time zone.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl PacClock for SystemClock {
    fn now(&self) -> PacTime {
        let now = jiff::Timestamp::now();
        PacTime {
            unix_ms: now.as_millisecond(),
            utc_offset_s: jiff::tz::TimeZone::system().to_offset(now).seconds(),
        }
    }
}

/// An IPv4 literal the way `getaddrinfo` (and Windows' `inet_addr`) reads one: one to four parts,
/// each decimal, octal (`010`) or hex (`0x0a`), the last part filling the remaining bytes. No
/// spaces, no trailing dot. `10.1.2` is 10.1.0.2; `010.0.0.1` is 8.0.0.1.
pub fn ipv4_literal(s: &str) -> Option<Ipv4Addr> {
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let mut parts = [0u64; 4];
    let mut n = 0;
    for part in s.split('.') {
        if n == 4 {
            return None;
        }
        parts[n] = number(part)?;
        n += 1;
    }
    let (head, last) = (&parts[..n - 1], parts[n - 1]);
    if head.iter().any(|&p| p > 255) || last >= 1u64 << (8 * (5 - n)) {
        return None;
    }
    let mut v: u64 = last;
    for (i, &p) in head.iter().enumerate() {
        v |= p << (24 - 8 * i);
    }
    Some(Ipv4Addr::from(v as u32))
}

fn number(part: &str) -> Option<u64> {
    let (digits, radix) =
        if let Some(h) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (h, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() || digits.len() > 32 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Long runs of leading zeros are allowed; the value still has to fit.
    let trimmed = digits.trim_start_matches('0');
    if trimmed.len() > 11 {
        return None;
    }
    if trimmed.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(trimmed, radix).ok()
}

/// An IPv6 literal (without brackets).
pub fn ipv6_literal(s: &str) -> Option<Ipv6Addr> {
    if s.len() > 64 {
        return None;
    }
    s.parse().ok()
}

/// Whether `name` may be handed to a resolver at all: a plausible DNS name, not hostile text.
pub fn resolvable_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_literals_as_getaddrinfo_reads_them() {
        // Each pair checked against glibc getaddrinfo(AI_NUMERICHOST) on Debian 12.
        let cases = [
            ("010.1.2.3", Some("8.1.2.3")),
            ("10.1.2", Some("10.1.0.2")),
            ("10", Some("0.0.0.10")),
            ("4294967295", Some("255.255.255.255")),
            ("4294967296", None),
            ("0x0a.1.2.3", Some("10.1.2.3")),
            ("0x.1.2.3", None),
            ("08.1.2.3", None),
            ("1.2.3.4.", None),
            ("1..2.3", None),
            (" 1.2.3.4", None),
            ("1.2.3.4 ", None),
            ("1.2.3.256", None),
            ("1.2.65535", Some("1.2.255.255")),
            ("0xffffffff", Some("255.255.255.255")),
            ("1.2.3.4x", None),
            ("0X1.2.3.4", Some("1.2.3.4")),
            ("00000000001.2.3.4", Some("1.2.3.4")),
            ("", None),
            ("1.2.3.4.5", None),
        ];
        for (s, want) in cases {
            assert_eq!(
                ipv4_literal(s).map(|a| a.to_string()).as_deref(),
                want,
                "{s:?}"
            );
        }
    }

    #[test]
    fn fixed_resolver_is_case_insensitive_and_ordered() {
        let r = FixedResolver::new()
            .with("A.example", "10.0.0.1".parse().unwrap())
            .with("a.example", "2001:db8::1".parse().unwrap());
        assert_eq!(r.lookup("a.EXAMPLE").unwrap().len(), 2);
        assert!(r.lookup("b.example").is_err());
    }

    #[test]
    fn hostile_names_never_reach_a_resolver() {
        assert!(resolvable_name("pweb.base.oqs-pdl.org"));
        for bad in ["", "a b", "a\0b", "a/b", &"a".repeat(300), "例え.jp"] {
            assert!(!resolvable_name(bad), "{bad:?}");
        }
    }
}
