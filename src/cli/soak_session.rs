//! The running half of `oqs-net soak`: the journal opened and locked before anything else, the
//! lab started (on the port a resumed soak used), the round loop with its progress, the lab's
//! fault schedule beside it, and the signals: Ctrl-C or SIGTERM end the soak cleanly, a second
//! Ctrl-C exits 130 holding the journal's lock.

use super::metrics_args::SoakMetrics;
use super::soak_progress::Progress;
use super::soak_setup::Setup;
use super::{CliError, runtime, usage};
use crate::exporter;
use crate::lab::schedule::{self, Timeline};
use crate::lab::{Lab, LabSpec};
use crate::model::StartFacts;
use crate::round::lab;
use crate::round::source::EngineSource;
use crate::soak::journal::{self, JournalWriter, NoteRecord, Record, ResumeRecord};
use crate::soak::run::{self, Clock, Session, SharedJournal};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tokio_util::sync::CancellationToken;

pub(super) enum Failure {
    /// Nothing was measured: the journal could not be written, the lab would not start.
    BeforeStart(CliError),
    /// The soak stopped part-way; the journal holds what was measured.
    During(CliError),
}

/// A soak run to its end: where its journal is, and how it stopped (`Err`: part-way, the
/// journal holding what was measured).
pub(super) struct Ran {
    pub(super) journal: PathBuf,
    pub(super) outcome: Result<(), CliError>,
}

/// Runs a checked setup to its end (`soak` and `accept` alike): the lab in a network namespace
/// of its own when it can have one, the fault schedule bound to it, the journal prepared, the
/// session. `Err` when nothing was measured.
pub(super) fn execute(setup: Setup, metrics: SoakMetrics, quiet: bool) -> Result<Ran, CliError> {
    let lab_settings = setup.lab().cloned();
    let v6 = super::lab_v6(lab_settings.is_some(), setup.builder.profile().mode);
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

    let journal = prepare_journal(&setup)?;
    let tty = std::io::stderr().is_terminal();
    let color = super::colour(true);
    let path = setup.journal_path.clone();

    let rt = runtime()?;
    let outcome = rt.block_on(session(
        setup, lab_spec, journal, metrics, quiet, tty, color,
    ));
    drop(rt);
    // A failure before the first round (the journal, the lab) leaves nothing to report.
    let outcome = match outcome {
        Err(Failure::BeforeStart(e)) => return Err(e),
        Err(Failure::During(e)) => Err(e),
        Ok(()) => Ok(()),
    };

    Ok(Ran {
        journal: path,
        outcome,
    })
}

/// Creates the journal (a new soak) or reopens it (a resume), before anything else happens, so
/// a path that cannot be written is reported at once. Returns a note when a torn last line was
/// ended.
pub(super) fn prepare_journal(setup: &Setup) -> Result<Prepared, CliError> {
    let path = &setup.journal_path;
    // The writer holds the journal's lock: another soak writing there is refused by name.
    let (writer, torn) = if setup.resuming {
        JournalWriter::reopen(path).map_err(usage)?
    } else {
        (JournalWriter::create(path).map_err(usage)?, None)
    };
    Ok(Prepared { writer, torn })
}

/// A journal ready to write: its writer (which keeps other soaks out while this one runs) and a
/// note when a torn last line was ended.
pub(super) struct Prepared {
    writer: JournalWriter,
    torn: Option<String>,
}

/// Writes the header (a new soak) or the resume marker, once the lab's ports are known, with the
/// settings and what the soak `started` with.
fn start_journal(
    setup: &mut Setup,
    started: StartFacts,
    w: &mut JournalWriter,
    torn: Option<String>,
) -> Result<(), CliError> {
    let nothing = |e: journal::JournalError| usage(format!("{e}; nothing was measured"));
    if !setup.resuming {
        setup.header.settings.started = started;
        return w
            .write(&[Record::Header(Box::new(setup.header.clone()))])
            .map_err(nothing);
    }
    let ts = journal::now_ms();
    let mut records = Vec::new();
    if let Some(text) = torn {
        records.push(Record::Note(NoteRecord {
            ts,
            at: journal::rfc3339(ts),
            text,
        }));
    }
    records.push(Record::Resume(Box::new(ResumeRecord {
        ts,
        at: journal::rfc3339(ts),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        remaining_ms: setup.schedule.remaining.map(|r| r.as_millis() as u64),
        round: Some(setup.builder.settings().clone()),
        started,
    })));
    w.write(&records).map_err(nothing)
}

/// Stops the soak on the first Ctrl-C or SIGTERM; quits at once on a second Ctrl-C, holding the
/// journal's lock so no record is left half-written. On a thread of its own with its own small
/// runtime: the soak's runtime has one thread, which may be inside a journal write (an fsync on
/// a slow disk) when the second Ctrl-C comes, and that Ctrl-C must not wait for the soak.
fn watch_signals(cancel: CancellationToken, journal: SharedJournal, quiet: bool) {
    let watch = async move {
        tokio::select! {
            Ok(()) = tokio::signal::ctrl_c() => {}
            _ = crate::platform::terminate_requested() => {}
        }
        if !quiet {
            eprintln!(
                "\noqs-net: stopping — the round in flight is dropped, the journal ended, then the report (Ctrl-C again to quit at once)"
            );
        }
        cancel.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            let _whole_records_only = journal.lock().unwrap_or_else(PoisonError::into_inner);
            std::process::exit(130);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let thread = match rt {
        Ok(rt) => std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || rt.block_on(watch))
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = thread {
        eprintln!(
            "oqs-net: cannot watch for Ctrl-C and SIGTERM ({e}); stop the soak with --rounds or --duration"
        );
    }
}

/// Starts the lab (on the port a resumed soak used), opens the journal, and runs the soak.
pub(super) async fn session(
    mut setup: Setup,
    lab_spec: Option<LabSpec>,
    prepared: Prepared,
    metrics: SoakMetrics,
    quiet: bool,
    tty: bool,
    color: bool,
) -> Result<(), Failure> {
    use Failure::BeforeStart;
    if !quiet {
        for note in setup.builder.notes() {
            eprintln!("oqs-net: note: {note}");
        }
    }
    let lab = match lab_spec {
        Some(spec) => {
            let lab = start_lab(spec, setup.lab().and_then(|l| l.ntp_port), quiet)
                .await
                .map_err(BeforeStart)?;
            setup.builder.point_at(&lab);
            if let Some(l) = setup.header.settings.lab.as_mut() {
                l.ntp_port = Some(lab.ntp_port());
            }
            Some(lab)
        }
        None => None,
    };
    let timeline = match (&setup.faults, &lab) {
        (Some(f), Some(lab)) => Some(
            Timeline::new(f.clone(), lab.spec())
                .map_err(usage)
                .map_err(BeforeStart)?,
        ),
        _ => None,
    };
    let started = setup.builder.start_facts(lab.as_ref());
    if let Some(c) = started.certificate.as_ref().filter(|_| !quiet) {
        eprintln!(
            "oqs-net: presenting the client certificate {} (serial {}, valid until {})",
            c.subject, c.serial, c.not_after
        );
    }
    let Prepared { mut writer, torn } = prepared;
    start_journal(&mut setup, started, &mut writer, torn).map_err(BeforeStart)?;
    let journal: SharedJournal = Arc::new(Mutex::new(writer));
    if !quiet {
        eprintln!(
            "oqs-net: {} {} (after a crash or power loss: `oqs-net soak --resume {}`)",
            if setup.resuming {
                "resuming the soak in"
            } else {
                "soaking into"
            },
            journal::absolute(&setup.journal_path).display(),
            setup.journal_path.display()
        );
    }
    // Every round is planned afresh as `probe` plans its one: bound to the OQS adapter, with the
    // adapter, reachability, TLS and proxy sections, the proxy settings read again each round
    // (the lab's terminal with --lab, else this machine's), so a flapping way is caught (補17).
    let source = EngineSource {
        builder: setup.builder.clone(),
        lab: lab.as_ref(),
    };
    let cancel = CancellationToken::new();
    watch_signals(cancel.clone(), journal.clone(), quiet);
    let clock = Clock::start();
    let (tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
    let progress = Progress::new(
        quiet,
        tty,
        color,
        setup.schedule.remaining,
        setup.schedule.rounds,
        jiff::tz::TimeZone::system(),
    );
    // Prometheus: the latest round's metrics for the listener and the textfile.
    let latest = exporter::soak::Latest::default();
    let http_stop = CancellationToken::new();
    let http = match metrics.listener {
        Some(l) => {
            let l = tokio::net::TcpListener::from_std(l)
                .map_err(|e| BeforeStart(CliError::Harness(format!("--metrics-listen: {e}"))))?;
            Some(tokio::spawn(exporter::http::serve(
                l,
                Arc::new(latest.clone()),
                http_stop.clone(),
            )))
        }
        None => None,
    };
    let publish = http.is_some() || metrics.textfile.is_some();
    let (mut source, mut progress) =
        exporter::soak::wrap(source, progress, latest, metrics.textfile, publish);
    let lab_stop = CancellationToken::new();
    let driver = async {
        if let (Some(lab), Some(t)) = (&lab, &timeline) {
            schedule::drive(
                lab,
                t,
                clock.origin,
                setup.lab_offset,
                lab_stop.clone(),
                |at, words| {
                    for w in words {
                        let _ = tx.send((at, w));
                    }
                },
            )
            .await;
        }
    };
    let soak = async {
        let r = run::run(
            &mut source,
            &mut progress,
            Session {
                journal: &journal,
                tracker: &mut setup.tracker,
                schedule: &setup.schedule,
                clock,
                notes: &mut notes,
                cancel: &cancel,
            },
        )
        .await;
        lab_stop.cancel();
        r
    };
    let (result, ()) = tokio::join!(soak, driver);
    http_stop.cancel();
    if let Some(h) = http {
        let _ = h.await;
    }
    progress.into_inner().finish();
    if let Some(lab) = lab {
        lab.shutdown().await;
    }
    result.map(|_| ()).map_err(|e| {
        Failure::During(match e {
            run::SoakError::Journal(j) => CliError::Harness(format!(
                "{j}; the soak stopped there (every round before it is in the journal)"
            )),
            run::SoakError::Round(r) => CliError::Harness(format!("a round could not be run: {r}")),
        })
    })
}

/// Starts the lab, on `port` when a resumed soak asks for the one it used before.
async fn start_lab(mut spec: LabSpec, port: Option<u16>, quiet: bool) -> Result<Lab, CliError> {
    crate::round::lab::sweep_leftovers(&std::env::temp_dir());
    if let Some(p) = port {
        let mut again = spec.clone();
        again.ntp_port = p;
        match Lab::start(again).await {
            Ok(lab) => return Ok(lab),
            Err(e) => {
                if !quiet {
                    eprintln!(
                        "oqs-net: note: the lab cannot have NTP port {p} again ({e}); its servers get a new port, so they appear as new targets in the report"
                    );
                }
                spec.ntp_port = 0;
            }
        }
    }
    Lab::start(spec)
        .await
        .map_err(|e| CliError::Lab(e.to_string()))
}
