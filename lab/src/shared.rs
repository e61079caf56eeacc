//! The state the [`crate::Lab`] handle shares with its DNS, NTP and TLS server tasks: the live
//! spec they read per packet, the round-robin rotation and the counters. Depends on the spec and
//! the stats only, so the servers need not import the running lab.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::spec::LabSpec;
use crate::stats::LabStats;

/// No lock is held across an await.
#[derive(Debug)]
pub(crate) struct Shared {
    spec: RwLock<LabSpec>,
    /// Next rotation per (normalised name, record type).
    rotation: Mutex<HashMap<(String, u16), usize>>,
    stats: Mutex<LabStats>,
}

impl Shared {
    pub(crate) fn new(spec: LabSpec) -> Shared {
        Shared {
            spec: RwLock::new(spec),
            rotation: Mutex::new(HashMap::new()),
            stats: Mutex::new(LabStats::default()),
        }
    }
    pub(crate) fn spec(&self) -> RwLockReadGuard<'_, LabSpec> {
        self.spec.read().unwrap_or_else(PoisonError::into_inner)
    }
    pub(crate) fn spec_mut(&self) -> RwLockWriteGuard<'_, LabSpec> {
        self.spec.write().unwrap_or_else(PoisonError::into_inner)
    }
    pub(crate) fn stats(&self) -> MutexGuard<'_, LabStats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }
    pub(crate) fn rotation(&self) -> MutexGuard<'_, HashMap<(String, u16), usize>> {
        self.rotation.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
