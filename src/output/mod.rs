//! Renderers: a round (human terminal page and JSON), the soak report, `oqs-net pac`,
//! `oqs-net cert inspect` and `oqs-net explain`. They read `model` and
//! `findings` (the pac report also the PAC evaluator's plain result types) and never open a socket
//! or decide a verdict.

/// `oqs-net cert inspect`: the PFX files and the certificate presented.
pub mod cert;
/// `oqs-net explain`: the finding catalogue itself.
pub mod explain;
pub mod human;
pub mod json;
/// `oqs-net pac`: one PAC evaluation.
pub(crate) mod pac;
/// The soak report's terminal and JSON forms.
pub mod soak;
/// Display width and padding by it: every column of the terminal renderers.
pub(crate) mod width;

/// Output formats a user can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// `text` in the colour of a status (bold green, yellow, red, magenta) when `color` is on.
pub(crate) fn paint(color: bool, s: crate::model::Status, text: &str) -> String {
    use crate::model::Status;
    let code = match s {
        Status::Pass => "32",
        Status::Warn => "33",
        Status::Fail => "31",
        Status::Error => "35",
    };
    if color {
        format!("\x1b[1;{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}
