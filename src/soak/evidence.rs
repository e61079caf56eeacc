//! What an acceptance judgement needs from a journal beyond its report: the targets of the last
//! round, the largest spread between the NTP servers' offsets within one round, and the client
//! certificate the soak presented (from its header, or the last resume's). Streams the journal
//! in bounded memory; depends on `model` and the soak's own journal only.

use super::journal::{self, JournalError, Record};
use crate::model::{Evidence, LastTarget};
use std::path::Path;

/// Reads `path` for the evidence; `round_robin` is the profile's round-robin NTP name.
pub fn from_path(path: &Path, round_robin: &str) -> Result<Evidence, JournalError> {
    let (header, mut reader) = journal::open(path)?;
    let mut ev = Evidence {
        round_robin: round_robin.to_string(),
        certificate: header.settings.started.certificate.clone(),
        ..Evidence::default()
    };
    while let Some(rec) = reader
        .next_record()
        .map_err(|source| JournalError::read(path, source))?
    {
        add(&mut ev, &rec);
    }
    Ok(ev)
}

/// Takes one record into the evidence.
pub(crate) fn add(ev: &mut Evidence, rec: &Record) {
    match rec {
        Record::Round(r) => {
            let offsets: Vec<f64> = r
                .targets
                .iter()
                .filter(|t| t.kind == "ntp" && t.up)
                .filter_map(|t| t.offset_ms)
                .filter(|o| o.is_finite())
                .collect();
            if offsets.len() >= 2 {
                let lo = offsets.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = offsets.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let spread = hi - lo;
                ev.ntp_spread_ms = Some(ev.ntp_spread_ms.map_or(spread, |s| s.max(spread)));
            }
            ev.last_round = r
                .targets
                .iter()
                .map(|t| LastTarget {
                    id: t.id.clone(),
                    kind: t.kind.clone(),
                    up: t.up,
                    status: t.status,
                    codes: t.codes.clone(),
                })
                .collect();
        }
        Record::Resume(r) if r.started.certificate.is_some() => {
            ev.certificate = r.started.certificate.clone();
        }
        _ => {}
    }
}
