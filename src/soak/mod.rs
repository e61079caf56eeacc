//! Stability soaks: rounds over hours or days ([`run`]), an append-only journal that survives
//! crashes ([`journal`]), flap detection with hysteresis as Nagios computes it ([`flap`], pure),
//! the live view ([`track`]), resuming ([`resume`]) and the report, streamed from any journal in
//! bounded memory ([`report`]).
//!
//! Depends on `model` (and on the round it is handed through [`run::RoundSource`]), and on
//! `judge` for the verdicts the report asks of it with plain data: never on probes, the engine,
//! the output or the lab. The command line wires those in.

pub mod evidence;
pub(crate) mod extract;
pub mod flap;
pub mod journal;
pub mod report;
pub(crate) mod resume;
pub mod run;
pub mod track;

pub use flap::Thresholds;
