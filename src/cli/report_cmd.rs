//! `oqs-net report FILE`: summarises a soak's journal, finished or not (a soak may still be writing
//! it), as a terminal page or JSON. Exit 0 or 1 by the result, 2 when the file is not a journal.

use super::{CliError, LangArg};
use crate::output::Format;
use crate::soak::{Thresholds, report};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The journal a soak wrote (JSON Lines).
    #[arg(value_name = "FILE")]
    pub journal: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Language of the findings (default: from the locale).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Recompute flapping with this high threshold instead of the journal's.
    #[arg(long, value_name = "PCT", requires = "flap_low")]
    pub flap_high: Option<f64>,
    /// Recompute flapping with this low threshold instead of the journal's.
    #[arg(long, value_name = "PCT", requires = "flap_high")]
    pub flap_low: Option<f64>,
}

pub fn run(args: ReportArgs) -> Result<u8, CliError> {
    let thresholds = match (args.flap_high, args.flap_low) {
        (Some(h), Some(l)) => {
            Some(Thresholds::new(h, l).map_err(|e| CliError::Usage(e.to_string()))?)
        }
        _ => None,
    };
    let r =
        report::from_path(&args.journal, thresholds).map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(super::soak_cmd::print_report(
        &r,
        &args.journal,
        args.format,
        args.lang,
    ))
}
