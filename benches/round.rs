//! Round benchmark: the lab with a fixed added latency per reply, full rounds, and the round's wall
//! time beside the critical-path bound it cannot beat (the slowest chain of dependent exchanges,
//! NTP pacing included; the TLS endpoints' resolve + connect + TLS 1.3 handshake + one request).
//! Then the floor under the TLS endpoints' ratio: the same endpoints outside a round, by our TLS
//! probe and by a minimal blocking client (`round/reference.rs`), alone and all at once.
//! `cargo bench --bench round` measures; under `cargo test` it runs one quick round (and one of
//! each floor run) as a smoke test. Set OQS_BENCH_LATENCY_MS / OQS_BENCH_ROUNDS / OQS_BENCH_TLS
//! (endpoints kept) / OQS_BENCH_QUERIES (per name and family) to change the defaults, and
//! OQS_BENCH_NO_PROXY=1 to leave the proxy section out.

#[path = "round/reference.rs"]
mod reference;

use oqs_net::engine::run_round;
use oqs_net::model::{Environment, Mode, Profile, RoundSettings};
use oqs_net::round::lab as lab_setup;
use oqs_net::round::{Builder, Sections};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The slowest chain of dependent exchanges in one round, with `l` added to every reply:
/// each name's repeated queries of one family run in sequence; an address's NTP samples start
/// after the first answer that reveals it and are paced `interval` apart (or wait for the reply).
fn critical_path(p: &Profile, l: Duration) -> Duration {
    let dns_chain = l * p.dns.queries;
    let gap = p.ntp.interval.max(l);
    let ntp_chain = l + gap * (p.ntp.samples - 1) + l;
    dns_chain.max(ntp_chain).max(tls_chain(p, l))
}

/// One TLS endpoint: its name resolved (one query), one connect round trip, one TLS 1.3 handshake
/// round trip, and one request when the endpoint makes one. (The lab cannot slow the kernel's
/// TCP handshake, so it holds its first flight back by the connect's latency instead.)
fn tls_chain(p: &Profile, l: Duration) -> Duration {
    p.tls
        .iter()
        .map(|e| {
            l + l
                + l
                + if e.request.is_some() {
                    l
                } else {
                    Duration::ZERO
                }
        })
        .max()
        .unwrap_or(Duration::ZERO)
}

/// What a one-at-a-time implementation would spend: every exchange after the other.
fn sequential(p: &Profile, l: Duration, members: u32) -> Duration {
    let names = 1 + p.dns.fallbacks.len() as u32;
    let dns = l * (names * 2 * p.dns.queries);
    let ntp = (p.ntp.interval.max(l) * (p.ntp.samples - 1) + l) * members;
    let tls: Duration = p
        .tls
        .iter()
        .map(|e| {
            l * 3
                + if e.request.is_some() {
                    l
                } else {
                    Duration::ZERO
                }
        })
        .sum();
    dns + ntp + tls
}

/// One line of ratios and phase medians for TLS endpoint runs: [resolve, connect, handshake,
/// request] in ms each, against `bound_ms`.
fn print_runs(what: &str, runs: &[[f64; 4]], bound_ms: f64) {
    if runs.is_empty() {
        return;
    }
    let mut ratios: Vec<f64> = runs
        .iter()
        .map(|r| r.iter().sum::<f64>() / bound_ms)
        .collect();
    ratios.sort_by(f64::total_cmp);
    let phase = |i: usize| {
        let mut v: Vec<f64> = runs.iter().map(|r| r[i]).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "  {what}: ratio median {:.3}, max {:.3} · phases median ms: resolve {:.2}, connect {:.2}, handshake {:.2}, request {:.2}",
        ratios[ratios.len() / 2],
        ratios[ratios.len() - 1],
        phase(0),
        phase(1),
        phase(2),
        phase(3)
    );
}

/// The endpoints that make a request, outside a round: oqs-net's TLS probe on the round's runtime,
/// then the minimal blocking client (`reference`), each with the first endpoint alone `rounds`
/// times and then all of them at once (the reference on a thread each), as a round's land
/// together. The reference's ratio is the floor this lab and machine allow any client.
async fn floor(
    lab: &oqs_net::lab::Lab,
    plan: &oqs_net::engine::Plan,
    mode: Mode,
    rounds: u64,
    bound: Duration,
) {
    let p = &plan.profile;
    let endpoints: Vec<_> = p.tls.iter().filter(|e| e.request.is_some()).collect();
    let (Some(pki), Some((_, ctx)), Some(first)) = (lab.pki(), &plan.tls, endpoints.first()) else {
        return;
    };
    let bound_ms = bound.as_secs_f64() * 1e3;
    let probe = |ep| async move {
        let resolver = plan.net.resolver(p.dns.timeout).expect("a resolver");
        let until = tokio::time::Instant::now() + Duration::from_secs(30);
        let r = oqs_net::probe::tls::probe_endpoint(
            ctx,
            &plan.net,
            Some(&resolver),
            &p.dns.families,
            p.dns.timeout,
            ep,
            until,
        )
        .await;
        assert!(r.failure.is_none(), "{:?}", r.failure);
        [r.resolve_ms, r.connect_ms, r.handshake_ms, r.request_ms].map(|x| x.unwrap_or(0.0))
    };
    let mut alone = Vec::new();
    for _ in 0..rounds {
        alone.push(probe(*first).await);
    }
    print_runs("oqs-net's TLS probe, one endpoint alone", &alone, bound_ms);
    let mut together = Vec::new();
    for _ in 0..rounds {
        together.extend(futures_util::future::join_all(endpoints.iter().map(|e| probe(e))).await);
    }
    print_runs(
        &format!("oqs-net's TLS probe, {} endpoints at once", endpoints.len()),
        &together,
        bound_ms,
    );

    let client = reference::Reference::new(pki, lab.dns_addr(), mode == Mode::Ipvpn);
    let targets: Vec<reference::Target> = endpoints
        .iter()
        .filter_map(|e| {
            Some(reference::Target {
                host: e.host.host.clone(),
                port: e.host.port?,
                path: e.request.clone()?,
            })
        })
        .collect();
    let alone: Vec<[f64; 4]> = (0..rounds).map(|_| client.endpoint(&targets[0])).collect();
    print_runs("reference client, one endpoint alone", &alone, bound_ms);
    let mut together = Vec::new();
    for _ in 0..rounds {
        let start = std::sync::Barrier::new(targets.len());
        std::thread::scope(|s| {
            let runs: Vec<_> = targets
                .iter()
                .map(|t| {
                    let (client, start) = (&client, &start);
                    s.spawn(move || {
                        start.wait();
                        client.endpoint(t)
                    })
                })
                .collect();
            together.extend(
                runs.into_iter()
                    .map(|r| r.join().expect("a reference endpoint")),
            );
        });
    }
    print_runs(
        &format!("reference client, {} endpoints at once", targets.len()),
        &together,
        bound_ms,
    );
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    // IPv6 members need a namespace of our own; take one before any thread starts (root only).
    #[cfg(target_os = "linux")]
    let (mode, v6) = match oqs_net::platform::netns::enter_private(&lab_setup::netns_v6()) {
        Ok(()) => (Mode::Ipvpn, lab_setup::LAB_V6_NETNS.to_vec()),
        Err(e) => {
            eprintln!("note: {e}; benchmarking the IPv4 (ipsec) profile instead");
            (Mode::Ipsec, vec![std::net::Ipv6Addr::LOCALHOST])
        }
    };
    #[cfg(not(target_os = "linux"))]
    let (mode, v6) = (Mode::Ipsec, vec![std::net::Ipv6Addr::LOCALHOST]);

    let latency = Duration::from_millis(env_u64("OQS_BENCH_LATENCY_MS", 50));
    let rounds = if measuring {
        env_u64("OQS_BENCH_ROUNDS", 10)
    } else {
        1
    };
    // The lab on threads of its own (as `oqs-net lab` would be a process of its own), the round
    // on the runtime every command runs its rounds on.
    let lab_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut profile = oqs_net::profile::shipped_for(mode, Environment::Production);
    // OQS_BENCH_TLS=N keeps the first N TLS endpoints: what one endpoint costs alone, against
    // six whose replies land at the same moment.
    profile
        .tls
        .truncate(env_u64("OQS_BENCH_TLS", u64::MAX) as usize);
    profile.dns.queries = env_u64("OQS_BENCH_QUERIES", profile.dns.queries.into()) as u32;
    let spec = lab_setup::spec_for(&profile, &v6, None, latency.as_millis() as u64);
    let members = spec
        .members
        .iter()
        .filter(|m| m.ip.is_ipv6() == (mode == Mode::Ipvpn))
        .count() as u32;
    let lab = lab_rt
        .block_on(oqs_net::lab::Lab::start(spec))
        .expect("lab starts");
    let rt = oqs_net::engine::runtime().expect("runtime");
    rt.block_on(async {
        // The round as `probe --lab` plans it, with the proxy section (the installers' settings,
        // Windows Update through the lab proxy: a lookup and a CONNECT, 2 × latency, off the
        // critical path); without the adapter section, which the lab's namespace cannot pass.
        let sections = Sections {
            adapter: false,
            proxy: std::env::var_os("OQS_BENCH_NO_PROXY").is_none(),
            line: false,
        };
        let mut builder = Builder::new(profile.clone(), RoundSettings::default(), None)
            .expect("valid settings")
            .sections(sections);
        builder.point_at(&lab);
        let plan = builder.plan(Some(&lab)).expect("a plan");
        let p = plan.profile.clone();
        let bound = critical_path(&p, latency);
        let mut walls = Vec::new();
        let mut tls_ratios = Vec::new();
        // Each phase of the endpoints that make a request, in ms: resolve, connect, handshake,
        // request.
        let mut phases: [Vec<f64>; 4] = Default::default();
        let tls_bound = tls_chain(&p, latency);
        for _ in 0..rounds {
            let start = Instant::now();
            let m = run_round(&plan, &CancellationToken::new()).await.expect("round");
            walls.push(start.elapsed());
            assert_eq!(m.tls.endpoints.len(), p.tls.len(), "every TLS endpoint was probed");
            for e in &m.tls.endpoints {
                let took = e.resolve_ms.unwrap_or(0.0)
                    + e.connect_ms.unwrap_or(0.0)
                    + e.handshake_ms.unwrap_or(0.0)
                    + e.request_ms.unwrap_or(0.0);
                tls_ratios.push(took / (tls_bound.as_secs_f64() * 1e3));
                if e.request_ms.is_some() {
                    for (v, x) in phases.iter_mut().zip([e.resolve_ms, e.connect_ms, e.handshake_ms, e.request_ms]) {
                        v.push(x.unwrap_or(0.0));
                    }
                }
            }
            let routes = m.proxy.as_ref().map_or(0, |x| x.routes.len());
            let routed = if sections.proxy { p.tls.len() + 2 } else { 0 };
            assert_eq!(routes, routed, "every target was routed");
            let r = oqs_net::judge::judge(&p, &m);
            assert_eq!(r.status, oqs_net::model::Status::Pass, "the benchmark's lab round must be healthy");
        }
        walls.sort();
        let median = walls[walls.len() / 2];
        let ratio = median.as_secs_f64() / bound.as_secs_f64();
        println!(
            "round benchmark: profile {} · latency {} ms per reply · {} queries × {} names × 2 families · {} NTP servers × {} samples every {} ms",
            p.name,
            latency.as_millis(),
            p.dns.queries,
            1 + p.dns.fallbacks.len(),
            members,
            p.ntp.samples,
            p.ntp.interval.as_millis()
        );
        println!(
            "  rounds {rounds} · wall median {:.1} ms (min {:.1}, max {:.1})",
            median.as_secs_f64() * 1e3,
            walls[0].as_secs_f64() * 1e3,
            walls[walls.len() - 1].as_secs_f64() * 1e3
        );
        println!("  critical-path bound {:.1} ms · ratio {ratio:.3} (target ≤ 1.05)", bound.as_secs_f64() * 1e3);
        tls_ratios.sort_by(f64::total_cmp);
        println!(
            "  TLS: {} endpoints × {rounds} rounds · resolve+connect+handshake+request bound {:.1} ms · ratio median {:.3}, max {:.3} (target ≤ 1.05)",
            p.tls.len(),
            tls_bound.as_secs_f64() * 1e3,
            tls_ratios[tls_ratios.len() / 2],
            tls_ratios[tls_ratios.len() - 1]
        );
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        println!(
            "  TLS phases (endpoints with a request), median ms: resolve {:.2} (bound {l}), connect {:.2} (kernel), handshake {:.2} (bound {}), request {:.2} (bound {l})",
            median(&mut phases[0]),
            median(&mut phases[1]),
            median(&mut phases[2]),
            2 * latency.as_millis(),
            median(&mut phases[3]),
            l = latency.as_millis(),
        );
        println!("  a sequential round would take ≈ {:.0} ms", sequential(&p, latency, members).as_secs_f64() * 1e3);
        floor(&lab, &plan, mode, rounds, tls_bound).await;
    });
    lab_rt.block_on(lab.shutdown());
}
