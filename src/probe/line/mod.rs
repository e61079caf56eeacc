//! The line's own checks, spec in and measurements out: NGN line authentication (one HTTPS read
//! of the page, [`auth`], classified by [`page`]), the NGN's DNS servers and the two
//! environments' names ([`names`]), all at once through the OQS adapter the round is bound to.
//! Uses `net` and `model`; no verdict, no output, no engine.

pub(crate) mod auth;
pub(crate) mod names;
pub mod page;

use crate::model::{Family, LinePlan, LineRound, NgnDnsResult};
use crate::net::{DnsResolver, NetOptions};
use std::time::Duration;

/// The longest the line's checks take when every step waits out its timeout.
pub(crate) fn worst_case(plan: &LinePlan, families: usize) -> Duration {
    let auth = plan.auth.as_ref().map_or(Duration::ZERO, |a| a.timeout);
    let dns = plan.dns_timeout * families.max(1) as u32;
    auth.max(dns)
}

/// Runs every check the plan has, at once.
pub(crate) async fn probe(
    plan: &LinePlan,
    net: &NetOptions,
    resolver: Option<&DnsResolver>,
    families: &[Family],
) -> LineRound {
    let auth = async {
        match &plan.auth {
            Some(a) => Some(auth::probe(a, plan.ca_bundle.clone(), net, resolver, families).await),
            None => None,
        }
    };
    let ngn = async {
        match &plan.ngn_dns {
            Some(n) => Some(NgnDnsResult {
                terminal_servers: plan.terminal_servers.clone(),
                ngn_servers: n.servers.clone(),
                answers: names::ngn_answers(n, &plan.oqs_names, net, families, plan.dns_timeout)
                    .await,
            }),
            None => None,
        }
    };
    let env = async {
        if plan.environment.is_empty() {
            None
        } else {
            Some(names::environment(&plan.environment, resolver, families, plan.dns_timeout).await)
        }
    };
    let (auth, ngn_dns, environment) = tokio::join!(auth, ngn, env);
    LineRound {
        auth,
        ngn_dns,
        environment,
    }
}
