//! Reading the NGN line-authentication page: its bytes decoded by the charset it declares (the
//! HTTP header, then a BOM, then the page's `<meta>`; else UTF-8 when valid, else whichever of
//! Shift_JIS and EUC-JP decodes without error, as such devices commonly serve), then told apart as
//! authenticated (認証済み), not authenticated (a login form, 未認証…) or unexpected. Pure; no I/O.

use crate::model::{AuthPage, CharsetOrigin, PageReading};
use encoding_rs::{EUC_JP, Encoding, SHIFT_JIS, UTF_8};

/// How far into the page a `<meta charset>` is looked for (HTML says 1024 bytes).
const META_SCAN: usize = 1024;
/// The excerpt kept for the report, in characters.
const EXCERPT_CHARS: usize = 80;

/// Words that say the line is not authenticated; looked for before 認証済み, since a page may say
/// 認証済みではありません.
const NOT_AUTHENTICATED: &[&str] = &[
    "未認証",
    "認証されていません",
    "認証済みではありません",
    "認証に失敗",
    "not authenticated",
];
const AUTHENTICATED: &[&str] = &["認証済", "authenticated"];
/// Words that ask for authentication: they count only on a page that does not say 認証済み
/// (an authenticated page may still say how to authenticate again after a prefix change).
const ASKS_FOR_AUTHENTICATION: &[&str] = &[
    "認証が必要",
    "認証してください",
    "認証を行ってください",
    "authentication required",
];

/// The page of `body` (at most the fetch's cap), answered with `status`, served as `content_type`.
pub fn read(body: &[u8], content_type: Option<&str>, status: u16) -> PageReading {
    let (encoding, charset_from) = charset(body, content_type);
    let (text, _, undecodable) = encoding.decode(body);
    let verdict = if status == 200 {
        classify(&text)
    } else {
        AuthPage::Unexpected
    };
    PageReading {
        verdict,
        status,
        charset: encoding.name().to_string(),
        charset_from,
        undecodable,
        bytes: body.len(),
        excerpt: excerpt(&text),
    }
}

/// Authenticated, not authenticated, or neither, by the page's visible words (a password field
/// counts as a login form).
pub fn classify(html: &str) -> AuthPage {
    let text = visible(html);
    let lower = text.to_lowercase();
    if NOT_AUTHENTICATED.iter().any(|w| lower.contains(w)) {
        return AuthPage::NotAuthenticated;
    }
    if AUTHENTICATED.iter().any(|w| lower.contains(w)) {
        return AuthPage::Authenticated;
    }
    let tags = html.to_ascii_lowercase();
    if ASKS_FOR_AUTHENTICATION.iter().any(|w| lower.contains(w))
        || tags.contains("type=\"password\"")
        || tags.contains("type='password'")
    {
        return AuthPage::NotAuthenticated;
    }
    AuthPage::Unexpected
}

/// The encoding to decode by, and where it was found.
fn charset(body: &[u8], content_type: Option<&str>) -> (&'static Encoding, CharsetOrigin) {
    if let Some(e) = content_type
        .and_then(|ct| label_after(ct, "charset="))
        .and_then(|l| Encoding::for_label(l.as_bytes()))
    {
        return (e, CharsetOrigin::HttpHeader);
    }
    if let Some((e, _)) = Encoding::for_bom(body) {
        return (e, CharsetOrigin::Bom);
    }
    let head = &body[..body.len().min(META_SCAN)];
    // Bytes above 0x7f never spell `charset`, so an ASCII view of the head is enough.
    let ascii: String = head
        .iter()
        .map(|&b| if b.is_ascii() { b as char } else { ' ' })
        .collect();
    if let Some(e) = label_after(&ascii, "charset=").and_then(|l| Encoding::for_label(l.as_bytes()))
    {
        return (e, CharsetOrigin::Meta);
    }
    if std::str::from_utf8(body).is_ok() {
        return (UTF_8, CharsetOrigin::ValidUtf8);
    }
    for e in [SHIFT_JIS, EUC_JP] {
        let (_, bad) = e.decode_without_bom_handling(body);
        if !bad {
            return (e, CharsetOrigin::Guessed);
        }
    }
    (SHIFT_JIS, CharsetOrigin::Guessed)
}

/// The token after `key` (case-insensitive), without quotes.
fn label_after(s: &str, key: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let at = lower.find(key)? + key.len();
    let rest = lower[at..].trim_start_matches(['"', '\'', ' ']);
    let label: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
        .collect();
    (!label.is_empty()).then_some(label)
}

/// The page's text without tags, scripts, styles and comments, whitespace collapsed.
fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(64 * 1024));
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &lower[i..];
        let skip_to = |end: &str| rest.find(end).map_or(html.len(), |e| i + e + end.len());
        if rest.starts_with("<!--") {
            i = skip_to("-->");
        } else if rest.starts_with("<script") {
            i = skip_to("</script>");
        } else if rest.starts_with("<style") {
            i = skip_to("</style>");
        } else if rest.starts_with('<') {
            i = skip_to(">");
            out.push(' ');
        } else {
            let next = rest.find('<').map_or(html.len(), |n| i + n);
            out.push_str(&html[i..next]);
            i = next;
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The page's `<title>`, else its first words; control characters dropped, at most
/// [`EXCERPT_CHARS`] characters.
fn excerpt(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let title = lower.find("<title").and_then(|s| {
        let open = s + lower[s..].find('>')? + 1;
        let close = open + lower[open..].find("</title")?;
        Some(visible(&html[open..close]))
    });
    let text = match title {
        Some(t) if !t.is_empty() => t,
        _ => visible(html),
    };
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let mut cut: String = clean.chars().take(EXCERPT_CHARS).collect();
    if clean.chars().count() > EXCERPT_CHARS {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    const DONE: &str = "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"{cs}\">\
        <title>回線認証</title></head><body><h1>回線認証</h1>\
        <p>お客さまの回線は認証済みです。</p>\
        <p>IPv6プレフィックスが変更された場合は、再度このページから認証を行ってください。</p>\
        </body></html>";
    const LOGIN: &str = "<html><head><meta http-equiv=\"Content-Type\" \
        content=\"text/html; charset={cs}\"><title>回線認証</title></head><body>\
        <p>この回線は認証されていません。お客さまIDとパスワードを入力してください。</p>\
        <form method=\"post\" action=\"/auth\"><input name=\"id\">\
        <input type=\"password\" name=\"pw\"><input type=\"submit\" value=\"認証\"></form>\
        </body></html>";
    const ROUTER: &str = "<html><head><meta charset=\"{cs}\"><title>ホームゲートウェイ</title></head>\
        <body><p>ようこそ。設定画面にはログインしてください。</p></body></html>";

    fn page(template: &str, cs: &str) -> String {
        template.replace("{cs}", cs)
    }

    fn encoded(text: &str, e: &'static Encoding) -> Vec<u8> {
        let (bytes, _, bad) = e.encode(text);
        assert!(!bad, "the test page is encodable in {}", e.name());
        bytes.into_owned()
    }

    #[test]
    fn utf8_pages_are_told_apart() {
        let done = read(page(DONE, "utf-8").as_bytes(), None, 200);
        assert_eq!(done.verdict, AuthPage::Authenticated);
        assert_eq!(done.charset, "UTF-8");
        assert_eq!(done.charset_from, CharsetOrigin::Meta);
        assert!(!done.undecodable);
        assert_eq!(done.excerpt, "回線認証");
        let login = read(page(LOGIN, "UTF-8").as_bytes(), None, 200);
        assert_eq!(login.verdict, AuthPage::NotAuthenticated);
        let other = read(page(ROUTER, "utf-8").as_bytes(), None, 200);
        assert_eq!(other.verdict, AuthPage::Unexpected);
        assert_eq!(other.excerpt, "ホームゲートウェイ");
    }

    #[test]
    fn shift_jis_and_euc_jp_pages_are_decoded_by_their_charset() {
        for (e, label) in [(SHIFT_JIS, "Shift_JIS"), (EUC_JP, "EUC-JP")] {
            let done = encoded(&page(DONE, label), e);
            assert!(std::str::from_utf8(&done).is_err(), "really not UTF-8");
            let r = read(&done, None, 200);
            assert_eq!(r.verdict, AuthPage::Authenticated, "{label}");
            assert_eq!(r.charset, e.name());
            assert_eq!(r.charset_from, CharsetOrigin::Meta);
            let login = encoded(&page(LOGIN, label), e);
            assert_eq!(
                read(&login, None, 200).verdict,
                AuthPage::NotAuthenticated,
                "{label}"
            );
            let other = encoded(&page(ROUTER, label), e);
            assert_eq!(read(&other, None, 200).verdict, AuthPage::Unexpected);
        }
    }

    #[test]
    fn the_header_rules_and_an_undeclared_page_is_guessed() {
        // The header says Shift_JIS; the page's meta wrongly says UTF-8.
        let body = encoded(&page(DONE, "utf-8"), SHIFT_JIS);
        let r = read(&body, Some("text/html; charset=\"Shift_JIS\""), 200);
        assert_eq!(r.verdict, AuthPage::Authenticated);
        assert_eq!(r.charset, "Shift_JIS");
        assert_eq!(r.charset_from, CharsetOrigin::HttpHeader);
        // No declaration at all: EUC-JP bytes are not valid Shift_JIS here, so the guess lands.
        let bare = encoded("<p>お客さまの回線は認証済みです。</p>", EUC_JP);
        let r = read(&bare, Some("text/html"), 200);
        assert_eq!(r.verdict, AuthPage::Authenticated, "{}", r.charset);
        assert_eq!(
            (r.charset.as_str(), r.charset_from),
            ("EUC-JP", CharsetOrigin::Guessed)
        );
    }

    #[test]
    fn a_negation_is_not_read_as_authenticated() {
        let p = "<p>この回線は認証済みではありません。</p>";
        assert_eq!(classify(p), AuthPage::NotAuthenticated);
        // Words inside a script or a comment are not the page's.
        let p = "<script>var s='認証済み';</script><!-- 認証済み --><p>準備中</p>";
        assert_eq!(classify(p), AuthPage::Unexpected);
    }

    #[test]
    fn hostile_pages_give_a_bounded_answer() {
        // Undecodable bytes, an unknown charset, unterminated tags: no panic, an answer.
        let junk: Vec<u8> = (0u8..=255).cycle().take(8192).collect();
        let r = read(&junk, Some("text/html; charset=x-no-such"), 200);
        assert_eq!(r.verdict, AuthPage::Unexpected);
        assert!(r.excerpt.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(r.bytes, 8192);
        assert_eq!(r.charset_from, CharsetOrigin::Guessed);
        assert!(
            r.undecodable,
            "bytes 0x80.. are not all Shift_JIS or EUC-JP"
        );
        let r = read(b"<title>never closed <script>", None, 200);
        assert_eq!(r.verdict, AuthPage::Unexpected);
        // A page that says 認証済み with an error status is not believed.
        let r = read(page(DONE, "utf-8").as_bytes(), None, 503);
        assert_eq!(r.verdict, AuthPage::Unexpected);
        assert_eq!(r.status, 503);
    }
}
