//! A soak's setup, checked before any packet: from the flags (the round builder, the journal's
//! header, the schedule, the lab's scenario and faults) or from an interrupted soak's journal,
//! with every setting it names.

use super::duration::default_deadline;
use super::round_args::RoundArgs;
use super::soak_args::SoakRunArgs;
use super::tls_args::PasswordArgs;
use super::{CliError, usage};
use crate::lab::Scenario;
use crate::lab::schedule::{self, FaultSchedule};
use crate::model::{PasswordOrigin, SoakReport, StartFacts};
use crate::round::{Builder, lab};
use crate::soak::journal::{self, Header, JOURNAL_VERSION, LabSettings, ProfileRef, Settings};
use crate::soak::run::Schedule;
use crate::soak::{Thresholds, resume, track::Tracker};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything a soak needs, checked, before the first packet.
pub(super) struct Setup {
    /// Plans every round, as `probe` plans its one.
    pub(super) builder: Builder,
    pub(super) header: Header,
    pub(super) journal_path: PathBuf,
    pub(super) schedule: Schedule,
    pub(super) tracker: Tracker,
    pub(super) scenario: Option<Scenario>,
    pub(super) faults: Option<FaultSchedule>,
    /// Time already run (a resume), where the fault timeline picks up.
    pub(super) lab_offset: Duration,
    pub(super) resuming: bool,
}

/// A fault schedule by built-in name or file, with the file's text for the journal.
fn load_faults(name_or_file: &str) -> Result<(FaultSchedule, String, Option<String>), CliError> {
    let path = Path::new(name_or_file);
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| usage(format!("cannot read {name_or_file}: {e}")))?;
        let s = FaultSchedule::from_toml_str(&text, name_or_file).map_err(usage)?;
        let shown = journal::absolute(path).display().to_string();
        Ok((s, shown, Some(text)))
    } else {
        let s = schedule::builtin(name_or_file).map_err(usage)?;
        Ok((s, name_or_file.to_string(), None))
    }
}

fn scenario_ref(name_or_file: &str) -> String {
    let p = Path::new(name_or_file);
    if p.exists() {
        journal::absolute(p).display().to_string()
    } else {
        name_or_file.to_string()
    }
}

/// The profile a journal's header names: its text when it came from a file, else the shipped one.
pub(super) fn journal_profile(h: &Header) -> Result<crate::model::Profile, CliError> {
    Ok(match &h.profile.toml {
        Some(text) => crate::profile::parse(text, &h.profile.source)?,
        None => {
            let name = h
                .profile
                .source
                .strip_prefix("builtin:")
                .unwrap_or(&h.profile.name);
            crate::profile::shipped(name)?
        }
    })
}

fn default_journal() -> PathBuf {
    let now = jiff::ZonedDateTime::now();
    PathBuf::from(format!("oqs-soak-{}.jsonl", now.strftime("%Y%m%d-%H%M%S")))
}

impl Setup {
    pub(super) fn new(r: &RoundArgs, run: &SoakRunArgs) -> Result<Setup, CliError> {
        let profile = r.which.load()?;
        let thresholds = Thresholds::new(
            run.flap_high.unwrap_or(profile.soak.flap_high_pct),
            run.flap_low.unwrap_or(profile.soak.flap_low_pct),
        )
        .map_err(usage)?;
        let scenario = r
            .lab_scenario
            .as_deref()
            .map(lab::scenario)
            .transpose()
            .map_err(CliError::Usage)?;
        let faults = run.lab_faults.as_deref().map(load_faults).transpose()?;
        let toml = match &r.which.file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?,
            ),
            None => None,
        };
        let (mut settings, typed) = r.settings(&profile, default_deadline(run.interval))?;
        settings.deadline_ms = settings.deadline_ms.max(100);
        let ts = journal::now_ms();
        let header = Header {
            journal_version: JOURNAL_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at: journal::rfc3339(ts),
            ts,
            profile: ProfileRef {
                name: profile.name.clone(),
                source: profile.source.clone(),
                mode: profile.mode.as_label().to_string(),
                environment: profile.environment.as_label().to_string(),
                provider: profile.provider.clone(),
                toml,
            },
            settings: Settings {
                interval_ms: run.interval.as_millis() as u64,
                duration_ms: run.duration.map(|d| d.as_millis() as u64),
                rounds: run.rounds,
                flap_high_pct: thresholds.high_pct(),
                flap_low_pct: thresholds.low_pct(),
                // The report judges latencies as the rounds do, with the lab's own overhead.
                slowness: if r.lab {
                    crate::round::lab::lab_slowness(profile.slowness)
                } else {
                    profile.slowness
                },
                round: settings.clone(),
                started: StartFacts::default(),
                lab: r.lab.then(|| LabSettings {
                    scenario: r.lab_scenario.as_deref().map(scenario_ref),
                    faults: faults.as_ref().map(|f| f.1.clone()),
                    faults_toml: faults.as_ref().and_then(|f| f.2.clone()),
                    latency_ms: r.lab_latency_ms.unwrap_or(0),
                    ntp_port: None,
                }),
            },
        };
        Ok(Setup {
            builder: Builder::new(profile, settings, typed)?,
            header,
            journal_path: run.journal.clone().unwrap_or_else(default_journal),
            schedule: Schedule {
                interval: run.interval,
                remaining: run.duration,
                rounds: run.rounds,
                first_seq: 1,
            },
            tracker: Tracker::new(thresholds),
            scenario,
            faults: faults.map(|f| f.0),
            lab_offset: Duration::ZERO,
            resuming: false,
        })
    }

    /// The setup a journal's header describes, continued where it stopped: the same profile and
    /// every round setting, the password got again the way the first run got it unless
    /// `password` names another way. `Ok(Err(report))` when nothing is left to run.
    pub(super) fn resume(
        path: &Path,
        password: &PasswordArgs,
    ) -> Result<Result<Setup, SoakReport>, CliError> {
        let scan = resume::scan(path).map_err(usage)?;
        if scan.finished() {
            return Ok(Err(scan.report));
        }
        let h = &scan.header;
        let profile = journal_profile(h)?;
        let mut settings = h.settings.round.clone();
        let typed = match password.origin()? {
            Some(origin) => {
                settings.tls.password = Some(origin);
                None
            }
            None if settings.tls.password == Some(PasswordOrigin::Prompt) => {
                Some(super::tls_args::prompt()?.ok_or_else(|| {
                    usage(format!(
                        "the soak in {} got its PFX password at a prompt: resume it on a terminal, or give --pfx-password-env or --pfx-password-file",
                        path.display()
                    ))
                })?)
            }
            None => None,
        };
        let builder = Builder::new(profile, settings, typed)?;
        let (scenario, faults) = match &h.settings.lab {
            None => (None, None),
            Some(l) => {
                let scenario = l
                    .scenario
                    .as_deref()
                    .map(lab::scenario)
                    .transpose()
                    .map_err(CliError::Usage)?;
                let faults = match (&l.faults_toml, &l.faults) {
                    (Some(text), Some(name)) => {
                        Some(FaultSchedule::from_toml_str(text, name).map_err(usage)?)
                    }
                    (None, Some(name)) => Some(schedule::builtin(name).map_err(usage)?),
                    _ => None,
                };
                (scenario, faults)
            }
        };
        let active = Duration::from_secs_f64(scan.report.active_s.max(0.0));
        Ok(Ok(Setup {
            schedule: Schedule {
                interval: Duration::from_millis(h.settings.interval_ms),
                remaining: scan.remaining(),
                rounds: scan.rounds_left(),
                first_seq: scan.last_seq + 1,
            },
            builder,
            tracker: scan.tracker,
            header: scan.header,
            journal_path: path.to_path_buf(),
            scenario,
            faults,
            lab_offset: active,
            resuming: true,
        }))
    }

    pub(super) fn lab(&self) -> Option<&LabSettings> {
        self.header.settings.lab.as_ref()
    }
}
