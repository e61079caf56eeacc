//! `oqs-net explain CODE` and `oqs-net explain --list`: the finding catalogue, without a round.
//! Arguments and dispatch only: the texts come from `findings`, the layout from `output::explain`.

use super::{CliError, LangArg, exit, print};
use crate::output::explain;
use clap::Args;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A finding code as rounds print it (`dns.member_no_ntp`).
    #[arg(
        value_name = "CODE",
        required_unless_present = "list",
        conflicts_with = "list"
    )]
    pub code: Option<String>,
    /// List every code with its guide section (補N).
    #[arg(long)]
    pub list: bool,
    /// Language (default: Japanese when the locale is Japanese, else English).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

pub fn run(args: ExplainArgs) -> Result<u8, CliError> {
    let lang = super::lang(args.lang);
    let Some(code) = args.code else {
        print(&explain::list(lang));
        return Ok(exit::OK);
    };
    match explain::lookup(&code) {
        Ok(c) => {
            print(&explain::entry(c, lang));
            Ok(exit::OK)
        }
        Err(near) => {
            let hint = match near.as_slice() {
                [] => String::new(),
                [one] => format!("; did you mean {one}?"),
                many => format!("; did you mean one of {}?", many.join(", ")),
            };
            Err(CliError::Usage(format!(
                "unknown finding code `{code}`{hint} (`oqs-net explain --list` lists them all)"
            )))
        }
    }
}
