//! PAC benchmark: evaluations of the shipped fixtures in one process (each a fresh sandbox on its
//! own thread, as in production), reported as median and 99th percentile per script, plus how long
//! the hostile ones take to be named. `cargo bench --bench pac` measures; under `cargo test` it runs
//! each script once as a smoke test. OQS_BENCH_RUNS changes the number of runs.

use oqs_net::probe::pac::{self, FixedClock, FixedResolver, PacEnv, PacLimits, PacTime, UrlPolicy};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/pac/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let runs: usize = std::env::var("OQS_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if measuring { 200 } else { 1 });
    let env = PacEnv {
        resolver: Arc::new(FixedResolver::new()),
        clock: Arc::new(FixedClock(PacTime {
            unix_ms: 1_741_915_800_000,
            utc_offset_s: 9 * 3600,
        })),
        my_ip: vec!["192.168.220.10".parse().unwrap()],
    };
    let limits = PacLimits::default();
    let q = pac::query_for(
        "https://hweb.oqs.onshikaku.org/api/v1",
        None,
        UrlPolicy::StripHttpsPath,
    )
    .unwrap();
    println!("{:<28} {:>10} {:>10}", "script", "median", "p99");
    for name in [
        "oqs-bypass.pac",
        "oqs-bypass-dnsdomainis.pac",
        "oqs-ipv6.pac",
        "helpers-report.pac",
        "myip-lan.pac",
        "routes-mixed.pac",
        "time-ranges.pac",
    ] {
        let js = fixture(name);
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                pac::evaluate(&js, &q, &env, &limits).expect(name);
                start.elapsed()
            })
            .collect();
        times.sort();
        let median = times[times.len() / 2];
        let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
        println!("{name:<28} {median:>10.2?} {p99:>10.2?}");
    }
    println!();
    println!("{:<28} {:>10} as", "hostile script", "named in");
    for name in [
        "hostile-syntax.pac",
        "hostile-loop.pac",
        "hostile-native-loop.pac",
        "hostile-regex.pac",
        "hostile-memory.pac",
        "hostile-recursion.pac",
        "hostile-huge-output.pac",
        "hostile-xhr.pac",
        "hostile-import.pac",
    ] {
        let js = fixture(name);
        let start = Instant::now();
        let e = pac::evaluate(&js, &q, &env, &limits).expect_err(name);
        println!("{name:<28} {:>10.1?} {}", start.elapsed(), e.as_label());
    }
}
