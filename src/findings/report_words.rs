//! The soak report's words, in English and Japanese, said once for both of its pages (the
//! terminal page and the HTML file), beside the catalogue and the round's labels. Reads `Lang`
//! only; renderers ask here.

use super::Lang;

/// A word or phrase in English and Japanese.
#[derive(Clone, Copy, Debug)]
pub(crate) struct W(pub(crate) &'static str, pub(crate) &'static str);

impl W {
    pub(crate) fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.0,
            Lang::Ja => self.1,
        }
    }
}

pub(crate) const SOAK_REPORT: W = W("soak report", "連続監視レポート");
pub(crate) const PROFILE: W = W("Profile", "プロファイル");
pub(crate) const WRITTEN_BY: W = W("written by", "記録");
pub(crate) const SOAK: W = W("Soak", "期間");
pub(crate) const NO_ROUND: W = W("no round yet", "記録なし");
pub(crate) const COMPLETE: W = W("complete", "完了");
pub(crate) const NOT_FINISHED: W = W("not finished", "未完了");
pub(crate) const LEFT: W = W("left", "残り");
pub(crate) const RESUMED: W = W("resumed", "再開");
pub(crate) const EVERY: W = W("every", "間隔");
pub(crate) const BACK_TO_BACK: W = W("back to back", "連続");
pub(crate) const MEASURED: W = W("measured", "測定");
pub(crate) const ROUNDS: W = W("rounds", "回");
pub(crate) const ROUNDS_TITLE: W = W("Rounds", "ラウンド");
pub(crate) const FLAP_THRESHOLDS: W = W("flap thresholds", "フラップしきい値");
pub(crate) const TARGETS: W = W("Targets", "対象");
pub(crate) const AVAIL: W = W("avail", "可用性");
pub(crate) const CHANGES: W = W("changes", "状態変化");
pub(crate) const OUTAGES_COL: W = W("outages", "停止");
pub(crate) const LONGEST: W = W("longest", "最長");
pub(crate) const FLAPPING: W = W("Flapping", "フラップ期間");
pub(crate) const ONGOING: W = W("ongoing", "継続中");
pub(crate) const PEAK: W = W("peak", "最大");
pub(crate) const OUTAGES: W = W("Outages", "停止");
pub(crate) const MORE_JSON: W = W("more (see --format json)", "件省略（--format json で全件）");
pub(crate) const STILL_DOWN: W = W("(still down)", "（停止中）");
pub(crate) const INTERRUPTED: W = W("(soak interrupted)", "（監視中断）");
pub(crate) const LATENCY: W = W("Latency (ms)", "遅延 (ms)");
pub(crate) const SAMPLES: W = W("samples", "件数");
pub(crate) const NTP_OFFSET: W = W(
    "NTP offset (server − this machine, ms)",
    "NTP時刻差（サーバ − この端末, ms）",
);
pub(crate) const DRIFT: W = W("drift", "ドリフト");
pub(crate) const LOCAL_CLOCK: W = W(
    "this machine's clock (median of the servers per round)",
    "この端末の時計（各ラウンドのサーバ中央値から）",
);
pub(crate) const FITTED_OVER: W = W("fitted over", "推定期間");
pub(crate) const S_A_DAY: W = W("s a day", "秒/日");
pub(crate) const NO_DRIFT: W = W(" — no drift to tell", "（有意なずれなし）");
pub(crate) const RUNS_FAST: W = W(" — runs fast", "（進み）");
pub(crate) const RUNS_SLOW: W = W(" — runs slow", "（遅れ）");
pub(crate) const RR_SETS: W = W("Round-robin answer sets", "ラウンドロビン応答");
pub(crate) const AT_START: W = W("at start", "開始時");
pub(crate) const MEMBERS: W = W("members", "件");
pub(crate) const NO_CHANGE: W = W("no change", "変化なし");
pub(crate) const MORE_CHANGES: W = W("more changes", "件省略");
pub(crate) const PROXY_SETTINGS: W = W("Proxy settings over time", "プロキシ設定の推移");
pub(crate) const AUTO_DETECT_ON: W = W("auto-detect on", "自動検出オン");
pub(crate) const AUTO_DETECT_OFF: W = W("auto-detect off", "自動検出オフ");
pub(crate) const AUTO_DETECT_UNKNOWN: W = W("auto-detect unknown", "自動検出は不明");
pub(crate) const DECIDES: W = W("decides:", "決定:");
pub(crate) const PHASE: W = W("phase", "段階");
pub(crate) const FIRST: W = W("first", "最初");
pub(crate) const LAST: W = W("last", "最後");
pub(crate) const ROUND: W = W("round", "回");
pub(crate) const FINDINGS: W = W("Findings", "検出事項");
pub(crate) const NOTES: W = W("Notes", "注記");
pub(crate) const RESULT: W = W("Result", "結果");
pub(crate) const ROOT_CAUSES: W = W(
    "Root causes (fix these first)",
    "根本原因（まずここから直す）",
);

// The HTML page's own: its tables' heads and its charts' legends.
pub(crate) const START: W = W("start", "開始");
pub(crate) const END: W = W("end", "終了");
pub(crate) const LENGTH: W = W("length", "長さ");
pub(crate) const UP: W = W("up", "正常");
pub(crate) const DOWN: W = W("down", "停止");
pub(crate) const UP_AND_DOWN: W = W("up and down", "正常と停止が混在");
pub(crate) const NOT_MEASURED: W = W("not measured", "未測定");
pub(crate) const MEDIAN: W = W("median", "中央値");
pub(crate) const MIN_MAX: W = W("min–max", "最小–最大");
pub(crate) const P50_P95: W = W("p50–p95", "p50–p95");
pub(crate) const MEAN: W = W("mean", "平均");
pub(crate) const MODE: W = W("Mode", "モード");
pub(crate) const ENVIRONMENT: W = W("Environment", "環境");
pub(crate) const ACCEPTANCE: W = W("Acceptance", "受け入れ判定");
pub(crate) const CRITERION: W = W("criterion", "基準");
pub(crate) const WANTED: W = W("wanted", "目標");
pub(crate) const MEASURED_VALUE: W = W("measured", "実測");
pub(crate) const TIMELINE: W = W("Timeline", "推移");
pub(crate) const ADVICE: W = W("advice", "対処");
pub(crate) const NOT_DRAWN: W = W(
    "later changes are not drawn (see --format json)",
    "以降の変化は描画していません（--format json で全件）",
);
