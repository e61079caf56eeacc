//! Soak benchmark (issue 6): what a soak costs, and what reading its journal costs.
//!
//! 1. **Soak loop**: a child process (this program re-run with `--child-soak N`) soaks the lab
//!    served by this one for N rounds at a 0 s interval with no added latency (NTP pacing off too),
//!    journalling and fsyncing every round as `oqs-net soak` does. It reports its own CPU time
//!    (getrusage, over the loop only) and resident memory (VmRSS at the end, VmHWM peak). Run for
//!    1,000 and 10,000 rounds: CPU per probe, and whether memory stays flat.
//! 2. **Report**: a journal of 1,000,000 probe records (142,858 rounds of 7 targets, the shape of
//!    an ipvpn soak, with a member that flaps now and then) is generated, then `oqs-net report
//!    --format json` (the real binary) reads it: wall time and the child's peak RSS.
//!
//! 3. **Growth**: a child records 16 real rounds of DNS, NTP and TLS against a lab of its own,
//!    stops the lab, then runs the soak's machinery on them (the loop, extraction, the flap
//!    tracker, the journal fdatasynced per round, the Prometheus state and textfile per round,
//!    the listener scraped every 10 ms) for 100,000 rounds, reading its memory after 1,000,
//!    10,000 and 100,000 (OQS_BENCH_GROWTH_ROUNDS): whether RSS stays within +1 MB.
//!    `cargo bench --bench soak -- growth` runs this part alone.
//!
//! `cargo bench --bench soak` measures (release build). Under `cargo test --all-targets` it runs
//! a tiny version of both as a smoke test. OQS_BENCH_SOAK_ROUNDS="1000,10000" and
//! OQS_BENCH_REPORT_RECORDS=1000000 change the sizes. Linux only (getrusage, /proc).

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("the soak benchmark measures with getrusage and /proc: Linux only");
}

#[cfg(target_os = "linux")]
mod linux {
    use oqs_net::exporter;
    use oqs_net::model::{CheckData, CheckKind, Environment, Mode, Profile, Round, Status};
    use oqs_net::round::lab as lab_setup;
    use oqs_net::round::source::EngineSource;
    use oqs_net::round::{Builder, Sections};
    use oqs_net::soak::journal::{
        Header, JOURNAL_VERSION, JournalWriter, ProfileRef, Record, RoundRecord, Settings,
        TargetRecord, rfc3339,
    };
    use oqs_net::soak::run::{Clock, Observer, RoundSource, Schedule, Session, Silent, run};
    use oqs_net::soak::{Thresholds, track::Tracker};
    use std::collections::BTreeMap;
    use std::future::Future;
    use std::io::{BufWriter, Write};
    use std::net::SocketAddr;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    use tokio_util::sync::CancellationToken;

    fn env_list(name: &str, default: &[u64]) -> Vec<u64> {
        std::env::var(name)
            .ok()
            .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
            .filter(|v: &Vec<u64>| !v.is_empty())
            .unwrap_or_else(|| default.to_vec())
    }

    fn cpu_us(u: &nix::sys::resource::Usage) -> (i64, i64) {
        let us = |t: nix::sys::time::TimeVal| t.tv_sec() * 1_000_000 + t.tv_usec();
        (us(u.user_time()), us(u.system_time()))
    }

    /// A field of /proc/self/status, in kB.
    fn status_kb(name: &str) -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    /// `VmRSS` and `VmHWM` of this process, in kB.
    fn memory_kb() -> (u64, u64) {
        (status_kb("VmRSS:"), status_kb("VmHWM:"))
    }

    /// Counts the network exchanges (DNS queries, NTP samples) of each round it passes on.
    struct Counting {
        inner: EngineSource<'static>,
        exchanges: u64,
        targets: u64,
        others: u64,
        failed_rounds: u64,
    }

    impl RoundSource for Counting {
        fn round(
            &mut self,
            cancel: &CancellationToken,
        ) -> impl Future<Output = Result<Option<Round>, String>> {
            let cancel = cancel.clone();
            async move {
                let r = self.inner.round(&cancel).await?;
                if let Some(round) = &r {
                    for c in &round.checks {
                        if let CheckData::Dns { result, .. } = &c.data {
                            self.exchanges += result
                                .lookups
                                .iter()
                                .map(|l| l.queries.len() as u64)
                                .sum::<u64>();
                            self.targets += 1;
                        } else if let CheckData::Ntp(n) = &c.data {
                            self.exchanges += n.samples.len() as u64;
                            self.targets += 1;
                        } else if c.kind != CheckKind::NtpConsensus {
                            // Checks added since (TLS, ...): one exchange each.
                            self.exchanges += 1;
                            self.targets += 1;
                            self.others += 1;
                        }
                    }
                    if round.status != Status::Pass {
                        self.failed_rounds += 1;
                    }
                }
                Ok(r)
            }
        }
    }

    /// The lab in this process, on a runtime of its own whose threads are named `oqs-lab`, so
    /// their CPU can be told apart from the soak's; and the profile pointed at it (every check
    /// the profile has, as `oqs-net soak --lab` runs it), with no added latency and NTP samples
    /// back to back.
    fn lab() -> (
        tokio::runtime::Runtime,
        oqs_net::lab::Lab,
        Profile,
        Vec<SocketAddr>,
    ) {
        lab_with(all_checks())
    }

    /// [`lab`], with the TLS endpoints or without.
    fn lab_with(
        tls: bool,
    ) -> (
        tokio::runtime::Runtime,
        oqs_net::lab::Lab,
        Profile,
        Vec<SocketAddr>,
    ) {
        let lab_rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("oqs-lab")
            .enable_all()
            .build()
            .expect("runtime");
        let mut profile = oqs_net::profile::shipped_for(Mode::Ipsec, Environment::Production);
        profile.ntp.interval = Duration::ZERO;
        // DNS and NTP only by default (7 targets), as the target and the figures in
        // docs/soak.md are stated; OQS_BENCH_SOAK_CHECKS=all soaks every check the profile has
        // (TLS endpoints too, served by the lab).
        if !tls {
            profile.tls.clear();
        }
        let spec = lab_setup::spec_for(&profile, &[std::net::Ipv6Addr::LOCALHOST], None, 0);
        let lab = lab_rt
            .block_on(oqs_net::lab::Lab::start(spec))
            .expect("lab starts");
        let (p, resolvers) = lab_setup::point_at(&profile, &lab);
        (lab_rt, lab, p, resolvers)
    }

    /// The lab the child soaks: the parent's, when given (DNS and NTP only, pointed by hand; the
    /// lab's CPU and memory then stay out of the child's figures), else one of its own.
    fn soak_target(
        parent: Option<(SocketAddr, u16)>,
    ) -> (
        Option<(tokio::runtime::Runtime, oqs_net::lab::Lab)>,
        Profile,
        Vec<SocketAddr>,
    ) {
        let Some((dns, port)) = parent else {
            let (rt, lab, p, resolvers) = lab();
            return (Some((rt, lab)), p, resolvers);
        };
        let mut p = oqs_net::profile::shipped_for(Mode::Ipsec, Environment::Production);
        p.ntp.interval = Duration::ZERO;
        p.tls.clear();
        p.ntp.port = port;
        p.dns.round_robin.port = Some(port);
        for f in &mut p.dns.fallbacks {
            f.port = Some(port);
        }
        (None, p, vec![dns])
    }

    fn all_checks() -> bool {
        std::env::var("OQS_BENCH_SOAK_CHECKS").as_deref() == Ok("all")
    }

    /// CPU time of this process's `oqs-lab` threads, in µs (from /proc, per thread).
    fn lab_cpu_us() -> i64 {
        let mut ns: u64 = 0;
        for e in std::fs::read_dir("/proc/self/task")
            .into_iter()
            .flatten()
            .flatten()
        {
            let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
            if comm.starts_with("oqs-lab") {
                let stat = std::fs::read_to_string(e.path().join("schedstat")).unwrap_or_default();
                ns += stat
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
        (ns / 1000) as i64
    }

    /// Rounds of DNS and NTP (and TLS with `all`) as the soak command plans them, without the
    /// adapter and proxy sections: the figures are per probe.
    fn engine_source(p: Profile, resolvers: Vec<SocketAddr>) -> EngineSource<'static> {
        let settings = oqs_net::model::RoundSettings {
            resolvers,
            ..Default::default()
        };
        EngineSource {
            builder: Builder::new(p, settings, None)
                .expect("valid settings")
                .sections(Sections::CORE),
            lab: None,
        }
    }

    fn header(interval_ms: u64) -> Header {
        Header {
            journal_version: JOURNAL_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            started_at: rfc3339(1_750_000_000_000),
            ts: 1_750_000_000_000,
            profile: ProfileRef {
                name: "ipvpn-production".into(),
                source: "builtin:ipvpn-production".into(),
                mode: "ipvpn".into(),
                environment: "production".into(),
                provider: None,
                toml: None,
            },
            settings: Settings {
                interval_ms,
                duration_ms: None,
                rounds: None,
                flap_high_pct: 30.0,
                flap_low_pct: 20.0,
                slowness: Default::default(),

                round: oqs_net::model::RoundSettings {
                    deadline_ms: 30_000,
                    ..Default::default()
                },
                started: Default::default(),
                lab: None,
            },
        }
    }

    /// The child: N rounds against a lab in this process, then one JSON line of figures on
    /// stdout: the process's CPU less the lab threads', memory at the end and at its peak.
    fn child_soak(rounds: u64, journal: &Path, parent: Option<(SocketAddr, u16)>) {
        let (own_lab, p, resolvers) = soak_target(parent);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .thread_name("oqs-soak")
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let mut source = Counting {
                inner: engine_source(p, resolvers),
                exchanges: 0,
                targets: 0,
                others: 0,
                failed_rounds: 0,
            };
            let mut w = JournalWriter::create(journal).expect("journal");
            w.write(&[Record::Header(Box::new(header(0)))])
                .expect("header");
            let journal = Arc::new(Mutex::new(w));
            let mut tracker = Tracker::new(Thresholds::DEFAULT);
            let schedule = Schedule {
                interval: Duration::ZERO,
                remaining: None,
                rounds: Some(rounds),
                first_seq: 1,
            };
            let (_tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
            let before = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
                .expect("getrusage");
            let lab_before = lab_cpu_us();
            let wall = Instant::now();
            run(
                &mut source,
                &mut Silent,
                Session {
                    journal: &journal,
                    tracker: &mut tracker,
                    schedule: &schedule,
                    clock: Clock::start(),
                    notes: &mut notes,
                    cancel: &CancellationToken::new(),
                },
            )
            .await
            .expect("soak runs");
            let wall = wall.elapsed();
            let after = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
                .expect("getrusage");
            let lab_us = lab_cpu_us() - lab_before;
            let (u0, s0) = cpu_us(&before);
            let (u1, s1) = cpu_us(&after);
            let (rss, hwm) = memory_kb();
            println!(
                "{}",
                serde_json::json!({
                    "rounds": rounds,
                    "exchanges": source.exchanges,
                    "targets": source.targets,
                    "others": source.others,
                    "failed_rounds": source.failed_rounds,
                    "user_us": u1 - u0,
                    "sys_us": s1 - s0,
                    "lab_us": lab_us,
                    "wall_s": wall.as_secs_f64(),
                    "vmrss_kb": rss,
                    "vmhwm_kb": hwm,
                })
            );
        });
        if let Some((lab_rt, lab)) = own_lab {
            lab_rt.block_on(lab.shutdown());
        }
    }

    /// The child for the soak's own share: one real round, then N rounds of that round canned.
    fn child_canned(rounds: u64, journal: &Path, parent: Option<(SocketAddr, u16)>) {
        let (own_lab, p, resolvers) = soak_target(parent);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let round = rt
            .block_on(engine_source(p, resolvers).round(&CancellationToken::new()))
            .expect("round")
            .expect("not cancelled");
        if let Some((lab_rt, lab)) = own_lab {
            lab_rt.block_on(lab.shutdown());
        }
        let (user, sys) = rt.block_on(bookkeeping(round, rounds, journal));
        let (rss, hwm) = memory_kb();
        println!(
            "{}",
            serde_json::json!({ "user_ms": user, "sys_ms": sys, "vmrss_kb": rss, "vmhwm_kb": hwm })
        );
    }

    /// Hands out the same judged round again and again: the soak's own bookkeeping (extracting
    /// targets, flap tracking, serialising, writing and fsyncing the journal) without the network.
    struct Canned(Round);

    impl RoundSource for Canned {
        fn round(
            &mut self,
            _cancel: &CancellationToken,
        ) -> impl Future<Output = Result<Option<Round>, String>> {
            let r = self.0.clone();
            async move { Ok(Some(r)) }
        }
    }

    /// CPU per round of the soak's bookkeeping alone, in this process.
    async fn bookkeeping(round: Round, rounds: u64, journal: &Path) -> (f64, f64) {
        let mut w = JournalWriter::create(journal).expect("journal");
        w.write(&[Record::Header(Box::new(header(0)))])
            .expect("header");
        let journal = Arc::new(Mutex::new(w));
        let (_tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
        let before = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
            .expect("getrusage");
        run(
            &mut Canned(round),
            &mut Silent,
            Session {
                journal: &journal,
                tracker: &mut Tracker::new(Thresholds::DEFAULT),
                schedule: &Schedule {
                    interval: Duration::ZERO,
                    remaining: None,
                    rounds: Some(rounds),
                    first_seq: 1,
                },
                clock: Clock::start(),
                notes: &mut notes,
                cancel: &CancellationToken::new(),
            },
        )
        .await
        .expect("soak runs");
        let after = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
            .expect("getrusage");
        let (u0, s0) = cpu_us(&before);
        let (u1, s1) = cpu_us(&after);
        (
            (u1 - u0) as f64 / rounds as f64 / 1000.0,
            (s1 - s0) as f64 / rounds as f64 / 1000.0,
        )
    }

    /// Real rounds recorded once, handed out in turn: the soak's machinery fed with what the
    /// network gave, without the network. Round `i` of every 1,000 from 500 to 539 has its
    /// first TLS endpoint down every other round (a flap period), and the first 3 of every 300
    /// have it down (an outage), so the tracker, the events and the journal see both.
    struct Recorded {
        rounds: Vec<Round>,
        next: u64,
    }

    impl RoundSource for Recorded {
        fn round(
            &mut self,
            _cancel: &CancellationToken,
        ) -> impl Future<Output = Result<Option<Round>, String>> {
            let i = self.next;
            self.next += 1;
            let mut r = self.rounds[(i % self.rounds.len() as u64) as usize].clone();
            let flapping = (500..540).contains(&(i % 1000)) && i % 2 == 1;
            if flapping || i % 300 < 3 {
                if let Some(c) = r.checks.iter_mut().find(|c| c.kind == CheckKind::Tls) {
                    c.status = Status::Fail;
                    if let CheckData::Tls(t) = &mut c.data {
                        t.failure = Some(oqs_net::model::TlsFailure::Refused);
                    }
                }
                r.status = Status::Fail;
            }
            async move { Ok(Some(r)) }
        }
    }

    /// Memory at chosen round counts: VmRSS, its anonymous and file-backed parts, VmHWM (kB).
    struct Checkpoints {
        at: Vec<u64>,
        seen: u64,
        out: Vec<serde_json::Value>,
    }

    impl Observer for Checkpoints {
        fn round(&mut self, _: &RoundRecord, _: &[Record], _: &Tracker, _: &Clock) {
            self.seen += 1;
            if self.at.contains(&self.seen) {
                self.out.push(serde_json::json!({
                    "rounds": self.seen,
                    "vmrss_kb": status_kb("VmRSS:"),
                    "rss_anon_kb": status_kb("RssAnon:"),
                    "rss_file_kb": status_kb("RssFile:"),
                    "vmhwm_kb": status_kb("VmHWM:"),
                    "threads": status_kb("Threads:"),
                }));
            }
        }
    }

    /// Fetches /metrics from `port` every 10 ms until `stop`: a scraper far busier than any
    /// Prometheus. Returns how many answers it read.
    async fn scrape(port: u16, stop: CancellationToken) -> u64 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut n = 0;
        let mut body = Vec::with_capacity(64 * 1024);
        while !stop.is_cancelled() {
            if let Ok(mut c) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                body.clear();
                let ok = c
                    .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .await
                    .is_ok()
                    && tokio::time::timeout(Duration::from_secs(2), c.read_to_end(&mut body))
                        .await
                        .is_ok_and(|r| r.is_ok());
                n += u64::from(ok && body.starts_with(b"HTTP/1.1 200"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        n
    }

    /// The child for growth: `RECORD` real rounds of DNS, NTP and TLS against a lab of its own
    /// (then stopped), and the soak's machinery run on them for the largest of `checkpoints`
    /// rounds at a 0 s interval: the loop, extraction, the flap tracker, the journal (written and
    /// fdatasynced per round, in `dir`), the Prometheus state rendered per round, the textfile
    /// written atomically per round, and the listener scraped every 10 ms. Memory is read at
    /// each checkpoint; the runtime has the product's two workers.
    fn child_growth(checkpoints: Vec<u64>, dir: &Path) {
        const RECORD: usize = 16;
        let (lab_rt, lab, p, resolvers) = lab_with(true);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(8)
            .enable_all()
            .build()
            .expect("runtime");
        let mut source = engine_source(p, resolvers);
        let rounds: Vec<Round> = (0..RECORD)
            .map(|_| {
                rt.block_on(source.round(&CancellationToken::new()))
                    .expect("round")
                    .expect("not cancelled")
            })
            .collect();
        drop(source);
        lab_rt.block_on(lab.shutdown());
        drop(lab_rt);
        let targets = rounds[0]
            .checks
            .iter()
            .filter(|c| c.kind != CheckKind::NtpConsensus)
            .count();
        let last = *checkpoints.iter().max().expect("checkpoints");
        let journal_path = dir.join("growth.jsonl");
        let textfile = dir.join("growth.prom");
        let figures = rt.block_on(async {
            let mut w = JournalWriter::create(&journal_path).expect("journal");
            w.write(&[Record::Header(Box::new(header(0)))])
                .expect("header");
            let journal = Arc::new(Mutex::new(w));
            let latest = exporter::soak::Latest::default();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("listener");
            let port = listener.local_addr().expect("port").port();
            let stop = CancellationToken::new();
            let http = tokio::spawn(exporter::http::serve(
                listener,
                Arc::new(latest.clone()),
                stop.clone(),
            ));
            let scraper = tokio::spawn(scrape(port, stop.clone()));
            let (mut src, mut obs) = exporter::soak::wrap(
                Recorded { rounds, next: 0 },
                Checkpoints {
                    at: checkpoints.clone(),
                    seen: 0,
                    out: Vec::new(),
                },
                latest,
                Some(textfile.clone()),
                true,
            );
            let (_tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
            let mut tracker = Tracker::new(Thresholds::DEFAULT);
            let before = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
                .expect("getrusage");
            let wall = Instant::now();
            run(
                &mut src,
                &mut obs,
                Session {
                    journal: &journal,
                    tracker: &mut tracker,
                    schedule: &Schedule {
                        interval: Duration::ZERO,
                        remaining: None,
                        rounds: Some(last),
                        first_seq: 1,
                    },
                    clock: Clock::start(),
                    notes: &mut notes,
                    cancel: &CancellationToken::new(),
                },
            )
            .await
            .expect("soak runs");
            let wall = wall.elapsed();
            let after = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
                .expect("getrusage");
            stop.cancel();
            let scrapes = scraper.await.unwrap_or(0);
            let _ = http.await;
            let (u0, s0) = cpu_us(&before);
            let (u1, s1) = cpu_us(&after);
            let journal_bytes = std::fs::metadata(&journal_path).map_or(0, |m| m.len());
            serde_json::json!({
                "targets": targets,
                "recorded": RECORD,
                "wall_s": wall.as_secs_f64(),
                "cpu_ms_per_round": ((u1 - u0) + (s1 - s0)) as f64 / 1000.0 / last as f64,
                "scrapes": scrapes,
                "journal_mb": journal_bytes as f64 / 1e6,
                "flaps": tracker.flaps(),
                "checkpoints": obs.into_inner().out,
            })
        });
        println!("{figures}");
    }

    /// A journal of about `records` probe records shaped like an ipvpn soak at 30 s.
    fn generate(path: &Path, records: u64) -> u64 {
        let per_round = 7u64;
        let rounds = records.div_ceil(per_round);
        let mut out =
            BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create"));
        let mut line = |r: &Record| {
            serde_json::to_writer(&mut out, r).expect("serialise");
            out.write_all(b"\n").expect("write");
        };
        line(&Record::Header(Box::new(header(30_000))));
        let members = ["fd0e:a5::11", "fd0e:a5::12", "fd0e:a5::13", "fd0e:a5::14"];
        let names = [
            "ntp.base.oqs-pdl.org",
            "ntp1.base.oqs-pdl.org",
            "ntp2.base.oqs-pdl.org",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..rounds {
            let ts = 1_750_000_000_000 + 30_000 * i as i64;
            // Member 2 flaps for 40 rounds in every 1000, and is down for 3 rounds in every 300.
            let flapping = i % 1000 >= 500 && i % 1000 < 540;
            let member2_up = if flapping { i % 2 == 0 } else { i % 300 >= 3 };
            let mut targets = Vec::with_capacity(7);
            for (n, name) in names.iter().enumerate() {
                let set: Vec<String> = if n == 0 {
                    members.iter().map(|m| m.to_string()).collect()
                } else {
                    vec![members[n - 1].to_string()]
                };
                targets.push(TargetRecord {
                    id: format!("dns:{name}"),
                    kind: "dns".into(),
                    up: true,
                    status: Status::Pass,
                    codes: vec![],
                    via: vec![],
                    lat: BTreeMap::from([(
                        "dns".to_string(),
                        (0..8)
                            .map(|_| ((8.0 + 30.0 * rnd()) * 1000.0).round() / 1000.0)
                            .collect(),
                    )]),
                    offset_ms: None,
                    sets: BTreeMap::from([("ipv6".to_string(), set)]),
                    auto_detect: None,
                    proxy_source: None,
                    cert: None,
                    way: None,
                });
            }
            for (m, ip) in members.iter().enumerate() {
                let up = m != 1 || member2_up;
                targets.push(TargetRecord {
                    id: format!("ntp:[{ip}]:123"),
                    kind: "ntp".into(),
                    up,
                    status: if up { Status::Pass } else { Status::Fail },
                    codes: if up {
                        vec![]
                    } else {
                        vec!["ntp.no_reply".into()]
                    },
                    via: vec!["ntp.base.oqs-pdl.org".into()],
                    lat: if up {
                        BTreeMap::from([(
                            "ntp".to_string(),
                            (0..4)
                                .map(|_| ((9.0 + 20.0 * rnd()) * 1000.0).round() / 1000.0)
                                .collect(),
                        )])
                    } else {
                        BTreeMap::new()
                    },
                    // This clock gains 12 ppm: the offset falls 0.36 ms per 30 s round.
                    offset_ms: up
                        .then(|| ((3.0 - 0.36 * i as f64 + rnd() - 0.5) * 1000.0).round() / 1000.0),
                    sets: BTreeMap::new(),
                    auto_detect: None,
                    proxy_source: None,
                    cert: None,
                    way: None,
                });
            }
            let status = if member2_up {
                Status::Pass
            } else {
                Status::Fail
            };
            line(&Record::Round(RoundRecord {
                seq: i + 1,
                ts,
                at: rfc3339(ts),
                dur_ms: 412.5,
                overrun: false,
                skipped: 0,
                status,
                targets,
            }));
        }
        out.flush().expect("flush");
        rounds * per_round
    }

    pub fn main() {
        let args: Vec<String> = std::env::args().collect();
        // A child: `--child-soak|--child-canned N JOURNAL [DNS NTP_PORT]` (the parent's lab).
        let parent_lab = |i: usize| -> Option<(SocketAddr, u16)> {
            Some((
                args.get(i + 3)?.parse().ok()?,
                args.get(i + 4)?.parse().ok()?,
            ))
        };
        if let Some(i) = args.iter().position(|a| a == "--child-soak") {
            child_soak(
                args[i + 1].parse().expect("rounds"),
                Path::new(&args[i + 2]),
                parent_lab(i),
            );
            return;
        }
        if let Some(i) = args.iter().position(|a| a == "--child-growth") {
            let at = args[i + 1]
                .split(',')
                .map(|n| n.parse().expect("rounds"))
                .collect();
            child_growth(at, Path::new(&args[i + 2]));
            return;
        }
        if let Some(i) = args.iter().position(|a| a == "--child-canned") {
            child_canned(
                args[i + 1].parse().expect("rounds"),
                Path::new(&args[i + 2]),
                parent_lab(i),
            );
            return;
        }
        let measuring = args.iter().any(|a| a == "--bench");
        // `cargo bench --bench soak -- growth`: the growth measurement alone.
        if args.iter().any(|a| a == "growth") {
            let dir = tempfile::tempdir().expect("tempdir");
            growth(measuring, dir.path());
            return;
        }
        let soak_rounds = if measuring {
            env_list("OQS_BENCH_SOAK_ROUNDS", &[1000, 10_000])
        } else {
            vec![5, 10]
        };
        let report_records = if measuring {
            env_list("OQS_BENCH_REPORT_RECORDS", &[1_000_000])[0]
        } else {
            7_000
        };
        let dir = tempfile::tempdir().expect("tempdir");

        // The report first: getrusage(RUSAGE_CHILDREN) then holds only its child's peak.
        let journal = dir.path().join("million.jsonl");
        let started = Instant::now();
        let written = generate(&journal, report_records);
        let size = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
        println!(
            "report benchmark: {written} probe records ({} rounds × 7 targets), {:.1} MB, generated in {:.1} s",
            written / 7,
            size as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        let exe = PathBuf::from(env!("CARGO_BIN_EXE_oqs-net"));
        let start = Instant::now();
        let status = Command::new(&exe)
            .args(["report", "--format", "json"])
            .arg(&journal)
            .stdout(Stdio::null())
            .status()
            .expect("oqs-net report runs");
        let took = start.elapsed();
        assert_eq!(
            status.code(),
            Some(1),
            "the generated journal has outages and flapping, so the report fails"
        );
        let children = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
            .expect("getrusage");
        let peak_mb = children.max_rss() as f64 / 1024.0;
        let (cu, cs) = cpu_us(&children);
        println!(
            "  oqs-net report --format json: {:.2} s wall, {:.2} s CPU, peak RSS {peak_mb:.1} MB (target ≤ 2 s, ≤ 50 MB) — {}",
            took.as_secs_f64(),
            (cu + cs) as f64 / 1e6,
            exe.display()
        );
        let start = Instant::now();
        let _ = Command::new(&exe)
            .args(["report", "--format", "human"])
            .arg(&journal)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .status()
            .expect("oqs-net report runs");
        println!(
            "  oqs-net report (human): {:.2} s wall",
            start.elapsed().as_secs_f64()
        );
        let _ = std::fs::remove_file(&journal);

        // The soak loop, each run in a child process with its lab.
        let profile = oqs_net::profile::shipped_for(Mode::Ipsec, Environment::Production);
        println!(
            "soak benchmark: lab on loopback (its CPU left out), no added latency, 0 s interval, NTP pacing 0, profile {} ({} DNS queries per name and family, {} NTP samples per server{}), journal fsynced per round",
            profile.name,
            profile.dns.queries,
            profile.ntp.samples,
            if all_checks() {
                ", and every other check it has"
            } else {
                "; DNS and NTP only (OQS_BENCH_SOAK_CHECKS=all for every check)"
            },
        );
        // DNS and NTP only: the lab is served from here, outside the child's figures. Every
        // check: the child starts its own lab (as `oqs-net soak --lab` does) and leaves its
        // threads' CPU out; its memory is then in the figures.
        let parent_lab = (!all_checks()).then(|| {
            let (rt, lab, _, _) = lab();
            let at = [lab.dns_addr().to_string(), lab.ntp_port().to_string()];
            (rt, lab, at)
        });
        let child = |mode: &str, n: u64, j: &Path| -> serde_json::Value {
            let mut cmd = Command::new(std::env::current_exe().expect("exe"));
            cmd.args([mode, &n.to_string(), j.to_str().expect("path")]);
            if let Some((_, _, at)) = &parent_lab {
                cmd.args(at);
            }
            let out = cmd.output().expect("child runs");
            assert!(
                out.status.success(),
                "child: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice(&out.stdout).expect("figures")
        };
        let mut results = Vec::new();
        for n in soak_rounds {
            let j = dir.path().join(format!("soak-{n}.jsonl"));
            let v = child("--child-soak", n, &j);
            let all =
                (v["user_us"].as_i64().unwrap_or(0) + v["sys_us"].as_i64().unwrap_or(0)) as f64;
            let lab = v["lab_us"].as_i64().unwrap_or(0) as f64;
            let cpu = all - lab;
            let exchanges = v["exchanges"].as_u64().unwrap_or(1).max(1) as f64;
            let targets = v["targets"].as_u64().unwrap_or(1).max(1) as f64;
            assert_eq!(v["failed_rounds"], 0, "the benchmark's lab must be healthy");
            println!(
                "  {n:>6} rounds: {:.1} s wall · CPU {:.3} ms per exchange ({:.0} exchanges: DNS queries, NTP samples, {} other checks), {:.3} ms per target probe, {:.2} ms per round (process user {:.1} s + sys {:.1} s, less the lab's {:.1} s) · VmRSS {:.1} MB, VmHWM {:.1} MB{}",
                v["wall_s"].as_f64().unwrap_or(0.0),
                cpu / 1000.0 / exchanges,
                exchanges,
                v["others"],
                cpu / 1000.0 / targets,
                cpu / 1000.0 / n as f64,
                v["user_us"].as_f64().unwrap_or(0.0) / 1e6,
                v["sys_us"].as_f64().unwrap_or(0.0) / 1e6,
                lab / 1e6,
                v["vmrss_kb"].as_f64().unwrap_or(0.0) / 1024.0,
                v["vmhwm_kb"].as_f64().unwrap_or(0.0) / 1024.0,
                if parent_lab.is_some() {
                    ""
                } else {
                    " (lab included)"
                },
            );
            results.push((n, v));
            let _ = std::fs::remove_file(&j);
        }
        // The soak's own share: the same loop with a canned round instead of the network.
        let n = if measuring { 10_000 } else { 10 };
        let v = child("--child-canned", n, &dir.path().join("canned.jsonl"));
        let (user, sys) = (
            v["user_ms"].as_f64().unwrap_or(0.0),
            v["sys_ms"].as_f64().unwrap_or(0.0),
        );
        println!(
            "  the soak's own bookkeeping (a canned round, {n} rounds: extract, track, serialise, write, fdatasync): {:.3} ms CPU per round (user {user:.3}, sys {sys:.3})",
            user + sys
        );
        if let [(n1, a), .., (n2, b)] = results.as_slice() {
            let d = (b["vmhwm_kb"].as_f64().unwrap_or(0.0) - a["vmhwm_kb"].as_f64().unwrap_or(0.0))
                / 1024.0;
            println!(
                "  peak memory from {n1} to {n2} rounds: {d:+.2} MB (target within +1 MB, ≤ 15 MB)"
            );
        }
        if let Some((rt, lab, _)) = parent_lab {
            rt.block_on(lab.shutdown());
        }
        growth(measuring, dir.path());
    }

    /// Whether the soak's memory stays flat over a long soak: the machinery on recorded rounds
    /// for 10,000 and 100,000 rounds (OQS_BENCH_GROWTH_ROUNDS), in a child process.
    fn growth(measuring: bool, dir: &Path) {
        let at = if measuring {
            env_list("OQS_BENCH_GROWTH_ROUNDS", &[1000, 10_000, 100_000])
        } else {
            vec![10, 100]
        };
        // tmpfs when there is one: fdatasync costs nothing there, so 100,000 rounds fit in
        // minutes; the journal's pages are the file system's, never this process's.
        let shm = Path::new("/dev/shm");
        let where_ = if shm.is_dir() {
            tempfile::tempdir_in(shm).ok()
        } else {
            None
        };
        let dir = where_.as_ref().map_or(dir, |d| d.path());
        let list = at
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let out = Command::new(std::env::current_exe().expect("exe"))
            .args(["--child-growth", &list, dir.to_str().expect("path")])
            .output()
            .expect("child runs");
        assert!(
            out.status.success(),
            "child: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("figures");
        println!(
            "growth: the soak's machinery on {} recorded real rounds of {} targets (DNS, NTP, TLS), round after round at 0 s: loop, extraction, flap tracker, journal (fdatasync per round, in {}), metrics rendered and textfile written per round, /metrics scraped every 10 ms ({} scrapes); {:.1} s, {:.3} ms CPU per round, journal {:.0} MB, {} flap periods",
            v["recorded"],
            v["targets"],
            dir.display(),
            v["scrapes"],
            v["wall_s"].as_f64().unwrap_or(0.0),
            v["cpu_ms_per_round"].as_f64().unwrap_or(0.0),
            v["journal_mb"].as_f64().unwrap_or(0.0),
            v["flaps"],
        );
        let mb = |c: &serde_json::Value, k: &str| c[k].as_f64().unwrap_or(0.0) / 1024.0;
        let points = v["checkpoints"].as_array().cloned().unwrap_or_default();
        for c in &points {
            println!(
                "  after {:>7} rounds: VmRSS {:.2} MB (anonymous {:.2}, file-backed {:.2}), VmHWM {:.2} MB, {} threads",
                c["rounds"],
                mb(c, "vmrss_kb"),
                mb(c, "rss_anon_kb"),
                mb(c, "rss_file_kb"),
                mb(c, "vmhwm_kb"),
                c["threads"],
            );
        }
        assert_eq!(points.len(), at.len(), "a checkpoint was not reached");
        if let (Some(a), Some(b)) = (
            points.iter().find(|c| c["rounds"] == 10_000),
            points.iter().find(|c| c["rounds"] == 100_000),
        ) {
            println!(
                "  from 10,000 to 100,000 rounds: VmRSS {:+.2} MB, anonymous {:+.2} MB (target within +1 MB)",
                mb(b, "vmrss_kb") - mb(a, "vmrss_kb"),
                mb(b, "rss_anon_kb") - mb(a, "rss_anon_kb"),
            );
        }
    }
}
