//! The hostile corpus's files and strings, made from their table rows: PFX files (empty, not
//! PKCS#12, truncated, without a certificate, a 10,000-certificate bag made at test time),
//! profiles, soak journals (binary garbage, a 1 GB line streamed, never held), PAC results and
//! scripts. Each goes through the product's own reader and returns what it named.

use super::table::{Case, Got, fixtures};
use oqs_net::model::{Mode, PasswordSource};
use std::io::{BufRead, Read};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub fn run(c: &Case) -> Got {
    match c.kind.as_str() {
        "pfx" => pfx(c),
        "profile" => profile(c),
        "journal" => journal(c),
        "pac_result" => {
            let text = pac_text(c);
            super::table::seed("pac_result", c, text.as_bytes());
            Got::of(oqs_net::fuzzing::pac_result(text.as_bytes()))
        }
        "pac_script" => pac_script(c),
        other => panic!("{}: no kind {other}", c.name),
    }
}

/// The lab's PKI, made once for every case that needs certificates.
pub fn pki() -> &'static oqs_net::lab::pki::LabPki {
    static PKI: OnceLock<oqs_net::lab::pki::LabPki> = OnceLock::new();
    PKI.get_or_init(|| oqs_net::lab::pki::LabPki::generate(&["127.0.0.1".into()]).unwrap())
}

// ---------------------------------------------------------------------------------------------
// PFX

/// A PKCS#12 file of `certs` copies of the lab's root certificate and no key, made here.
fn bag(certs: usize, password: &str) -> Vec<u8> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry};
    let cert = Certificate::from_der(pki().root.as_ref()).unwrap();
    let mut ks = KeyStore::new();
    for i in 0..certs {
        ks.add_entry(&format!("c{i}"), KeyStoreEntry::Certificate(cert.clone()));
    }
    // Few iterations: the bag's size is what this case is about, not its key derivation.
    ks.writer(password)
        .encryption_iterations(1)
        .mac_iterations(1)
        .write()
        .unwrap()
}

fn pfx_bytes(c: &Case, dir: &std::path::Path) -> PathBuf {
    let pki = pki();
    let path = dir.join("hostile.pfx");
    let good = || std::fs::read(&pki.files.client_pfx).unwrap();
    let bytes = match c.str("make").unwrap() {
        "empty" => Vec::new(),
        "text" => b"-----BEGIN CERTIFICATE-----\nnot a PFX\n".to_vec(),
        "hex" => c.hex("hex").unwrap(),
        "truncated" => {
            let g = good();
            g[..g.len() * c.int("percent").unwrap_or(50) as usize / 100].to_vec()
        }
        "flipped" => {
            let mut g = good();
            let at = g.len() / 2;
            g[at] ^= 0xff;
            g
        }
        "bag" => bag(c.int("certs").unwrap() as usize, &pki.password),
        "sparse" => {
            let f = std::fs::File::create(&path).unwrap();
            f.set_len(c.int("mb").unwrap() as u64 * 1024 * 1024)
                .unwrap();
            return path;
        }
        "directory" => {
            std::fs::create_dir(&path).unwrap();
            return path;
        }
        "missing" => return path,
        "good" => good(),
        other => panic!("no PFX {other}"),
    };
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The identity as a round loads it (the PFX read, its certificates selected), judged.
fn pfx(c: &Case) -> Got {
    let dir = tempfile::tempdir().unwrap();
    let path = pfx_bytes(c, dir.path());
    let mut p = crate::support::quick_profile(Mode::Ipsec);
    p.tls_settings.pfx = vec![path];
    p.tls_settings.password = match c.str("password") {
        Some(pw) => {
            let f = dir.path().join("pw");
            std::fs::write(&f, pw).unwrap();
            PasswordSource::File(f)
        }
        None => PasswordSource::File(pki().files.password_file.clone()),
    };
    let (id, _) = oqs_net::probe::pfx::load_identity(&p.tls_settings);
    let failure = id.files.iter().find_map(|f| f.failure.as_ref());
    let mut names = vec![failure.map_or("read", |f| f.as_label()).to_string()];
    let text = failure.map(|f| format!("{f:?}")).unwrap_or_default();
    let m = oqs_net::model::Measurements {
        line: Default::default(),
        started_at: std::time::SystemTime::now(),
        duration: std::time::Duration::ZERO,
        dns: vec![],
        ntp: vec![],
        cut_off: vec![],
        resolvers: vec![],
        resolver_error: None,
        path: Default::default(),
        tls: oqs_net::model::TlsRound {
            identity: Some(id),
            endpoints: vec![],
        },
        proxy: None,
    };
    let round = oqs_net::judge::judge(&p, &m);
    for ch in &round.checks {
        names.extend(
            ch.findings
                .iter()
                .map(|f| f.code.as_label().to_string())
                .filter(|c| !c.starts_with("ntp.") && !c.starts_with("dns.")),
        );
    }
    Got::of(names).with_text(text)
}

// ---------------------------------------------------------------------------------------------
// Profiles

/// The row's `toml` as a site's profile file, loaded as `--targets FILE` loads it.
fn profile(c: &Case) -> Got {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.toml");
    std::fs::write(&path, c.str("toml").unwrap()).unwrap();
    super::table::seed("profile", c, c.str("toml").unwrap().as_bytes());
    match oqs_net::profile::load(&path) {
        Ok(p) => Got::of(vec!["ok".into()]).with_text(format!("{} TLS endpoints", p.tls.len())),
        Err(e) => Got::of(vec![e.as_label().into()]).with_text(e.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Journals

fn base_journal() -> Vec<String> {
    std::fs::read_to_string(fixtures().join("journal-base.jsonl"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// `n` bytes of `byte`, made as they are read: a line no reader may hold.
struct Endless {
    left: u64,
    chunk: Vec<u8>,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (self.left.min(buf.len() as u64) as usize).min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

impl BufRead for Endless {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let n = self.left.min(self.chunk.len() as u64) as usize;
        Ok(&self.chunk[..n])
    }
    fn consume(&mut self, amt: usize) {
        self.left -= amt as u64;
    }
}

/// A journal as the row makes it, read as `oqs-net report` reads one.
fn journal(c: &Case) -> Got {
    let lines = base_journal();
    let (header, rounds) = (lines[0].clone(), lines[1..].to_vec());
    let text = |v: Vec<String>| v.join("\n").into_bytes();
    let bytes: Vec<u8> = match c.str("make").unwrap() {
        "base" => text(lines),
        "empty" => Vec::new(),
        "garbage" => {
            let mut x: u32 = 0x1234_5678;
            (0..c.int("bytes").unwrap_or(65536))
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect()
        }
        "garbage_after_header" => {
            let mut v = text(vec![header]);
            v.extend_from_slice(b"\n\x00\xff\xfe\x01binary\x00\n\x7f\x80\x81\n");
            v.extend(text(rounds));
            v
        }
        "reversed" => {
            let mut r = rounds;
            r.reverse();
            text(std::iter::once(header).chain(r).collect())
        }
        "duplicated" => text(
            std::iter::once(header)
                .chain(rounds.iter().cloned())
                .chain(rounds.iter().cloned())
                .collect(),
        ),
        "rounds_first" => text(rounds.into_iter().chain(std::iter::once(header)).collect()),
        "replace" => text(
            lines
                .iter()
                .map(|l| l.replace(c.str("from").unwrap(), c.str("to").unwrap()))
                .collect(),
        ),
        "cut" => {
            let mut v = text(lines);
            v.truncate(v.len() - c.int("drop").unwrap_or(100) as usize);
            v
        }
        "line" => {
            let line = c
                .str("line")
                .unwrap()
                .repeat(c.int("times").unwrap_or(1) as usize);
            text(vec![header, line].into_iter().chain(rounds).collect())
        }
        "long_line" => {
            // The header, then a line of `mb` megabytes streamed (never held), then the rounds.
            let mut head = text(vec![header]);
            head.push(b'\n');
            let mut tail = b"\n".to_vec();
            tail.extend(text(rounds));
            let long = Endless {
                left: c.int("mb").unwrap() as u64 * 1024 * 1024,
                chunk: vec![b'x'; 1 << 20],
            };
            let input = std::io::BufReader::with_capacity(
                1 << 20,
                std::io::Cursor::new(head)
                    .chain(long)
                    .chain(b"\n".as_slice())
                    .chain(std::io::Cursor::new(tail)),
            );
            return Got::of(oqs_net::fuzzing::journal(input));
        }
        other => panic!("no journal {other}"),
    };
    super::table::seed("journal", c, &bytes);
    Got::of(oqs_net::fuzzing::journal_bytes(&bytes))
}

// ---------------------------------------------------------------------------------------------
// PAC

fn pac_text(c: &Case) -> String {
    c.str("result")
        .unwrap()
        .repeat(c.int("times").unwrap_or(1) as usize)
}

/// A script of `fixtures/` evaluated as a round evaluates a PAC file.
fn pac_script(c: &Case) -> Got {
    let path = fixtures().join("..").join(c.str("script").unwrap());
    evaluate(&std::fs::read_to_string(&path).unwrap())
}

/// `script` evaluated for the web server's URL, with a fixed clock and resolver: the error's
/// label, or `answered` and what [`oqs_net::fuzzing::pac_result`] names in the answer.
pub fn evaluate(script: &str) -> Got {
    use oqs_net::probe::pac::{
        self, FixedClock, FixedResolver, PacEnv, PacLimits, PacQuery, PacTime,
    };
    let env = PacEnv {
        resolver: Arc::new(FixedResolver::new()),
        clock: Arc::new(FixedClock(PacTime {
            unix_ms: 1_741_915_800_000,
            utc_offset_s: 9 * 3600,
        })),
        my_ip: vec!["192.168.220.10".parse().unwrap()],
    };
    let q = PacQuery {
        url: "https://pweb.base.oqs-pdl.org/".into(),
        host: "pweb.base.oqs-pdl.org".into(),
    };
    let limits = PacLimits {
        time_limit: std::time::Duration::from_millis(300),
        ..PacLimits::default()
    };
    match pac::evaluate(script, &q, &env, &limits) {
        Ok(a) => {
            let mut names = vec!["answered".to_string()];
            names.extend(oqs_net::fuzzing::pac_result(a.raw.as_bytes()));
            Got::of(names).with_text(a.raw)
        }
        Err(e) => Got::of(vec![e.as_label().into()]).with_text(e.to_string()),
    }
}
