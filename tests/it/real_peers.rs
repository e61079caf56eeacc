//! Probes against real servers, not the lab: chronyd for NTP, unbound for DNS, dig as the referee.
//! Each test starts its own daemon in a fresh temporary directory on a free loopback port and kills
//! it when the test ends, pass or fail. The binaries come from Debian's chrony, unbound and dnsutils
//! packages; `scripts/test` installs them. A missing binary fails the test: it never passes
//! silently.

use crate::support::{codes, round_with};
use oqs_net::model::{
    CheckData, CheckKind, Code, DnsFailure, DnsNameResult, Family, NameRole, NtpSampleError,
    NtpSampleOutcome, Status,
};
use oqs_net::net::NetOptions;
use oqs_net::probe::dns::{DnsSpec, probe_name};
use oqs_net::probe::ntp::{NtpSpec, probe_server};
use std::collections::BTreeSet;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// How long a daemon may take to answer its first request.
const READY_WITHIN: Duration = Duration::from_secs(10);
/// Ports tried before giving up (another process may take a free port before the daemon does).
const PORT_ATTEMPTS: usize = 5;

// ---------------------------------------------------------------------------------------------
// Finding binaries and running daemons
// ---------------------------------------------------------------------------------------------

/// The path of `name` on PATH or in the sbin directories (which a non-root PATH often lacks).
/// Panics, naming the fix, when it is not installed.
fn require(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let sbin = ["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from);
    std::env::split_paths(&path)
        .chain(sbin)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` is not installed (Debian package `{package}`): these tests need the \
                 real server. Run `scripts/test`, which installs chrony, unbound and dnsutils \
                 and then runs the tests."
            )
        })
}

/// A port on 127.0.0.1 that was free a moment ago: bind port 0, read it, let it go.
fn free_udp_port() -> u16 {
    let s = UdpSocket::bind((LOCALHOST, 0)).expect("bind a loopback UDP socket");
    s.local_addr().expect("local address").port()
}

/// Whether this process runs as root: the owner of a file it just created.
fn running_as_root(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = dir.join(".owner");
    std::fs::write(&probe, b"").expect("write in the temporary directory");
    let uid = std::fs::metadata(&probe).expect("stat").uid();
    let _ = std::fs::remove_file(&probe);
    uid == 0
}

/// A daemon started for one test. Dropping it kills and reaps the process, then removes its
/// directory (fields drop after `drop` runs).
struct Daemon {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
    /// Kept for its configuration and log; removed after the process is gone.
    _dir: TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn log_text(&self) -> String {
        read_log(&self.log)
    }
}

fn read_log(path: &Path) -> String {
    let mut s = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut s);
    }
    s
}

/// Starts a daemon on a free port and waits until `ready` sees it answer. `setup` writes the
/// configuration for a port into the directory and returns the command to run. A daemon that
/// exits early (port taken meanwhile) is retried on another port.
fn start_daemon(
    what: &str,
    setup: &dyn Fn(&Path, u16) -> Command,
    ready: &dyn Fn(SocketAddr) -> bool,
) -> Daemon {
    let mut failures = Vec::new();
    for _ in 0..PORT_ATTEMPTS {
        let addr = SocketAddr::new(LOCALHOST, free_udp_port());
        match start_daemon_at(what, addr, setup, ready) {
            Ok(d) => return d,
            Err(e) => failures.push(e),
        }
    }
    panic!(
        "{what} did not start on any of {PORT_ATTEMPTS} ports:\n{}",
        failures.join("\n")
    );
}

/// One attempt of [`start_daemon`] on `addr` (its port given to `setup`): the daemon, or why it
/// did not come up.
fn start_daemon_at(
    what: &str,
    addr: SocketAddr,
    setup: &dyn Fn(&Path, u16) -> Command,
    ready: &dyn Fn(SocketAddr) -> bool,
) -> Result<Daemon, String> {
    let port = addr.port();
    {
        let dir = tempfile::Builder::new()
            .prefix(&format!("oqs-net-{what}-"))
            .tempdir()
            .expect("temporary directory");
        let log = dir.path().join(format!("{what}.log"));
        let logfile = std::fs::File::create(&log).expect("create the log file");
        let mut cmd = setup(dir.path(), port);
        cmd.stdin(Stdio::null())
            .stdout(logfile.try_clone().expect("clone the log file"))
            .stderr(logfile);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what} ({cmd:?}): {e}"));
        let mut d = Daemon {
            child,
            addr,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(Some(status)) = d.child.try_wait() {
                return Err(format!(
                    "port {port}: {what} exited with {status}:\n{}",
                    d.log_text()
                ));
            }
            if ready(addr) {
                return Ok(d);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "port {port}: {what} did not answer within {READY_WITHIN:?}:\n{}",
                    d.log_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// chronyd
// ---------------------------------------------------------------------------------------------

/// chronyd serving its own clock as a local reference. `-x` keeps it off the system clock, `-d`
/// keeps it in the foreground logging to stderr. `extra` adds configuration lines.
fn start_chrony(extra: &str) -> Daemon {
    start_chrony_with("local stratum 8", extra)
}

/// chronyd with `source` as its time source line: `local stratum 8`, or nothing (an
/// unsynchronised server, as one that lost its upstream is).
fn start_chrony_with(source: &str, extra: &str) -> Daemon {
    let setup = |dir: &Path, port: u16| chrony_command(dir, LOCALHOST, port, source, extra);
    start_daemon("chronyd", &setup, &ntp_answers)
}

/// chronyd's command and configuration (written into `dir`) to serve NTP on `ip`, `port`.
fn chrony_command(dir: &Path, ip: IpAddr, port: u16, source: &str, extra: &str) -> Command {
    let chronyd = require("chronyd", "chrony");
    {
        let d = dir.display();
        let conf = dir.join("chrony.conf");
        std::fs::write(
            &conf,
            format!(
                "{source}\n\
                 allow 127.0.0.0/8\n\
                 bindaddress {ip}\n\
                 port {port}\n\
                 # no command port, and no Unix command socket in /run shared between instances\n\
                 cmdport 0\n\
                 bindcmdaddress /\n\
                 pidfile {d}/chronyd.pid\n\
                 driftfile {d}/drift\n\
                 {extra}\n"
            ),
        )
        .expect("write chrony.conf");
        let mut cmd = Command::new(&chronyd);
        cmd.arg("-d").arg("-x");
        // As root chronyd drops to `_chrony`, which could not write into our 0700 directory; as
        // anyone else it refuses to start unless told not to check (-U).
        if running_as_root(dir) {
            cmd.args(["-u", "root"]);
        } else {
            cmd.arg("-U");
        }
        cmd.arg("-f").arg(&conf);
        cmd
    }
}

/// Whether an SNTP client request to `addr` gets a 48-byte server reply within 200 ms.
fn ntp_answers(addr: SocketAddr) -> bool {
    let Ok(s) = UdpSocket::bind((LOCALHOST, 0)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut req = [0u8; 48];
    req[0] = 0b00_100_011; // LI 0, version 4, mode 3 (client)
    req[40] = 0xe0; // some non-zero transmit timestamp
    if s.send_to(&req, addr).is_err() {
        return false;
    }
    let mut buf = [0u8; 512];
    matches!(s.recv_from(&mut buf), Ok((n, from)) if n >= 48 && from == addr && buf[0] & 7 == 4)
}

fn spec(samples: u32, interval_ms: u64, timeout_ms: u64) -> NtpSpec {
    NtpSpec {
        samples,
        interval: Duration::from_millis(interval_ms),
        timeout: Duration::from_millis(timeout_ms),
    }
}

#[tokio::test]
async fn chrony_local_reference_gives_four_readings() {
    let chrony = start_chrony("");
    let samples = probe_server(&NetOptions::default(), chrony.addr, &spec(4, 250, 1000)).await;
    assert_eq!(samples.len(), 4, "{samples:#?}\n{}", chrony.log_text());
    let readings: Vec<_> = samples
        .iter()
        .map(|s| match &s.outcome {
            NtpSampleOutcome::Reading(r) => r.clone(),
            NtpSampleOutcome::Error(e) => {
                panic!("chronyd gave no time: {e:?}\n{}", chrony.log_text())
            }
        })
        .collect();
    for r in &readings {
        // chronyd reports the configured `local stratum` itself (8), not one more: in local
        // reference mode it *is* the reference at that stratum (REF_GetReferenceParams hands out
        // local_stratum), unlike a server synchronised to a stratum-n source, which sends n+1.
        // Seen on the wire from chrony 4.3 (Debian 12): stratum 8, LI 0, ref id 127.127.1.1.
        assert_eq!(r.stratum, 8, "{r:?}");
        assert_eq!(r.leap, 0, "{r:?}");
        assert_eq!(r.ref_id, "127.127.1.1", "{r:?}");
        assert!(r.delay_ms >= 0.0, "{r:?}");
        assert_eq!(r.error_bound_ms, r.delay_ms / 2.0, "{r:?}");
    }
    // The minimum-delay reading, as the judge keeps. chronyd serves this very clock.
    let best = readings
        .iter()
        .min_by(|a, b| a.delay_ms.total_cmp(&b.delay_ms))
        .expect("four readings");
    eprintln!("chronyd best reading: {best:?}");
    assert!(best.offset_ms.abs() < 50.0, "{best:?}");
    // Paced as asked: the fourth request leaves about 750 ms after the first.
    let last = samples[3].sent_at_ms;
    assert!((700.0..1500.0).contains(&last), "sent at {last} ms");
}

/// chrony 4.3 (Debian 12) cannot send a RATE kiss-o'-death: its `ratelimit` directive has no
/// `kod` option (a later release added it; 4.3 stops with "Could not parse ratelimit directive"
/// on `ratelimit interval 1 burst 1 kod 1`). It drops the
/// responses over the limit instead, letting one through at random once per 2^leak requests. So
/// this test checks what a real rate-limited chrony does to our probe: the first sample is
/// answered, later ones time out, nothing is mistaken for a kiss-o'-death, and the probe keeps
/// sampling (it stops early only on a KoD). The RATE KoD itself is covered by the lab
/// (`kod-rate` scenario).
#[tokio::test]
async fn rate_limited_chrony_drops_samples_without_kod() {
    // A burst of two, then one response per 8 s (interval 3 = 2^3 s); leak 4: one excess request
    // in 16 answered at random. The readiness check spends one of the burst, the probe's first
    // sample the other; five more make "no drop at all" a 1-in-16^5 event. (No waiting for the
    // bucket to refill: chronyd stops limiting a client whose request rate rises while it gets
    // no replies, which a long pause before the paced samples would look like.)
    let chrony = start_chrony("ratelimit interval 3 burst 2 leak 4");
    let samples = probe_server(&NetOptions::default(), chrony.addr, &spec(6, 150, 400)).await;
    let log = chrony.log_text();
    assert_eq!(samples.len(), 6, "stopped early: {samples:#?}\n{log}");
    assert!(
        matches!(samples[0].outcome, NtpSampleOutcome::Reading(_)),
        "first sample within the burst: {:#?}\n{log}",
        samples[0]
    );
    let mut timeouts = 0;
    for s in &samples[1..] {
        match &s.outcome {
            NtpSampleOutcome::Reading(r) => assert_eq!(r.stratum, 8, "{r:?}"),
            NtpSampleOutcome::Error(NtpSampleError::Timeout) => timeouts += 1,
            NtpSampleOutcome::Error(e) => panic!("a dropped reply is a timeout, got {e:?}"),
        }
    }
    eprintln!("rate-limited chronyd: {timeouts} of 5 samples after the burst timed out");
    assert!(timeouts >= 1, "chronyd dropped nothing: {samples:#?}");
}

// ---------------------------------------------------------------------------------------------
// unbound
// ---------------------------------------------------------------------------------------------

/// unbound answering `local-data` records from a static `oqs.test.` zone, rotating RRsets.
fn start_unbound(records: &[&str]) -> Daemon {
    start_unbound_with("allow", records)
}

/// [`start_unbound`] with `access` as the access-control action for 127.0.0.0/8 (`allow`,
/// `refuse`: a client the server does not serve).
fn start_unbound_with(access: &str, records: &[&str]) -> Daemon {
    let unbound = require("unbound", "unbound");
    let setup = |dir: &Path, port: u16| {
        let d = dir.display();
        let data: String = records
            .iter()
            .map(|r| format!("    local-data: \"{r}\"\n"))
            .collect();
        let conf = dir.join("unbound.conf");
        std::fs::write(
            &conf,
            format!(
                "server:\n\
                 \x20   interface: 127.0.0.1\n\
                 \x20   port: {port}\n\
                 \x20   do-ip6: no\n\
                 \x20   access-control: 127.0.0.0/8 {access}\n\
                 \x20   username: \"\"\n\
                 \x20   chroot: \"\"\n\
                 \x20   directory: \"{d}\"\n\
                 \x20   pidfile: \"{d}/unbound.pid\"\n\
                 \x20   use-syslog: no\n\
                 \x20   logfile: \"\"\n\
                 \x20   verbosity: 0\n\
                 \x20   num-threads: 1\n\
                 \x20   do-not-query-localhost: no\n\
                 \x20   rrset-roundrobin: yes\n\
                 \x20   local-zone: \"oqs.test.\" static\n\
                 {data}\
                 remote-control:\n\
                 \x20   control-enable: no\n"
            ),
        )
        .expect("write unbound.conf");
        let mut cmd = Command::new(&unbound);
        cmd.arg("-d").arg("-c").arg(&conf);
        cmd
    };
    start_daemon("unbound", &setup, &dns_answers)
}

/// Whether a DNS query (`oqs.test. SOA`) to `addr` gets any response within 200 ms.
fn dns_answers(addr: SocketAddr) -> bool {
    let Ok(s) = UdpSocket::bind((LOCALHOST, 0)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut q = vec![0x4f, 0x51, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["oqs", "test"] {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 6, 0, 1]); // root, type SOA, class IN
    if s.send_to(&q, addr).is_err() {
        return false;
    }
    let mut buf = [0u8; 512];
    matches!(s.recv_from(&mut buf), Ok((n, from)) if n >= 12 && from == addr && buf[..2] == q[..2])
}

/// Runs dig against `server` and returns its stdout, failing the test if dig is missing or fails.
fn dig(server: SocketAddr, args: &[&str]) -> String {
    let dig = require("dig", "dnsutils");
    let out = Command::new(dig)
        .arg(format!("@{}", server.ip()))
        .args(["-p", &server.port().to_string(), "+tries=1", "+time=2"])
        .args(args)
        .output()
        .expect("run dig");
    assert!(out.status.success(), "dig {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("dig prints UTF-8")
}

/// The addresses dig prints with `+short`, in answer order.
fn dig_short(server: SocketAddr, name: &str, rtype: &str) -> Vec<IpAddr> {
    dig(server, &["+short", name, rtype])
        .lines()
        .map(|l| l.trim().parse().expect("an address line"))
        .collect()
}

/// The TTL column of dig's answer section.
fn dig_ttls(server: SocketAddr, name: &str, rtype: &str) -> BTreeSet<u32> {
    dig(server, &["+noall", "+answer", name, rtype])
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| panic!("no TTL in dig line `{l}`"))
        })
        .collect()
}

/// dig's response code (`status: NXDOMAIN`).
fn dig_status(server: SocketAddr, name: &str, rtype: &str) -> String {
    let out = dig(server, &["+noall", "+comments", name, rtype]);
    out.split("status: ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap_or_else(|| panic!("no status in dig output:\n{out}"))
        .to_string()
}

const RR_A: [&str; 4] = ["127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24"];
const RR_AAAA: [&str; 4] = [
    "2001:db8::21",
    "2001:db8::22",
    "2001:db8::23",
    "2001:db8::24",
];

/// The round-robin name with four A and four AAAA records (documentation and unused loopback
/// addresses: only DNS data, nothing is sent to them), a fallback name, an IPv4-only name.
fn zone() -> Vec<String> {
    let mut z: Vec<String> = Vec::new();
    z.extend(RR_A.iter().map(|a| format!("ntp.oqs.test. 300 IN A {a}")));
    z.extend(
        RR_AAAA
            .iter()
            .map(|a| format!("ntp.oqs.test. 300 IN AAAA {a}")),
    );
    z.push("ntp1.oqs.test. 300 IN A 127.0.0.21".into());
    z.push("ntp1.oqs.test. 300 IN AAAA 2001:db8::21".into());
    z.push("v4only.oqs.test. 300 IN A 127.0.0.25".into());
    z
}

async fn probe(server: SocketAddr, name: &str, queries: u32) -> DnsNameResult {
    let timeout = Duration::from_secs(2);
    let net = NetOptions {
        resolvers: vec![server],
        ..NetOptions::default()
    };
    let resolver = net.resolver(timeout).expect("resolver for the test server");
    let spec = DnsSpec {
        name: name.into(),
        role: NameRole::RoundRobin,
        queries,
        timeout,
    };
    probe_name(&resolver, &spec, &|_| {}).await
}

fn set(ips: impl IntoIterator<Item = IpAddr>) -> BTreeSet<IpAddr> {
    ips.into_iter().collect()
}

#[tokio::test]
async fn unbound_round_robin_matches_dig() {
    let z = zone();
    let records: Vec<&str> = z.iter().map(String::as_str).collect();
    let unbound = start_unbound(&records);
    let server = unbound.addr;
    let r = probe(server, "ntp.oqs.test", 8).await;
    let log = unbound.log_text();

    for (family, rtype, expected) in [(Family::Ipv4, "A", &RR_A), (Family::Ipv6, "AAAA", &RR_AAAA)]
    {
        let l = r.lookup(family).expect("both families are looked up");
        assert_eq!(l.queries.len(), 8);
        assert!(
            l.queries.iter().all(|q| q.failure.is_none()),
            "{rtype}: {l:#?}\n{log}"
        );
        // Our set against dig's, and both against the zone.
        let digs = set(dig_short(server, "ntp.oqs.test", rtype));
        let ours = set(l.set());
        assert_eq!(ours, digs, "{rtype}");
        assert_eq!(ours, set(expected.iter().map(|a| a.parse().unwrap())));
        // Every answer carries every member (unbound rotates, never trims).
        assert!(l.queries.iter().all(|q| q.answers.len() == 4), "{l:#?}");
        // TTLs as dig reads them (local-data is served with its own TTL, never counted down).
        let ttls = dig_ttls(server, "ntp.oqs.test", rtype);
        assert_eq!(ttls.len(), 1, "dig saw several TTLs: {ttls:?}");
        let ttl = *ttls.first().unwrap();
        assert_eq!(l.ttl_range(), Some((ttl, ttl)), "{rtype}");

        // Does unbound rotate? Ask dig a dozen times and compare the orders. (With
        // rrset-roundrobin unbound starts the RRset at an offset taken from the query id, which
        // dig and hickory both randomise: 12 identical orders would be a 1-in-4^11 event.)
        let orders: Vec<Vec<IpAddr>> = (0..12)
            .map(|_| dig_short(server, "ntp.oqs.test", rtype))
            .collect();
        let dig_rotates = orders.windows(2).any(|w| w[0] != w[1]);
        let firsts: Vec<IpAddr> = orders.iter().map(|o| o[0]).collect();
        eprintln!(
            "{rtype}: dig first answers {firsts:?}; ours {:?}",
            l.first_picks()
        );
        assert!(
            dig_rotates,
            "{rtype}: unbound did not rotate for dig: {orders:?}"
        );
        assert_eq!(l.rotates(), Some(dig_rotates), "{rtype}: {l:#?}");
    }
}

/// unbound starts each answer at a member picked from the query's id, not at the next one, so two
/// answers of two members come in one order half the time. That is no `dns.no_rotation` (it was,
/// in half of such rounds); a fixed order that chance would rarely give is (the lab's
/// `no-rotation` scenario, 8 queries over 4 members, in the lab tests).
#[tokio::test]
async fn unbound_giving_one_order_by_chance_is_not_called_fixed() {
    let unbound = start_unbound(&[
        "ntp.oqs.test. 300 IN A 127.0.0.21",
        "ntp.oqs.test. 300 IN A 127.0.0.22",
    ]);
    let profile = oqs_net::profile::shipped("ipsec-production").unwrap();
    let mut by_chance = 0;
    for _ in 0..20 {
        let r = probe(unbound.addr, "ntp.oqs.test", 2).await;
        let l = r.lookup(Family::Ipv4).unwrap();
        assert_eq!(l.set().len(), 2, "{l:#?}");
        by_chance += usize::from(l.rotates() == Some(false));
        let m = crate::support::dns_only(r);
        let round = oqs_net::judge::judge(&profile, &m);
        assert!(
            !codes(&round).contains(&Code::DnsNoRotation),
            "{:#?}",
            round.checks
        );
    }
    // The premise: unbound did answer in one order by chance (never in 20 tries: once in 10^6).
    assert!(by_chance > 0, "unbound rotated every time");
}

#[tokio::test]
async fn unbound_negative_answers_are_named() {
    let z = zone();
    let records: Vec<&str> = z.iter().map(String::as_str).collect();
    let unbound = start_unbound(&records);
    let server = unbound.addr;

    // A name under the static zone with no data at all: NXDOMAIN, for both record types.
    assert_eq!(dig_status(server, "nope.oqs.test", "A"), "NXDOMAIN");
    let r = probe(server, "nope.oqs.test", 2).await;
    for family in [Family::Ipv4, Family::Ipv6] {
        let l = r.lookup(family).unwrap();
        assert_eq!(l.failure(), Some(DnsFailure::NxDomain), "{l:#?}");
        assert!(
            l.queries
                .iter()
                .all(|q| q.failure == Some(DnsFailure::NxDomain)),
            "{l:#?}"
        );
    }

    // A name with an A record only: its A answers, its AAAA is NOERROR with no data.
    assert_eq!(dig_status(server, "v4only.oqs.test", "AAAA"), "NOERROR");
    assert!(dig_short(server, "v4only.oqs.test", "AAAA").is_empty());
    let r = probe(server, "v4only.oqs.test", 2).await;
    let a = r.lookup(Family::Ipv4).unwrap();
    assert_eq!(a.failure(), None, "{a:#?}");
    assert_eq!(a.set(), dig_short(server, "v4only.oqs.test", "A"));
    let aaaa = r.lookup(Family::Ipv6).unwrap();
    assert_eq!(aaaa.failure(), Some(DnsFailure::NoData), "{aaaa:#?}");
    assert!(
        aaaa.queries
            .iter()
            .all(|q| q.failure == Some(DnsFailure::NoData)),
        "{aaaa:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// A whole round: unbound for the names, chronyd for the one live member
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn full_round_against_unbound_and_chrony() {
    let chrony = start_chrony("");
    let port = chrony.addr.port();
    // The round-robin set: chronyd's address and one where nothing listens (an unused loopback
    // address, so the kernel refuses at once). The fallback is chronyd, inside the set.
    let unbound = start_unbound(&[
        "ntp.oqs.test. 300 IN A 127.0.0.1",
        "ntp.oqs.test. 300 IN A 127.0.0.22",
        "ntp1.oqs.test. 300 IN A 127.0.0.1",
    ]);
    let text = format!(
        "base = \"ipsec-production\"\n\
         name = \"real-peers\"\n\
         \n\
         [dns]\n\
         round_robin = \"ntp.oqs.test:{port}\"\n\
         fallbacks = [\"ntp1.oqs.test:{port}\"]\n\
         remove_fallbacks = [\"ntp1v4.base.oqs-pdl.org\", \"ntp2v4.base.oqs-pdl.org\"]\n"
    );
    let profile = oqs_net::profile::parse(&text, "test").unwrap_or_else(|e| panic!("{e}"));
    let (m, round) = round_with(&profile, vec![unbound.addr]).await;
    let ctx = || {
        format!(
            "{:#?}\nchronyd:\n{}\nunbound:\n{}",
            round.checks,
            chrony.log_text(),
            unbound.log_text()
        )
    };
    assert!(m.cut_off.is_empty(), "{:?}\n{}", m.cut_off, ctx());
    assert!(m.resolver_error.is_none(), "{:?}", m.resolver_error);

    // The dead member, and only it, is named.
    let dead: Vec<&str> = round
        .findings()
        .filter(|(_, f)| f.code == Code::DnsMemberNoNtp)
        .filter_map(|(_, f)| f.value("member"))
        .collect();
    assert_eq!(dead, ["127.0.0.22"], "{}", ctx());
    let c = codes(&round);
    assert!(!c.contains(&Code::DnsFallbackOutsideSet), "{}", ctx());
    assert!(!c.contains(&Code::DnsNoRotation), "{}", ctx());

    // chronyd's check passes with four readings at its stratum.
    let live = SocketAddr::new(LOCALHOST, port).to_string();
    let check = round
        .checks
        .iter()
        .find(|c| c.kind == CheckKind::Ntp && c.target == live)
        .unwrap_or_else(|| panic!("no NTP check for {live}\n{}", ctx()));
    assert_eq!(check.status, Status::Pass, "{}", ctx());
    assert!(check.findings.is_empty(), "{}", ctx());
    let CheckData::Ntp(result) = &check.data else {
        panic!("NTP check without NTP data: {check:#?}");
    };
    assert_eq!(result.readings().count(), 4, "{result:#?}");
    assert_eq!(result.best().map(|b| b.stratum), Some(8));
    let names: BTreeSet<&str> = result.names.iter().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from(["ntp.oqs.test", "ntp1.oqs.test"]),
        "{result:#?}"
    );

    // The dead member's check fails: the port is closed, so the kernel refuses.
    let gone = format!("127.0.0.22:{port}");
    let check = round
        .checks
        .iter()
        .find(|c| c.kind == CheckKind::Ntp && c.target == gone)
        .unwrap_or_else(|| panic!("no NTP check for {gone}\n{}", ctx()));
    assert_eq!(check.status, Status::Fail, "{}", ctx());
    assert!(
        check
            .findings
            .iter()
            .any(|f| f.code == Code::NtpRefused || f.code == Code::NtpNoReply),
        "{}",
        ctx()
    );
    assert_eq!(round.status, Status::Fail);
}

// ---------------------------------------------------------------------------------------------
// Issue 13: what real servers send that the lab did not
// ---------------------------------------------------------------------------------------------

/// The NTP round-robin name on unbound, pointing at chronyd's port on 127.0.0.1: a profile whose
/// only member and fallback is `ntp_port`.
fn one_member_profile(ntp_port: u16) -> oqs_net::model::Profile {
    let text = format!(
        "base = \"ipsec-production\"\n\
         name = \"real-peers\"\n\
         \n\
         [dns]\n\
         round_robin = \"ntp.oqs.test:{ntp_port}\"\n\
         fallbacks = [\"ntp1.oqs.test:{ntp_port}\"]\n\
         remove_fallbacks = [\"ntp1v4.base.oqs-pdl.org\", \"ntp2v4.base.oqs-pdl.org\"]\n"
    );
    oqs_net::profile::parse(&text, "test").unwrap_or_else(|e| panic!("{e}"))
}

/// Issue 13: chronyd with no time source answers leap 3, stratum 0 and a zero reference id. That
/// is an unsynchronised server, not a kiss-o'-death with an empty code: every sample is taken
/// (a kiss would stop the probe) and the finding is `ntp.unsynchronised`.
#[tokio::test(flavor = "multi_thread")]
async fn issue13_unsynchronised_chrony_is_not_a_kiss_of_death() {
    let chrony = start_chrony_with("", "");
    let samples = probe_server(&NetOptions::default(), chrony.addr, &spec(3, 100, 1000)).await;
    let log = chrony.log_text();
    assert_eq!(samples.len(), 3, "stopped early: {samples:#?}\n{log}");
    for s in &samples {
        assert!(
            matches!(
                s.outcome,
                NtpSampleOutcome::Error(NtpSampleError::Unsynchronised {
                    leap: 3,
                    stratum: 0
                })
            ),
            "{samples:#?}\n{log}"
        );
    }
    // The same through a whole round and the judge.
    let unbound = start_unbound(&[
        "ntp.oqs.test. 300 IN A 127.0.0.1",
        "ntp1.oqs.test. 300 IN A 127.0.0.1",
    ]);
    let profile = one_member_profile(chrony.addr.port());
    let (_, round) = round_with(&profile, vec![unbound.addr]).await;
    let live = chrony.addr.to_string();
    let check = round
        .checks
        .iter()
        .find(|c| c.kind == CheckKind::Ntp && c.target == live)
        .unwrap_or_else(|| panic!("no NTP check for {live}: {:#?}", round.checks));
    let found: Vec<Code> = check.findings.iter().map(|f| f.code).collect();
    assert_eq!(found, [Code::NtpUnsynchronised], "{check:#?}");
    assert_eq!(check.findings[0].value("leap"), Some("3"));
    assert_eq!(check.findings[0].value("stratum"), Some("0"));
    assert_eq!(check.status, Status::Fail);
}

/// Issue 13: unbound refuses a client its access list does not serve with a bare header (no
/// question section, as dig shows: `QUERY: 0`). The probe names it REFUSED at once, not a
/// timeout after the resolver waited for a "genuine" reply, and the judge says `dns.refused`.
#[tokio::test(flavor = "multi_thread")]
async fn issue13_unbound_refusal_without_a_question_is_refused_at_once() {
    let z = zone();
    let records: Vec<&str> = z.iter().map(String::as_str).collect();
    let unbound = start_unbound_with("refuse", &records);
    let server = unbound.addr;
    let header = dig(server, &["+noall", "+comments", "ntp.oqs.test", "A"]);
    assert!(header.contains("status: REFUSED"), "{header}");
    assert!(
        header.contains("QUERY: 0"),
        "unbound now repeats the question:\n{header}"
    );

    let started = Instant::now();
    let r = probe(server, "ntp.oqs.test", 2).await;
    let took = started.elapsed();
    for family in [Family::Ipv4, Family::Ipv6] {
        let l = r.lookup(family).unwrap();
        assert_eq!(l.failure(), Some(DnsFailure::Refused), "{l:#?}");
        assert!(
            l.queries.iter().all(|q| q.elapsed_ms < 1000.0),
            "a refusal waited like a timeout: {l:#?}"
        );
    }
    // Two queries a family, side by side, against a 2 s timeout each.
    assert!(took < Duration::from_secs(2), "{took:?}");

    let profile = one_member_profile(123);
    let started = Instant::now();
    let (_, round) = round_with(&profile, vec![server]).await;
    let dns = round
        .checks
        .iter()
        .find(|c| c.kind == CheckKind::Dns && c.target == "ntp.oqs.test")
        .unwrap_or_else(|| panic!("no DNS check: {:#?}", round.checks));
    let found: Vec<Code> = dns.findings.iter().map(|f| f.code).collect();
    assert_eq!(found, [Code::DnsRefused], "{dns:#?}");
    assert!(
        !codes(&round).contains(&Code::DnsTimeout),
        "{:#?}",
        round.checks
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the round took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// Issue 16: slowness and steps on real servers
// ---------------------------------------------------------------------------------------------

/// A tiny UDP forwarder in front of a real resolver: it holds every query `delay`, then passes
/// it on and the answer straight back, as a slow resolver or a far-away forwarder does. Stops
/// when dropped.
struct DelayingForwarder {
    addr: SocketAddr,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DelayingForwarder {
    fn start(upstream: SocketAddr, delay: Duration) -> DelayingForwarder {
        use std::sync::atomic::{AtomicBool, Ordering};
        let sock = UdpSocket::bind((LOCALHOST, 0)).expect("bind the forwarder");
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .expect("read timeout");
        let addr = sock.local_addr().expect("local address");
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let done = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !done.load(Ordering::Relaxed) {
                let Ok((n, client)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                let query = buf[..n].to_vec();
                let back = sock.try_clone().expect("clone the forwarder socket");
                // Each query on its own thread, so the delay is per answer, not a queue.
                std::thread::spawn(move || {
                    std::thread::sleep(delay);
                    let up = UdpSocket::bind((LOCALHOST, 0)).expect("bind upstream");
                    up.set_read_timeout(Some(Duration::from_secs(2))).ok();
                    if up.send_to(&query, upstream).is_err() {
                        return;
                    }
                    let mut answer = [0u8; 4096];
                    if let Ok(n) = up.recv(&mut answer) {
                        let _ = back.send_to(&answer[..n], client);
                    }
                });
            }
        });
        DelayingForwarder {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for DelayingForwarder {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Issue 16: a resolver that answers in 700 ms (against a 2 s timeout) used to pass silently.
/// Behind the delaying forwarder, unbound's answers are slow and each name says so; at 100 ms
/// the same round has nothing to say.
#[tokio::test(flavor = "multi_thread")]
async fn issue16_a_slow_resolver_warns_and_a_quick_one_does_not() {
    let chrony = start_chrony("");
    let port = chrony.addr.port();
    let unbound = start_unbound(&[
        "ntp.oqs.test. 300 IN A 127.0.0.1",
        "ntp1.oqs.test. 300 IN A 127.0.0.1",
    ]);
    let mut profile = one_member_profile(port);
    // DNS and NTP only: nothing here may resolve or reach a real host.
    profile.tls.clear();
    profile.dns.queries = 2;
    // One member, on purpose: only the resolver's speed is in question here.
    profile.dns.expect_round_robin = false;
    for (delay_ms, slow) in [(700, true), (100, false)] {
        let fwd = DelayingForwarder::start(unbound.addr, Duration::from_millis(delay_ms));
        let (_, round) = round_with(&profile, vec![fwd.addr]).await;
        let ctx = || format!("{delay_ms} ms: {:#?}", round.checks);
        let found: Vec<(&str, &oqs_net::model::Finding)> = round
            .findings()
            .map(|(c, f)| (c.target.as_str(), f))
            .collect();
        if slow {
            assert_eq!(codes(&round), vec![Code::DnsSlow], "{}", ctx());
            let names: BTreeSet<&str> = found.iter().map(|(_, f)| f.subject.as_str()).collect();
            assert_eq!(
                names,
                BTreeSet::from(["ntp.oqs.test", "ntp1.oqs.test"]),
                "{}",
                ctx()
            );
            for (_, f) in &found {
                let median: f64 = f.value("median_ms").unwrap().parse().unwrap();
                assert!((700.0..2000.0).contains(&median), "{f:?}");
                assert_eq!(f.value("threshold_ms"), Some("500.0"));
                assert_eq!(f.severity, Status::Warn);
            }
            assert_eq!(round.status, Status::Warn);
        } else {
            assert_eq!(codes(&round), vec![], "{}", ctx());
            assert_eq!(round.status, Status::Pass);
        }
    }
}

/// chronyd serving on `ip`:`port` under libfaketime, its clock offset read afresh from `file`
/// at every call (`+0`, then `+3` to step it by three seconds).
fn start_faketime_chrony(ip: IpAddr, port: u16, file: &Path) -> Daemon {
    let lib = [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib",
    ]
    .iter()
    .map(|d| PathBuf::from(d).join("faketime/libfaketime.so.1"))
    .find(|p| p.is_file())
    .unwrap_or_else(|| {
        panic!("libfaketime is not installed (Debian package `libfaketime`): run `scripts/test`")
    });
    let setup = |dir: &Path, port: u16| {
        let mut cmd = chrony_command(dir, ip, port, "local stratum 8", "");
        cmd.env("LD_PRELOAD", &lib)
            .env("FAKETIME_TIMESTAMP_FILE", file)
            .env("FAKETIME_NO_CACHE", "1");
        cmd
    };
    let addr = SocketAddr::new(ip, port);
    start_daemon_at("chronyd", addr, &setup, &ntp_answers)
        .unwrap_or_else(|e| panic!("chronyd under libfaketime: {e}"))
}

/// Issue 16: an NTP member's clock stepping by 3 s in the middle of a soak showed only in the
/// per-target series. chronyd under libfaketime joins the lab's round-robin set as a fifth
/// member; its clock is stepped mid-soak, and the report names the step, when and how much.
#[tokio::test(flavor = "multi_thread")]
async fn issue16_a_member_stepped_mid_soak_is_named_in_the_report() {
    use oqs_net::lab::Lab;
    use oqs_net::round::lab as lab_setup;
    use oqs_net::round::source::EngineSource;
    use oqs_net::soak::journal::{
        Header, JOURNAL_VERSION, JournalWriter, ProfileRef, Record, Settings,
    };
    use oqs_net::soak::run::{Clock, Schedule, Session, Silent, run};
    use oqs_net::soak::{Thresholds, report, track::Tracker};
    use std::sync::{Arc, Mutex};

    let stepped = Ipv4Addr::new(127, 0, 0, 15);
    let mut profile = crate::support::quick_profile(oqs_net::model::Mode::Ipsec);
    profile.dns.queries = 2;
    profile.ntp.samples = 1;
    let mut spec = lab_setup::spec_for(&profile, &[std::net::Ipv6Addr::LOCALHOST], None, 0);
    let rr = profile.dns.round_robin.host.clone();
    spec.names
        .iter_mut()
        .find(|n| n.name == rr)
        .expect("the round-robin name")
        .a
        .push(stepped);
    let lab = Lab::start(spec).await.unwrap();
    let (mut p, resolvers) = lab_setup::point_at(&profile, &lab);
    p.tls.clear();
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("faketime");
    std::fs::write(&fake, "+0\n").unwrap();
    let chrony = start_faketime_chrony(stepped.into(), lab.ntp_port(), &fake);

    let interval = Duration::from_millis(500);
    let duration = Duration::from_secs(7);
    let path = dir.path().join("step.jsonl");
    let mut w = JournalWriter::create(&path).unwrap();
    let header = Header {
        journal_version: JOURNAL_VERSION,
        tool_version: "test".into(),
        started_at: String::new(),
        ts: 0,
        profile: ProfileRef {
            name: p.name.clone(),
            source: p.source.clone(),
            mode: "ipsec".into(),
            environment: "production".into(),
            provider: None,
            toml: None,
        },
        settings: Settings {
            interval_ms: interval.as_millis() as u64,
            duration_ms: Some(duration.as_millis() as u64),
            rounds: None,
            flap_high_pct: 30.0,
            flap_low_pct: 20.0,
            slowness: p.slowness,
            round: oqs_net::model::RoundSettings {
                deadline_ms: 450,
                ..Default::default()
            },
            started: Default::default(),
            lab: None,
        },
    };
    w.write(&[Record::Header(Box::new(header))]).unwrap();
    let journal = Arc::new(Mutex::new(w));
    let mut source = EngineSource {
        builder: crate::support::builder_within(&p, resolvers, Duration::from_millis(450)),
        lab: None,
    };
    let clock = Clock::start();
    let schedule = Schedule {
        interval,
        remaining: Some(duration),
        rounds: None,
        first_seq: 1,
    };
    let (_tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
    let cancel = tokio_util::sync::CancellationToken::new();
    let mut tracker = Tracker::new(Thresholds::DEFAULT);
    // The step: three seconds ahead, half-way through.
    let step_file = fake.clone();
    let stepper = async move {
        tokio::time::sleep(Duration::from_millis(3200)).await;
        std::fs::write(&step_file, "+3\n").unwrap();
        oqs_net::soak::journal::now_ms()
    };
    let mut silent = Silent;
    let soak = run(
        &mut source,
        &mut silent,
        Session {
            journal: &journal,
            tracker: &mut tracker,
            schedule: &schedule,
            clock,
            notes: &mut notes,
            cancel: &cancel,
        },
    );
    let (out, stepped_at) = tokio::join!(soak, stepper);
    out.unwrap();
    lab.shutdown().await;

    let r = report::from_path(&path, None, report::Charts::All).unwrap();
    let member = format!("{stepped}:{}", chrony.addr.port());
    let ctx = || format!("{:#?}\nchronyd:\n{}", r.findings, chrony.log_text());
    let steps: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::SoakNtpStep)
        .collect();
    assert_eq!(steps.len(), 1, "{}", ctx());
    let f = steps[0];
    assert_eq!(f.subject, member, "{}", ctx());
    let how_much: f64 = f.value("step_ms").unwrap().parse().unwrap();
    assert!((how_much - 3000.0).abs() < 50.0, "{}", ctx());
    // When: the first round after the step, within one interval of it.
    let t = r
        .targets
        .iter()
        .find(|t| t.id == format!("ntp:{member}"))
        .unwrap();
    let at = t.ntp.as_ref().unwrap().steps[0].at.0;
    assert!(
        at >= stepped_at - 100 && at <= stepped_at + interval.as_millis() as i64 + 300,
        "step seen at {at}, made at {stepped_at}\n{}",
        ctx()
    );
    assert_eq!(
        f.value("at"),
        Some(t.ntp.as_ref().unwrap().steps[0].at.rfc3339_secs().as_str())
    );
    // The lab's members held: it is the member's step, not this machine's.
    assert!(
        !r.findings.iter().any(|f| f.code == Code::SoakClockStep),
        "{}",
        ctx()
    );
}

/// Issue 13: the offset of a real server with a known injected offset is read to well within
/// half a millisecond on loopback (`scripts/bench-peers` compares it with `ntpdate -q` and
/// `chronyd -Q`). chronyd runs under libfaketime 1.5 s ahead: below about one second chronyd takes
/// the kernel's (unshifted) receive timestamp and only its transmit timestamp is shifted, which
/// would make the server itself asymmetric; above it chronyd reads both from the shifted clock.
#[tokio::test]
async fn issue13_injected_offset_is_read_within_half_a_millisecond() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("faketime");
    std::fs::write(&fake, "+1.5\n").unwrap();
    let chrony = start_faketime_chrony(LOCALHOST, free_udp_port(), &fake);
    let samples = probe_server(&NetOptions::default(), chrony.addr, &spec(4, 250, 1000)).await;
    let readings: Vec<_> = samples
        .iter()
        .filter_map(|s| match &s.outcome {
            NtpSampleOutcome::Reading(r) => Some(r.clone()),
            NtpSampleOutcome::Error(_) => None,
        })
        .collect();
    // The minimum-delay reading, as the judge keeps.
    let best = readings
        .iter()
        .min_by(|a, b| a.delay_ms.total_cmp(&b.delay_ms))
        .unwrap_or_else(|| panic!("no reading: {samples:#?}\n{}", chrony.log_text()));
    let error = (best.offset_ms - 1500.0).abs();
    eprintln!("injected +1500 ms, read {best:?}, error {error:.3} ms");
    // Whatever the load: a client that timestamps where it should is never further off than
    // half the round trip it measured, and what the server adds. chronyd here reads its clock in
    // user space through libfaketime, so its two timestamps stand off the packet's arrival and
    // departure by up to a scheduling slice (0.143 ms off with a 0.099 ms round trip was seen).
    assert!(error <= best.delay_ms / 2.0 + 0.25, "{best:?}");
    // On loopback that round trip is well under a millisecond, and the error under 0.5 ms.
    if best.delay_ms <= 1.0 {
        assert!(error <= 0.5, "{best:?}");
    }
}
