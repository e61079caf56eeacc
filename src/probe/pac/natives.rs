//! The helpers the host adds to the sandbox, behind the prelude's PAC functions: the clock,
//! `myIpAddress`/`myIpAddressEx`, `sortIpAddressList`, `alert`, and `dnsResolve`/`dnsResolveEx`
//! through the injected resolver with its cache, name cap and time budget. Nothing else of the
//! host is reachable from a script: these use only the seams in `env` (no sockets, files or
//! anything outside `probe::pac`).

use super::failure::shorten;
use super::shared::Shared;
use super::{Lookup, PacEnv, PacLimits, PacResolver, env};
use rquickjs::{Ctx, Function, Value};
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const MAX_ALERTS: usize = 32;
const MAX_ALERT_CHARS: usize = 200;

pub(super) fn install_natives<'js>(
    ctx: &Ctx<'js>,
    env: &PacEnv,
    limits: &PacLimits,
    shared: &Rc<Shared>,
) -> rquickjs::Result<()> {
    let g = ctx.globals();
    let now = env.clock.now();
    g.set("__oqsNow", now.unix_ms as f64)?;
    g.set("__oqsOffset", f64::from(now.utc_offset_s) * 1000.0)?;

    let my_ip = env.my_ip.clone();
    g.set(
        "__oqsMyIp",
        Function::new(ctx.clone(), move |all: bool| -> String {
            my_ip_text(&my_ip, all)
        })?,
    )?;

    g.set(
        "__oqsSortIps",
        Function::new(ctx.clone(), |list: String| -> String {
            sort_ip_list(&list).unwrap_or_default()
        })?,
    )?;

    let s = Rc::clone(shared);
    g.set(
        "__oqsAlert",
        Function::new(ctx.clone(), move |message: String| {
            let mut alerts = s.alerts.borrow_mut();
            if alerts.len() < MAX_ALERTS {
                alerts.push(shorten(&message, MAX_ALERT_CHARS));
            }
        })?,
    )?;

    let s = Rc::clone(shared);
    let resolver = Arc::clone(&env.resolver);
    let limits = limits.clone();
    g.set(
        "__oqsResolve",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, name: String, all: bool| -> rquickjs::Result<Value<'js>> {
                match resolve(&s, &resolver, &limits, &name, all) {
                    Some(text) => Ok(rquickjs::String::from_str(ctx, &text)?.into_value()),
                    None => Ok(Value::new_null(ctx)),
                }
            },
        )?,
    )?;
    Ok(())
}

/// `myIpAddress()` / `myIpAddressEx()` text.
fn my_ip_text(my_ip: &[IpAddr], all: bool) -> String {
    if all {
        if my_ip.is_empty() {
            return "127.0.0.1".into();
        }
        return my_ip
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(";");
    }
    my_ip
        .iter()
        .find(|ip| ip.is_ipv4())
        .map_or_else(|| "127.0.0.1".into(), ToString::to_string)
}

/// `sortIpAddressList`, as Chrome and Internet Explorer define it: spaces and tabs removed, empty
/// entries skipped, IPv6 before IPv4, each ascending, the entries written as given; `None` (false
/// in JavaScript) when nothing is left or any entry is not an address.
pub fn sort_ip_list(list: &str) -> Option<String> {
    if list.len() > 64 * 1024 {
        return None;
    }
    let cleaned: String = list.chars().filter(|c| !matches!(c, ' ' | '\t')).collect();
    let mut ips = Vec::new();
    for part in cleaned.split(';').filter(|p| !p.is_empty()) {
        let ip: IpAddr = part.parse().ok()?;
        ips.push((ip, part));
    }
    if ips.is_empty() {
        return None;
    }
    ips.sort_by_key(|(ip, _)| match ip {
        IpAddr::V6(a) => (0u8, a.octets()),
        IpAddr::V4(a) => (1u8, a.to_ipv6_mapped().octets()),
    });
    Some(
        ips.iter()
            .map(|(_, text)| *text)
            .collect::<Vec<_>>()
            .join(";"),
    )
}

/// dnsResolve / dnsResolveEx for one name: literals answer themselves, other names go through the
/// cache, the lookup cap and the time budget to the resolver.
fn resolve(
    shared: &Shared,
    resolver: &Arc<dyn PacResolver + Send + Sync>,
    limits: &PacLimits,
    name: &str,
    all: bool,
) -> Option<String> {
    if let Some(v4) = env::ipv4_literal(name) {
        return Some(v4.to_string());
    }
    if let Some(v6) = env::ipv6_literal(name) {
        return all.then(|| v6.to_string());
    }
    if !env::resolvable_name(name) {
        // Recorded all the same: every name the script wanted resolved shows in the answer.
        if shared.lookups.borrow().len() < limits.max_lookups {
            shared.lookups.borrow_mut().push(Lookup {
                name: shorten(name, 80),
                result: Err("not a host name: not looked up".into()),
                took: Duration::ZERO,
            });
        }
        return None;
    }
    let key = name.to_ascii_lowercase();
    let cached = shared.cache.borrow().get(&key).cloned();
    let result = match cached {
        Some(r) => r,
        None => {
            // Refusals are not cached, so the cache (and the list of lookups) stays within the
            // name limit however many names a script invents.
            if shared.cache.borrow().len() >= limits.max_lookups
                || shared.dns_spent.get() >= limits.dns_budget
            {
                return None;
            }
            let r = {
                let t = Instant::now();
                shared.watch.in_lookup.store(true, Ordering::SeqCst);
                let r = resolver.lookup(name);
                let took = t.elapsed();
                shared.dns_spent.set(shared.dns_spent.get() + took);
                shared
                    .watch
                    .dns_us
                    .store(shared.dns_spent.get().as_micros() as u64, Ordering::SeqCst);
                shared.watch.in_lookup.store(false, Ordering::SeqCst);
                // Waiting for the resolver does not count against the script's time limit.
                shared.deadline.set(shared.deadline.get() + took);
                shared.lookups.borrow_mut().push(Lookup {
                    name: name.to_string(),
                    result: r.clone(),
                    took,
                });
                r
            };
            shared.cache.borrow_mut().insert(key, r.clone());
            r
        }
    };
    let ips = result.ok()?;
    if all {
        let text: Vec<String> = ips.iter().map(ToString::to_string).collect();
        (!text.is_empty()).then(|| text.join(";"))
    } else {
        ips.iter().find(|ip| ip.is_ipv4()).map(ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_ip_lists_as_windows_does() {
        assert_eq!(
            sort_ip_list("10.0.0.2; 2001:db8::2;10.0.0.1;2001:db8::1").as_deref(),
            Some("2001:db8::1;2001:db8::2;10.0.0.1;10.0.0.2")
        );
        assert_eq!(sort_ip_list("10.0.0.1;nonsense"), None);
        assert_eq!(sort_ip_list(""), None);
        assert_eq!(sort_ip_list(" ; ;"), None);
        assert_eq!(
            sort_ip_list("10.0.0.9;;2001:DB8::1 ").as_deref(),
            Some("2001:DB8::1;10.0.0.9")
        );
    }

    #[test]
    fn my_ip_address_is_ipv4_only_and_ex_lists_all() {
        let ips: Vec<IpAddr> = vec!["2001:db8::5".parse().unwrap(), "10.0.0.5".parse().unwrap()];
        assert_eq!(my_ip_text(&ips, false), "10.0.0.5");
        assert_eq!(my_ip_text(&ips, true), "2001:db8::5;10.0.0.5");
        assert_eq!(my_ip_text(&ips[..1], false), "127.0.0.1");
        assert_eq!(my_ip_text(&[], true), "127.0.0.1");
    }
}
