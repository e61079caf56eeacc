//! Issue 3: TLS with the client certificate. Against the lab (healthy, each server fault, each client
//! certificate problem), against a real server (Debian's nginx with `ssl_verify_client on`, checked
//! with `openssl s_client`), PFX files made by `openssl pkcs12 -export` (modern and `-legacy`), and
//! the password kept out of argv, logs, JSON and errors.

use crate::support::{assert_filled, bin, codes, lab_for, quick_profile, round_with};
use oqs_net::lab::Lab;
use oqs_net::lab::pki::{self, LabPki};
use oqs_net::model::*;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A quick IPsec profile whose TLS timeouts are short, so fault tests finish fast.
fn tls_profile() -> Profile {
    let mut p = quick_profile(Mode::Ipsec);
    p.tls_settings.connect_timeout = Duration::from_millis(1000);
    p.tls_settings.handshake_timeout = Duration::from_millis(700);
    p.tls_settings.request_timeout = Duration::from_millis(1500);
    p
}

/// One round against the lab with a scenario, after `tweak` has adjusted the lab-pointed profile.
async fn tls_round(scenario: Option<&str>, tweak: impl FnOnce(&mut Profile, &Lab)) -> Round {
    let sc = scenario.map(|s| oqs_net::lab::scenario::builtin(s).expect("builtin"));
    let (lab, mut p, r) = lab_for(&tls_profile(), sc.as_ref()).await;
    tweak(&mut p, &lab);
    let (_, round) = round_with(&p, r).await;
    lab.shutdown().await;
    round
}

fn tls_checks(r: &Round) -> Vec<&Check> {
    r.checks
        .iter()
        .filter(|c| c.kind == CheckKind::Tls)
        .collect()
}

fn identity(r: &Round) -> &IdentityReport {
    r.checks
        .iter()
        .find_map(|c| match &c.data {
            CheckData::TlsClientCert(id) => Some(&**id),
            _ => None,
        })
        .expect("a client-certificate check")
}

fn endpoint(c: &Check) -> &TlsEndpointResult {
    match &c.data {
        CheckData::Tls(r) => r,
        _ => panic!("not a TLS check"),
    }
}

/// Every finding supplies the values its texts refer to.
fn check_codes(c: &Check) -> Vec<Code> {
    c.findings.iter().map(|f| f.code).collect()
}

fn use_pfx(p: &mut Profile, lab: &Lab, pick: impl Fn(&pki::PkiFiles) -> PathBuf) {
    let files = &lab.pki().expect("lab PKI").files;
    p.tls_settings.pfx = vec![pick(files)];
}

#[tokio::test(flavor = "multi_thread")]
async fn healthy_lab_accepts_the_selected_certificate() {
    let r = tls_round(None, |_, _| {}).await;
    assert_eq!(codes(&r), vec![], "{:#?}", r.checks);
    let id = identity(&r);
    assert_eq!(id.rule, Some(SelectionRule::Only));
    assert_eq!(
        id.selected_cert().unwrap().institution_code.as_deref(),
        Some(pki::CODE)
    );
    let eps = tls_checks(&r);
    assert_eq!(eps.len(), 6, "5 OQS hosts and the distribution server");
    assert!(eps.iter().any(|c| endpoint(c).name == "distribution"));
    for c in eps {
        let e = endpoint(c);
        assert_eq!(c.status, Status::Pass, "{e:#?}");
        assert_eq!(e.protocol.as_deref(), Some("TLSv1.3"));
        assert!(
            e.cipher.as_deref().unwrap_or("").starts_with("TLS_"),
            "{e:?}"
        );
        assert_eq!(e.client_cert_requested, Some(true));
        assert!(e.client_cert_sent);
        assert_eq!(e.http_status, Some(200));
        assert_eq!(e.accepted_by, Some(TlsAcceptance::Response));
        let sc = e.server_cert.as_ref().expect("server certificate");
        assert!(sc.names.contains(&e.host), "{sc:?}");
        assert!(sc.days_left > 300);
        assert!(e.connect_ms.is_some() && e.handshake_ms.is_some() && e.request_ms.is_some());
    }
}

/// (scenario, the finding every endpoint must carry, its status)
const SERVER_FAULTS: &[(&str, Code, Status)] = &[
    (
        "tls-reject-all",
        Code::TlsRejectedBadCertificate,
        Status::Fail,
    ),
    (
        "tls-no-client-auth",
        Code::TlsClientCertNotRequested,
        Status::Warn,
    ),
    (
        "tls-expired-server",
        Code::TlsServerCertExpired,
        Status::Fail,
    ),
    ("tls-wrong-name", Code::TlsServerNameMismatch, Status::Fail),
    ("tls-other-env", Code::TlsWrongEnvironment, Status::Fail),
    ("tls-stall", Code::TlsHandshakeTimeout, Status::Fail),
    ("tls-reset", Code::TlsReset, Status::Fail),
];

#[tokio::test(flavor = "multi_thread")]
async fn each_lab_server_fault_gives_its_finding() {
    let mut failures = Vec::new();
    for (scenario, code, status) in SERVER_FAULTS {
        let r = tls_round(Some(scenario), |_, _| {}).await;
        assert_filled(&r);
        for c in tls_checks(&r) {
            let got = check_codes(c);
            if !got.contains(code) || c.status != *status {
                failures.push(format!(
                    "{scenario}: {}: {:?} {got:?}, want {code:?} {status:?}",
                    c.id, c.status
                ));
            }
        }
        // The client certificate itself is fine in every server fault.
        assert_eq!(identity(&r).rule, Some(SelectionRule::Only));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tls12_only_server_is_reported_and_fails_a_tls13_minimum() {
    let r = tls_round(Some("tls12-only"), |_, _| {}).await;
    for c in tls_checks(&r) {
        let e = endpoint(c);
        assert_eq!(c.status, Status::Pass, "{e:?}");
        assert_eq!(e.protocol.as_deref(), Some("TLSv1.2"));
        assert!(
            e.cipher.as_deref().unwrap_or("").starts_with("TLS_ECDHE_"),
            "{e:?}"
        );
    }
    let r = tls_round(Some("tls12-only"), |p, _| {
        p.tls_settings.min_version = TlsVersion::Tls13;
    })
    .await;
    for c in tls_checks(&r) {
        assert!(
            check_codes(c).contains(&Code::TlsProtocolMismatch),
            "{:?}",
            c.findings
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tls13_rejection_is_caught_without_a_request() {
    // TLS 1.3: the client's handshake "succeeds"; the rejection is an alert on the first read.
    let r = tls_round(Some("tls-reject-all"), |p, _| {
        for e in &mut p.tls {
            e.request = None;
        }
    })
    .await;
    for c in tls_checks(&r) {
        assert!(
            check_codes(c).contains(&Code::TlsRejectedBadCertificate),
            "{:?}",
            endpoint(c)
        );
        assert_eq!(endpoint(c).protocol.as_deref(), Some("TLSv1.3"));
    }
    let r = tls_round(None, |p, _| {
        for e in &mut p.tls {
            e.request = None;
        }
    })
    .await;
    for c in tls_checks(&r) {
        assert_eq!(c.status, Status::Pass);
        assert_eq!(endpoint(c).accepted_by, Some(TlsAcceptance::NoAlert));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn client_certificate_problems_are_named() {
    // (what, tweak, codes on the client-certificate check, code on every endpoint)
    type Tweak = Box<dyn Fn(&mut Profile, &Lab)>;
    let cases: Vec<(&str, Tweak, Vec<Code>, Option<Code>)> = vec![
        (
            "expired",
            Box::new(|p, lab| use_pfx(p, lab, |f| f.expired_pfx.clone())),
            vec![Code::CertExpired],
            Some(Code::TlsRejectedCertificateExpired),
        ),
        (
            "foreign issuer",
            Box::new(|p, lab| use_pfx(p, lab, |f| f.foreign_pfx.clone())),
            vec![Code::CertForeignIssuer],
            Some(Code::TlsRejectedUnknownCa),
        ),
        (
            "none at all",
            Box::new(|p, _| p.tls_settings.pfx.clear()),
            vec![Code::CertNotInstalled],
            Some(Code::TlsClientCertRequired),
        ),
        (
            "wrong password",
            Box::new(|p, _| {
                p.tls_settings.password = PasswordSource::Given(Secret::new("not-it".into()))
            }),
            vec![Code::PfxWrongPassword],
            Some(Code::TlsClientCertRequired),
        ),
        (
            "no password given",
            Box::new(|p, _| p.tls_settings.password = PasswordSource::None),
            vec![Code::PfxNoPassword],
            Some(Code::TlsClientCertRequired),
        ),
        (
            "no private key",
            Box::new(|p, lab| use_pfx(p, lab, |f| f.no_key_pfx.clone())),
            vec![Code::PfxNoPrivateKey],
            Some(Code::TlsClientCertRequired),
        ),
        (
            "expiring soon",
            // The lab's server certificates (397 days) fall inside that threshold too.
            Box::new(|p, _| p.tls_settings.expiry_warn_days = 400),
            vec![Code::CertExpiring],
            Some(Code::TlsServerCertExpiring),
        ),
        (
            "legacy encoding",
            Box::new(|p, lab| use_pfx(p, lab, |f| f.client_legacy_pfx.clone())),
            vec![],
            None,
        ),
    ];
    let mut failures = Vec::new();
    for (what, tweak, want_id, want_ep) in cases {
        let r = tls_round(None, |p, lab| tweak(p, lab)).await;
        assert_filled(&r);
        let idc = r
            .checks
            .iter()
            .find(|c| c.kind == CheckKind::TlsClientCert)
            .unwrap();
        if check_codes(idc) != want_id {
            failures.push(format!(
                "{what}: client cert {:?}, want {want_id:?}",
                check_codes(idc)
            ));
        }
        for c in tls_checks(&r) {
            let got = check_codes(c);
            let ok = match want_ep {
                Some(code) => got.contains(&code),
                None => got.is_empty(),
            };
            if !ok {
                failures.push(format!("{what}: {} {got:?}, want {want_ep:?}", c.id));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn selection_by_institution_code_then_latest_expiry() {
    let by_code = tls_round(None, |p, lab| {
        use_pfx(p, lab, |f| f.two_clients_pfx.clone());
        p.tls_settings.institution_code = Some(InstitutionCode::parse(pki::CODE).unwrap());
    })
    .await;
    let id = identity(&by_code);
    assert_eq!(id.candidates.len(), 2);
    assert_eq!(id.rule, Some(SelectionRule::InstitutionCode));
    assert_eq!(
        id.selected_cert().unwrap().institution_code.as_deref(),
        Some(pki::CODE)
    );
    assert_eq!(by_code.status, Status::Pass);

    let latest = tls_round(None, |p, lab| {
        use_pfx(p, lab, |f| f.two_clients_pfx.clone())
    })
    .await;
    let id = identity(&latest);
    assert_eq!(id.rule, Some(SelectionRule::LatestExpiry));
    assert_eq!(
        id.selected_cert().unwrap().institution_code.as_deref(),
        Some(pki::OTHER_CODE),
        "the second expires later"
    );

    let unmatched = tls_round(None, |p, lab| {
        use_pfx(p, lab, |f| f.two_clients_pfx.clone());
        p.tls_settings.institution_code = Some(InstitutionCode::parse("5555555555").unwrap());
    })
    .await;
    let id = identity(&unmatched);
    assert_eq!(id.rule, Some(SelectionRule::LatestExpiry));
    assert!(codes(&unmatched).contains(&Code::CertCodeUnmatched));
    assert_eq!(unmatched.status, Status::Warn);
}

// ---------------------------------------------------------------------------------------------
// Real tools: openssl and nginx. Missing tools fail the test: scripts/test installs them.

fn tool(name: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    panic!("`{name}` is not installed: run scripts/test, which installs nginx and openssl");
}

fn openssl(args: &[&str]) -> std::process::Output {
    let out = Command::new(tool("openssl"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

const PW: &str = "Pfx-Pa55-word-9f3e";

/// PFX files made by `openssl pkcs12 -export` from the lab's client PEM.
fn openssl_pfx(pki: &LabPki, dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let f = &pki.files;
    let modern = dir.join("openssl-modern.pfx");
    let legacy = dir.join("openssl-legacy.pfx");
    let nokey = dir.join("openssl-nokey.pfx");
    let pass = format!("pass:{PW}");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    openssl(&[
        "pkcs12",
        "-export",
        "-in",
        &s(&f.client_cert_pem),
        "-inkey",
        &s(&f.client_key_pem),
        "-name",
        "lab client",
        "-out",
        &s(&modern),
        "-passout",
        &pass,
    ]);
    openssl(&[
        "pkcs12",
        "-export",
        "-legacy",
        "-in",
        &s(&f.client_cert_pem),
        "-inkey",
        &s(&f.client_key_pem),
        "-out",
        &s(&legacy),
        "-passout",
        &pass,
    ]);
    openssl(&[
        "pkcs12",
        "-export",
        "-nokeys",
        "-in",
        &s(&f.client_cert_pem),
        "-out",
        &s(&nokey),
        "-passout",
        &pass,
    ]);
    (modern, legacy, nokey)
}

fn settings(pfx: &Path, pw: &str) -> TlsSettings {
    TlsSettings {
        pfx: vec![pfx.to_path_buf()],
        password: PasswordSource::Given(Secret::new(pw.into())),
        ..TlsSettings::default()
    }
}

#[test]
fn openssl_made_pfx_files_load_modern_and_legacy() {
    let pki = LabPki::generate(&["hweb.oqs.onshikaku.org".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (modern, legacy, nokey) = openssl_pfx(&pki, dir.path());
    // The legacy file really is legacy (RC2/3DES), the modern one AES.
    let info = |p: &Path| {
        let out = openssl(&[
            "pkcs12",
            "-info",
            "-noout",
            "-in",
            p.to_str().unwrap(),
            "-passin",
            &format!("pass:{PW}"),
            "-legacy",
        ]);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(
        info(&legacy).contains("pbeWithSHA1And"),
        "{}",
        info(&legacy)
    );
    assert!(info(&modern).contains("PBES2"), "{}", info(&modern));

    for file in [&modern, &legacy] {
        let (id, key) = oqs_net::probe::pfx::load_identity(&settings(file, PW));
        assert!(
            id.files[0].failure.is_none(),
            "{file:?}: {:?}",
            id.files[0].failure
        );
        assert!(key.is_some());
        let c = id.selected_cert().unwrap();
        assert_eq!(c.institution_code.as_deref(), Some(pki::CODE));
        assert_eq!(c.key_type, "ECDSA P-256");
        assert!(c.issuer.contains(pki::INTERMEDIATE_CN));
        // The chain's intermediate came along.
        assert_eq!(id.selected_chain.len(), 1);

        let (id, key) = oqs_net::probe::pfx::load_identity(&settings(file, "wrong"));
        assert_eq!(id.files[0].failure, Some(PfxFailure::WrongPassword));
        assert!(key.is_none());
    }

    let (id, _) = oqs_net::probe::pfx::load_identity(&settings(&nokey, PW));
    assert_eq!(id.files[0].failure, Some(PfxFailure::NoPrivateKey));
    assert_eq!(
        id.files[0].entries.len(),
        2,
        "leaf and intermediate, no key"
    );

    // A truncated file is corrupt, not a panic.
    let data = std::fs::read(&modern).unwrap();
    let cut = dir.path().join("truncated.pfx");
    std::fs::write(&cut, &data[..data.len() / 2]).unwrap();
    let (id, _) = oqs_net::probe::pfx::load_identity(&settings(&cut, PW));
    assert_eq!(
        id.files[0].failure.as_ref().map(|f| f.as_label()),
        Some("corrupt")
    );
}

/// nginx on loopback, killed on drop.
struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
    port: u16,
    port12: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Two TLS servers demanding a client certificate from the lab's CA: one TLS 1.2 + 1.3 with one
/// TLS 1.3 suite, one TLS 1.2 only with one TLS 1.2 suite (so both clients must land on them).
fn nginx(pki: &LabPki) -> Nginx {
    let bin = tool("nginx");
    let dir = tempfile::tempdir().unwrap();
    let (port, port12) = (free_port(), free_port());
    let f = &pki.files;
    let d = dir.path().display();
    let conf = format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_client_certificate {ca};
    ssl_verify_client on;
    ssl_verify_depth 3;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_conf_command Ciphersuites TLS_CHACHA20_POLY1305_SHA256;
        location / {{ return 200 "nginx ok\n"; }}
    }}
    server {{
        listen 127.0.0.1:{port12} ssl;
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;
        ssl_prefer_server_ciphers on;
        location / {{ return 200 "nginx ok\n"; }}
    }}
}}
"#,
        cert = f.server_cert_pem.display(),
        key = f.server_key_pem.display(),
        ca = f.ca_chain_pem.display(),
    );
    let conf_path = dir.path().join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let child = Command::new(bin)
        .arg("-c")
        .arg(&conf_path)
        .arg("-p")
        .arg(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx starts");
    let mut n = Nginx {
        child,
        _dir: dir,
        port,
        port12,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while [port, port12].iter().any(|p| {
        std::net::TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], *p)),
            Duration::from_millis(100),
        )
        .is_err()
    }) {
        if let Ok(Some(status)) = n.child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = n.child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            panic!("nginx exited ({status}): {err}");
        }
        assert!(
            Instant::now() < deadline,
            "nginx did not listen within 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    n
}

/// What `openssl s_client` negotiates with the lab's client certificate: (protocol, IANA cipher).
fn s_client(pki: &LabPki, port: u16) -> (String, String) {
    let f = &pki.files;
    let out = Command::new(tool("openssl"))
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            "localhost",
            "-brief",
            "-cert",
            f.client_cert_pem.to_str().unwrap(),
            "-key",
            f.client_key_pem.to_str().unwrap(),
            "-CAfile",
            f.ca_pem.to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .output()
        .expect("openssl s_client runs");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no `{name}` in s_client output: {text}"))
    };
    let protocol = field("Protocol version:");
    let cipher = field("Ciphersuite:");
    // OpenSSL names TLS 1.2 suites its own way; ask it for the IANA (standard) name.
    if cipher.starts_with("TLS_") {
        return (protocol, cipher);
    }
    let std = openssl(&["ciphers", "-stdname", &cipher]);
    let iana = String::from_utf8_lossy(&std.stdout)
        .lines()
        .find_map(|l| {
            let (stdname, rest) = l.split_once(" - ")?;
            rest.split_whitespace()
                .next()
                .filter(|n| *n == cipher)
                .map(|_| stdname.trim().to_string())
        })
        .unwrap_or(cipher);
    (protocol, iana)
}

fn nginx_profile(pki: &LabPki, port: u16, pfx: &Path) -> Profile {
    let mut p = tls_profile();
    p.tls = vec![TlsEndpoint {
        name: "nginx".into(),
        host: HostPort::parse(&format!("127.0.0.1:{port}")).unwrap(),
        client_certificate: true,
        request: Some("/".into()),
    }];
    p.tls_settings.ca_bundle = Some(pki.files.ca_pem.clone());
    p.tls_settings.pfx = vec![pfx.to_path_buf()];
    p.tls_settings.password = PasswordSource::File(pki.files.password_file.clone());
    p
}

async fn probe_one(p: &Profile) -> (IdentityReport, TlsEndpointResult, Round) {
    let (id, ctx) = oqs_net::probe::tls::prepare(&p.tls_settings);
    let r = oqs_net::probe::tls::probe_endpoint(
        &ctx,
        &oqs_net::net::NetOptions::default(),
        None,
        &p.dns.families,
        p.dns.timeout,
        &p.tls[0],
        tokio::time::Instant::now() + Duration::from_secs(20),
    )
    .await;
    let m = oqs_net::model::Measurements {
        started_at: std::time::SystemTime::now(),
        duration: Duration::ZERO,
        dns: vec![],
        ntp: vec![],
        cut_off: vec![],
        resolvers: vec![],
        resolver_error: None,
        path: Default::default(),
        tls: TlsRound {
            identity: Some(id.clone()),
            endpoints: vec![r.clone()],
        },
        proxy: None,
        line: Default::default(),
    };
    let round = oqs_net::judge::judge(p, &m);
    (id, r, round)
}

#[tokio::test(flavor = "multi_thread")]
async fn real_nginx_accepts_the_right_pfx_and_names_the_foreign_one() {
    let pki = LabPki::generate(&["localhost".into()]).unwrap();
    let srv = nginx(&pki);

    for (port, want_protocol) in [(srv.port, "TLSv1.3"), (srv.port12, "TLSv1.2")] {
        let p = nginx_profile(&pki, port, &pki.files.client_pfx);
        let (_, r, round) = probe_one(&p).await;
        assert_eq!(r.failure, None, "{r:#?}");
        assert_eq!(r.http_status, Some(200), "{r:#?}");
        assert_eq!(r.client_cert_requested, Some(true));
        assert!(r.client_cert_sent);
        assert_eq!(r.protocol.as_deref(), Some(want_protocol));
        let tls_status = round
            .checks
            .iter()
            .find(|c| c.kind == CheckKind::Tls)
            .unwrap()
            .status;
        assert_eq!(tls_status, Status::Pass, "{:#?}", round.checks);
        // openssl s_client, with the same client certificate, sees what we report.
        let (protocol, cipher) = s_client(&pki, port);
        assert_eq!(
            Some(protocol.as_str()),
            r.protocol.as_deref(),
            "port {port}"
        );
        assert_eq!(Some(cipher.as_str()), r.cipher.as_deref(), "port {port}");
    }

    // The foreign client certificate: nginx checks it after the handshake and answers 400.
    let p = nginx_profile(&pki, srv.port, &pki.files.foreign_pfx);
    let (_, r, round) = probe_one(&p).await;
    assert_eq!(r.http_status, Some(400), "{r:#?}");
    assert_eq!(r.http_reason.as_deref(), Some("The SSL certificate error"));
    let c = codes(&round);
    assert!(c.contains(&Code::TlsRejectedHttp), "{c:?}");
    assert!(c.contains(&Code::CertForeignIssuer), "{c:?}");
    let f = round
        .findings()
        .find(|(_, f)| f.code == Code::TlsRejectedHttp)
        .unwrap()
        .1;
    let text = oqs_net::findings::render(f, oqs_net::findings::Lang::En).cause;
    assert!(text.contains("The SSL certificate error"), "{text}");

    // No certificate at all: nginx says so in its 400.
    let mut p = nginx_profile(&pki, srv.port, &pki.files.client_pfx);
    p.tls_settings.pfx.clear();
    let (_, r, round) = probe_one(&p).await;
    assert_eq!(r.http_status, Some(400), "{r:#?}");
    assert!(codes(&round).contains(&Code::CertNotInstalled));
    assert!(codes(&round).contains(&Code::TlsRejectedHttp));
}

// ---------------------------------------------------------------------------------------------
// The password never shows.

const SECRET: &str = "Zq-Very-Secret-Pw-7731";

fn assert_no_secret(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} shows the password:\n{text}");
}

/// Runs the binary, checking `/proc/<pid>/cmdline` while it runs; returns (code, stdout, stderr).
fn run_watched(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = bin();
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap();
    // A run that puts the password in argv on purpose (a user's mistake) is checked for what
    // oqs-net prints, not for the argv the test itself wrote.
    let deliberate = args.iter().any(|a| a.contains(SECRET));
    if let Some(cmdline) = (!deliberate)
        .then(|| std::fs::read(format!("/proc/{}/cmdline", child.id())).ok())
        .flatten()
    {
        assert_no_secret("/proc/PID/cmdline", &String::from_utf8_lossy(&cmdline));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_password_never_appears_in_argv_logs_json_or_errors() {
    let pki = LabPki::generate(&["hweb.oqs.onshikaku.org".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A PFX whose password is SECRET (openssl takes it from a file, not argv).
    let pwfile = dir.path().join("pw.txt");
    std::fs::write(&pwfile, format!("{SECRET}\n")).unwrap();
    let pfx = dir.path().join("mine.pfx");
    openssl(&[
        "pkcs12",
        "-export",
        "-in",
        pki.files.client_cert_pem.to_str().unwrap(),
        "-inkey",
        pki.files.client_key_pem.to_str().unwrap(),
        "-out",
        pfx.to_str().unwrap(),
        "-passout",
        &format!("file:{}", pwfile.display()),
    ]);
    let pfx = pfx.to_str().unwrap();
    let pwfile = pwfile.to_str().unwrap();
    let env = [("OQS_TEST_PFX_PW", SECRET)];
    let wrong = [("OQS_TEST_PFX_PW", "wrong-one")];
    let mut runs = vec![
        (
            vec![
                "-vv",
                "probe",
                "--mode",
                "ipsec",
                "--lab",
                "--format",
                "json",
                "--pfx",
                pfx,
                "--pfx-password-env",
                "OQS_TEST_PFX_PW",
            ],
            &env[..],
        ),
        (
            vec![
                "-vv",
                "probe",
                "--mode",
                "ipsec",
                "--lab",
                "--pfx",
                pfx,
                "--pfx-password-file",
                pwfile,
            ],
            &env[..],
        ),
        (
            vec![
                "-vv",
                "cert",
                "inspect",
                pfx,
                "--pfx-password-env",
                "OQS_TEST_PFX_PW",
            ],
            &env[..],
        ),
        (
            vec![
                "-vv",
                "cert",
                "inspect",
                pfx,
                "--pfx-password-env",
                "OQS_TEST_PFX_PW",
                "--format",
                "json",
            ],
            &env[..],
        ),
        (
            vec![
                "-vv",
                "cert",
                "inspect",
                pfx,
                "--pfx-password-env",
                "OQS_TEST_PFX_PW",
            ],
            &wrong[..],
        ),
    ];
    // A password given as the variable's *value* by mistake is refused without echoing it.
    runs.push((
        vec![
            "cert",
            "inspect",
            pfx,
            "--pfx-password-env",
            "X=Zq-Very-Secret-Pw-7731",
        ],
        &env[..],
    ));
    for (args, env) in runs {
        let (code, out, err) = run_watched(&args, env);
        assert_no_secret(&format!("stdout of {args:?}"), &out);
        assert_no_secret(&format!("stderr of {args:?}"), &err);
        assert!(code >= 0, "{args:?} ended by a signal");
    }
    // And the runs did work: the right password opens the file, the wrong one is named.
    let (code, out, _) = run_watched(
        &[
            "cert",
            "inspect",
            pfx,
            "--pfx-password-env",
            "OQS_TEST_PFX_PW",
        ],
        &env,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("LAB CLINIC 1234567890"), "{out}");
    assert!(out.contains("presented"), "{out}");
    let (code, out, _) = run_watched(
        &[
            "cert",
            "inspect",
            pfx,
            "--pfx-password-env",
            "OQS_TEST_PFX_PW",
        ],
        &wrong,
    );
    assert_eq!(code, 1);
    assert!(out.contains("wrong password"), "{out}");
    // There is no flag that takes the password itself.
    let (code, _, err) = run_watched(&["cert", "inspect", pfx, "--pfx-password", SECRET], &env);
    assert_eq!(code, 2);
    assert_no_secret("clap's error", &err);
}

/// Issue 15: with no password source and no terminal, a PFX that needs a password was reported as
/// "wrong password". No password given is its own answer, naming the flags that give one.
#[test]
fn issue15_cert_inspect_without_a_password_says_none_was_given() {
    let pki = LabPki::generate(&["x.test".into()]).unwrap();
    let run = |args: &[&str]| {
        let out = bin()
            .args(["cert", "inspect"])
            .arg(&pki.files.two_clients_pfx)
            .args(args)
            .env("LANG", "C")
            .env_remove("OQS_PFX_PASSWORD")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = run(&[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(!text.contains("wrong password"), "{text}");
    assert!(text.contains("no password given"), "{text}");
    assert!(
        text.contains("--pfx-password-env") && text.contains("--pfx-password-file"),
        "{text}"
    );
    let (code, json) = run(&["--format", "json"]);
    assert_eq!(code, Some(1), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["files"][0]["failure"]["kind"], "no_password", "{json}");
    // A password given and wrong is still a wrong password.
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("pw");
    std::fs::write(&wrong, "not-it\n").unwrap();
    let (code, text) = run(&["--pfx-password-file", wrong.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("wrong password"), "{text}");
}

#[test]
fn probe_lab_shows_a_healthy_tls_section_and_cert_inspect_lists_the_pfx() {
    let out = bin()
        .args(["probe", "--mode", "ipsec", "--lab"])
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("TLS (client certificate)"), "{text}");
    assert!(text.contains("distribution"), "{text}");
    assert!(text.contains("client cert accepted"), "{text}");
    assert!(text.contains("HTTP 200"), "{text}");

    let pki = LabPki::generate(&["x.test".into()]).unwrap();
    let out = bin()
        .args(["cert", "inspect"])
        .arg(&pki.files.two_clients_pfx)
        .args(["--pfx-password-file"])
        .arg(&pki.files.password_file)
        .args(["--institution-code", pki::CODE])
        .env("LANG", "C")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(pki::OTHER_CODE) && text.contains(pki::CODE),
        "{text}"
    );
    assert!(
        text.contains("institution code 1234567890 (補18)"),
        "{text}"
    );
    assert!(text.contains("private key present"), "{text}");
    assert!(text.contains("ECDSA P-256"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Renderers: the TLS section pinned by golden files (refresh with UPDATE_GOLDEN=1).

fn cert(subject: &str, issuer: &str, names: &[&str], days_left: i64) -> CertInfo {
    CertInfo {
        subject: subject.into(),
        issuer: issuer.into(),
        serial: "01ab".into(),
        not_before: "2026-01-01T00:00:00Z".into(),
        not_after: "2027-01-01T00:00:00Z".into(),
        days_left,
        key_type: "ECDSA P-256".into(),
        is_ca: false,
        names: names.iter().map(|s| s.to_string()).collect(),
        institution_code: oqs_net::probe::pfx::institution_code_in(subject),
        sha256: "00".into(),
    }
}

fn endpoint_result(name: &str, host: &str) -> TlsEndpointResult {
    TlsEndpointResult {
        name: name.into(),
        host: host.into(),
        port: 443,
        addr: Some("[2001:db8::10]:443".parse().unwrap()),
        resolve_ms: Some(3.0),
        connect_ms: Some(12.5),
        handshake_ms: Some(25.25),
        request_ms: Some(13.0),
        protocol: Some("TLSv1.3".into()),
        cipher: Some("TLS_AES_256_GCM_SHA384".into()),
        server_cert: Some(cert("CN=server", "CN=Some Server CA", &[host], 200)),
        server_chain_len: 2,
        client_cert_requested: Some(true),
        client_cert_sent: true,
        client_cert_expected: true,
        accepted_by: Some(TlsAcceptance::Response),
        request: Some("/".into()),
        http_status: Some(200),
        http_reason: None,
        failure: None,
        small_mss_retry: None,
    }
}

#[test]
fn tls_section_golden() {
    let p = oqs_net::profile::shipped_for(Mode::Ipvpn, Environment::Production);
    let client = cert(
        "C=JP, O=Clinic, CN=CLINIC 0123456789",
        "C=JP, O=MHLW, CN=Online Billing NW System",
        &[],
        12,
    );
    let id = IdentityReport {
        files: vec![PfxReport {
            path: "C:/certs/clinic.pfx".into(),
            entries: vec![PfxEntry {
                cert: client.clone(),
                has_private_key: true,
            }],
            failure: None,
        }],
        candidates: vec![client],
        selected: Some(0),
        rule: Some(SelectionRule::Only),
        institution_code: None,
        code_unmatched: false,
        expected_issuers: TlsSettings::default().issuer_names,
        selected_chain: vec![],
        ca_error: None,
        ca_source: "system".into(),
    };
    let ok = endpoint_result("oqs-web", "hweb.oqs.onshikaku.org");
    let mut rejected = endpoint_result("oqs-api", "hweb-api.oqs.onshikaku.org");
    rejected.failure = Some(TlsFailure::Rejected {
        alert: "certificate_expired".into(),
    });
    rejected.http_status = None;
    rejected.accepted_by = None;
    rejected.request_ms = None;
    let mut other_env = endpoint_result("oqs-mnc", "hweb-mnc.oqs.onshikaku.org");
    other_env.failure = Some(TlsFailure::ServerNameMismatch);
    other_env.server_cert = Some(cert(
        "CN=server",
        "CN=Some Server CA",
        &["hweb-mnc.oqs-st.onshikaku.org"],
        200,
    ));
    other_env.handshake_ms = None;
    other_env.http_status = None;
    other_env.accepted_by = None;
    let mut refused = endpoint_result("distribution", "dist.example.lan");
    refused.failure = Some(TlsFailure::Refused);
    refused.connect_ms = None;
    refused.handshake_ms = None;
    refused.protocol = None;
    refused.cipher = None;
    refused.server_cert = None;
    refused.client_cert_requested = None;
    refused.client_cert_sent = false;
    refused.http_status = None;
    refused.accepted_by = None;
    let m = oqs_net::model::Measurements {
        started_at: std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        duration: Duration::from_millis(420),
        dns: vec![],
        ntp: vec![],
        cut_off: vec![],
        resolvers: vec!["192.0.2.53:53".into()],
        resolver_error: None,
        path: Default::default(),
        tls: TlsRound {
            identity: Some(id),
            endpoints: vec![ok, rejected, other_env, refused],
        },
        proxy: None,
        line: Default::default(),
    };
    let mut r = oqs_net::judge::judge(&p, &m);
    r.tool_version = "0.0.0".into();
    r.checks
        .retain(|c| matches!(c.kind, CheckKind::Tls | CheckKind::TlsClientCert));
    crate::support::section_goldens("tls", &r);
    let c = codes(&r);
    for code in [
        Code::CertExpiring,
        Code::TlsRejectedCertificateExpired,
        Code::TlsWrongEnvironment,
        Code::TlsRefused,
    ] {
        assert!(c.contains(&code), "{code:?} in {c:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile peers: no hang, no panic, a named failure.

#[tokio::test(flavor = "multi_thread")]
async fn a_peer_that_does_not_speak_tls_is_named_not_hung() {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        // First a plain-HTTP answer (a proxy or web server without TLS), then endless garbage.
        for reply in [
            &b"HTTP/1.1 400 Bad Request\r\n\r\n"[..],
            &[0x16, 0x03, 0x03, 0xff, 0xff][..],
        ] {
            let (mut s, _) = listener.accept().await.unwrap();
            let _ = s.write_all(reply).await;
            let junk = vec![0xAB; 64 * 1024];
            for _ in 0..64 {
                if s.write_all(&junk).await.is_err() {
                    break;
                }
            }
        }
    });
    let pki = LabPki::generate(&["x.test".into()]).unwrap();
    for _ in 0..2 {
        let p = nginx_profile(&pki, port, &pki.files.client_pfx);
        let start = Instant::now();
        let (_, r, round) = probe_one(&p).await;
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        let f = r.failure.clone().expect("a failure");
        assert_eq!(f.as_label(), "not_tls", "{f:?}");
        assert_eq!(round.status, Status::Fail);
        assert_filled(&round);
    }
    server.abort();
}
