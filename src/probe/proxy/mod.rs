//! Proxy probes: a CONNECT through an HTTP proxy measured and named (`connect`). Uses `model` and
//! `net` only; no output.

pub mod connect;
pub mod settings;
pub mod wpad;
