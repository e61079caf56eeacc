//! The TLS flags of every round (and `cert inspect`): the PFX, its password source (never argv),
//! the institution code, the CA bundle and the distribution server, as the round's overrides.

use super::CliError;
use crate::model::{
    HostPort, InstitutionCode, PasswordOrigin, PasswordSource, Profile, Secret, TlsOverrides,
};
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
    /// Where these flags say the password comes from, `None` when they name nothing.
    pub(super) fn origin(&self) -> Result<Option<PasswordOrigin>, CliError> {
        if let Some(var) = &self.pfx_password_env {
            if var.is_empty() || var.contains('=') {
                return Err(CliError::Usage(
                    "--pfx-password-env takes the NAME of an environment variable, not the password"
                        .into(),
                ));
            }
            return Ok(Some(PasswordOrigin::Env(var.clone())));
        }
        Ok(self.pfx_password_file.clone().map(PasswordOrigin::File))
    }

    /// The source these flags name, `None` when they name none.
    fn source(&self) -> Result<Option<PasswordSource>, CliError> {
        Ok(self.origin()?.map(|o| match o {
            PasswordOrigin::Env(v) => PasswordSource::Env(v),
            PasswordOrigin::File(f) => PasswordSource::File(f),
            PasswordOrigin::Prompt => PasswordSource::None,
        }))
    }

    /// The flags' source, else `fallback`, else a prompt when stdin is a terminal.
    pub fn resolve(&self, fallback: &PasswordSource) -> Result<PasswordSource, CliError> {
        if let Some(s) = self.source()? {
            return Ok(s);
        }
        if *fallback != PasswordSource::None {
            return Ok(fallback.clone());
        }
        Ok(prompt()?.map_or(PasswordSource::None, PasswordSource::Given))
    }
}

/// Asks on the terminal (no echo) when stdin is one; otherwise nothing (the empty password).
pub(super) fn prompt() -> Result<Option<Secret>, CliError> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let pw = rpassword::prompt_password("PFX password: ")
        .map_err(|e| CliError::Usage(format!("cannot read the PFX password: {}", e.kind())))?;
    Ok(Some(Secret::new(pw)))
}

impl TlsArgs {
    /// The overrides these flags make to `profile`, and the password when it is asked for at the
    /// prompt (on a terminal, when a certificate is to be presented and nothing else names the
    /// password): before any packet.
    pub fn overrides(&self, p: &Profile) -> Result<(TlsOverrides, Option<Secret>), CliError> {
        let mut out = TlsOverrides {
            pfx: self.pfx.clone(),
            institution_code: self
                .institution_code
                .as_ref()
                .map(|c| c.as_str().to_string()),
            ca_bundle: self.ca_bundle.clone(),
            distribution_server: self.distribution_server.as_ref().map(ToString::to_string),
            no_tls: self.no_tls,
            password: None,
        };
        let endpoints = !p.tls.is_empty() || self.distribution_server.is_some();
        let certificate = !self.pfx.is_empty() || !p.tls_settings.pfx.is_empty();
        let presents = !self.no_tls && endpoints && certificate;
        let mut typed = None;
        out.password = match self.password.origin()? {
            Some(origin) => Some(origin),
            None if presents && p.tls_settings.password == PasswordSource::None => {
                typed = prompt()?;
                typed.as_ref().map(|_| PasswordOrigin::Prompt)
            }
            None => None,
        };
        Ok((out, typed))
    }
}
