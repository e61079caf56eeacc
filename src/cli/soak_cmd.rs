//! `oqs-net soak`: rounds every interval for a duration (or until Ctrl-C), journalled as they
//! finish, with live progress and the report at the end (and `--html OUT` as a file); `--resume FILE` continues an interrupted
//! soak with the settings its journal names, for the time it still had.
//!
//! The flags are in `soak_args`, checked into a [`Setup`] by `soak_setup` before any packet;
//! `soak_session` runs it; this file dispatches and prints the report. Ctrl-C (or SIGTERM) stops after the journal is ended and prints the
//! report (exit 0 or 1 by its result); a second Ctrl-C exits 130 at once, but only while holding
//! the journal's lock, so it never leaves a half-written record.

use super::soak_args::SoakArgs;
use super::soak_session;
use super::soak_setup::Setup;
use super::{CliError, LangArg, exit, print};
use crate::lab::schedule;
use crate::model::{SoakReport, Status};
use crate::output::{self, Format};
use crate::soak::report;
use std::path::Path;

/// Prints the report of a journal; the exit code by its result.
pub(super) fn print_report(
    r: &SoakReport,
    journal: &Path,
    format: Format,
    lang_arg: Option<LangArg>,
) -> u8 {
    let shown = journal.display().to_string();
    let lang = super::lang(lang_arg);
    match format {
        Format::Json => print(&output::soak::json(r, &shown, lang)),
        Format::Human => {
            let color = super::colour(false);
            print(&output::soak::human(
                r,
                &shown,
                &output::soak::Style {
                    color,
                    lang,
                    tz: jiff::tz::TimeZone::system(),
                },
            ));
        }
    }
    match r.status {
        Status::Pass | Status::Warn => exit::OK,
        Status::Fail | Status::Error => exit::CHECK_FAILED,
    }
}

pub fn run(args: SoakArgs) -> Result<u8, CliError> {
    if args.list_lab_faults {
        for name in schedule::builtin_names() {
            let desc = schedule::builtin(name)
                .map(|s| s.description)
                .unwrap_or_default();
            print(&format!("{name:<14} {desc}\n"));
        }
        return Ok(exit::OK);
    }
    if let Some(out) = &args.html {
        super::report_cmd::check_html_path(out)?;
    }
    let setup = match &args.resume {
        Some(path) => match Setup::resume(path, &args.round.tls.password)? {
            Ok(s) => s,
            Err(report) => {
                eprintln!(
                    "oqs-net: the soak in {} has nothing left to run; its report follows",
                    path.display()
                );
                let code = print_report(&report, path, args.format, args.lang);
                if let Some(out) = &args.html {
                    // The scan kept no latency columns; the page's charts read the journal again.
                    let full = report::from_path(path, None, report::Charts::All)
                        .map_err(|e| CliError::Usage(e.to_string()))?;
                    super::report_cmd::write_html(&full, path, args.lang, out, None)?;
                }
                return Ok(code);
            }
        },
        None => Setup::new(&args.round, &args.run)?,
    };

    let metrics = args.metrics.open()?;
    let ran = soak_session::execute(setup, metrics, args.quiet)?;
    let path = ran.journal;
    let outcome = ran.outcome;

    let report =
        report::from_path(&path, None, super::report_cmd::charts(&args.html)).map_err(|e| {
            CliError::Harness(format!(
                "the soak ran, but its journal cannot be read back: {e}"
            ))
        })?;
    let code = print_report(&report, &path, args.format, args.lang);
    let html = args
        .html
        .as_ref()
        .map(|out| super::report_cmd::write_html(&report, &path, args.lang, out, None))
        .transpose();
    match outcome {
        Ok(()) => html.map(|_| code),
        Err(e) => {
            if let Err(h) = html {
                eprintln!("oqs-net: {h}");
            }
            eprintln!("oqs-net: {e}");
            Ok(e.exit_code())
        }
    }
}
