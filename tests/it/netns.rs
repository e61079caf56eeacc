//! Issue 5 in real network namespaces: a client namespace shaped like a terminal (an IPv6-only OQS
//! adapter, sometimes a receipt-computer adapter beside it), a server namespace running the lab on
//! the far side of a veth pair at the OQS targets' real ports (DNS 53, NTP 123, TCP 443), and
//! sometimes a "receipt LAN" namespace with a lab of its own that must hear nothing. The client is
//! the `oqs-net` binary run with `ip netns exec`, exactly as a user runs it; the labs run in this
//! process on threads that entered the server namespaces (a network namespace is per thread).
//!
//! Needs root and iproute2 (CI runs as root). A test that cannot create its namespaces fails
//! saying so. Names carry the process id and a counter, so parallel runs do not collide, and every
//! namespace is removed on drop, also when the test fails. Only addresses from the documentation
//! ranges (2001:db8::/32, 198.51.100.0/24, 203.0.113.0/24) are used, and only inside namespaces
//! these tests create: nothing is sent anywhere else.

use oqs_net::lab::{Lab, LabName, LabSpec, LabStats};
use oqs_net::model::{Code, Profile};
use oqs_net::round::lab as lab_setup;
use serde_json::Value;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The TLS endpoints of the shipped IP-VPN profile, plus the distribution server the lab stands up.
const ENDPOINTS: [&str; 6] = [
    "oqs-web",
    "oqs-api",
    "oqs-mnc",
    "eps",
    "pmh",
    "distribution",
];

/// The server side of the OQS adapter's link, the DNS server there, and the OQS members.
pub(super) const GW6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 5, 0, 0, 0, 0, 1);
pub(super) const OQS6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 5, 0, 0, 0, 0, 2);
pub(super) const MEMBERS6: [Ipv6Addr; 4] = [
    Ipv6Addr::new(0x2001, 0xdb8, 0xa5, 0, 0, 0, 0, 0x11),
    Ipv6Addr::new(0x2001, 0xdb8, 0xa5, 0, 0, 0, 0, 0x12),
    Ipv6Addr::new(0x2001, 0xdb8, 0xa5, 0, 0, 0, 0, 0x13),
    Ipv6Addr::new(0x2001, 0xdb8, 0xa5, 0, 0, 0, 0, 0x14),
];
/// The OQS hosts' IPv4 addresses: they exist (A records), but only in the server namespace.
pub(super) const MEMBERS4: [Ipv4Addr; 4] = [
    Ipv4Addr::new(203, 0, 113, 11),
    Ipv4Addr::new(203, 0, 113, 12),
    Ipv4Addr::new(203, 0, 113, 13),
    Ipv4Addr::new(203, 0, 113, 14),
];
/// The receipt-computer LAN: its router (and DNS) and the terminal's address there.
const RECE_GW4: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const RECE4: &str = "198.51.100.2/24";
const RECE_GW6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 7, 0, 0, 0, 0, 1);
const RECE6: &str = "2001:db8:7::2/64";

pub(super) fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run `ip` (iproute2): {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A named network namespace, deleted (with its /etc/netns files) on drop.
pub(super) struct Ns {
    pub(super) name: String,
}

impl Ns {
    pub(super) fn new(role: &str) -> Ns {
        let name = format!(
            "oqs5-{}-{}-{role}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        if let Err(e) = ip(&["netns", "add", &name]) {
            panic!(
                "cannot create network namespace `{name}`: {e}. These tests need root and iproute2 \
                 (CI runs them as root); they do not pass without them."
            );
        }
        let ns = Ns { name };
        // No duplicate address detection: addresses are usable at once.
        for key in ["all", "default"] {
            ns.exec(&[
                "sysctl",
                "-qw",
                &format!("net.ipv6.conf.{key}.accept_dad=0"),
            ]);
        }
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    pub(super) fn exec(&self, cmd: &[&str]) {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.name])
            .args(cmd)
            .output()
            .unwrap_or_else(|e| panic!("cannot run `ip netns exec`: {e}"));
        assert!(
            out.status.success(),
            "`{}` in {}: {}",
            cmd.join(" "),
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub(super) fn ip(&self, args: &[&str]) {
        let mut full = vec!["-n", &self.name];
        full.extend_from_slice(args);
        if let Err(e) = ip(&full) {
            panic!("{e}");
        }
    }

    pub(super) fn addr(&self, dev: &str, cidr: &str) {
        let mut args = vec!["addr", "add", cidr, "dev", dev];
        if cidr.contains(':') {
            args.push("nodad");
        }
        self.ip(&args);
    }

    /// `ip netns exec` puts this file over /etc/resolv.conf for programs run in the namespace.
    pub(super) fn resolv_conf(&self, nameserver: &str) {
        let dir = format!("/etc/netns/{}", self.name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            format!("{dir}/resolv.conf"),
            format!("nameserver {nameserver}\n"),
        )
        .unwrap();
    }
}

impl Drop for Ns {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
        let _ = std::fs::remove_dir_all(format!("/etc/netns/{}", self.name));
    }
}

/// A veth pair between two namespaces, both ends up.
pub(super) fn link(a: &Ns, a_dev: &str, b: &Ns, b_dev: &str) {
    if let Err(e) = ip(&[
        "link", "add", a_dev, "netns", &a.name, "type", "veth", "peer", "name", b_dev, "netns",
        &b.name,
    ]) {
        panic!("cannot create a veth pair: {e}");
    }
    a.ip(&["link", "set", a_dev, "up"]);
    b.ip(&["link", "set", b_dev, "up"]);
}

/// A lab served from a thread that entered namespace `ns`; stopped (and its counters returned) by
/// [`NsLab::stop`] or on drop. `profile` is the IP-VPN profile pointed at it (its TLS servers'
/// ports and PKI; the system's resolvers), as `oqs-net lab` writes one for `--targets`.
pub(super) struct NsLab {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<LabStats>>,
    dir: tempfile::TempDir,
    pub(super) profile: PathBuf,
}

impl NsLab {
    pub(super) fn start(ns: &Ns, spec: LabSpec) -> NsLab {
        let name = ns.name.clone();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<String, String>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            // Only this thread moves: every socket the lab makes from here on lives in `name`.
            if let Err(e) = oqs_net::platform::netns::enter_existing(&name) {
                let _ = ready_tx.send(Err(e));
                return LabStats::default();
            }
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let lab = match Lab::start(spec).await {
                    Ok(lab) => lab,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return LabStats::default();
                    }
                };
                let (p, _) = lab_setup::point_at(&profile(), &lab);
                let _ = ready_tx.send(Ok(lab_setup::profile_toml(&p, &[])));
                let _ = stop_rx.await;
                let stats = lab.stats();
                lab.shutdown().await;
                stats
            })
        });
        let toml = match ready_rx.recv() {
            Ok(Ok(toml)) => toml,
            Ok(Err(e)) => panic!("the lab in {} did not start: {e}", ns.name),
            Err(_) => panic!("the lab thread in {} died", ns.name),
        };
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("lab.toml");
        std::fs::write(&profile, toml).unwrap();
        NsLab {
            stop: Some(stop_tx),
            thread: Some(thread),
            dir,
            profile,
        }
    }

    /// The lab's profile with `extra` TOML appended (a site's `[adapter]`, say).
    pub(super) fn profile_with(&self, extra: &str) -> PathBuf {
        let path = self.dir.path().join("site.toml");
        let mut text = std::fs::read_to_string(&self.profile).unwrap();
        text.push_str(extra);
        std::fs::write(&path, text).unwrap();
        path
    }

    pub(super) fn stop(mut self) -> LabStats {
        self.halt()
    }

    fn halt(&mut self) -> LabStats {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for NsLab {
    fn drop(&mut self) {
        self.halt();
    }
}

/// The shipped IP-VPN profile without its internet-bound hosts: these clients have no proxy
/// settings, and the proxy section is tested in `proxy.rs`.
pub(super) fn profile() -> Profile {
    let mut p = oqs_net::profile::shipped("ipvpn-production").unwrap();
    if let Some(proxy) = &mut p.proxy {
        proxy.internet.clear();
    }
    p
}

/// The OQS side: the lab of the shipped IP-VPN profile, members on the server's loopback, its TLS
/// servers on the first member of each family, DNS on the link address, NTP on 123.
pub(super) fn oqs_spec(scenario: Option<&str>) -> LabSpec {
    let sc = scenario.map(|s| oqs_net::lab::scenario::builtin(s).unwrap());
    let tls_bind = vec![MEMBERS4[0].into(), MEMBERS6[0].into()];
    let mut spec = lab_setup::spec_with(
        &profile(),
        &MEMBERS4,
        &MEMBERS6,
        None,
        tls_bind,
        sc.as_ref(),
        0,
    );
    // `a-only` answers the web host with the loopback lab's IPv4 TLS address; here it is this.
    for n in &mut spec.names {
        if n.name == "hweb.oqs.onshikaku.org" {
            n.a = vec![MEMBERS4[0]];
        }
    }
    spec.dns_bind = SocketAddr::from((GW6, 53));
    spec.ntp_port = 123;
    spec
}

/// The server namespace with the OQS members on its loopback.
pub(super) fn server() -> Ns {
    let s = Ns::new("srv");
    for m in MEMBERS6 {
        s.addr("lo", &format!("{m}/128"));
    }
    for m in MEMBERS4 {
        s.addr("lo", &format!("{m}/32"));
    }
    s
}

/// A client whose `oqs0` is IPv6-only (as 補35 sets it) towards `server`, with its default route
/// through the line's router, and the OQS DNS server in its resolv.conf.
fn client_with_oqs_adapter(server: &Ns) -> Ns {
    let c = Ns::new("cli");
    link(&c, "oqs0", server, "line0");
    server.addr("line0", &format!("{GW6}/64"));
    c.addr("oqs0", &format!("{OQS6}/64"));
    c.ip(&[
        "-6",
        "route",
        "add",
        "default",
        "via",
        &GW6.to_string(),
        "dev",
        "oqs0",
    ]);
    c.resolv_conf(&GW6.to_string());
    c
}

/// A receipt-computer LAN beside the client: `rece0` with IPv4 and an IPv4 default route.
fn receipt_lan(client: &Ns) -> Ns {
    let r = Ns::new("rece");
    link(client, "rece0", &r, "lan0");
    r.addr("lan0", &format!("{RECE_GW4}/24"));
    client.addr("rece0", RECE4);
    client.ip(&[
        "route",
        "add",
        "default",
        "via",
        &RECE_GW4.to_string(),
        "dev",
        "rece0",
    ]);
    r
}

/// A receipt LAN whose adapter also got IPv6 and a better IPv6 default route than the OQS
/// adapter's: the system's own routing now sends OQS traffic that way.
fn receipt_lan_preferred_for_ipv6(client: &Ns) -> Ns {
    let r = receipt_lan(client);
    r.addr("lan0", &format!("{RECE_GW6}/64"));
    client.addr("rece0", RECE6);
    client.ip(&[
        "-6",
        "route",
        "add",
        "default",
        "via",
        &RECE_GW6.to_string(),
        "dev",
        "rece0",
        "metric",
        "100",
    ]);
    r
}

/// A lab on the receipt LAN's router that answers the OQS names too (as a forwarding DNS would),
/// so a probe that wrongly went there would get answers.
fn receipt_spec(aaaa_of_oqs: bool) -> LabSpec {
    let p = profile();
    let fallbacks: Vec<&str> = p.dns.fallbacks.iter().map(|h| h.host.as_str()).collect();
    let mut spec = LabSpec::healthy(&p.dns.round_robin.host, &fallbacks, &[RECE_GW4], &[]);
    if aaaa_of_oqs {
        for n in &mut spec.names {
            n.aaaa = MEMBERS6.to_vec();
        }
    }
    spec.names.push(LabName {
        name: "hweb.oqs.onshikaku.org".into(),
        a: vec![RECE_GW4],
        ..LabName::default()
    });
    spec.dns_bind = SocketAddr::from((RECE_GW4, 53));
    spec.ntp_port = 123;
    spec
}

/// Runs `oqs-net probe --targets PROFILE` in `ns` and returns (exit code, the JSON round, stderr).
pub(super) fn probe(ns: &Ns, profile: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = Command::new("ip")
        .args(["netns", "exec", &ns.name, env!("CARGO_BIN_EXE_oqs-net")])
        .args([
            "probe",
            "--targets",
            profile.to_str().unwrap(),
            "--mode",
            "ipvpn",
            "--format",
            "json",
            "--lang",
            "en",
            "--queries",
            "2",
            "--samples",
            "2",
            "--deadline",
            "25s",
        ])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs oqs-net");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    check_placeholders(&v);
    (out.status.code().unwrap_or(-1), v, stderr)
}

/// Every finding supplies the values its texts use (no `?` left in a cause or fix).
fn check_placeholders(v: &Value) {
    for f in findings(v) {
        let label = f["code"].as_str().unwrap();
        let code = Code::ALL
            .iter()
            .find(|c| c.as_label() == label)
            .unwrap_or_else(|| panic!("unknown code {label}"));
        for key in oqs_net::findings::placeholders(*code) {
            assert!(
                f["values"].get(&key).is_some(),
                "{label} lacks `{key}`: {f}"
            );
        }
    }
}

pub(super) fn findings(v: &Value) -> Vec<&Value> {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap())
        .collect()
}

pub(super) fn codes(v: &Value) -> Vec<&str> {
    let mut c: Vec<&str> = findings(v)
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    c.sort();
    c.dedup();
    c
}

pub(super) fn check<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check `{id}` in {v:#}"))
}

pub(super) fn finding<'a>(v: &'a Value, code: &str) -> &'a Value {
    findings(v)
        .into_iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(v)))
}

#[test]
fn issue5_ipv6_only_client_reaches_the_lab_through_its_adapter() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    let lab = NsLab::start(&s, oqs_spec(None));
    let (code, v, err) = probe(&c, &lab.profile, &[]);
    let stats = lab.stop();
    assert_eq!(code, 0, "{:?}\n{v:#}\n{err}", codes(&v));
    assert_eq!(v["status"], "pass", "{:?}", codes(&v));

    let a = &check(&v, "adapter")["data"]["adapter"];
    assert_eq!(a["selection"]["by"], "route", "{a:#}");
    assert_eq!(a["selection"]["name"], "oqs0");
    assert_eq!(
        a["binding"],
        serde_json::json!({"by": "device", "name": "oqs0", "v4": null, "v6": OQS6.to_string()})
    );
    assert_eq!(a["dns"]["servers"], serde_json::json!([GW6.to_string()]));
    let kinds: Vec<&str> = a["adapter"]["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"global_v6") && kinds.contains(&"link_local_v6"),
        "{kinds:?}"
    );
    assert!(!kinds.contains(&"ipv4"), "{kinds:?}");
    let rules = a["expectations"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["met"] == true), "{rules:?}");
    assert_eq!(
        rules.len(),
        4,
        "up, global IPv6, no IPv4, IPv6 default route"
    );

    // Every address of the round left by oqs0, and the lab saw NTP and TCP from it.
    let routes = check(&v, "routes")["data"]["routes"]["routes"]
        .as_array()
        .unwrap();
    assert!(!routes.is_empty());
    assert!(routes.iter().all(|r| r["adapter"] == "oqs0"), "{routes:?}");
    assert_eq!(check(&v, "ipv4-fallback")["status"], "pass");
    assert_eq!(check(&v, "nat64")["status"], "pass");
    for t in ENDPOINTS {
        let c = check(&v, &format!("tcp:{t}"));
        assert_eq!(c["status"], "pass", "{c:#}");
        // The TLS probe, bound the same way, completed its handshake with a client certificate.
        assert_eq!(check(&v, &format!("tls:{t}"))["status"], "pass");
    }
    // Each endpoint: one reachability connect and one TLS connection.
    assert!(
        stats.tls_connections >= 2 * ENDPOINTS.len() as u64,
        "{stats:?}"
    );
    assert!(stats.ntp_requests.values().sum::<u64>() >= 4, "{stats:?}");
    assert!(stats.dns_queries_for(oqs_net::probe::ipv6::IPV4ONLY_ARPA, "AAAA") >= 1);
}

#[test]
fn issue5_dual_stack_client_reaches_targets_only_through_the_ipv6_adapter() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    let r = receipt_lan(&c);
    let oqs = NsLab::start(&s, oqs_spec(None));
    let rece = NsLab::start(&r, receipt_spec(true));
    let (code, v, err) = probe(&c, &oqs.profile, &[]);
    let (oqs_stats, rece_stats) = (oqs.stop(), rece.stop());
    assert_eq!(code, 0, "{:?}\n{err}", codes(&v));
    let a = &check(&v, "adapter")["data"]["adapter"];
    assert_eq!(a["selection"]["name"], "oqs0", "{a:#}");
    let names: Vec<&str> = a["inventory"]["adapters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["name"].as_str())
        .collect();
    assert!(
        names.contains(&"rece0") && names.contains(&"oqs0"),
        "{names:?}"
    );
    assert!(oqs_stats.tls_connections > 0);
    // The receipt LAN would have answered everything; it heard nothing.
    assert_eq!(rece_stats.anything_received(), 0, "{rece_stats:?}");
}

#[test]
fn issue5_ipv4_still_bound_to_the_oqs_adapter_is_a_finding() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    c.addr("oqs0", "203.0.113.2/24");
    let lab = NsLab::start(&s, oqs_spec(None));
    // The adapter named in a site profile this time.
    let site = lab.profile_with("\n[adapter]\nname = \"oqs0\"\n");
    let (code, v, err) = probe(&c, &site, &[]);
    drop(lab);
    assert_eq!(code, 1, "{err}");
    assert_eq!(codes(&v), ["adapter.ipv4_bound"], "{v:#}");
    let f = finding(&v, "adapter.ipv4_bound");
    assert_eq!(f["section"], "補35");
    assert_eq!(f["values"]["addresses"], "203.0.113.2/24");
    assert!(
        f["fix"].as_str().unwrap().contains("TCP/IPv4"),
        "says what to change: {f}"
    );
    let a = &check(&v, "adapter")["data"]["adapter"];
    assert_eq!(a["selection"]["by"], "named");
    assert_eq!(a["selection"]["source"], "profile");
}

#[test]
fn issue5_target_with_only_an_a_record_is_unreachable_not_a_timeout() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    let lab = NsLab::start(&s, oqs_spec(Some("a-only")));
    let started = std::time::Instant::now();
    let (code, v, err) = probe(&c, &lab.profile, &[]);
    let took = started.elapsed();
    drop(lab);
    assert_eq!(code, 1, "{err}");
    let web = check(&v, "tcp:oqs-web");
    assert_eq!(web["status"], "fail");
    assert_eq!(web["findings"].as_array().unwrap().len(), 1, "{web:#}");
    let f = &web["findings"][0];
    assert_eq!(f["code"], "reach.no_aaaa");
    assert_eq!(f["values"]["a"], format!("A {}", MEMBERS4[0]));
    assert!(
        web["data"]["tcp"]["attempts"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing is tried over IPv4 from an IPv6-only adapter"
    );
    // The NTP fallback name with only an A record, from the DNS check.
    assert!(codes(&v).contains(&"dns.no_aaaa"), "{:?}", codes(&v));
    for bad in [
        "reach.timeout",
        "dns.timeout",
        "ntp.no_reply",
        "probe.deadline",
    ] {
        assert!(!codes(&v).contains(&bad), "{bad}: {:?}", codes(&v));
    }
    assert!(took.as_secs() < 10, "no waiting on timeouts: {took:?}");
}

#[test]
fn issue5_route_leaving_by_the_wrong_adapter_is_a_finding() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    let r = receipt_lan_preferred_for_ipv6(&c);
    let oqs = NsLab::start(&s, oqs_spec(None));
    let rece = NsLab::start(&r, receipt_spec(true));
    let (code, v, err) = probe(&c, &oqs.profile, &["--interface", "oqs0"]);
    let (oqs_stats, rece_stats) = (oqs.stop(), rece.stop());
    assert_eq!(code, 1, "{err}");
    let f = finding(&v, "route.wrong_adapter");
    assert_eq!(f["section"], "補35");
    assert_eq!(f["values"]["adapter"], "rece0");
    assert_eq!(f["values"]["oqs_adapter"], "oqs0");
    assert_eq!(f["values"]["source"], "2001:db8:7::2");
    for m in MEMBERS6 {
        assert!(
            f["values"]["addresses"]
                .as_str()
                .unwrap()
                .contains(&m.to_string()),
            "{f}"
        );
    }
    assert!(
        codes(&v).contains(&"adapter.other_ipv6_default_route"),
        "{:?}",
        codes(&v)
    );
    // The probes themselves were bound to oqs0: they reached the OQS side, not the receipt LAN.
    for t in ENDPOINTS {
        assert_eq!(check(&v, &format!("tcp:{t}"))["status"], "pass");
        assert_eq!(check(&v, &format!("tls:{t}"))["status"], "pass");
    }
    assert!(
        oqs_stats.tls_connections >= 2 * ENDPOINTS.len() as u64,
        "{oqs_stats:?}"
    );
    assert_eq!(rece_stats.anything_received(), 0, "{rece_stats:?}");
}

#[test]
fn issue5_dns_over_ipv4_is_a_fallback_finding() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    let r = receipt_lan(&c);
    // The classic mistake: the terminal resolves through the receipt LAN's router.
    c.resolv_conf(&RECE_GW4.to_string());
    let oqs = NsLab::start(&s, oqs_spec(None));
    let rece = NsLab::start(&r, receipt_spec(true));
    let started = std::time::Instant::now();
    let (code, v, err) = probe(&c, &oqs.profile, &[]);
    let took = started.elapsed();
    let rece_stats = rece.stop();
    assert_eq!(code, 1, "{err}");
    // Refused at once through the IPv6-only adapter, not waited out.
    assert!(took.as_secs() < 4, "{took:?}");
    assert!(!codes(&v).contains(&"dns.timeout"), "{:?}", codes(&v));
    let f = finding(&v, "ipv6.ipv4_fallback");
    assert_eq!(f["values"]["what"], "DNS");
    assert_eq!(f["values"]["addresses"], format!("{RECE_GW4}:53"));
    // The adapter was still found by following the round-robin name: that single lookup goes
    // the system's own way (unbound); everything after it is bound to oqs0, which has no IPv4.
    assert_eq!(
        check(&v, "adapter")["data"]["adapter"]["selection"]["name"],
        "oqs0"
    );
    let rr = &profile().dns.round_robin.host;
    assert_eq!(rece_stats.dns_queries_for(rr, "AAAA"), 1, "{rece_stats:?}");
    assert_eq!(rece_stats.anything_received(), 1, "{rece_stats:?}");
}

#[test]
fn issue5_family_v6_never_asks_an_ipv4_resolver() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    let r = receipt_lan(&c);
    c.resolv_conf(&RECE_GW4.to_string());
    let oqs = NsLab::start(&s, oqs_spec(None));
    let rece = NsLab::start(&r, receipt_spec(true));
    let (code, v, err) = probe(&c, &oqs.profile, &["--family", "v6"]);
    let rece_stats = rece.stop();
    assert_eq!(code, 1, "{err}");
    let f = finding(&v, "dns.resolver_error");
    assert!(
        f["values"]["detail"]
            .as_str()
            .unwrap()
            .contains("198.51.100.1:53"),
        "names the IPv4 nameserver it left out: {f}"
    );
    // Without a target to follow, the only IPv6 default route decides.
    let a = &check(&v, "adapter")["data"]["adapter"];
    assert_eq!(a["selection"]["by"], "default_route", "{a:#}");
    assert_eq!(a["selection"]["name"], "oqs0");
    assert_eq!(rece_stats.anything_received(), 0, "{rece_stats:?}");
}

/// The JSON records of a journal, the header first.
fn journal_records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Issue 10: a soak runs the rounds `probe` runs. On a terminal whose system routing prefers the
/// receipt LAN (a better IPv6 default route there), `soak --interface oqs0 --pfx …` binds every
/// round's sockets to the OQS adapter: the receipt LAN hears nothing, every round has the adapter,
/// reachability and TLS sections, the TLS endpoints accept the certificate, and the journal's
/// header names the adapter, the PFX and the chosen certificate's serial, never the password.
#[test]
fn issue10_soak_binds_every_round_to_the_oqs_adapter_with_the_certificate() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    let r = receipt_lan_preferred_for_ipv6(&c);
    let oqs = NsLab::start(&s, oqs_spec(None));
    let rece = NsLab::start(&r, receipt_spec(true));
    let lab_profile = oqs_net::profile::load(&oqs.profile).unwrap();
    let pfx = lab_profile.tls_settings.pfx[0].clone();
    let oqs_net::model::PasswordSource::File(pw_file) = lab_profile.tls_settings.password.clone()
    else {
        panic!("the lab's profile names its password file");
    };
    let password = std::fs::read_to_string(&pw_file).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("soak.jsonl");
    let rounds = 2;
    let out = Command::new("ip")
        .args(["netns", "exec", &c.name, env!("CARGO_BIN_EXE_oqs-net")])
        .args(["soak", "--profile-file"])
        .arg(&oqs.profile)
        .args(["--mode", "ipvpn", "--interface", "oqs0", "--pfx"])
        .arg(&pfx)
        .arg("--pfx-password-file")
        .arg(&pw_file)
        .args(["--queries", "2", "--samples", "2", "--interval", "4s"])
        .args([
            "--deadline",
            "20s",
            "--rounds",
            &rounds.to_string(),
            "--quiet",
        ])
        .args(["--format", "json", "--lang", "en", "--journal"])
        .arg(&journal)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs oqs-net");
    let (oqs_stats, rece_stats) = (oqs.stop(), rece.stop());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let records = journal_records(&journal);
    let header = &records[0];
    let settings = &header["settings"];
    assert_eq!(settings["interface"], "oqs0", "{header:#}");
    assert_eq!(settings["tls"]["pfx"][0], pfx.display().to_string());
    assert_eq!(
        settings["tls"]["password"],
        serde_json::json!({"kind": "file", "from": pw_file.display().to_string()})
    );
    let cert = &settings["started"]["certificate"];
    assert!(
        cert["subject"].as_str().unwrap().contains("1234567890"),
        "{cert:#}"
    );
    assert!(
        cert["serial"].as_str().unwrap().len() >= 16,
        "the chosen certificate's serial: {cert:#}"
    );
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(
        !text.contains(password.trim()),
        "the password reached the journal"
    );

    let round_recs: Vec<&Value> = records.iter().filter(|r| r["type"] == "round").collect();
    assert_eq!(round_recs.len(), rounds, "{stderr}");
    for rec in &round_recs {
        let status = |id: &str| {
            rec["targets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == id)
                .unwrap_or_else(|| panic!("no {id} in round {}", rec["seq"]))["status"]
                .clone()
        };
        // Chosen by --interface, bound to oqs0; warned of the receipt LAN's IPv6 default route.
        assert_eq!(status("adapter"), "warn");
        assert_eq!(status("tls:client-certificate"), "pass");
        for t in ENDPOINTS {
            assert_eq!(status(&format!("tcp:{t}")), "pass", "tcp:{t}");
            assert_eq!(status(&format!("tls:{t}")), "pass", "tls:{t}");
        }
        // The system would have sent these by the receipt LAN; the soak said so, and did not.
        assert_eq!(status("routes"), "fail");
    }
    assert_eq!(rece_stats.anything_received(), 0, "{rece_stats:?}");
    assert!(
        oqs_stats.tls_connections >= (2 * ENDPOINTS.len() * rounds) as u64,
        "{oqs_stats:?}"
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("report not JSON ({e}): {stderr}"));
    assert_eq!(report["rounds"], rounds as u64, "{report:#}");
}

/// Issue 10: the PAC file is fetched through the OQS adapter like every other socket of the round
/// (reqwest bound to its device and IPv6 source address, the name asked of the OQS DNS server),
/// never through the receipt LAN's IPv4 default route, although the name has an A record too.
#[test]
fn issue10_pac_url_is_fetched_through_the_oqs_adapter() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    let r = receipt_lan(&c);
    let mut spec = oqs_spec(None);
    spec.wpad = Some(oqs_net::lab::LabWpadConf {
        names: vec!["pac.oqs-lab.test".into()],
        port: 8080,
        script: "function FindProxyForURL(u, h) { return \"DIRECT\"; }".into(),
        ..oqs_net::lab::LabWpadConf::default()
    });
    let oqs = NsLab::start(&s, spec);
    let rece = NsLab::start(&r, receipt_spec(true));
    let url = "http://pac.oqs-lab.test:8080/proxy.pac";
    let (code, v, err) = probe(&c, &oqs.profile, &["--proxy", url]);
    let (oqs_stats, rece_stats) = (oqs.stop(), rece.stop());
    let settings = check(&v, "proxy:settings");
    let pac = &settings["data"]["proxy_settings"]["pac"];
    assert_eq!(pac["url"], url, "{settings:#}\n{err}");
    assert_eq!(pac["error"], Value::Null, "{pac:#}\n{err}");
    assert_eq!(code, 0, "{:?}\n{err}", codes(&v));
    assert!(oqs_stats.wpad_requests >= 1, "{oqs_stats:?}");
    assert_eq!(rece_stats.anything_received(), 0, "{rece_stats:?}");
}

/// Issue 11: an acceptance run on a terminal that resolves through the receipt LAN's IPv4 router
/// fails the IPv4-fallback criterion with `ipv6.ipv4_fallback` and the NGN DNS criterion with
/// `line.dns_not_ngn`, exit 1: DNS went over IPv4, to a server not the NGN's, though the OQS
/// adapter is IPv6-only.
#[test]
fn issue11_accept_fails_on_ipv4_fallback() {
    let s = server();
    let c = client_with_oqs_adapter(&s);
    let r = receipt_lan(&c);
    c.resolv_conf(&RECE_GW4.to_string());
    let oqs = NsLab::start(&s, oqs_spec(None));
    let rece = NsLab::start(&r, receipt_spec(true));
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("accept.json");
    let out = Command::new("ip")
        .args(["netns", "exec", &c.name, env!("CARGO_BIN_EXE_oqs-net")])
        .args(["accept", "--profile-file"])
        .arg(&oqs.profile)
        .args(["--mode", "ipvpn", "--queries", "2", "--samples", "2"])
        .args(["--rounds", "2", "--interval", "1s", "--deadline", "20s"])
        .args(["--max-handshake-p95", "3000", "--max-ntp-offset", "1000"])
        .args(["--quiet", "--lang", "en", "--journal"])
        .arg(dir.path().join("accept.jsonl"))
        .arg("--json")
        .arg(&json)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs oqs-net");
    let (_, _) = (oqs.stop(), rece.stop());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap_or_default())
        .unwrap_or_else(|e| panic!("no JSON ({e}): {stdout}{stderr}"));
    let failed: Vec<(&str, &str)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["verdict"] == "fail" || r["verdict"] == "not_measured")
        .map(|r| (r["id"].as_str().unwrap(), r["code"].as_str().unwrap_or("")))
        .collect();
    // The terminal asks the receipt LAN's DNS server: the NGN's DNS check names that (and the
    // line-authentication page it cannot resolve is its consequence), and the IPv4 fallback is
    // its own criterion.
    assert_eq!(
        failed,
        [
            ("ngn_dns", "line.dns_not_ngn"),
            ("ipv4_fallback", "ipv6.ipv4_fallback")
        ],
        "{stdout}{stderr}"
    );
    let auth = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "line_auth")
        .unwrap();
    assert_eq!(auth["blocked_by"], "ngn_dns", "{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
}
