//! Runs one round: every DNS probe of the profile at once, an NTP probe for each address as soon as a
//! DNS answer reveals it, under a concurrency bound, a deadline per probe and for the round, and a
//! cancellation token; TLS endpoints from the start, beside DNS, once the client identity is loaded.
//! Knows probes only through [`Task`]; produces raw measurements, no verdicts.
//!
//! When the plan asks for the OQS adapter (`net.adapter`), the round first chooses it and binds
//! every later socket to it (TLS's included), then also connects to each TLS endpoint over TCP
//! (reachability of every address, apart from the TLS probe), asks `ipv4only.arpa` for NAT64, and
//! finally notes which adapter the system's own routing would send each address of the round by.

use crate::model::{
    AdapterMeasurement, Binding, DnsNameResult, Family, HostPort, Measurements, NameRole,
    Nat64Result, NtpSample, NtpServerResult, PathMeasurements, Profile, RouteProbe, Selection,
    Skipped, TcpTargetResult,
};
use crate::net::{DnsResolver, NetOptions};
use crate::probe::{dns, ipv6, ntp, tcp, tls};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Threads for blocking work (PAC evaluations, DHCP and system name lookups) at most, instead of
/// tokio's 512; further work waits its turn. Idle ones end after tokio's 10 s.
const BLOCKING_THREADS: usize = 8;

/// The runtime every command runs its rounds on (probe, soak, serve, the lab): one thread. A
/// round is waiting on the network (its CPU is a few ms, mostly TLS handshakes), so a second
/// thread buys nothing but cost: each worker thread has its own malloc arena (0.3–0.7 MB
/// resident apiece in a soak; tokio's default is a worker per core), and every wake-up across
/// threads is a futex call. Measured against two workers: a 300-round soak with the listener
/// (`scripts/soak-rss`) 16.7 → 15.1 MB resident; a full lab round's CPU (`cargo bench --bench
/// cpu`, mix E) 6.2–7.2 → 3.8–3.9 ms; the TLS endpoints' time against their critical-path bound
/// (`cargo bench --bench round`) 1.064 against 1.055 at 20 ms added per reply.
/// Blocking work (see [`BLOCKING_THREADS`]) still runs beside it.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
}

/// What a round needs besides the profile.
#[derive(Clone, Debug)]
pub struct Plan {
    pub profile: Profile,
    pub net: NetOptions,
    /// Probes in flight at once.
    pub concurrency: usize,
    /// The whole round ends by then; unfinished probes are reported as cut off.
    pub round_deadline: Duration,
    /// The proxy section: settings read before the round and the targets to route.
    pub proxy: Option<Arc<crate::probe::proxy::ProxyPlan>>,
    /// The line's own checks and the environment's names.
    pub line: Option<Arc<crate::model::LinePlan>>,
    /// The client identity (its report) and TLS context, prepared before the round (kept across
    /// a soak's rounds by the round builder); `None`: prepared by the round itself.
    pub tls: Option<(crate::model::IdentityReport, Arc<tls::TlsContext>)>,
}

/// How long a TCP reachability probe waits for the handshake.
pub const TCP_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("a probe task failed: {0}")]
    Task(String),
}

/// The probes the engine can run.
enum Task {
    Dns(dns::DnsSpec),
    Ntp(SocketAddr),
    Tls(crate::model::TlsEndpoint),
    Tcp(tcp::TcpSpec),
    Nat64(Duration),
    Proxy(Arc<crate::probe::proxy::ProxyPlan>),
    Line(Arc<crate::model::LinePlan>),
}

enum Done {
    Tls(Box<crate::model::TlsEndpointResult>),
    Dns(DnsNameResult),
    Ntp(SocketAddr, Vec<NtpSample>),
    Tcp(TcpTargetResult),
    Nat64(Nat64Result),
    Proxy(Box<crate::model::ProxyRound>),
    Line(Box<crate::model::LineRound>),
    CutOff(String, Duration),
}

/// How a TCP probe is named in the round (and in a cut-off finding).
fn tcp_subject(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

struct Ctx {
    resolver: Option<DnsResolver>,
    net: NetOptions,
    ntp: ntp::NtpSpec,
    permits: Semaphore,
    found: mpsc::UnboundedSender<(String, IpAddr)>,
    tls: Option<Arc<tls::TlsContext>>,
    families: Vec<Family>,
    dns_timeout: Duration,
    /// When the round ends: a probe's second attempt must end before it.
    round_end: tokio::time::Instant,
}

impl Task {
    fn subject(&self) -> String {
        match self {
            Task::Dns(s) => s.name.clone(),
            Task::Ntp(a) => a.to_string(),
            Task::Tls(e) => format!("tls:{}", e.name),
            Task::Tcp(s) => tcp_subject(&s.host, s.port),
            Task::Nat64(_) => ipv6::IPV4ONLY_ARPA.to_string(),
            Task::Proxy(_) => "proxy".to_string(),
            Task::Line(_) => "line".to_string(),
        }
    }

    fn deadline(&self, ctx: &Ctx) -> Duration {
        match self {
            Task::Dns(s) => {
                (s.timeout + Duration::from_millis(300)) * s.queries + Duration::from_secs(1)
            }
            Task::Ntp(_) => ctx.ntp.worst_case() + Duration::from_secs(1),
            Task::Tls(_) => {
                let s = ctx
                    .tls
                    .as_ref()
                    .map(|t| t.settings().clone())
                    .unwrap_or_default();
                // Resolve, connect, handshake, request; a stalled handshake is retried once
                // with small segments (connect and handshake again).
                ctx.dns_timeout * ctx.families.len() as u32
                    + s.connect_timeout * 2
                    + s.handshake_timeout * 2
                    + s.request_timeout
                    + Duration::from_secs(1)
            }
            Task::Tcp(s) => s.worst_case() + Duration::from_secs(1),
            Task::Line(p) => {
                crate::probe::line::worst_case(p, ctx.families.len()) + Duration::from_secs(1)
            }
            Task::Nat64(timeout) => *timeout + Duration::from_secs(1),
            Task::Proxy(p) => {
                let tls = ctx
                    .tls
                    .as_ref()
                    .map(|t| t.settings().clone())
                    .unwrap_or_default();
                // WPAD by DHCP, WPAD names and the PAC fetch, then per target (at once): the
                // proxy's name, the CONNECT, and TLS through the tunnel.
                p.response_timeout
                    + (ctx.dns_timeout + p.response_timeout * 2)
                        * (p.search_domains.len() as u32 + 2)
                    + ctx.dns_timeout
                    + p.connect_timeout
                    + p.response_timeout
                    + tls.handshake_timeout
                    + tls.request_timeout
                    + Duration::from_secs(2)
            }
        }
    }

    async fn run(self, ctx: Arc<Ctx>) -> Done {
        let subject = self.subject();
        let deadline = self.deadline(&ctx);
        let Ok(_permit) = ctx.permits.acquire().await else {
            return Done::CutOff(subject, deadline);
        };
        // Whatever a probe tries a second time ends before its own deadline and the round's.
        let until = (tokio::time::Instant::now() + deadline)
            .min(ctx.round_end)
            .checked_sub(Duration::from_millis(300))
            .unwrap_or_else(tokio::time::Instant::now);
        let work = async {
            match self {
                Task::Dns(spec) => {
                    let resolver = ctx
                        .resolver
                        .as_ref()
                        .expect("DNS tasks run only with a resolver");
                    let tx = ctx.found.clone();
                    let name = spec.name.clone();
                    let found = move |ip| {
                        let _ = tx.send((name.clone(), ip));
                    };
                    Done::Dns(dns::probe_name(resolver, &spec, &found).await)
                }
                Task::Ntp(addr) => {
                    Done::Ntp(addr, ntp::probe_server(&ctx.net, addr, &ctx.ntp).await)
                }
                Task::Tls(ep) => {
                    let t = ctx
                        .tls
                        .as_ref()
                        .expect("TLS tasks run only with a TLS context");
                    let r = tls::probe_endpoint(
                        t,
                        &ctx.net,
                        ctx.resolver.as_ref(),
                        &ctx.families,
                        ctx.dns_timeout,
                        &ep,
                        until,
                    )
                    .await;
                    Done::Tls(Box::new(r))
                }
                Task::Tcp(spec) => {
                    Done::Tcp(tcp::probe_target(ctx.resolver.as_ref(), &ctx.net, &spec).await)
                }
                Task::Nat64(timeout) => {
                    let resolver = ctx
                        .resolver
                        .as_ref()
                        .expect("the NAT64 task runs only with a resolver");
                    Done::Nat64(ipv6::nat64(resolver, timeout).await)
                }
                Task::Line(plan) => Done::Line(Box::new(
                    crate::probe::line::probe(
                        &plan,
                        &ctx.net,
                        ctx.resolver.as_ref(),
                        &ctx.families,
                    )
                    .await,
                )),
                Task::Proxy(plan) => Done::Proxy(Box::new(
                    crate::probe::proxy::probe(
                        &ctx.net,
                        ctx.resolver.as_ref(),
                        ctx.tls.as_deref(),
                        &ctx.families,
                        &plan,
                    )
                    .await,
                )),
            }
        };
        tokio::time::timeout(deadline, work)
            .await
            .unwrap_or(Done::CutOff(subject, deadline))
    }
}

/// Runs one round of every check in the plan's profile.
pub async fn run_round(
    plan: &Plan,
    cancel: &CancellationToken,
) -> Result<Measurements, EngineError> {
    let started_at = SystemTime::now();
    let start = Instant::now();
    let round_end = tokio::time::Instant::now() + plan.round_deadline;
    let p = &plan.profile;
    let mut net = plan.net.clone();
    let mut path = PathMeasurements::default();
    // The OQS adapter's DNS servers as its inventory lists them (the line's NGN DNS check).
    let mut adapter_dns: Vec<SocketAddr> = Vec::new();
    if let Some(req) = plan.net.adapter.clone() {
        // Choose the OQS adapter (one unbound lookup at most), then bind everything to it.
        let families = p.dns.families.clone();
        let target = match &req.name {
            Some(_) => None,
            None => tokio::select! {
                biased;
                _ = cancel.cancelled() => None,
                t = tokio::time::timeout(
                    p.dns.timeout + Duration::from_millis(500),
                    ipv6::first_target(&net, p, &families),
                ) => t.ok().flatten(),
            },
        };
        let selection =
            ipv6::select_adapter(&req.inventory, req.name.as_ref(), target, &families, &|t| {
                crate::net::route_to(t).ok()
            });
        let named = matches!(selection, Selection::Named { .. });
        let binding = match selection.name().and_then(|n| req.inventory.find(n)) {
            Some(a) if a.loopback && !named => Binding::Unbound {
                reason: Skipped::Loopback,
            },
            Some(a) => net.bind_to(a),
            None => Binding::Unbound {
                reason: Skipped::NoAdapter,
            },
        };
        tracing::debug!(?selection, ?binding, "OQS adapter");
        let listed = match selection.name().and_then(|n| req.inventory.find(n)) {
            Some(a) => req.inventory.dns_of(a).to_vec(),
            None => req.inventory.system_dns.clone(),
        };
        adapter_dns = listed
            .into_iter()
            .map(|ip| SocketAddr::new(ip, 53))
            .collect();
        path.nameservers = net.nameservers().unwrap_or_default();
        path.adapter = Some(AdapterMeasurement {
            inventory: req.inventory,
            selection,
            binding,
            families,
        });
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (resolver, resolver_error) = match net.resolver(p.dns.timeout) {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e.to_string())),
    };
    // The client identity is local work (files, key derivation): done once, before any packet.
    let (identity, tls_ctx) = match &plan.tls {
        _ if p.tls.is_empty() => (None, None),
        Some((report, ctx)) => (Some(report.clone()), Some(ctx.clone())),
        None => {
            let (report, ctx) = tls::prepare(&p.tls_settings);
            (Some(report), Some(Arc::new(ctx)))
        }
    };
    let ctx = Arc::new(Ctx {
        resolver,
        net: net.clone(),
        ntp: ntp::NtpSpec {
            samples: p.ntp.samples,
            interval: p.ntp.interval,
            timeout: p.ntp.timeout,
        },
        permits: Semaphore::new(plan.concurrency.max(1)),
        found: tx,
        tls: tls_ctx,
        families: p.dns.families.clone(),
        dns_timeout: p.dns.timeout,
        round_end,
    });

    let names: Vec<(&HostPort, NameRole)> =
        std::iter::once((&p.dns.round_robin, NameRole::RoundRobin))
            .chain(p.dns.fallbacks.iter().map(|h| (h, NameRole::Fallback)))
            .collect();
    let port_of: BTreeMap<String, u16> = names
        .iter()
        .map(|(h, _)| (h.host.clone(), h.port_or(p.ntp.port)))
        .collect();

    let mut run = Running {
        set: JoinSet::new(),
        pending: Vec::new(),
        ntp_names: BTreeMap::new(),
        ctx: ctx.clone(),
        families: p.dns.families.clone(),
        port_of,
        default_port: p.ntp.port,
    };
    for (host, role) in &names {
        match host.ip() {
            Some(ip) => run.want_ntp(&host.host, ip),
            None if ctx.resolver.is_some() => run.spawn(Task::Dns(dns::DnsSpec {
                name: host.host.clone(),
                role: *role,
                queries: p.dns.queries,
                timeout: p.dns.timeout,
            })),
            None => {}
        }
    }
    if path.adapter.is_some() {
        if ctx.resolver.is_some() {
            run.spawn(Task::Nat64(p.dns.timeout));
        }
        for t in &p.tls {
            run.spawn(Task::Tcp(tcp::TcpSpec {
                name: t.name.clone(),
                host: t.host.host.clone(),
                port: t.host.port_or(443),
                families: p.dns.families.clone(),
                dns_timeout: p.dns.timeout,
                connect_timeout: TCP_CONNECT_TIMEOUT,
            }));
        }
    }

    if ctx.tls.is_some() {
        for ep in &p.tls {
            run.spawn(Task::Tls(ep.clone()));
        }
    }
    if let Some(proxy) = &plan.proxy {
        run.spawn(Task::Proxy(proxy.clone()));
    }
    if let Some(line) = &plan.line {
        let mut line = (**line).clone();
        // The terminal's DNS servers when the settings name none: the OQS adapter's as its
        // inventory lists them, else those the round asks.
        if line.terminal_servers.is_empty() {
            line.terminal_servers = if adapter_dns.is_empty() {
                net.nameservers().unwrap_or_default()
            } else {
                adapter_dns.clone()
            };
        }
        run.spawn(Task::Line(Arc::new(line)));
    }

    let mut out = Measurements {
        started_at,
        duration: Duration::ZERO,
        dns: Vec::new(),
        ntp: Vec::new(),
        cut_off: Vec::new(),
        resolvers: plan.net.resolvers.iter().map(|a| a.to_string()).collect(),
        resolver_error,
        tls: crate::model::TlsRound {
            identity,
            endpoints: Vec::new(),
        },
        path,
        proxy: None,
        line: Default::default(),
    };
    loop {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            _ = tokio::time::sleep_until(round_end) => break,
            Some((name, ip)) = rx.recv() => run.want_ntp(&name, ip),
            joined = run.set.join_next() => match joined {
                None => {
                    // Every task is done; take addresses reported in their last moments.
                    match rx.try_recv() {
                        Ok((name, ip)) => run.want_ntp(&name, ip),
                        Err(_) => break,
                    }
                }
                Some(Err(e)) => return Err(EngineError::Task(e.to_string())),
                Some(Ok(done)) => {
                    let subject = match &done {
                        Done::Dns(r) => r.name.clone(),
                        Done::Tls(r) => format!("tls:{}", r.name),
                        Done::Ntp(addr, _) => addr.to_string(),
                        Done::Tcp(r) => tcp_subject(&r.host, r.port),
                        Done::Nat64(_) => ipv6::IPV4ONLY_ARPA.to_string(),
                        Done::Proxy(_) => "proxy".to_string(),
                        Done::Line(_) => "line".to_string(),
                        Done::CutOff(subject, _) => subject.clone(),
                    };
                    run.pending.retain(|s| *s != subject);
                    match done {
                        Done::Dns(r) => out.dns.push(r),
                        Done::Tls(r) => out.tls.endpoints.push(*r),
                        Done::Ntp(addr, samples) => out.ntp.push(NtpServerResult { addr, names: Vec::new(), samples }),
                        Done::Tcp(r) => out.path.tcp.push(r),
                        Done::Nat64(r) => out.path.nat64 = Some(r),
                        Done::Proxy(r) => out.proxy = Some(*r),
                        Done::Line(r) => out.line = *r,
                        Done::CutOff(subject, d) => out.cut_off.push((subject, d)),
                    }
                }
            },
        }
    }
    // Whatever is still running was cut off by the round deadline or by cancellation.
    run.set.abort_all();
    for subject in run.pending.drain(..) {
        out.cut_off.push((subject, plan.round_deadline));
    }
    for r in &mut out.ntp {
        r.names = run.ntp_names.get(&r.addr).cloned().unwrap_or_default();
    }
    let order = |name: &str| {
        names
            .iter()
            .position(|(h, _)| h.host == name)
            .unwrap_or(usize::MAX)
    };
    out.dns.sort_by_key(|d| order(&d.name));
    out.ntp.sort_by_key(|n| {
        (
            n.names.iter().map(|s| order(s)).min().unwrap_or(usize::MAX),
            n.addr,
        )
    });
    let tls_order = |name: &str| {
        p.tls
            .iter()
            .position(|e| e.name == name)
            .unwrap_or(usize::MAX)
    };
    out.tls.endpoints.sort_by_key(|e| tls_order(&e.name));
    out.path.tcp.sort_by_key(|t| tls_order(&t.name));
    if out.path.adapter.is_some() {
        out.path.routes = routes(&out);
    }
    out.duration = start.elapsed();
    Ok(out)
}

/// Which way the system's own routing sends each address the round used (loopback aside): a UDP
/// connect per address, which sends nothing.
fn routes(m: &Measurements) -> Vec<RouteProbe> {
    let mut uses: Vec<(SocketAddr, Vec<String>)> = Vec::new();
    let mut add = |addr: SocketAddr, what: &str| {
        if addr.ip().is_loopback() {
            return;
        }
        match uses.iter_mut().find(|(a, _)| a.ip() == addr.ip()) {
            Some((_, w)) if !w.iter().any(|x| x == what) => w.push(what.to_string()),
            Some(_) => {}
            None => uses.push((addr, vec![what.to_string()])),
        }
    };
    for ns in &m.path.nameservers {
        add(*ns, "dns");
    }
    for r in &m.ntp {
        add(r.addr, "ntp");
    }
    for t in &m.path.tcp {
        for a in &t.attempts {
            add(a.addr, "tcp");
        }
    }
    for e in &m.tls.endpoints {
        if let Some(a) = e.addr {
            add(a, "tls");
        }
    }
    uses.into_iter()
        .map(|(addr, uses)| {
            let (source, error) = match crate::net::route_to(addr) {
                Ok(ip) => (Some(ip), None),
                Err(e) => (None, Some(e.to_string())),
            };
            RouteProbe {
                peer: addr.ip(),
                uses,
                source,
                error,
            }
        })
        .collect()
}

/// The tasks of a round in flight, and which NTP addresses came from which names.
struct Running {
    set: JoinSet<Done>,
    pending: Vec<String>,
    ntp_names: BTreeMap<SocketAddr, Vec<String>>,
    ctx: Arc<Ctx>,
    families: Vec<Family>,
    port_of: BTreeMap<String, u16>,
    default_port: u16,
}

impl Running {
    fn spawn(&mut self, task: Task) {
        self.pending.push(task.subject());
        self.set.spawn(task.run(self.ctx.clone()));
    }

    /// Starts an NTP probe for an address the first time any name reveals it (of a family the
    /// profile uses), and remembers every name that led to it.
    fn want_ntp(&mut self, name: &str, ip: IpAddr) {
        if !self.families.contains(&Family::of(&ip)) {
            return;
        }
        let port = self.port_of.get(name).copied().unwrap_or(self.default_port);
        let addr = SocketAddr::new(ip, port);
        let names = self.ntp_names.entry(addr).or_default();
        let first = names.is_empty();
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        if first {
            self.spawn(Task::Ntp(addr));
        }
    }
}
