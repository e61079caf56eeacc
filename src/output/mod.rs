//! Renderers of a round: human (terminal) and JSON. They read `model` and `findings` only and never
//! open a socket.

pub mod human;
pub mod json;
/// The soak report's terminal and JSON forms.
pub mod soak;

/// Output formats a user can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
