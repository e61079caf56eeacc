//! The only place that knows which operating system it runs on: device binding, locale, and the
//! private network namespace the lab uses on Linux. Everything else calls these functions.

use std::io;

/// Binds a socket to a network device by name (Linux `SO_BINDTODEVICE`; needs root).
#[cfg(target_os = "linux")]
pub fn bind_device(sock: &socket2::Socket, device: &str) -> io::Result<()> {
    sock.bind_device(Some(device.as_bytes()))
        .map_err(|e| io::Error::new(e.kind(), format!("cannot bind to device `{device}`: {e}")))
}

#[cfg(not(target_os = "linux"))]
pub fn bind_device(_sock: &socket2::Socket, device: &str) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "binding to device `{device}` is Linux-only; give the adapter's source address instead"
        ),
    ))
}

/// The user's locale as the OS reports it (`LC_ALL`/`LC_MESSAGES`/`LANG` on Unix, the user's
/// setting on Windows).
pub fn locale() -> Option<String> {
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return Some(v);
        }
    }
    sys_locale::get_locale()
}

/// Private network namespaces for the lab (Linux, as root): loopback only, with extra IPv6
/// addresses so that a round-robin name can have several IPv6 members without touching the host.
#[cfg(target_os = "linux")]
pub mod netns {
    use nix::sched::{CloneFlags, setns, unshare};
    use std::net::Ipv6Addr;
    use std::process::Command;

    fn ip(args: &[&str]) -> Result<(), String> {
        let out = Command::new("ip")
            .args(args)
            .output()
            .map_err(|e| format!("cannot run `ip` (iproute2): {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`ip {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    fn set_up_loopback(v6: &[Ipv6Addr]) -> Result<(), String> {
        ip(&["link", "set", "lo", "up"])?;
        for a in v6 {
            // nodad: otherwise the address stays tentative until a kernel worker runs, and a
            // lab binding it at once fails with EADDRNOTAVAIL on a busy machine.
            ip(&[
                "-6",
                "addr",
                "add",
                &format!("{a}/128"),
                "dev",
                "lo",
                "nodad",
            ])?;
        }
        Ok(())
    }

    /// Moves this process into a new, unnamed network namespace. Call before any thread starts
    /// (the namespace of a multi-threaded process's other threads would not change).
    pub fn enter_private(v6: &[Ipv6Addr]) -> Result<(), String> {
        unshare(CloneFlags::CLONE_NEWNET)
            .map_err(|e| format!("cannot create a network namespace (needs root): {e}"))?;
        set_up_loopback(v6)
    }

    /// A named namespace (`ip netns exec NAME ...` reaches it) that is deleted on drop.
    pub struct Named {
        pub name: String,
    }

    impl Drop for Named {
        fn drop(&mut self) {
            let _ = ip(&["netns", "del", &self.name]);
        }
    }

    /// Creates `/run/netns/NAME` and moves this process into it. Call before any thread starts.
    pub fn enter_named(name: &str, v6: &[Ipv6Addr]) -> Result<Named, String> {
        let _ = ip(&["netns", "del", name]);
        ip(&["netns", "add", name])?;
        let guard = Named {
            name: name.to_string(),
        };
        let file = std::fs::File::open(format!("/run/netns/{name}"))
            .map_err(|e| format!("cannot open namespace `{name}`: {e}"))?;
        setns(&file, CloneFlags::CLONE_NEWNET)
            .map_err(|e| format!("cannot enter namespace `{name}`: {e}"))?;
        set_up_loopback(v6)?;
        Ok(guard)
    }
}
