//! The HTML report's charts as SVG text: a target's timeline strip (up / down / both per column,
//! outages marked, flapping periods shaded), a phase's latency in the manner of SmokePing (min–max
//! and p50–p95 bands, the median line), NTP offsets with their mean, and round-robin members
//! over time. Every chart shares one horizontal frame: `X0` to `X0 + PW` in viewBox units is the
//! soak's columns, first to last, so the charts line up on the page.
//!
//! They draw the report's aggregate as it is (columns, buckets, periods): no figure is computed
//! here that the report holds. Strings from the journal reach the SVG through [`esc`] only.

use super::esc;
use crate::model::{Columns, FlapPeriod, NtpOffsets, Outage, PhaseColumns, SetChange, StateColumn};
use std::fmt::Write;

/// The viewBox's width, the plot's left edge and its width.
pub(crate) const WIDTH: f64 = 960.0;
pub(crate) const X0: f64 = 56.0;
pub(crate) const PW: f64 = 896.0;

/// Time to x across the soak's columns.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// Milliseconds: the first column's start and the last column's end.
    pub(crate) t0: i64,
    pub(crate) t1: i64,
    pub(crate) count: usize,
}

impl Frame {
    pub(crate) fn of(c: &Columns) -> Frame {
        let count = c.count.max(1);
        Frame {
            t0: c.start.0,
            t1: c.start.0 + c.width_ms.max(1) * count as i64,
            count,
        }
    }

    /// The x of an instant, clamped to the plot.
    pub(crate) fn x(&self, t: i64) -> f64 {
        let span = (self.t1 - self.t0).max(1) as f64;
        X0 + ((t - self.t0) as f64 / span).clamp(0.0, 1.0) * PW
    }

    /// A column's width in viewBox units.
    fn cw(&self) -> f64 {
        PW / self.count as f64
    }

    /// The attributes every chart carries so that a reader (or a test) can map x back to time.
    fn data(&self) -> String {
        format!(
            r#"data-t0="{}" data-t1="{}" data-x0="{X0}" data-pw="{PW}""#,
            self.t0, self.t1
        )
    }

    /// Time labels under a chart at `y`: five, evenly spread.
    pub(crate) fn axis(&self, out: &mut String, y: f64, label: &dyn Fn(i64) -> String) {
        for i in 0..5 {
            let t = self.t0 + (self.t1 - self.t0) * i / 4;
            let anchor = match i {
                0 => "start",
                4 => "end",
                _ => "middle",
            };
            let _ = write!(
                out,
                r#"<text class="ax" x="{:.1}" y="{y}" text-anchor="{anchor}">{}</text>"#,
                self.x(t),
                esc(&label(t))
            );
        }
    }
}

/// One decimal, without a trailing `.0`.
fn n1(v: f64) -> String {
    let s = format!("{v:.1}");
    match s.strip_suffix(".0") {
        Some(i) => i.to_string(),
        None => s,
    }
}

/// The state of a column, as a class: `up`, `down`, `mixed`, or `None` when no round fell in it.
fn state_class(c: &StateColumn) -> Option<&'static str> {
    match (c.up, c.down) {
        (0, 0) => None,
        (_, 0) => Some("up"),
        (0, _) => Some("down"),
        _ => Some("mixed"),
    }
}

/// A target's timeline strip: one rect per run of columns in the same state, the outages as
/// marks under it (those closer than a pixel joined), flapping periods shaded over it. `id` is
/// the element's id, `name` the target (escaped here), `last` the end of the last round's slot.
#[allow(clippy::too_many_arguments)]
pub(crate) fn timeline(
    out: &mut String,
    f: &Frame,
    id: &str,
    name: &str,
    states: &[StateColumn],
    outages: &[Outage],
    flaps: &[FlapPeriod],
    last: i64,
    tip: &dyn Fn(i64, i64) -> String,
) {
    const H: f64 = 22.0;
    let _ = write!(
        out,
        r#"<svg id="{id}" class="timeline" data-target="{}" {} viewBox="0 0 {WIDTH} {H}" role="img"><rect class="none" x="{X0}" y="2" width="{PW}" height="14"/>"#,
        esc(name),
        f.data()
    );
    let cw = f.cw();
    let mut i = 0;
    while i < states.len() {
        let class = state_class(&states[i]);
        let mut j = i + 1;
        while j < states.len() && state_class(&states[j]) == class {
            j += 1;
        }
        if let Some(class) = class {
            let _ = write!(
                out,
                r#"<rect class="{class}" x="{}" y="2" width="{}" height="14"/>"#,
                n1(X0 + i as f64 * cw),
                n1((j - i) as f64 * cw)
            );
        }
        i = j;
    }
    let mut mark: Option<(f64, f64)> = None;
    let flush = |out: &mut String, m: (f64, f64)| {
        let _ = write!(
            out,
            r#"<rect class="outage" x="{}" y="17" width="{}" height="4"/>"#,
            n1(m.0),
            n1((m.1 - m.0).max(1.5))
        );
    };
    for o in outages {
        let (a, b) = (f.x(o.start.0), f.x(o.end.0));
        mark = match mark {
            Some((s, e)) if a <= e + 1.0 => Some((s, e.max(b))),
            Some(m) => {
                flush(out, m);
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some(m) = mark {
        flush(out, m);
    }
    for p in flaps {
        let end = p.end.map_or(last, |e| e.0);
        let (a, b) = (f.x(p.start.0), f.x(end));
        let _ = write!(
            out,
            r#"<rect class="flap" x="{}" y="0" width="{}" height="{H}" data-start="{}" data-end="{end}"><title>{}</title></rect>"#,
            n1(a),
            n1((b - a).max(1.0)),
            p.start.0,
            esc(&tip(p.start.0, end))
        );
    }
    out.push_str("</svg>");
}

/// A "nice" upper bound for a scale: 1, 2 or 5 times a power of ten, at least `v`.
fn nice(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|c| *c >= v * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// A stepped band between `lo` and `hi` (y per column, `None` where no sample), in column units:
/// one closed path per run of columns with data.
fn band(cols: &[Option<(i32, i32)>]) -> String {
    let mut d = String::new();
    let mut i = 0;
    while i < cols.len() {
        if cols[i].is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < cols.len() && cols[i].is_some() {
            i += 1;
        }
        let run: Vec<(i32, i32)> = cols[start..i].iter().flatten().copied().collect();
        let _ = write!(d, "M{start},{}", run[0].1);
        for (k, (_, hi)) in run.iter().enumerate() {
            if k > 0 {
                let _ = write!(d, "V{hi}");
            }
            let _ = write!(d, "H{}", start + k + 1);
        }
        for (k, (lo, _)) in run.iter().enumerate().rev() {
            let _ = write!(d, "V{lo}H{}", start + k);
        }
        d.push('Z');
    }
    d
}

/// A stepped line through `ys` (column units), broken where a column has no sample.
fn line(ys: &[Option<i32>]) -> String {
    let mut d = String::new();
    let mut open = false;
    for (i, y) in ys.iter().enumerate() {
        match (y, open) {
            (Some(y), false) => {
                let _ = write!(d, "M{i},{y}H{}", i + 1);
                open = true;
            }
            (Some(y), true) => {
                let _ = write!(d, "V{y}H{}", i + 1);
            }
            (None, _) => open = false,
        }
    }
    d
}

/// A phase's latency per column: the min–max band (clipped to the scale), the p50–p95 band and
/// the median, on a linear scale from 0 to a round figure above the highest p95.
pub(crate) fn latency(
    out: &mut String,
    f: &Frame,
    id: &str,
    p: &PhaseColumns,
    label: &dyn Fn(i64) -> String,
) {
    const TOP: f64 = 8.0;
    const BOTTOM: f64 = 92.0;
    let top = nice(
        p.columns
            .iter()
            .flatten()
            .map(|c| c.p95_ms)
            .fold(0.0, f64::max)
            * 1.1,
    );
    let y = |v: f64| (BOTTOM - (v / top).clamp(0.0, 1.0) * (BOTTOM - TOP)).round() as i32;
    let minmax: Vec<Option<(i32, i32)>> = p
        .columns
        .iter()
        .map(|c| c.map(|c| (y(c.min_ms), y(c.max_ms))))
        .collect();
    let p95: Vec<Option<(i32, i32)>> = p
        .columns
        .iter()
        .map(|c| c.map(|c| (y(c.p50_ms), y(c.p95_ms))))
        .collect();
    let p50: Vec<Option<i32>> = p.columns.iter().map(|c| c.map(|c| y(c.p50_ms))).collect();
    let _ = write!(
        out,
        r#"<svg id="{id}" class="latency" data-phase="{}" data-top-ms="{top}" {} viewBox="0 0 {WIDTH} 110" role="img">"#,
        esc(&p.phase),
        f.data()
    );
    grid_y(
        out,
        TOP,
        BOTTOM,
        &[
            (top, fmt_ms(top)),
            (top / 2.0, fmt_ms(top / 2.0)),
            (0.0, "0".into()),
        ],
        top,
        0.0,
    );
    let _ = write!(
        out,
        r#"<g transform="translate({X0},0) scale({:.4},1)"><path class="minmax" d="{}"/><path class="p95" d="{}"/><path class="p50" d="{}"/></g>"#,
        f.cw(),
        band(&minmax),
        band(&p95),
        line(&p50)
    );
    f.axis(out, 106.0, label);
    out.push_str("</svg>");
}

/// `12`, `0.5`, `0.05`: a scale's figure in ms.
fn fmt_ms(v: f64) -> String {
    if v >= 10.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Horizontal grid lines with their labels at the left, for values `hi` (at `top`) to `lo` (at
/// `bottom`).
fn grid_y(out: &mut String, top: f64, bottom: f64, ticks: &[(f64, String)], hi: f64, lo: f64) {
    for (v, text) in ticks {
        let y = bottom - (v - lo) / (hi - lo).max(f64::MIN_POSITIVE) * (bottom - top);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{X0}" x2="{}" y1="{}" y2="{}"/><text class="ax" x="{}" y="{}" text-anchor="end">{}</text>"#,
            X0 + PW,
            n1(y),
            n1(y),
            X0 - 4.0,
            n1(y + 3.5),
            esc(text)
        );
    }
}

/// NTP offsets over the soak: each bucket's min–max band and its mean, with the zero line.
pub(crate) fn offsets(
    out: &mut String,
    f: &Frame,
    id: &str,
    n: &NtpOffsets,
    label: &dyn Fn(i64) -> String,
) {
    const TOP: f64 = 8.0;
    const BOTTOM: f64 = 92.0;
    let lo = n.series.iter().map(|b| b.min_ms).fold(0.0, f64::min);
    let hi = n.series.iter().map(|b| b.max_ms).fold(0.0, f64::max);
    let pad = ((hi - lo) * 0.1).max(0.001);
    let (lo, hi) = (lo - pad, hi + pad);
    let y = |v: f64| BOTTOM - (v - lo) / (hi - lo) * (BOTTOM - TOP);
    let _ = write!(
        out,
        r#"<svg id="{id}" class="offsets" {} viewBox="0 0 {WIDTH} 110" role="img">"#,
        f.data()
    );
    grid_y(
        out,
        TOP,
        BOTTOM,
        &[
            (hi, format!("{hi:+.3}")),
            (0.0, "0".into()),
            (lo, format!("{lo:+.3}")),
        ],
        hi,
        lo,
    );
    let mut band = String::new();
    let mut mean = String::new();
    for (k, b) in n.series.iter().enumerate() {
        // A bucket stands from its first sample to its last; one sample, a sliver.
        let (a, e) = (f.x(b.start.0), f.x(b.end.0).max(f.x(b.start.0) + 1.0));
        let _ = write!(
            band,
            "M{},{}H{}V{}H{}Z",
            n1(a),
            n1(y(b.max_ms)),
            n1(e),
            n1(y(b.min_ms)),
            n1(a)
        );
        let _ = write!(
            mean,
            "{}{},{}L{},{}",
            if k == 0 { "M" } else { "L" },
            n1(a),
            n1(y(b.mean_ms)),
            n1(e),
            n1(y(b.mean_ms))
        );
    }
    let _ = write!(
        out,
        r#"<path class="minmax" d="{band}"/><path class="mean" d="{mean}"/>"#
    );
    f.axis(out, 106.0, label);
    out.push_str("</svg>");
}

/// A name's round-robin members over time, one row per address ever in a family's set: a bar
/// wherever the address was in it. `changes` are the name's recorded changes (capped); when some
/// were not recorded, the bars stop at the last one that was (`until`).
pub(crate) fn members(
    out: &mut String,
    f: &Frame,
    id: &str,
    first: &SetChange,
    changes: &[&SetChange],
    until: i64,
    label: &dyn Fn(i64) -> String,
) {
    let mut steps: Vec<(i64, &[String])> = vec![(first.at.0, first.set.as_slice())];
    steps.extend(changes.iter().map(|c| (c.at.0, c.set.as_slice())));
    let mut addrs: Vec<&str> = Vec::new();
    for (_, set) in &steps {
        for a in *set {
            if !addrs.contains(&a.as_str()) {
                addrs.push(a);
            }
        }
    }
    const ROW: f64 = 14.0;
    let h = addrs.len() as f64 * ROW + 16.0;
    let _ = write!(
        out,
        r#"<svg id="{id}" class="members" data-family="{}" {} viewBox="0 0 {WIDTH} {h}" role="img">"#,
        esc(&first.family),
        f.data()
    );
    for (row, addr) in addrs.iter().enumerate() {
        let top = row as f64 * ROW;
        for (k, (at, set)) in steps.iter().enumerate() {
            if !set.iter().any(|a| a == addr) {
                continue;
            }
            let end = steps.get(k + 1).map_or(until, |s| s.0);
            let (a, b) = (f.x(*at), f.x(end));
            let _ = write!(
                out,
                r#"<rect class="member" x="{}" y="{}" width="{}" height="{}"/>"#,
                n1(a),
                n1(top + 1.0),
                n1((b - a).max(1.0)),
                ROW - 2.0
            );
        }
        let _ = write!(
            out,
            r#"<text class="addr" x="{}" y="{}">{}</text>"#,
            X0 + 4.0,
            n1(top + ROW - 3.5),
            esc(addr)
        );
    }
    f.axis(out, h - 3.0, label);
    out.push_str("</svg>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Stamp;

    fn frame() -> Frame {
        Frame::of(&Columns {
            start: Stamp(1_000),
            width_ms: 1_000,
            count: 100,
        })
    }

    #[test]
    fn time_maps_onto_the_plot_and_stays_in_it() {
        let f = frame();
        assert_eq!(f.t1, 101_000);
        assert_eq!(f.x(1_000), X0);
        assert_eq!(f.x(51_000), X0 + PW / 2.0);
        assert_eq!(f.x(101_000), X0 + PW);
        assert_eq!(f.x(-5), X0);
        assert_eq!(f.x(i64::MAX / 2), X0 + PW);
    }

    #[test]
    fn runs_of_one_state_are_one_rect_and_close_outages_one_mark() {
        let f = frame();
        let mut states = vec![StateColumn { up: 1, down: 0 }; 100];
        for s in &mut states[40..50] {
            *s = StateColumn { up: 0, down: 1 };
        }
        states[50] = StateColumn { up: 1, down: 1 };
        states[99] = StateColumn::default();
        let o = |a: i64, b: i64| Outage {
            start: Stamp(a),
            end: Stamp(b),
            duration_s: (b - a) as f64 / 1000.0,
            rounds: 1,
            ongoing: false,
            cut: false,
        };
        let mut out = String::new();
        timeline(
            &mut out,
            &f,
            "timeline-0",
            "<b>",
            &states,
            &[o(41_000, 50_000), o(50_050, 51_000), o(90_000, 91_000)],
            &[],
            101_000,
            &|_, _| String::new(),
        );
        assert_eq!(out.matches(r#"class="up""#).count(), 2, "{out}");
        assert_eq!(out.matches(r#"class="down""#).count(), 1);
        assert_eq!(out.matches(r#"class="mixed""#).count(), 1);
        // The first two outages are within a pixel of each other: one mark.
        assert_eq!(out.matches(r#"class="outage""#).count(), 2);
        assert!(out.contains(r#"data-target="&lt;b&gt;""#));
        assert!(!out.contains("<b>"));
    }

    #[test]
    fn bands_and_lines_break_where_a_column_has_no_sample() {
        assert_eq!(
            band(&[Some((10, 5)), Some((12, 6)), None, Some((9, 1))]),
            "M0,5H1V6H2V12H1V10H0ZM3,1H4V9H3Z"
        );
        assert_eq!(line(&[Some(5), Some(6), None, Some(7)]), "M0,5H1V6H2M3,7H4");
        assert_eq!(nice(0.0), 1.0);
        assert_eq!(nice(3.3), 5.0);
        assert_eq!(nice(0.011), 0.02);
        assert_eq!(nice(100.0), 100.0);
        assert_eq!(fmt_ms(0.05), "0.05");
        assert_eq!(fmt_ms(20.0), "20");
    }
}
