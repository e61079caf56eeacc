//! WPAD by DHCP: option 252 (the PAC URL a DHCP server hands out) decoded from the bytes Windows'
//! DHCP API returns or from a Linux DHCP client's lease file, and validated as an http(s) URL.
//! Pure functions of bytes and text; `platform` reads them. No I/O, no output.

use crate::model::{DhcpRead, DhcpWpad};

/// The longest option 252 taken: one DHCP option holds 255 bytes, and RFC 3396 lets a server
/// concatenate several; no PAC URL needs more.
pub const MAX_URL_BYTES: usize = 2048;

/// Why option 252's bytes are no usable PAC URL.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DhcpWpadError {
    #[error("option 252 is empty")]
    Empty,
    #[error("option 252 is {0} bytes, more than {MAX_URL_BYTES}")]
    TooLong(usize),
    #[error("option 252 is not text (byte {0:#04x})")]
    NotText(u8),
    #[error("option 252 is not a URL: {0}")]
    NotUrl(String),
    #[error("option 252 is not an http or https URL: {0}")]
    NotHttp(String),
}

impl DhcpWpadError {
    pub fn as_label(&self) -> &'static str {
        match self {
            DhcpWpadError::Empty => "empty",
            DhcpWpadError::TooLong(_) => "too_long",
            DhcpWpadError::NotText(_) => "not_text",
            DhcpWpadError::NotUrl(_) => "not_url",
            DhcpWpadError::NotHttp(_) => "not_http",
        }
    }
}

/// The PAC URL in option 252's bytes. Servers and Windows' API may or may not end it with NUL
/// (Chromium takes the text up to the first NUL, and so do we); spaces around it are dropped.
pub fn decode(bytes: &[u8]) -> Result<String, DhcpWpadError> {
    if bytes.len() > MAX_URL_BYTES {
        return Err(DhcpWpadError::TooLong(bytes.len()));
    }
    let text = bytes.split(|&b| b == 0).next().unwrap_or_default();
    if let Some(&b) = text
        .iter()
        .find(|&&b| !(b.is_ascii_graphic() || b == b' ' || b == b'\t' || b == b'\r' || b == b'\n'))
    {
        return Err(DhcpWpadError::NotText(b));
    }
    // ASCII only, checked above.
    let text = String::from_utf8_lossy(text);
    let text = text.trim();
    if text.is_empty() {
        return Err(DhcpWpadError::Empty);
    }
    let url = url::Url::parse(text).map_err(|e| DhcpWpadError::NotUrl(format!("{text}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(DhcpWpadError::NotHttp(text.to_string()));
    }
    Ok(text.to_string())
}

/// What DHCP says, from what `platform` read: the first adapter (or lease file) that carries
/// option 252 decides, as Windows takes the first adapter that answers.
pub fn from_read(read: DhcpRead) -> DhcpWpad {
    let found: Vec<(String, Option<Vec<u8>>)> = match read {
        DhcpRead::Unavailable(detail) => return DhcpWpad::NotAvailable { detail },
        DhcpRead::Adapters(a) => a,
        DhcpRead::LeaseFiles(files) => files
            .into_iter()
            .map(|(origin, text)| {
                let bytes = lease_option_252(&text);
                (origin, bytes)
            })
            .collect(),
    };
    match found.iter().find(|(_, b)| b.is_some()) {
        Some((origin, Some(bytes))) => offered(origin, bytes),
        _ => DhcpWpad::NotOffered {
            asked: found.into_iter().map(|(o, _)| o).collect(),
        },
    }
}

/// Option 252 as given (`--wpad-dhcp URL`, the lab's terminal), decoded like the real thing.
pub fn offered(origin: &str, bytes: &[u8]) -> DhcpWpad {
    match decode(bytes) {
        Ok(url) => DhcpWpad::Offered {
            origin: origin.to_string(),
            url: Some(url),
            error: None,
        },
        Err(e) => DhcpWpad::Offered {
            origin: origin.to_string(),
            url: None,
            error: Some(format!("{}: {e}", e.as_label())),
        },
    }
}

/// The names dhclient's configuration gives option 252 (`option wpad code 252 = text;` in
/// NetworkManager's and most distributions' dhclient.conf), and the name it uses when none does.
const LEASE_NAMES: [&str; 3] = ["wpad", "wpad-url", "unknown-252"];

/// Option 252's bytes in the last lease of a dhclient lease file (the newest is appended last),
/// quoted (`"http://…"`, with dhclient's `\"`, `\\` and `\ooo` escapes) or as hex (`68:74:…`).
pub fn lease_option_252(text: &str) -> Option<Vec<u8>> {
    let last = text
        .rsplit("lease {")
        .next()
        .filter(|_| text.contains("lease {"))?;
    last.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("option ")?;
        let (name, value) = rest.split_once(char::is_whitespace)?;
        if !LEASE_NAMES.contains(&name) {
            return None;
        }
        let value = value.trim().strip_suffix(';')?.trim();
        match value.strip_prefix('"') {
            Some(q) => unquote(q.strip_suffix('"')?),
            None => unhex(value),
        }
    })
}

/// dhclient's quoted string: `\"`, `\\` and three-digit octal escapes.
fn unquote(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next()? {
            d @ b'0'..=b'7' => {
                let (d2, d3) = (bytes.next()?, bytes.next()?);
                let oct = |c: u8| (b'0'..=b'7').contains(&c).then(|| u32::from(c - b'0'));
                let v = (oct(d)? << 6) | (oct(d2)? << 3) | oct(d3)?;
                out.push(u8::try_from(v).ok()?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// dhclient's hex form: bytes as hex pairs joined by `:`.
fn unhex(s: &str) -> Option<Vec<u8>> {
    s.split(':')
        .map(|h| (h.len() <= 2).then(|| u8::from_str_radix(h, 16).ok())?)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Option 252 as a Windows DHCP server hands it out (captured: `netsh dhcp server set
    // optionvalue 252 STRING` sends the string with a terminating NUL).
    const CAPTURED_WINDOWS: &[u8] = b"http://wpad.clinic.example/wpad.dat\0";
    // As ISC dhcpd sends `option wpad-url "http://10.0.0.5/proxy.pac\n";` (a trailing newline
    // some guides add for old Internet Explorer), no NUL.
    const CAPTURED_ISC: &[u8] = b"http://10.0.0.5/proxy.pac\n";

    #[test]
    fn decodes_captured_option_252() {
        assert_eq!(
            decode(CAPTURED_WINDOWS).unwrap(),
            "http://wpad.clinic.example/wpad.dat"
        );
        assert_eq!(decode(CAPTURED_ISC).unwrap(), "http://10.0.0.5/proxy.pac");
        // What follows a NUL is the API's buffer, not the URL.
        assert_eq!(
            decode(b"https://pac.example:8443/p.pac\0\xff\xfegarbage").unwrap(),
            "https://pac.example:8443/p.pac"
        );
    }

    #[test]
    fn names_each_bad_option() {
        assert_eq!(decode(b""), Err(DhcpWpadError::Empty));
        assert_eq!(decode(b"\0http://x/"), Err(DhcpWpadError::Empty));
        assert_eq!(decode(b"  \n"), Err(DhcpWpadError::Empty));
        assert_eq!(decode(b"http://x/\x01"), Err(DhcpWpadError::NotText(1)));
        assert_eq!(
            decode("http://例え.jp/".as_bytes()),
            Err(DhcpWpadError::NotText(0xe4))
        );
        assert_eq!(decode(b"wpad.dat").unwrap_err().as_label(), "not_url");
        assert_eq!(
            decode(b"ftp://files.example/wpad.dat"),
            Err(DhcpWpadError::NotHttp(
                "ftp://files.example/wpad.dat".into()
            ))
        );
        assert_eq!(
            decode(b"file:///c:/wpad.dat").unwrap_err().as_label(),
            "not_http"
        );
        let long = [b'a'; MAX_URL_BYTES + 1];
        assert_eq!(
            decode(&long),
            Err(DhcpWpadError::TooLong(MAX_URL_BYTES + 1))
        );
    }

    #[test]
    fn the_first_adapter_with_the_option_decides() {
        let read = DhcpRead::Adapters(vec![
            ("{A}".into(), None),
            ("{B}".into(), Some(CAPTURED_WINDOWS.to_vec())),
            ("{C}".into(), Some(b"http://other/".to_vec())),
        ]);
        assert_eq!(
            from_read(read),
            DhcpWpad::Offered {
                origin: "{B}".into(),
                url: Some("http://wpad.clinic.example/wpad.dat".into()),
                error: None
            }
        );
        let none = DhcpRead::Adapters(vec![("{A}".into(), None)]);
        assert_eq!(
            from_read(none),
            DhcpWpad::NotOffered {
                asked: vec!["{A}".into()]
            }
        );
        assert_eq!(
            from_read(DhcpRead::Unavailable("no DHCP API".into())),
            DhcpWpad::NotAvailable {
                detail: "no DHCP API".into()
            }
        );
        let bad = offered("--wpad-dhcp", b"ftp://x/");
        assert_eq!(bad.url(), None);
        assert!(
            matches!(bad, DhcpWpad::Offered { error: Some(e), .. } if e.starts_with("not_http"))
        );
    }

    #[test]
    fn reads_the_last_lease_of_a_dhclient_file() {
        let file = r#"lease {
  interface "eth0";
  fixed-address 10.0.0.20;
  option wpad "http://old.example/wpad.dat";
  renew 2 2026/12/01 10:00:00;
}
lease {
  interface "eth0";
  fixed-address 10.0.0.21;
  option subnet-mask 255.255.255.0;
  option wpad "http://wpad.clinic.example/wpad.dat\012";
  renew 3 2026/12/02 10:00:00;
}
"#;
        let bytes = lease_option_252(file).unwrap();
        assert_eq!(bytes, b"http://wpad.clinic.example/wpad.dat\n");
        assert_eq!(
            decode(&bytes).unwrap(),
            "http://wpad.clinic.example/wpad.dat"
        );
        // Unnamed, printed as hex by dhclient.
        let hex = "lease {\n  option unknown-252 68:74:74:70:3a:2f:2f:78:2f:00;\n}\n";
        assert_eq!(lease_option_252(hex).unwrap(), b"http://x/\0");
        // Escaped quotes and backslashes.
        let q = "lease {\n  option wpad-url \"http://x/a\\\"b\\\\c\";\n}\n";
        assert_eq!(lease_option_252(q).unwrap(), b"http://x/a\"b\\c");
        // The newest lease has no option 252: the older one's does not count.
        let gone =
            "lease {\n option wpad \"http://old/\";\n}\nlease {\n option routers 10.0.0.1;\n}\n";
        assert_eq!(lease_option_252(gone), None);
        assert_eq!(lease_option_252("option wpad \"http://x/\";"), None);
        assert_eq!(lease_option_252("lease {\n option wpad zz:1;\n}"), None);
        assert_eq!(
            lease_option_252("lease {\n option wpad \"bad\\19x\";\n}"),
            None
        );
        let files = DhcpRead::LeaseFiles(vec![
            ("/var/lib/dhcp/dhclient.eth1.leases".into(), gone.into()),
            ("/var/lib/dhcp/dhclient.eth0.leases".into(), file.into()),
        ]);
        assert_eq!(
            from_read(files).url(),
            Some("http://wpad.clinic.example/wpad.dat")
        );
    }
}
