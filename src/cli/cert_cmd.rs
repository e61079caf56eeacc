//! `oqs-net cert inspect`: every certificate of one or more PFX files, and the one oqs-net would
//! present by the rules of 補18. Reads local files only; the password never reaches the output.
//! Argument handling and dispatch: the verdict is `judge::cert`, the rendering `output::cert`.

use super::{CertInspectArgs, CliError, exit, print};
use crate::model::TlsSettings;
use crate::output::{Format, cert};
use crate::probe::pfx;

pub fn inspect(args: CertInspectArgs) -> Result<u8, CliError> {
    let lang = super::lang(args.lang);
    let settings = TlsSettings {
        pfx: args.files.clone(),
        password: args.password.resolve(&crate::model::PasswordSource::None)?,
        institution_code: args.institution_code.clone(),
        ..TlsSettings::default()
    };
    let (report, _) = pfx::load_identity(&settings);
    match args.format {
        Format::Json => print(&cert::json(&report).map_err(|e| CliError::Harness(e.to_string()))?),
        Format::Human => print(&cert::human(&report, lang)),
    }
    Ok(if crate::judge::cert::usable(&report) {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}
