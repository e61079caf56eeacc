//! The state of one evaluation that the natives, the interrupt handler and the failure naming
//! share: the deadline, the DNS time spent and its lookups, alerts, a refused import. Plain cells;
//! imports nothing of the sandbox, so the pieces of the evaluator do not import each other.

use super::{Lookup, Watch};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the natives share with the interrupt handler. Cells only: the handler may run while a
/// native function is on the stack.
pub(super) struct Shared {
    pub(super) deadline: Cell<Instant>,
    pub(super) interrupted: Cell<bool>,
    pub(super) dns_spent: Cell<Duration>,
    pub(super) lookups: RefCell<Vec<Lookup>>,
    pub(super) cache: RefCell<HashMap<String, Result<Vec<IpAddr>, String>>>,
    pub(super) alerts: RefCell<Vec<String>>,
    /// An `import()` was refused (seen as a rejected promise).
    pub(super) import_denied: Cell<bool>,
    pub(super) watch: Arc<Watch>,
}
