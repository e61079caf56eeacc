//! `oqs-net report FILE`: summarises a soak's journal, finished or not (a soak may still be writing
//! it), as a terminal page or JSON, and with `--html OUT` as one self-contained HTML file too.
//! Exit 0 or 1 by the result, 2 when the file is not a journal or OUT cannot be written there.

use super::{CliError, LangArg};
use crate::model::SoakReport;
use crate::output::Format;
use crate::soak::{Thresholds, report};
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The journal a soak wrote (JSON Lines).
    #[arg(value_name = "FILE")]
    pub journal: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Language of the findings (default: from the locale).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Also write the report as one self-contained HTML file (charts included, nothing fetched).
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Recompute flapping with this high threshold instead of the journal's.
    #[arg(long, value_name = "PCT", requires = "flap_low")]
    pub flap_high: Option<f64>,
    /// Recompute flapping with this low threshold instead of the journal's.
    #[arg(long, value_name = "PCT", requires = "flap_high")]
    pub flap_low: Option<f64>,
}

pub fn run(args: ReportArgs) -> Result<u8, CliError> {
    let thresholds = match (args.flap_high, args.flap_low) {
        (Some(h), Some(l)) => {
            Some(Thresholds::new(h, l).map_err(|e| CliError::Usage(e.to_string()))?)
        }
        _ => None,
    };
    if let Some(out) = &args.html {
        check_html_path(out)?;
    }
    let r = report::from_path(&args.journal, thresholds, charts(&args.html))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let code = super::soak_cmd::print_report(&r, &args.journal, args.format, args.lang);
    if let Some(out) = &args.html {
        write_html(&r, &args.journal, args.lang, out, None)?;
    }
    Ok(code)
}

/// What the report must keep: the latency charts only for an HTML page.
pub(super) fn charts(html: &Option<PathBuf>) -> report::Charts {
    match html {
        Some(_) => report::Charts::All,
        None => report::Charts::Timelines,
    }
}

/// Refuses, before any work, an HTML path that cannot be written: a directory, or a file in a
/// directory that does not exist.
pub(super) fn check_html_path(out: &Path) -> Result<(), CliError> {
    if out.is_dir() {
        return Err(CliError::Usage(format!(
            "--html {}: a directory; name the file to write",
            out.display()
        )));
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(CliError::Usage(format!(
            "--html {}: no directory {}",
            out.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// The report as HTML into `out`, whole or not at all (a temporary file beside it, renamed).
pub(super) fn write_html(
    r: &SoakReport,
    journal: &Path,
    lang: Option<LangArg>,
    out: &Path,
    acceptance: Option<&crate::output::html::AcceptanceView>,
) -> Result<(), CliError> {
    let page = crate::output::html::render(
        r,
        &journal.display().to_string(),
        &crate::output::soak::Style {
            color: false,
            lang: super::lang(lang),
            tz: jiff::tz::TimeZone::system(),
        },
        acceptance,
    );
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| {
        CliError::Harness(format!(
            "cannot write the HTML report to {}: {e}",
            out.display()
        ))
    };
    // Beside the target, so the rename stays on one file system; created as any file is (the
    // umask decides), since the page is meant to be handed on.
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.as_deref().unwrap_or("report.html"),
        std::process::id()
    ));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(page.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, out));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    eprintln!("oqs-net: HTML report written to {}", out.display());
    Ok(())
}
