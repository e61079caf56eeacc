//! The TLS flags shared by `probe` and `cert inspect`: the PFX, its password source (never argv),
//! the institution code, the CA bundle and the distribution server, applied over the profile.

use super::CliError;
use crate::model::{HostPort, InstitutionCode, PasswordSource, Profile, Secret, TlsEndpoint};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Where the PFX password comes from. There is deliberately no flag that takes the password itself.
#[derive(Args, Debug, Clone, Default)]
pub struct PasswordArgs {
    /// Read the PFX password from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "pfx_password_file")]
    pub pfx_password_env: Option<String>,
    /// Read the PFX password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub pfx_password_file: Option<PathBuf>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct TlsArgs {
    /// The client certificate as a PFX (PKCS#12) file (repeatable). Replaces the profile's.
    #[arg(long, value_name = "FILE.pfx")]
    pub pfx: Vec<PathBuf>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// The 10-digit institution code that selects among several certificates (補18).
    #[arg(long, value_name = "CODE", value_parser = parse_code)]
    pub institution_code: Option<InstitutionCode>,
    /// PEM file of trusted roots for the servers' certificates (default: the profile's, else the
    /// system's store).
    #[arg(long, value_name = "FILE.pem")]
    pub ca_bundle: Option<PathBuf>,
    /// The distribution server (its name is not public): probed as endpoint `distribution`.
    #[arg(long, value_name = "HOST[:PORT]", value_parser = HostPort::parse)]
    pub distribution_server: Option<HostPort>,
    /// Skip the TLS endpoints.
    #[arg(long)]
    pub no_tls: bool,
}

pub fn parse_code(s: &str) -> Result<InstitutionCode, String> {
    InstitutionCode::parse(s)
}

impl PasswordArgs {
    /// The source these flags name, `None` when they name none.
    fn source(&self) -> Result<Option<PasswordSource>, CliError> {
        if let Some(var) = &self.pfx_password_env {
            if var.is_empty() || var.contains('=') {
                return Err(CliError::Usage(
                    "--pfx-password-env takes the NAME of an environment variable, not the password"
                        .into(),
                ));
            }
            return Ok(Some(PasswordSource::Env(var.clone())));
        }
        Ok(self.pfx_password_file.clone().map(PasswordSource::File))
    }

    /// The flags' source, else `fallback`, else a prompt when stdin is a terminal.
    pub fn resolve(&self, fallback: &PasswordSource) -> Result<PasswordSource, CliError> {
        if let Some(s) = self.source()? {
            return Ok(s);
        }
        if *fallback != PasswordSource::None {
            return Ok(fallback.clone());
        }
        prompt()
    }
}

/// Asks on the terminal (no echo) when stdin is one; otherwise no source (the empty password).
fn prompt() -> Result<PasswordSource, CliError> {
    if !std::io::stdin().is_terminal() {
        return Ok(PasswordSource::None);
    }
    let pw = rpassword::prompt_password("PFX password: ")
        .map_err(|e| CliError::Usage(format!("cannot read the PFX password: {}", e.kind())))?;
    Ok(PasswordSource::Given(Secret::new(pw)))
}

impl TlsArgs {
    /// Applies the flags to the profile (before any packet; the prompt, if any, happens here).
    pub fn apply(&self, p: &mut Profile) -> Result<(), CliError> {
        if self.no_tls {
            p.tls.clear();
            return Ok(());
        }
        let t = &mut p.tls_settings;
        if !self.pfx.is_empty() {
            t.pfx = self.pfx.clone();
        }
        if let Some(c) = &self.institution_code {
            t.institution_code = Some(c.clone());
        }
        if let Some(ca) = &self.ca_bundle {
            t.ca_bundle = Some(ca.clone());
        }
        if let Some(d) = &self.distribution_server {
            let mut h = d.clone();
            h.port.get_or_insert(443);
            p.tls.retain(|e| e.name != "distribution");
            p.tls.push(TlsEndpoint {
                name: "distribution".into(),
                host: h,
                client_certificate: true,
                request: Some("/".into()),
            });
        }
        let t = &mut p.tls_settings;
        if !t.pfx.is_empty() && !p.tls.is_empty() {
            t.password = self.password.resolve(&t.password)?;
        } else if let Some(s) = self.password.source()? {
            t.password = s;
        }
        Ok(())
    }
}
