//! What reaches `FindProxyForURL(url, host)` for a URL the user names: the host taken from the URL,
//! and the URL either stripped the way Chrome and Windows strip it or passed as given (pacparser).
//! Pure: no I/O.

use serde::Serialize;

/// How much of the URL the script sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UrlPolicy {
    /// What Chrome (since 52) and Windows (WinHTTP / Internet Options since Windows 10) do:
    /// credentials and `#fragment` are always removed, and for `https:` and `wss:` the path and
    /// query too, so the script sees `https://host[:port]/`. The default.
    #[default]
    StripHttpsPath,
    /// The URL exactly as given, as pacparser and pactester pass it.
    Keep,
}

impl UrlPolicy {
    pub fn as_label(self) -> &'static str {
        match self {
            UrlPolicy::StripHttpsPath => "strip_https_path",
            UrlPolicy::Keep => "keep",
        }
    }
}

/// The two arguments of `FindProxyForURL`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PacQuery {
    pub url: String,
    pub host: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("`{0}` is not a URL (write it as scheme://host/path, for example https://{0}/)")]
    NotAUrl(String),
    #[error("`{0}` has no host to look up a proxy for")]
    NoHost(String),
    #[error("the host `{0}` is empty or has spaces, quotes or control characters")]
    BadHost(String),
}

impl QueryError {
    pub fn as_label(&self) -> &'static str {
        match self {
            QueryError::NotAUrl(_) => "not_a_url",
            QueryError::NoHost(_) => "no_host",
            QueryError::BadHost(_) => "bad_host",
        }
    }
}

/// The arguments for `url`: `host` is `host_override` when given, else the URL's host (lower case,
/// IPv6 without brackets, no port, as browsers pass it).
pub fn query_for(
    url: &str,
    host_override: Option<&str>,
    policy: UrlPolicy,
) -> Result<PacQuery, QueryError> {
    let parsed = url::Url::parse(url).map_err(|_| QueryError::NotAUrl(url.to_string()))?;
    let host = match host_override {
        Some(h) => h.to_string(),
        None => {
            let h = parsed
                .host_str()
                .filter(|h| !h.is_empty())
                .ok_or_else(|| QueryError::NoHost(url.to_string()))?;
            h.trim_start_matches('[').trim_end_matches(']').to_string()
        }
    };
    if host.is_empty()
        || host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\'' || c == '"')
    {
        return Err(QueryError::BadHost(host));
    }
    let url = match policy {
        UrlPolicy::Keep => url.to_string(),
        UrlPolicy::StripHttpsPath => {
            let mut u = parsed;
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_fragment(None);
            if matches!(u.scheme(), "https" | "wss") {
                u.set_path("/");
                u.set_query(None);
            }
            u.to_string()
        }
    };
    Ok(PacQuery { url, host })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(url: &str, policy: UrlPolicy) -> PacQuery {
        query_for(url, None, policy).unwrap()
    }

    #[test]
    fn https_path_is_stripped_by_default_and_kept_on_request() {
        let u = "https://user:pw@HWEB.oqs.onshikaku.org:443/api/v1?id=1#frag";
        assert_eq!(
            q(u, UrlPolicy::StripHttpsPath),
            PacQuery {
                url: "https://hweb.oqs.onshikaku.org/".into(),
                host: "hweb.oqs.onshikaku.org".into()
            }
        );
        assert_eq!(q(u, UrlPolicy::Keep).url, u);
        assert_eq!(
            q("wss://a.example:8443/x?y", UrlPolicy::StripHttpsPath).url,
            "wss://a.example:8443/"
        );
    }

    #[test]
    fn http_keeps_its_path_but_loses_credentials_and_fragment() {
        assert_eq!(
            q("http://u:p@a.example/x/y?z=1#f", UrlPolicy::StripHttpsPath).url,
            "http://a.example/x/y?z=1"
        );
    }

    #[test]
    fn ipv6_hosts_lose_their_brackets() {
        let r = q("https://[2001:DB8::1]:8443/p", UrlPolicy::StripHttpsPath);
        assert_eq!(r.host, "2001:db8::1");
        assert_eq!(r.url, "https://[2001:db8::1]:8443/");
    }

    #[test]
    fn bad_input_is_named() {
        let e = |u: &str, h: Option<&str>| query_for(u, h, UrlPolicy::Keep).unwrap_err().as_label();
        assert_eq!(e("www.example.com", None), "not_a_url");
        assert_eq!(e("mailto:a@b", None), "no_host");
        assert_eq!(e("http://a/", Some("b c")), "bad_host");
        assert_eq!(e("http://a/", Some("")), "bad_host");
        assert_eq!(e("http://a/", Some("x'y")), "bad_host");
        assert_eq!(
            query_for("http://a/", Some("other"), UrlPolicy::Keep)
                .unwrap()
                .host,
            "other"
        );
    }
}
