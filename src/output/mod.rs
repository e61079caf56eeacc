//! Renderers of a round: human (terminal) and JSON. They read `model` and `findings` only and never
//! open a socket.

pub mod human;
pub mod json;

/// Output formats a user can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
