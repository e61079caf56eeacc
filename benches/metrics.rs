//! Metrics benchmark (issue 12): the Prometheus exposition of one lab round of at least 30
//! targets, with a soak's flap view of every target, rendered again and again; the median and
//! the 99th percentile beside the 1 ms budget. `cargo bench --bench metrics` measures; under
//! `cargo test --all-targets` it renders a few times as a smoke test. OQS_BENCH_RENDERS changes
//! the count.

use oqs_net::model::{Environment, Mode, RoundSettings};
use oqs_net::output::metrics::{self, SoakView, TargetState};
use oqs_net::round::lab as lab_setup;
use oqs_net::round::{Builder, Sections};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let renders: usize = if measuring {
        std::env::var("OQS_BENCH_RENDERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000)
    } else {
        5
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // One real round of the IPsec profile against the lab, every section as `soak --lab` runs
    // it: DNS names, NTP servers, TLS endpoints, the adapter and routes, TCP targets and proxy
    // routes.
    let round = rt.block_on(async {
        let profile = oqs_net::profile::shipped_for(Mode::Ipsec, Environment::Production);
        let spec = lab_setup::spec_for(&profile, &[std::net::Ipv6Addr::LOCALHOST], None, 0);
        let lab = oqs_net::lab::Lab::start(spec).await.expect("lab starts");
        let mut builder = Builder::new(profile, RoundSettings::default(), None)
            .expect("valid settings")
            .sections(Sections::ALL);
        builder.point_at(&lab);
        let plan = builder.plan(Some(&lab)).expect("a plan");
        let m = oqs_net::engine::run_round(&plan, &CancellationToken::new())
            .await
            .expect("round");
        lab.shutdown().await;
        oqs_net::judge::judge(&plan.profile, &m)
    });
    let targets: Vec<TargetState> = round
        .checks
        .iter()
        .map(|c| TargetState {
            check: c.id.clone(),
            kind: "check".into(),
            up: true,
            flapping: false,
            score_pct: 12.5,
        })
        .collect();
    assert!(targets.len() >= 30, "only {} targets", targets.len());
    let view = SoakView {
        seq: 1000,
        rounds: 1000,
        flaps: 2,
        overruns: 0,
        targets,
    };
    let mut times: Vec<Duration> = Vec::with_capacity(renders);
    let mut bytes = 0;
    for _ in 0..renders {
        let start = Instant::now();
        let text = metrics::round(&round, Some(&view));
        times.push(start.elapsed());
        bytes = text.len();
        std::hint::black_box(text);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let series = metrics::round(&round, Some(&view))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count();
    println!(
        "metrics benchmark: {} checks ({} targets with flap state) · {series} series · {bytes} bytes",
        round.checks.len(),
        view.targets.len()
    );
    println!(
        "  {renders} renders · median {:.3} ms · p99 {:.3} ms · max {:.3} ms (budget ≤ 1 ms)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 99 / 100]),
        ms(times[times.len() - 1])
    );
}
