//! WPAD by DNS, as browsers and Windows walk it: `wpad.` before each DNS search domain and each of
//! its parents, stopping before the public suffix (never `wpad.co.jp`, which anyone could own).

/// The WPAD host names to try, in order, for the given search domains.
pub fn candidates(search_domains: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for domain in search_domains {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        if domain.is_empty() {
            continue;
        }
        // The shortest name we may use: the registrable domain (public suffix plus one label).
        // A search domain that is itself a public suffix gives nothing to try.
        let Some(floor) = psl::domain_str(&domain).map(str::to_string) else {
            continue;
        };
        let mut d = domain.as_str();
        loop {
            let name = format!("wpad.{d}");
            if !out.contains(&name) {
                out.push(name);
            }
            if d == floor {
                break;
            }
            match d.split_once('.') {
                Some((_, parent)) if parent.len() >= floor.len() => d = parent,
                _ => break,
            }
        }
    }
    out
}

/// The PAC URL WPAD uses for a discovered host (port 80; the lab serves on its own).
pub fn pac_url(host: &str, port: u16) -> String {
    match port {
        80 => format!("http://{host}/wpad.dat"),
        p => format!("http://{host}:{p}/wpad.dat"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_up_to_the_registrable_domain_only() {
        let c = candidates(&["clinic.east.example.co.jp".into(), "example.co.jp.".into()]);
        assert_eq!(
            c,
            [
                "wpad.clinic.east.example.co.jp",
                "wpad.east.example.co.jp",
                "wpad.example.co.jp"
            ]
        );
        assert_eq!(candidates(&["lab.example".into()]), ["wpad.lab.example"]);
        assert_eq!(
            candidates(&["a.b.onshikaku.org".into()]),
            [
                "wpad.a.b.onshikaku.org",
                "wpad.b.onshikaku.org",
                "wpad.onshikaku.org"
            ]
        );
        // A public suffix itself gives nothing above it.
        assert!(candidates(&["co.jp".into()]).is_empty());
        assert!(candidates(&["jp".into()]).is_empty());
        assert!(candidates(&[String::new(), " ".into()]).is_empty());
    }
}
