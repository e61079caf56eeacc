//! Which adapter is the OQS adapter and how it was chosen (a name, the route to a target, the
//! default route) or why none was, and how the round's sockets were tied to it. Plain data, no I/O.

use super::{Adapter, Inventory};
use crate::model::Family;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Where the name of the OQS adapter came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NameSource {
    /// `--interface NAME`.
    Flag,
    /// The profile's `[adapter] name`.
    Profile,
}

/// What a round should do about the OQS adapter: the inventory, and a name if one was given.
/// Without a name the adapter holding the route to the OQS targets is used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdapterRequest {
    pub inventory: Inventory,
    pub name: Option<(String, NameSource)>,
}

/// How the OQS adapter was found, or why it was not.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Selection {
    /// Named by the user or the profile.
    Named { name: String, source: NameSource },
    /// The adapter holding the source address the system picks toward an OQS target (found by
    /// connecting a UDP socket, which sends nothing).
    Route {
        #[serde(serialize_with = "super::ser_ip")]
        target: IpAddr,
        #[serde(serialize_with = "super::ser_ip")]
        source: IpAddr,
        name: String,
    },
    /// No target address was known or routable: the adapter with the default route of the
    /// round's first family.
    DefaultRoute { family: Family, name: String },
    /// Nothing found: why.
    NotFound { reason: NotFound },
}

/// Why no OQS adapter was found.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotFound {
    /// The name given matches no adapter.
    NoSuchName { name: String, source: NameSource },
    /// The system has no route (or none through a known adapter) to the target followed.
    NoRoute {
        #[serde(serialize_with = "super::ser_ip")]
        target: IpAddr,
    },
    /// No target address to follow, and several adapters have a default route of the family.
    SeveralDefaultRoutes {
        family: Family,
        adapters: Vec<String>,
    },
    /// No target address to follow, and no adapter has a default route.
    Nothing,
}

/// Why sockets were not bound, or the adapter not judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Skipped {
    /// The targets are on this machine (the route leads to loopback: a lab, a local stub).
    Loopback,
    /// No OQS adapter was found.
    NoAdapter,
    /// The chosen adapter is gone from the inventory.
    AdapterGone,
}

impl Selection {
    /// The chosen adapter's system name.
    pub fn name(&self) -> Option<&str> {
        match self {
            Selection::Named { name, .. }
            | Selection::Route { name, .. }
            | Selection::DefaultRoute { name, .. } => Some(name),
            Selection::NotFound { .. } => None,
        }
    }
}

/// How the round's sockets were tied to the adapter.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Binding {
    /// Every socket bound to the device (Linux `SO_BINDTODEVICE`) and to the adapter's source
    /// address: traffic cannot leave by another adapter; a family the adapter has no address of is
    /// not sent at all.
    Device {
        name: String,
        v4: Option<Ipv4Addr>,
        v6: Option<Ipv6Addr>,
    },
    /// Every socket bound to the adapter's source address (Windows, or Linux without root); a
    /// family the adapter has no address of is not sent at all.
    Source {
        v4: Option<Ipv4Addr>,
        v6: Option<Ipv6Addr>,
    },
    /// Not bound: why (no adapter, or the targets are on this machine).
    Unbound { reason: Skipped },
}

/// The adapter part of a round's measurements.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AdapterMeasurement {
    pub inventory: Inventory,
    pub selection: Selection,
    pub binding: Binding,
    /// The address families the round used (the profile's, or `--family`).
    pub families: Vec<Family>,
}

impl AdapterMeasurement {
    /// The chosen adapter's inventory entry.
    pub fn adapter(&self) -> Option<&Adapter> {
        self.selection.name().and_then(|n| self.inventory.find(n))
    }
}
