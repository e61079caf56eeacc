//! The round's TLS client side kept from one round to the next: the PFX, the CA bundle and the
//! password read and decoded once, and again only when one of those files changes (its length or
//! modification time), so a soak does not spend the decoding on every round. Each round still
//! gets the identity report, with the days left counted that day. Uses `probe::tls` and `model`;
//! opens no socket.

use crate::model::{CertInfo, IdentityReport, PasswordSource, TlsSettings};
use crate::probe::tls::{self, TlsContext};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A file as it was when read: its length and modification time, or that it was not there.
type FileStamp = Option<(u64, SystemTime)>;

/// A change of a file inside this window of its last modification may not move the stamp (the
/// clock that stamps files is coarse): a file modified that recently is read again next round.
const SETTLING: Duration = Duration::from_secs(2);

/// The client identity and TLS configuration, loaded at most once per change of their files.
#[derive(Default)]
pub struct TlsCache {
    kept: Option<Kept>,
    loads: u64,
}

struct Kept {
    settings: TlsSettings,
    files: Vec<FileStamp>,
    /// Every file's stamp was older than [`SETTLING`] when it was read.
    settled: bool,
    report: IdentityReport,
    ctx: Arc<TlsContext>,
}

impl std::fmt::Debug for TlsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsCache")
            .field("loads", &self.loads)
            .finish_non_exhaustive()
    }
}

/// The files a TLS context is made from: the PFX files, the CA bundle, the password file.
fn files_of(s: &TlsSettings) -> Vec<PathBuf> {
    let mut v = s.pfx.clone();
    v.extend(s.ca_bundle.clone());
    if let PasswordSource::File(p) = &s.password {
        v.push(p.clone());
    }
    v
}

fn stamp(path: &PathBuf) -> FileStamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

impl TlsCache {
    /// The identity report (days left as of now) and the TLS context for `s`: those kept, unless
    /// the settings or one of their files changed since they were loaded.
    pub fn get(&mut self, s: &TlsSettings) -> (IdentityReport, Arc<TlsContext>) {
        let files: Vec<FileStamp> = files_of(s).iter().map(stamp).collect();
        let fresh = self
            .kept
            .as_ref()
            .is_some_and(|k| k.settled && k.settings == *s && k.files == files);
        if !fresh {
            let now = SystemTime::now();
            let settled = files
                .iter()
                .flatten()
                .all(|(_, t)| now.duration_since(*t).is_ok_and(|age| age >= SETTLING));
            let (report, ctx) = tls::prepare(s);
            self.loads += 1;
            self.kept = Some(Kept {
                settings: s.clone(),
                files,
                settled,
                report,
                ctx: Arc::new(ctx),
            });
        }
        let k = self.kept.as_ref().expect("kept above");
        let mut report = k.report.clone();
        days_left_now(&mut report, crate::probe::pfx::now_unix());
        (report, k.ctx.clone())
    }

    /// How many times the files were read and decoded.
    pub fn loads(&self) -> u64 {
        self.loads
    }
}

/// Counts every certificate's days left again as of `now` (unix seconds).
fn days_left_now(r: &mut IdentityReport, now: i64) {
    let recount = |c: &mut CertInfo| {
        if let Ok(t) = c.not_after.parse::<jiff::Timestamp>() {
            c.days_left = (t.as_second() - now).div_euclid(86_400);
        }
    };
    r.candidates.iter_mut().for_each(recount);
    r.selected_chain.iter_mut().for_each(recount);
    for f in &mut r.files {
        for e in &mut f.entries {
            recount(&mut e.cert);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::pki::LabPki;

    /// Sets a file's modification time `secs` ago (old enough to be trusted).
    fn aged(path: &std::path::Path, secs: u64) {
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(secs))
            .unwrap();
    }

    fn serial(r: &IdentityReport) -> String {
        r.selected_cert().expect("a certificate").serial.clone()
    }

    #[test]
    fn an_unchanged_pfx_is_read_once_and_a_changed_one_again() {
        let pki = LabPki::generate(&["oqs.example".into()]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let pfx = dir.path().join("clinic.pfx");
        std::fs::copy(&pki.files.client_pfx, &pfx).unwrap();
        aged(&pfx, 600);
        let s = TlsSettings {
            pfx: vec![pfx.clone()],
            password: PasswordSource::File(pki.files.password_file.clone()),
            ca_bundle: Some(pki.files.ca_pem.clone()),
            ..TlsSettings::default()
        };
        aged(&pki.files.password_file, 600);
        aged(&pki.files.ca_pem, 600);
        let mut cache = TlsCache::default();
        let (first, _) = cache.get(&s);
        let (again, _) = cache.get(&s);
        assert_eq!(cache.loads(), 1, "unchanged files are not read again");
        assert_eq!(first, again);

        // Replaced by another certificate: read in the next round, and the report says so.
        std::fs::copy(&pki.files.expiring_pfx, &pfx).unwrap();
        aged(&pfx, 300);
        let (changed, _) = cache.get(&s);
        assert_eq!(cache.loads(), 2);
        assert_ne!(serial(&first), serial(&changed));
        assert!(
            changed.selected_cert().unwrap().days_left < first.selected_cert().unwrap().days_left
        );

        // Other settings (another institution code, say) are loaded afresh too.
        let other = TlsSettings {
            expiry_warn_days: 7,
            ..s.clone()
        };
        cache.get(&other);
        assert_eq!(cache.loads(), 3);
    }

    #[test]
    fn a_file_modified_just_now_is_read_again_until_it_settles() {
        let pki = LabPki::generate(&["oqs.example".into()]).unwrap();
        let s = TlsSettings {
            pfx: vec![pki.files.client_pfx.clone()],
            password: PasswordSource::File(pki.files.password_file.clone()),
            ..TlsSettings::default()
        };
        let mut cache = TlsCache::default();
        cache.get(&s);
        cache.get(&s);
        assert_eq!(cache.loads(), 2, "written a moment ago: not trusted yet");
        aged(&pki.files.client_pfx, 600);
        aged(&pki.files.password_file, 600);
        cache.get(&s);
        cache.get(&s);
        assert_eq!(cache.loads(), 3);
    }

    #[test]
    fn days_left_are_counted_as_of_the_round() {
        let mut r = IdentityReport {
            candidates: vec![CertInfo {
                subject: "CN=x".into(),
                issuer: "CN=ca".into(),
                serial: "01".into(),
                not_before: "2026-01-01T00:00:00Z".into(),
                not_after: "2026-01-11T00:00:00Z".into(),
                days_left: 99,
                key_type: "ECDSA P-256".into(),
                is_ca: false,
                names: vec![],
                institution_code: None,
                sha256: String::new(),
            }],
            ..IdentityReport::default()
        };
        // 2026-01-01T12:00:00Z: nine whole days and a half before 2026-01-11.
        days_left_now(&mut r, 1_767_268_800);
        assert_eq!(r.candidates[0].days_left, 9);
        // A day after: expired, -1.
        days_left_now(&mut r, 1_768_176_000);
        assert_eq!(r.candidates[0].days_left, -1);
    }
}
