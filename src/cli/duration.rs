//! Durations as people write them on the command line, and the soak's default round deadline.

use std::time::Duration;

/// `30s`, `2m`, `24h`, `1d`, `500ms`, `1h30m`, or `0`. A number needs its unit: a bare `10` is
/// refused rather than guessed (seconds to one reader, minutes to another).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(n) = t.parse::<f64>() {
        if n == 0.0 {
            return Ok(Duration::ZERO);
        }
        return Err(format!(
            "`{s}` needs a unit: ms, s, m, h or d (for example {t}s or {t}m)"
        ));
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
        for bad in [
            "",
            "s",
            "2x",
            "-1s",
            "10 parsecs",
            "1e99",
            "2m3",
            "90",
            "-5",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    /// Issue 15: `soak --duration 10` ran 30 s and called itself "complete"; a bare number is
    /// refused with the units named.
    #[test]
    fn issue15_a_bare_number_needs_a_unit() {
        let e = parse_duration("10").unwrap_err();
        assert_eq!(
            e,
            "`10` needs a unit: ms, s, m, h or d (for example 10s or 10m)"
        );
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
