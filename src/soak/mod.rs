//! Stability soaks: rounds over hours or days, an append-only journal that survives crashes, and
//! flap detection with hysteresis as Nagios computes it ([`flap`], pure).
//!
//! Depends on `model` only (and on the round it is handed): never on probes, the engine, the
//! output or the lab. The command line wires those in.

pub mod flap;

pub use flap::Thresholds;
