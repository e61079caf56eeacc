//! The NGN line-authentication pages the lab serves, as bytes in the charsets such a device may
//! use: the authenticated page in Shift_JIS (declared by the HTTP header only), the login page in
//! EUC-JP (declared by its `<meta>`), another device's page in UTF-8. Generated once from the
//! Japanese text in the comments; no I/O.

use crate::spec::LinePage;

/// "お客さまの回線は認証済みです。", in Shift_JIS.
const AUTHENTICATED: &[u8] =
    b"<!DOCTYPE html>\x0a<html lang=\"ja\"><head><title>\x89\xf1\x90\xfc\x94F\x8f\xd8</title></h\
      ead><body><h1>\x89\xf1\x90\xfc\x94F\x8f\xd8</h1><p>\x82\xa8\x8bq\x82\xb3\x82\xdc\x82\xcc\
      \x89\xf1\x90\xfc\x82\xcd\x94F\x8f\xd8\x8d\xcf\x82\xdd\x82\xc5\x82\xb7\x81B</p><p>IPv6\x83v\
      \x83\x8c\x83t\x83B\x83b\x83N\x83X\x82\xaa\x95\xcf\x8dX\x82\xb3\x82\xea\x82\xbd\x8f\xea\x8d\
      \x87\x82\xcd\x81A\x8d\xc4\x93x\x82\xb1\x82\xcc\x83y\x81[\x83W\x82\xa9\x82\xe7\x94F\x8f\xd8\
      \x82\xf0\x8ds\x82\xc1\x82\xc4\x82\xad\x82\xbe\x82\xb3\x82\xa2\x81B</p></body></html>\x0a";

/// "この回線は認証されていません。" and a login form, in EUC-JP.
const NOT_AUTHENTICATED: &[u8] =
    b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=EUC-JP\"><title\
      >\xb2\xf3\xc0\xfe\xc7\xa7\xbe\xda</title></head><body><p>\xa4\xb3\xa4\xce\xb2\xf3\xc0\xfe\
      \xa4\xcf\xc7\xa7\xbe\xda\xa4\xb5\xa4\xec\xa4\xc6\xa4\xa4\xa4\xde\xa4\xbb\xa4\xf3\xa1\xa3\
      \xa4\xaa\xb5\xd2\xa4\xb5\xa4\xdeID\xa4\xc8\xa5\xd1\xa5\xb9\xa5\xef\xa1\xbc\xa5\xc9\xa4\xf2\
      \xc6\xfe\xce\xcf\xa4\xb7\xa4\xc6\xa4\xaf\xa4\xc0\xa4\xb5\xa4\xa4\xa1\xa3</p><form method=\
      \"post\" action=\"/auth\"><input name=\"id\"><input type=\"password\" name=\"pw\"><input t\
      ype=\"submit\" value=\"\xc7\xa7\xbe\xda\"></form></body></html>\x0a";

/// A home gateway's welcome page, in UTF-8.
const UNEXPECTED: &[u8] =
    b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\xe3\x83\x9b\xe3\x83\xbc\xe3\x83\
      \xa0\xe3\x82\xb2\xe3\x83\xbc\xe3\x83\x88\xe3\x82\xa6\xe3\x82\xa7\xe3\x82\xa4</title></head\
      ><body><p>\xe3\x82\x88\xe3\x81\x86\xe3\x81\x93\xe3\x81\x9d\xe3\x80\x82\xe8\xa8\xad\xe5\xae\
      \x9a\xe7\x94\xbb\xe9\x9d\xa2\xe3\x81\xab\xe3\x81\xaf\xe3\x83\xad\xe3\x82\xb0\xe3\x82\xa4\
      \xe3\x83\xb3\xe3\x81\x97\xe3\x81\xa6\xe3\x81\x8f\xe3\x81\xa0\xe3\x81\x95\xe3\x81\x84\xe3\
      \x80\x82</p></body></html>\x0a";

/// The content type and body of `page`.
pub(crate) fn body(page: LinePage) -> (&'static str, &'static [u8]) {
    match page {
        LinePage::Authenticated => ("text/html; charset=Shift_JIS", AUTHENTICATED),
        LinePage::NotAuthenticated => ("text/html", NOT_AUTHENTICATED),
        LinePage::Unexpected => ("text/html; charset=utf-8", UNEXPECTED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_are_not_utf8_where_they_say_so() {
        // "認証されていません" in EUC-JP.
        let euc = [
            0xc7u8, 0xa7, 0xbe, 0xda, 0xa4, 0xb5, 0xa4, 0xec, 0xa4, 0xc6, 0xa4, 0xa4, 0xa4, 0xde,
            0xa4, 0xbb, 0xa4, 0xf3,
        ];
        assert!(NOT_AUTHENTICATED.windows(euc.len()).any(|w| w == euc));
        assert!(
            std::str::from_utf8(UNEXPECTED)
                .unwrap()
                .contains("ホームゲートウェイ")
        );
        // "認証済" in Shift_JIS: 0x94 0x46 0x8f 0xd8 0x8d 0xcf.
        let sjis = [0x94u8, 0x46, 0x8f, 0xd8, 0x8d, 0xcf];
        assert!(AUTHENTICATED.windows(6).any(|w| w == sjis));
    }
}
