//! CPU benchmark: what the client spends per DNS query, per NTP exchange, per TLS handshake with
//! the client certificate and its request, and per round besides them.
//!
//! The lab (DNS, NTP and the TLS servers with their PKI, no added latency) runs in this process;
//! each measurement is a child process (this program re-run with `--child`) that reads the lab's
//! profile file (as `oqs-net lab` writes it), runs rounds as a soak plans them (the round builder,
//! the engine, the judge; without the adapter and proxy sections and without the journal, whose
//! cost `cargo bench --bench soak` reports apart), and reports its own CPU time over them
//! (getrusage RUSAGE_SELF: user + system, the lab not in it) and what the rounds exchanged,
//! counted from their results.
//!
//! Attribution: seven mixes of the same rounds, differing in one thing each —
//! A: 8 queries per name and family, 1 NTP sample, no TLS; B: 2 queries, 1 sample, no TLS;
//! C: 2 queries, 4 samples, no TLS; D: B with the profile's TLS endpoints; F: B with its first
//! TLS endpoint only; E: 8 queries, 4 samples and TLS (the profile's usual round); T: B followed
//! by the TCP check of every TLS endpoint (`probe::tcp`, as a round on the OQS adapter runs it:
//! an A and an AAAA lookup, then a connect, nothing sent). Per DNS query =
//! (A − B) / their difference in queries; per NTP exchange = (C − B) / their difference in
//! samples; per TLS endpoint = (D − F) / their difference in handshakes (its own name lookup
//! included, and given without it too); per TCP connect = (T − B) / its connects, less its
//! lookups at the DNS figure; the TLS set-up of a round (the identity and the client
//! configuration) = F − B − one endpoint; fixed per round = what is left of B after its queries
//! and samples, plus that set-up. E is then predicted from those figures and measured, as a check.
//!
//! `cargo bench --bench cpu` measures (release build; OQS_BENCH_CPU_ROUNDS, default 2000 per
//! mix). Under `cargo test --all-targets` it runs a few rounds of each mix as a smoke test.
//! Linux only (getrusage).

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("the CPU benchmark measures with getrusage: Linux only");
}

#[cfg(target_os = "linux")]
mod linux {
    use oqs_net::model::{Environment, Mode, RoundSettings, Status};
    use oqs_net::round::lab as lab_setup;
    use oqs_net::round::{Builder, Sections};
    use std::net::SocketAddr;
    use std::path::Path;
    use std::process::Command;
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    /// One mix of the round: queries per name and family, NTP samples per server, TLS or not.
    #[derive(Clone, Copy)]
    struct Mix {
        name: &'static str,
        queries: u32,
        samples: u32,
        /// TLS endpoints of the profile kept: none, the first, or all.
        tls: Tls,
        /// After each round, the TCP reachability check of every TLS endpoint of the profile
        /// (its A and AAAA lookups and a connect), as a round on the OQS adapter adds them.
        tcp: bool,
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Tls {
        None,
        First,
        All,
    }

    const MIXES: [Mix; 7] = [
        Mix {
            name: "A",
            queries: 8,
            samples: 1,
            tls: Tls::None,
            tcp: false,
        },
        Mix {
            name: "B",
            queries: 2,
            samples: 1,
            tls: Tls::None,
            tcp: false,
        },
        Mix {
            name: "C",
            queries: 2,
            samples: 4,
            tls: Tls::None,
            tcp: false,
        },
        Mix {
            name: "D",
            queries: 2,
            samples: 1,
            tls: Tls::All,
            tcp: false,
        },
        Mix {
            name: "F",
            queries: 2,
            samples: 1,
            tls: Tls::First,
            tcp: false,
        },
        Mix {
            name: "E",
            queries: 8,
            samples: 4,
            tls: Tls::All,
            tcp: false,
        },
        Mix {
            name: "T",
            queries: 2,
            samples: 1,
            tls: Tls::None,
            tcp: true,
        },
    ];

    fn cpu_us() -> f64 {
        let u = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
            .expect("getrusage");
        let us = |t: nix::sys::time::TimeVal| (t.tv_sec() * 1_000_000 + t.tv_usec()) as f64;
        us(u.user_time()) + us(u.system_time())
    }

    /// What a child measured over its rounds.
    #[derive(Clone, Copy, Default)]
    struct Figures {
        rounds: f64,
        cpu_us: f64,
        dns: f64,
        ntp: f64,
        tls: f64,
        /// The TLS endpoints' own name lookups (one query per family each).
        tls_lookups: f64,
        /// TCP connects made by the TCP checks, and the queries of their lookups.
        tcp: f64,
        tcp_lookups: f64,
    }

    impl Figures {
        fn per_round(&self, x: f64) -> f64 {
            x / self.rounds
        }
    }

    /// The child: `rounds` rounds of `mix` against the lab described by `profile_file`, after a
    /// few unmeasured ones; prints its figures as one line of numbers.
    fn child(mix: Mix, rounds: u64, profile_file: &Path) {
        let text = std::fs::read_to_string(profile_file).expect("profile file");
        let mut p = oqs_net::profile::parse(&text, "lab").expect("lab profile");
        let endpoints = p.tls.clone();
        p.dns.queries = mix.queries;
        p.ntp.samples = mix.samples;
        p.ntp.interval = Duration::ZERO;
        match mix.tls {
            Tls::None => p.tls.clear(),
            Tls::First => p.tls.truncate(1),
            Tls::All => {}
        }
        let settings = RoundSettings {
            resolvers: p.dns.resolvers.clone(),
            ..RoundSettings::default()
        };
        let builder = Builder::new(p, settings, None)
            .expect("valid settings")
            .sections(Sections::CORE);
        // The runtime `oqs-net soak` runs on.
        let rt = oqs_net::engine::runtime().expect("runtime");
        let mut f = Figures::default();
        rt.block_on(async {
            let cancel = CancellationToken::new();
            let tcp = if mix.tcp { &endpoints[..] } else { &[] };
            for _ in 0..10 {
                one_round(&builder, tcp, &cancel, &mut Figures::default()).await;
            }
            let before = cpu_us();
            for _ in 0..rounds {
                one_round(&builder, tcp, &cancel, &mut f).await;
            }
            f.cpu_us = cpu_us() - before;
        });
        println!(
            "{} {} {} {} {} {} {} {}",
            f.rounds, f.cpu_us, f.dns, f.ntp, f.tls, f.tls_lookups, f.tcp, f.tcp_lookups
        );
    }

    /// One round as a soak's plans it, run and judged, then the TCP checks of `tcp` (the probe a
    /// round on the OQS adapter runs for each TLS endpoint, on that round's resolver); what it
    /// exchanged added to `f`.
    async fn one_round(
        builder: &Builder,
        tcp: &[oqs_net::model::TlsEndpoint],
        cancel: &CancellationToken,
        f: &mut Figures,
    ) {
        let plan = builder.plan(None).expect("a plan");
        let m = oqs_net::engine::run_round(&plan, cancel)
            .await
            .expect("round");
        let r = oqs_net::judge::judge(&plan.profile, &m);
        // A warning (a slow reply on a loaded machine) still exchanged everything.
        assert!(
            matches!(r.status, Status::Pass | Status::Warn),
            "the lab round must be healthy: {:?}",
            r.checks
                .iter()
                .flat_map(|c| &c.findings)
                .map(|f| f.code)
                .collect::<Vec<_>>()
        );
        f.rounds += 1.0;
        f.dns += m
            .dns
            .iter()
            .flat_map(|d| &d.lookups)
            .map(|l| l.queries.len() as f64)
            .sum::<f64>();
        f.ntp += m.ntp.iter().map(|n| n.samples.len() as f64).sum::<f64>();
        for e in &m.tls.endpoints {
            if e.handshake_ms.is_some() {
                f.tls += 1.0;
            }
            if e.resolve_ms.is_some() {
                f.tls_lookups += plan.profile.dns.families.len() as f64;
            }
        }
        if tcp.is_empty() {
            return;
        }
        let resolver = plan
            .net
            .resolver(plan.profile.dns.timeout)
            .expect("resolver");
        for e in tcp {
            let spec = oqs_net::probe::tcp::TcpSpec {
                name: e.name.clone(),
                host: e.host.host.clone(),
                port: e.host.port_or(443),
                families: plan.profile.dns.families.clone(),
                dns_timeout: plan.profile.dns.timeout,
                connect_timeout: oqs_net::engine::TCP_CONNECT_TIMEOUT,
            };
            let r = oqs_net::probe::tcp::probe_target(Some(&resolver), &plan.net, &spec).await;
            assert!(
                !r.attempts.is_empty()
                    && r.attempts
                        .iter()
                        .all(|a| a.outcome == oqs_net::model::TcpOutcome::Connected),
                "every TCP check connects: {:?}",
                r.attempts
            );
            f.tcp += r.attempts.len() as f64;
            f.tcp_lookups += [&r.a, &r.aaaa].iter().filter(|q| q.is_some()).count() as f64;
        }
    }

    fn parse(line: &str) -> Figures {
        let v: Vec<f64> = line
            .split_whitespace()
            .map(|x| x.parse().expect("a number"))
            .collect();
        Figures {
            rounds: v[0],
            cpu_us: v[1],
            dns: v[2],
            ntp: v[3],
            tls: v[4],
            tls_lookups: v[5],
            tcp: v[6],
            tcp_lookups: v[7],
        }
    }

    /// Sockets in TIME_WAIT on this machine (IPv4 and IPv6).
    fn time_wait() -> usize {
        ["/proc/net/tcp", "/proc/net/tcp6"]
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|t| {
                t.lines()
                    .filter(|l| l.split_whitespace().nth(3) == Some("06"))
                    .count()
            })
            .sum()
    }

    /// An earlier run leaves tens of thousands of loopback connections in TIME_WAIT (a terminal's
    /// soak, a dozen connections a round, never gets near that); while they last, finding a free
    /// source port makes every connect cost up to ten times more. Wait for them to expire (60 s).
    fn settle_time_wait() {
        let start = std::time::Instant::now();
        let left = time_wait();
        if left < 1000 {
            return;
        }
        eprintln!("waiting for {left} connections in TIME_WAIT to expire (at most 65 s)");
        while time_wait() >= 1000 && start.elapsed() < Duration::from_secs(65) {
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    pub fn main() {
        let args: Vec<String> = std::env::args().collect();
        if let Some(i) = args.iter().position(|a| a == "--child") {
            let mix = MIXES
                .iter()
                .find(|m| m.name == args[i + 1])
                .copied()
                .expect("a mix");
            child(
                mix,
                args[i + 2].parse().expect("rounds"),
                Path::new(&args[i + 3]),
            );
            return;
        }
        let measuring = args.iter().any(|a| a == "--bench");
        let rounds: u64 = if measuring {
            std::env::var("OQS_BENCH_CPU_ROUNDS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(2000)
        } else {
            3
        };

        settle_time_wait();
        // The lab, on a runtime of its own in this process: the children count only themselves.
        let lab_rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let profile = oqs_net::profile::shipped_for(Mode::Ipsec, Environment::Production);
        let spec = lab_setup::spec_for(&profile, &[std::net::Ipv6Addr::LOCALHOST], None, 0);
        let lab = lab_rt
            .block_on(oqs_net::lab::Lab::start(spec))
            .expect("lab starts");
        let (pointed, resolvers): (_, Vec<SocketAddr>) = lab_setup::point_at(&profile, &lab);
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("lab.toml");
        std::fs::write(&file, lab_setup::profile_toml(&pointed, &resolvers)).expect("write");

        let mut got = Vec::new();
        for mix in MIXES {
            let out = Command::new(std::env::current_exe().expect("exe"))
                .args(["--child", mix.name, &rounds.to_string()])
                .arg(&file)
                .output()
                .expect("child runs");
            assert!(
                out.status.success(),
                "child {}: {}",
                mix.name,
                String::from_utf8_lossy(&out.stderr)
            );
            got.push(parse(String::from_utf8_lossy(&out.stdout).trim()));
        }
        lab_rt.block_on(lab.shutdown());

        let [a, b, c, d, f, e, t] = [got[0], got[1], got[2], got[3], got[4], got[5], got[6]];
        let round_cpu = |f: &Figures| f.per_round(f.cpu_us) / 1000.0;
        let dns = (round_cpu(&a) - round_cpu(&b)) / (a.per_round(a.dns) - b.per_round(b.dns));
        let ntp = (round_cpu(&c) - round_cpu(&b)) / (c.per_round(c.ntp) - b.per_round(b.ntp));
        // Per endpoint: the other endpoints' share (D less F); the TLS set-up of a round (the
        // identity, the configuration) is what F adds to B beyond one endpoint.
        let tls = (round_cpu(&d) - round_cpu(&f)) / (d.per_round(d.tls) - f.per_round(f.tls));
        let lookups_per_endpoint = d.tls_lookups / d.tls;
        let tls_own = tls - dns * lookups_per_endpoint;
        let tls_setup = round_cpu(&f) - round_cpu(&b) - tls * f.per_round(f.tls);
        // Per TCP check (its two lookups and its connect), then the connect alone.
        let tcp_check = (round_cpu(&t) - round_cpu(&b)) / t.per_round(t.tcp);
        let tcp_connect = tcp_check - dns * t.tcp_lookups / t.tcp;
        let fixed = round_cpu(&b) - dns * b.per_round(b.dns) - ntp * b.per_round(b.ntp);
        let predicted = fixed
            + tls_setup
            + dns * e.per_round(e.dns)
            + ntp * e.per_round(e.ntp)
            + tls * e.per_round(e.tls);
        println!(
            "CPU benchmark: profile {} against the lab in another process (no added latency, NTP pacing 0), {rounds} rounds per mix, client CPU from getrusage (user + system)",
            profile.name
        );
        for (mix, f) in MIXES.iter().zip(&got) {
            println!(
                "  mix {}: {} queries, {} samples{}{} — per round {:.1} DNS queries, {:.1} NTP exchanges, {:.1} TLS handshakes: {:.3} ms CPU",
                mix.name,
                mix.queries,
                mix.samples,
                match mix.tls {
                    Tls::None => "",
                    Tls::First => ", TLS (first endpoint)",
                    Tls::All => ", TLS",
                },
                if mix.tcp { ", TCP checks" } else { "" },
                f.per_round(f.dns),
                f.per_round(f.ntp),
                f.per_round(f.tls),
                round_cpu(f)
            );
        }
        println!("  per DNS query      {dns:.3} ms (target ≤ 0.03)");
        println!("  per NTP exchange   {ntp:.3} ms (target ≤ 0.05)");
        println!(
            "  per TLS endpoint   {tls:.3} ms: connect, handshake with the client certificate, request, and its name lookup; {tls_own:.3} ms without the lookup (target ≤ 0.35)"
        );
        println!(
            "  per TCP connect    {tcp_connect:.3} ms; {tcp_check:.3} ms with its A and AAAA lookups (the round's TCP check of an endpoint)"
        );
        println!(
            "  fixed per round    {:.3} ms with TLS: {fixed:.3} ms of any round, {tls_setup:.3} ms of TLS set-up (target ≤ 0.5)",
            fixed + tls_setup
        );
        println!(
            "  check: the full round (mix E) predicted {predicted:.3} ms, measured {:.3} ms",
            round_cpu(&e)
        );
    }
}
