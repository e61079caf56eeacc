//! 補17 over a soak: the distribution server flapping while WPAD auto-detect was on is the proxy
//! auto-detect verdict, told over the soak's periods. Takes the periods the soak's report found
//! as plain data; depends on `model` only (never on the soak, which calls it).

use crate::model::{Code, Finding, Stamp, Status};

/// A flap period of the distribution server (directly or through the proxy settings) during which
/// a round recorded WPAD auto-detect on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AutoDetectFlap {
    /// Unix milliseconds of the round that started it.
    pub(crate) start_ms: i64,
    /// The round that ended it, or the last round seen while it still ran.
    pub(crate) end_ms: i64,
    /// Still flapping at the last round.
    pub(crate) ongoing: bool,
}

/// `proxy.autodetect_on` when any period is given: overlapping periods (the direct way's and the
/// proxy's) are merged and told as one. `source` is the settings' source that had auto-detect on.
pub(crate) fn autodetect_flapping(
    periods: &[AutoDetectFlap],
    source: Option<&str>,
) -> Option<Finding> {
    let mut periods = periods.to_vec();
    periods.sort_by_key(|p| p.start_ms);
    let mut merged: Vec<AutoDetectFlap> = Vec::new();
    for p in periods {
        match merged.last_mut() {
            Some(m) if p.start_ms <= m.end_ms => {
                // Ongoing when the one that reaches furthest is.
                m.ongoing =
                    (m.ongoing && m.end_ms >= p.end_ms) || (p.ongoing && p.end_ms >= m.end_ms);
                m.end_ms = m.end_ms.max(p.end_ms);
            }
            _ => merged.push(p),
        }
    }
    let (first, last) = (merged.first()?, merged.last()?);
    let start = Stamp(first.start_ms).rfc3339_secs();
    let end = (!last.ongoing).then(|| Stamp(last.end_ms).rfc3339_secs());
    let n = merged.len();
    let (en, ja) = match (n, &end) {
        (1, Some(e)) => (
            format!("flapping from {start} to {e}"),
            format!("{start} から {e} までフラップ"),
        ),
        (1, None) => (
            format!("flapping from {start}, still at the last round"),
            format!("{start} からフラップし、最後のラウンドでも継続中"),
        ),
        (_, Some(e)) => (
            format!("{n} flapping periods from {start} to {e}"),
            format!("{start} から {e} までに {n} 回フラップ"),
        ),
        (_, None) => (
            format!("{n} flapping periods from {start}, the last still at the last round"),
            format!("{start} から {n} 回フラップし、最後のラウンドでも継続中"),
        ),
    };
    Some(
        Finding::new(Code::ProxyAutoDetectOn, Status::Fail, "auto-detect")
            .with(
                "detail",
                format!("the distribution server's connection succeeds and fails by turns ({en})"),
            )
            .with(
                "detail_ja",
                format!("配信サーバへの接続が成功と失敗を繰り返しています（{ja}）"),
            )
            .with("start", start)
            .with("end", end.as_deref().unwrap_or("ongoing"))
            .with("periods", n)
            .with("source", source.unwrap_or("unknown")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    fn period(start_s: i64, end_s: i64, ongoing: bool) -> AutoDetectFlap {
        AutoDetectFlap {
            start_ms: T0 + start_s * 1000,
            end_ms: T0 + end_s * 1000,
            ongoing,
        }
    }

    fn arg<'a>(f: &'a Finding, key: &str) -> &'a str {
        f.value(key)
            .unwrap_or_else(|| panic!("no {key} in {:?}", f.values))
    }

    #[test]
    fn no_period_no_finding() {
        assert_eq!(autodetect_flapping(&[], Some("wininet")), None);
    }

    /// The direct way's period and the proxy's overlap: one period, from the first start to the
    /// furthest end; a separate later one counts apart and, still running, makes the end ongoing.
    #[test]
    fn overlapping_periods_merge_and_the_last_decides_the_end() {
        let f = autodetect_flapping(
            &[
                period(100, 160, false),
                period(10, 40, false),
                period(30, 60, false),
            ],
            Some("wininet"),
        )
        .unwrap();
        assert_eq!(f.code, Code::ProxyAutoDetectOn);
        assert_eq!(f.severity, Status::Fail);
        assert_eq!(arg(&f, "periods"), "2");
        assert_eq!(arg(&f, "start"), "2023-11-14T22:13:30Z");
        assert_eq!(arg(&f, "end"), "2023-11-14T22:16:00Z");
        assert_eq!(arg(&f, "source"), "wininet");
        assert!(
            arg(&f, "detail")
                .contains("2 flapping periods from 2023-11-14T22:13:30Z to 2023-11-14T22:16:00Z"),
            "{:?}",
            f.values
        );

        let f = autodetect_flapping(&[period(10, 40, true), period(20, 30, false)], None).unwrap();
        assert_eq!(arg(&f, "periods"), "1");
        assert_eq!(arg(&f, "end"), "ongoing");
        assert_eq!(arg(&f, "source"), "unknown");
        assert!(
            arg(&f, "detail_ja").contains("最後のラウンドでも継続中"),
            "{:?}",
            f.values
        );
        // The ongoing one ends before another that ended: the merged period ended.
        let f = autodetect_flapping(&[period(10, 40, true), period(20, 50, false)], None).unwrap();
        assert_eq!(arg(&f, "end"), "2023-11-14T22:14:10Z");
    }
}
