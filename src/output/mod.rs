//! Renderers of a round (human, JSON) and of a soak report (`soak`). They read `model` and `findings` only and never
//! open a socket.

pub mod human;
pub mod json;
pub mod soak;

/// Output formats a user can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
