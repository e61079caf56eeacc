//! The only place that knows which operating system it runs on: device binding, the adapter
//! inventory (netdev), locale, and the network namespaces the lab and the tests use on Linux.
//! Everything else calls these functions. Depends on `model` for the inventory's plain types only.

use crate::model::{Adapter, AdapterAddress, DhcpRead, Inventory};
use std::io;

// The one file where `unsafe` is allowed (the DHCP API's FFI call); see its header.
#[cfg(windows)]
mod windows;
use std::net::IpAddr;

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

/// Offers `mss` as the TCP maximum segment size of a socket not yet connected (`TCP_MAXSEG`, sent
/// in the SYN, so the peer's segments stay that small). Unix only.
#[cfg(unix)]
pub fn set_tcp_mss(sock: &socket2::Socket, mss: u32) -> io::Result<()> {
    sock.set_tcp_mss(mss)
}

#[cfg(not(unix))]
pub fn set_tcp_mss(_sock: &socket2::Socket, _mss: u32) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "setting the TCP maximum segment size is not supported here",
    ))
}

/// A socket of `ty` made non-blocking (the async runtime needs nothing else): at creation where
/// the platform can (Linux `SOCK_NONBLOCK`, which spares two `fcntl` calls per socket), else
/// after it.
#[cfg(target_os = "linux")]
pub fn nonblocking_socket(
    domain: socket2::Domain,
    ty: socket2::Type,
    protocol: socket2::Protocol,
) -> io::Result<socket2::Socket> {
    socket2::Socket::new(domain, ty.nonblocking(), Some(protocol))
}

#[cfg(not(target_os = "linux"))]
pub fn nonblocking_socket(
    domain: socket2::Domain,
    ty: socket2::Type,
    protocol: socket2::Protocol,
) -> io::Result<socket2::Socket> {
    let sock = socket2::Socket::new(domain, ty, Some(protocol))?;
    sock.set_nonblocking(true)?;
    Ok(sock)
}

/// Whether sockets can be tied to a device here (Linux). Elsewhere they are tied to the adapter's
/// source address, which Windows' strong host model also keeps on that adapter.
pub const BINDS_DEVICE: bool = cfg!(target_os = "linux");

/// Whether this process may bind sockets to `device` (Linux needs root or `CAP_NET_RAW`, and the
/// device must exist). Tries it on a throwaway socket, which sends nothing.
pub fn can_bind_device(device: &str) -> Result<(), String> {
    let sock = socket2::Socket::new(socket2::Domain::IPV6, socket2::Type::DGRAM, None)
        .or_else(|_| socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None))
        .map_err(|e| format!("cannot open a socket: {e}"))?;
    bind_device(&sock, device).map_err(|e| e.to_string())
}

/// Every network adapter with its addresses, default gateways and (where the platform keeps them per
/// adapter) DNS servers, read through netdev (netlink on Linux, GetAdaptersAddresses on Windows).
/// Reads only; sends nothing.
pub fn inventory() -> Inventory {
    let interfaces = netdev::get_interfaces();
    // Linux keeps resolvers system-wide (/etc/resolv.conf); netdev hangs them on the default
    // interface. Windows keeps them per adapter.
    let dns_per_adapter = cfg!(windows);
    let system_dns = if dns_per_adapter {
        Vec::new()
    } else {
        let mut v: Vec<IpAddr> = Vec::new();
        for ip in interfaces.iter().flat_map(|i| &i.dns_servers) {
            if !v.contains(ip) {
                v.push(*ip);
            }
        }
        v
    };
    let adapters = interfaces
        .into_iter()
        .map(|i| {
            let mut addresses: Vec<AdapterAddress> = i
                .ipv4
                .iter()
                .map(|n| AdapterAddress::new(IpAddr::V4(n.addr()), n.prefix_len()))
                .collect();
            for (k, n) in i.ipv6.iter().enumerate() {
                let flags = i.ipv6_addr_flags.get(k).copied().unwrap_or_default();
                addresses.push(AdapterAddress {
                    tentative: flags.tentative,
                    duplicated: flags.duplicated,
                    deprecated: flags.deprecated,
                    ..AdapterAddress::new(IpAddr::V6(n.addr()), n.prefix_len())
                });
            }
            let gateways = i
                .gateway
                .as_ref()
                .map(|g| {
                    g.ipv4
                        .iter()
                        .map(|a| IpAddr::V4(*a))
                        .chain(g.ipv6.iter().map(|a| IpAddr::V6(*a)))
                        .collect()
                })
                .unwrap_or_default();
            let up = match i.oper_state {
                netdev::interface::state::OperState::Up => true,
                netdev::interface::state::OperState::Unknown => i.is_up(),
                _ => false,
            };
            Adapter {
                loopback: i.is_loopback(),
                up,
                name: i.name,
                friendly_name: i.friendly_name,
                index: i.index,
                addresses,
                gateways,
                dns_servers: if dns_per_adapter {
                    i.dns_servers
                } else {
                    Vec::new()
                },
                mtu: i.mtu,
            }
        })
        .collect();
    Inventory {
        adapters,
        dns_per_adapter,
        system_dns,
    }
}

/// [`bind_device`] for a socket borrowed from tokio.
pub fn bind_device_ref(sock: &socket2::SockRef<'_>, device: &str) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        sock.bind_device(Some(device.as_bytes()))
            .map_err(|e| io::Error::new(e.kind(), format!("cannot bind to device `{device}`: {e}")))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = sock;
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "binding to device `{device}` is Linux-only; give the adapter's source address instead"
            ),
        ))
    }
}

/// The user's Internet Options (WinINet) and the WinHTTP blob, as the registry holds them; `None`
/// where they are absent or this is not Windows.
#[cfg(windows)]
pub fn windows_proxy_settings() -> (Option<crate::model::WinInetValues>, Option<Vec<u8>>) {
    use winreg::RegKey;
    use winreg::enums::{HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE};
    const INET: &str = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings";
    let user = RegKey::predef(HKEY_CURRENT_USER)
        .open_subkey(INET)
        .ok()
        .map(|k| {
            let conn = k.open_subkey("Connections").ok();
            crate::model::WinInetValues {
                proxy_enable: k.get_value::<u32, _>("ProxyEnable").ok(),
                proxy_server: k.get_value::<String, _>("ProxyServer").ok(),
                proxy_override: k.get_value::<String, _>("ProxyOverride").ok(),
                auto_config_url: k.get_value::<String, _>("AutoConfigURL").ok(),
                default_connection_settings: conn
                    .and_then(|c| c.get_raw_value("DefaultConnectionSettings").ok())
                    .map(|v| v.bytes.to_vec()),
            }
        });
    let winhttp = RegKey::predef(HKEY_LOCAL_MACHINE)
        .open_subkey(format!("{INET}\\Connections"))
        .ok()
        .and_then(|c| c.get_raw_value("WinHttpSettings").ok())
        .map(|v| v.bytes.to_vec());
    (user, winhttp)
}

#[cfg(not(windows))]
pub fn windows_proxy_settings() -> (Option<crate::model::WinInetValues>, Option<Vec<u8>>) {
    (None, None)
}

/// Option 252 (WPAD by DHCP) as this machine's DHCP client holds it: on Windows asked of the DHCP
/// API (`DhcpRequestParams`) for each adapter that is up, as WinHTTP does; on Linux read from
/// dhclient's lease files (NetworkManager's too, when it runs dhclient). Decoding is the caller's.
pub fn dhcp_wpad() -> DhcpRead {
    #[cfg(windows)]
    {
        let adapters: Vec<String> = netdev::get_interfaces()
            .into_iter()
            .filter(|i| !i.is_loopback() && i.is_up())
            .map(|i| i.name)
            .collect();
        windows::dhcp_option_252(&adapters)
    }
    #[cfg(target_os = "linux")]
    {
        linux_lease_files()
    }
    #[cfg(not(any(windows, target_os = "linux")))]
    {
        DhcpRead::Unavailable("no DHCP client this program can ask here".into())
    }
}

/// dhclient's lease files (Debian's /var/lib/dhcp, Red Hat's /var/lib/dhclient, NetworkManager's
/// dhclient-*.lease), each read up to 1 MiB. systemd-networkd's leases do not keep option 252.
#[cfg(target_os = "linux")]
fn linux_lease_files() -> DhcpRead {
    use std::io::Read;
    const DIRS: [&str; 3] = [
        "/var/lib/dhcp",
        "/var/lib/dhclient",
        "/var/lib/NetworkManager",
    ];
    const MAX_FILES: usize = 64;
    const MAX_BYTES: u64 = 1 << 20;
    let mut files = Vec::new();
    for dir in DIRS {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<std::path::PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "leases" || x == "lease"))
            .collect();
        paths.sort();
        for path in paths
            .into_iter()
            .take(MAX_FILES - files.len().min(MAX_FILES))
        {
            let mut text = String::new();
            let read = std::fs::File::open(&path)
                .and_then(|f| f.take(MAX_BYTES).read_to_string(&mut text));
            if read.is_ok() {
                files.push((path.display().to_string(), text));
            }
        }
    }
    if files.is_empty() {
        DhcpRead::Unavailable(format!(
            "no DHCP client lease file (dhclient) in {}",
            DIRS.join(", ")
        ))
    } else {
        DhcpRead::LeaseFiles(files)
    }
}

/// Whether escape sequences (colours) show as such on stdout or stderr, which the caller knows to
/// be a terminal: always on Unix; on Windows once the console is asked to process them (Windows
/// 10 and 11 consoles can, and leave it off for programs that do not ask).
pub fn escape_sequences(stderr: bool) -> bool {
    #[cfg(windows)]
    {
        windows::enable_escape_sequences(stderr)
    }
    #[cfg(not(windows))]
    {
        let _ = stderr;
        true
    }
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

/// Whether a read failed because another process holds a lock on the file (Windows locks are
/// mandatory: `ERROR_LOCK_VIOLATION`; Unix locks are advisory and never fail a read).
pub(crate) fn is_lock_violation(e: &io::Error) -> bool {
    /// `ERROR_LOCK_VIOLATION` (winerror.h).
    const ERROR_LOCK_VIOLATION: i32 = 33;
    cfg!(windows) && e.raw_os_error() == Some(ERROR_LOCK_VIOLATION)
}

/// Listens for Ctrl-C and (Unix) SIGTERM from now on, so a request that comes before the
/// returned future is first polled is not lost (and does not kill the process the default way);
/// resolves on the first request. Must be called inside a Tokio runtime.
// Not an `async fn`: on Unix the handlers are registered by the call, before the future is polled.
#[cfg_attr(not(unix), allow(clippy::manual_async_fn))]
pub fn stop_listener() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let on = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = on(interrupt) => {}
                () = on(terminate) => {}
            }
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await
        }
    }
}

/// Resolves when the process is asked to terminate (SIGTERM on Unix; never elsewhere, where
/// Ctrl-C is the only request), so a soak can end its journal as it does on Ctrl-C.
pub async fn terminate_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut s) = signal(SignalKind::terminate()) {
            s.recv().await;
            return;
        }
    }
    std::future::pending::<()>().await
}

/// Whether the process `pid` is known to be gone (the system has no such process). A process of
/// another user, an id that is not a process id, or a platform that cannot tell: not gone.
pub fn process_gone(pid: u32) -> bool {
    #[cfg(target_os = "linux")]
    {
        use nix::errno::Errno;
        use nix::sys::signal::kill;
        use nix::unistd::Pid;
        // 0 and negative ids name process groups for kill(2): never ask about those.
        match i32::try_from(pid) {
            Ok(p) if p > 0 => kill(Pid::from_raw(p), None) == Err(Errno::ESRCH),
            _ => false,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        false
    }
}

/// Whether `meta` (of a file or folder in a shared directory such as /tmp) belongs to the user
/// this process runs as. Everywhere but Unix, where there is no shared /tmp: yes.
pub fn owned_by_this_user(meta: &std::fs::Metadata) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        meta.uid() == nix::unistd::geteuid().as_raw()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = meta;
        true
    }
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
            // `nodad`: usable at once, not "tentative" while duplicate-address detection runs.
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

    /// Moves the calling thread (only it: a network namespace is per thread) into the existing
    /// named namespace `/run/netns/NAME`. Sockets it creates afterwards belong to that namespace,
    /// wherever they are used. For tests that serve from one namespace and probe from another.
    pub fn enter_existing(name: &str) -> Result<(), String> {
        let file = std::fs::File::open(format!("/run/netns/{name}"))
            .map_err(|e| format!("cannot open namespace `{name}`: {e}"))?;
        setns(&file, CloneFlags::CLONE_NEWNET)
            .map_err(|e| format!("cannot enter namespace `{name}`: {e}"))
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
