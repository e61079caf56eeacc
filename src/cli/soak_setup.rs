//! What a soak needs from the rest of oqs-net: rounds run by the engine and judged
//! ([`EngineSource`]), durations as people write them, and the default round deadline. Shared by
//! `oqs-net soak`, the tests and the soak benchmark.

use crate::engine::{self, Plan};
use crate::model::{Profile, Round};
use crate::soak::run::RoundSource;
use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs the engine's round on a plan and judges it by the profile.
pub struct EngineSource {
    pub plan: Plan,
    /// The profile to judge by (the plan's, as pointed at the lab if any).
    pub profile: Profile,
}

impl RoundSource for EngineSource {
    fn round(
        &mut self,
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<Option<Round>, String>> {
        let cancel = cancel.clone();
        async move {
            let m = engine::run_round(&self.plan, &cancel)
                .await
                .map_err(|e| e.to_string())?;
            if cancel.is_cancelled() {
                return Ok(None);
            }
            Ok(Some(crate::judge::judge(&self.profile, &m)))
        }
    }
}

/// `30s`, `2m`, `24h`, `1d`, `500ms`, `1h30m`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(n) = t.parse::<f64>() {
        return secs(n, s);
    }
    let mut total = 0.0f64;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("`{s}`: a number needs a unit (ms, s, m, h, d)"))?;
        if digits == 0 {
            return Err(format!(
                "`{s}` is not a duration (like 30s, 2m, 24h, 1h30m)"
            ));
        }
        let n: f64 = rest[..digits]
            .parse()
            .map_err(|_| format!("`{s}`: `{}` is not a number", &rest[..digits]))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match rest[..unit_len].trim() {
            "ms" => 0.001,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hrs" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            other => {
                return Err(format!(
                    "`{s}`: unknown unit `{other}` (use ms, s, m, h or d)"
                ));
            }
        };
        total += n * factor;
        rest = &rest[unit_len..];
    }
    secs(total, s)
}

fn secs(n: f64, s: &str) -> Result<Duration, String> {
    if !n.is_finite() || !(0.0..=366.0 * 86_400.0).contains(&n) {
        return Err(format!("`{s}` is out of range (0 to a year)"));
    }
    Ok(Duration::from_secs_f64(n))
}

/// A round's deadline when none is given: 90 % of the interval (so rounds end before the next
/// slot), at least 200 ms and at most 30 s; 30 s for back-to-back rounds.
pub fn default_deadline(interval: Duration) -> Duration {
    if interval.is_zero() {
        return Duration::from_secs(30);
    }
    (interval * 9 / 10).clamp(Duration::from_millis(200), Duration::from_secs(30))
}

/// Shortens the profile's per-query and per-sample timeouts (and NTP pacing) when a round could
/// not otherwise finish inside `deadline`, so a silent server shows as "no reply" rather than a
/// probe cut off. Returns what it changed, in words; changes nothing for the usual 30 s interval.
pub fn fit_to_deadline(profile: &mut Profile, deadline: Duration) -> Vec<String> {
    let mut notes = Vec::new();
    // An NTP probe starts as soon as a DNS answer reveals its address, so a healthy round is
    // about as long as the slower of the two; give each 60 % of the round at worst.
    let budget = deadline * 3 / 5;
    let floor = Duration::from_millis(50);
    let d = &mut profile.dns;
    if d.timeout * d.queries > budget {
        let t = (budget / d.queries.max(1)).max(floor);
        notes.push(format!(
            "DNS timeout per query shortened from {} ms to {} ms to fit the {} ms round deadline",
            d.timeout.as_millis(),
            t.as_millis(),
            deadline.as_millis()
        ));
        d.timeout = t;
    }
    let n = &mut profile.ntp;
    let spec = crate::probe::ntp::NtpSpec {
        samples: n.samples,
        interval: n.interval,
        timeout: n.timeout,
    };
    if spec.worst_case() > budget {
        let t = (budget / n.samples.max(1)).max(floor);
        notes.push(format!(
            "NTP timeout per sample shortened from {} ms to {} ms (and pacing to at most that) to fit the {} ms round deadline",
            n.timeout.as_millis(),
            t.as_millis(),
            deadline.as_millis()
        ));
        n.timeout = t;
        n.interval = n.interval.min(t);
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_people_write_them() {
        let ok = |s: &str| parse_duration(s).unwrap();
        assert_eq!(ok("30s"), Duration::from_secs(30));
        assert_eq!(ok("2m"), Duration::from_secs(120));
        assert_eq!(ok("24h"), Duration::from_secs(86_400));
        assert_eq!(ok("1d"), Duration::from_secs(86_400));
        assert_eq!(ok("1h30m"), Duration::from_secs(5400));
        assert_eq!(ok("500ms"), Duration::from_millis(500));
        assert_eq!(ok("0.5s"), Duration::from_millis(500));
        assert_eq!(ok("0"), Duration::ZERO);
        assert_eq!(ok("90"), Duration::from_secs(90));
        for bad in ["", "s", "2x", "-1s", "10 parsecs", "1e99", "2m3"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timeouts_fit_short_rounds_only() {
        use crate::model::{Environment, Mode};
        let mut p = crate::profile::shipped_for(Mode::Ipvpn, Environment::Production);
        assert!(fit_to_deadline(&mut p, Duration::from_secs(27)).is_empty());
        let notes = fit_to_deadline(&mut p, Duration::from_millis(1800));
        assert_eq!(notes.len(), 2, "{notes:?}");
        // 60 % of 1.8 s = 1080 ms: 8 DNS queries of 135 ms, 4 NTP samples of 270 ms, paced at
        // most 250 ms apart as the profile says.
        assert_eq!(p.dns.timeout, Duration::from_millis(135));
        assert_eq!(p.ntp.timeout, Duration::from_millis(270));
        assert_eq!(p.ntp.interval, Duration::from_millis(250));
        let worst = crate::probe::ntp::NtpSpec {
            samples: p.ntp.samples,
            interval: p.ntp.interval,
            timeout: p.ntp.timeout,
        }
        .worst_case();
        assert!(worst <= Duration::from_millis(1080), "{worst:?}");
    }

    #[test]
    fn deadline_follows_the_interval() {
        assert_eq!(
            default_deadline(Duration::from_secs(2)),
            Duration::from_millis(1800)
        );
        assert_eq!(
            default_deadline(Duration::from_secs(60)),
            Duration::from_secs(30)
        );
        assert_eq!(
            default_deadline(Duration::from_millis(100)),
            Duration::from_millis(200)
        );
        assert_eq!(default_deadline(Duration::ZERO), Duration::from_secs(30));
    }
}
