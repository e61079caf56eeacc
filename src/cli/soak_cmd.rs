//! `oqs-net soak`: rounds every interval for a duration (or until Ctrl-C), journalled as they
//! finish, with live progress and the report at the end; `--resume FILE` continues an interrupted
//! soak with the settings its journal names, for the time it still had.
//!
//! The flags are in `soak_args`, checked into a [`Setup`] by `soak_setup` before any packet;
//! `soak_session` runs it; this file dispatches and prints the report. Ctrl-C (or SIGTERM) stops after the journal is ended and prints the
//! report (exit 0 or 1 by its result); a second Ctrl-C exits 130 at once, but only while holding
//! the journal's lock, so it never leaves a half-written record.

use super::soak_args::SoakArgs;
use super::soak_session;
use super::soak_setup::Setup;
use super::{CliError, LangArg, exit, print, runtime, usage};
use crate::lab::schedule::{self, Timeline};
use crate::model::{Mode, SoakReport, Status};
use crate::output::{self, Format};
use crate::round::lab;
use crate::soak::report;
use std::io::IsTerminal;
use std::net::Ipv6Addr;
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
            let color = super::colour(&std::io::stdout());
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
    let setup = match &args.resume {
        Some(path) => match Setup::resume(path, &args.round.tls.password)? {
            Ok(s) => s,
            Err(report) => {
                eprintln!(
                    "oqs-net: the soak in {} has nothing left to run; its report follows",
                    path.display()
                );
                return Ok(print_report(&report, path, args.format, args.lang));
            }
        },
        None => Setup::new(&args)?,
    };

    // The lab's IPv6 members need a network namespace of their own, entered before any thread.
    let lab_settings = setup.lab().cloned();
    let mut v6 = vec![Ipv6Addr::LOCALHOST];
    if lab_settings.is_some() && setup.builder.profile().mode == Mode::Ipvpn {
        match super::enter_private_netns() {
            Ok(()) => v6 = lab::LAB_V6_NETNS.to_vec(),
            Err(e) => eprintln!("oqs-net: note: {e}; the lab's IPv6 set is only ::1"),
        }
    }
    let lab_spec = lab_settings.as_ref().map(|l| {
        lab::spec_for(
            setup.builder.profile(),
            &v6,
            setup.scenario.as_ref(),
            l.latency_ms,
        )
    });
    // Bind the fault schedule to the lab before anything is written, so a bad one costs nothing.
    if let (Some(f), Some(spec)) = (&setup.faults, &lab_spec) {
        Timeline::new(f.clone(), spec.clone()).map_err(usage)?;
    }

    let metrics = args.metrics.open()?;
    let journal = soak_session::prepare_journal(&setup)?;
    let tty = std::io::stderr().is_terminal();
    let color = super::colour(&std::io::stderr());
    let path = setup.journal_path.clone();

    let rt = runtime()?;
    let outcome = rt.block_on(soak_session::session(
        setup, lab_spec, journal, metrics, args.quiet, tty, color,
    ));
    drop(rt);
    // A failure before the first round (the journal, the lab) leaves nothing to report.
    let outcome = match outcome {
        Err(soak_session::Failure::BeforeStart(e)) => return Err(e),
        Err(soak_session::Failure::During(e)) => Err(e),
        Ok(()) => Ok(()),
    };

    let report = report::from_path(&path, None).map_err(|e| {
        CliError::Harness(format!(
            "the soak ran, but its journal cannot be read back: {e}"
        ))
    })?;
    let code = print_report(&report, &path, args.format, args.lang);
    match outcome {
        Ok(()) => Ok(code),
        Err(e) => {
            eprintln!("oqs-net: {e}");
            Ok(e.exit_code())
        }
    }
}
