//! How text reaches the terminal: whole UTF-8 strings through the standard library's stdout and
//! stderr, never a raw handle and never another encoding, and colour only where it shows as
//! colour. On a Windows console, std turns UTF-8 into UTF-16 and calls `WriteConsoleW`
//! (library/std/src/sys/stdio/windows.rs), so Japanese reads the same under code page 932 as
//! under 65001; redirected to a file or a pipe, the bytes are UTF-8. Uses `platform` only.

use std::io::{self, Write};

/// Writes `s` to stdout; a closed pipe (`| head`) is not an error.
pub(super) fn print(s: &str) {
    let _ = write_text(&mut io::stdout().lock(), s);
}

/// The one way text is written: the whole `&str` (always UTF-8, so std's console writer never
/// meets a byte sequence it must refuse), then a flush.
fn write_text(out: &mut impl Write, s: &str) -> io::Result<()> {
    out.write_all(s.as_bytes())?;
    out.flush()
}

/// Whether to colour what goes to stdout (or stderr): only a terminal that shows escape
/// sequences as colour, and never with a non-empty `NO_COLOR` (no-color.org).
pub(super) fn colour(stderr: bool) -> bool {
    use std::io::IsTerminal;
    let terminal = if stderr {
        io::stderr().is_terminal()
    } else {
        io::stdout().is_terminal()
    };
    decide_colour(std::env::var_os("NO_COLOR").as_deref(), terminal, || {
        crate::platform::escape_sequences(stderr)
    })
}

/// [`colour`]'s rule; the console is asked (and on Windows switched) only for a terminal.
fn decide_colour(
    no_color: Option<&std::ffi::OsStr>,
    terminal: bool,
    escapes: impl FnOnce() -> bool,
) -> bool {
    no_color.is_none_or(|v| v.is_empty()) && terminal && escapes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Windows console as Rust's std writes to it (not code page 65001): each write takes at most
    /// 4096 bytes, refuses a chunk that opens with bytes that are not UTF-8, and passes the
    /// valid prefix on as UTF-16 (`WriteConsoleW`), returning how many bytes it consumed.
    #[derive(Default)]
    struct Utf16Console {
        shown: Vec<u16>,
        writes: usize,
    }

    impl Write for Utf16Console {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.writes += 1;
            let chunk = &data[..data.len().min(4096)];
            let text = match std::str::from_utf8(chunk) {
                Ok(s) => s,
                Err(e) if e.valid_up_to() > 0 => {
                    std::str::from_utf8(&chunk[..e.valid_up_to()]).unwrap()
                }
                Err(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "Windows stdio in console mode does not support writing non-UTF-8",
                    ));
                }
            };
            self.shown.extend(text.encode_utf16());
            Ok(text.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A Japanese round, long enough that the console's 4096-byte writes fall inside characters.
    fn japanese_text() -> String {
        let line = "  合格   DNS ラウンドロビン       ntp.base.oqs-pdl.org · 応答 4 件 · 時刻差の中央値 0.3 ms\n";
        line.repeat(160)
    }

    #[test]
    fn japanese_reaches_a_windows_console_whole_as_utf16() {
        let text = japanese_text();
        assert!(text.len() > 3 * 4096);
        let mut console = Utf16Console::default();
        write_text(&mut console, &text).unwrap();
        assert_eq!(String::from_utf16(&console.shown).unwrap(), text);
        // Several writes, each ending on a character boundary.
        assert!(console.writes >= 4, "{}", console.writes);
    }

    #[test]
    fn redirected_output_is_the_utf8_bytes() {
        let text = japanese_text();
        let mut file = Vec::new();
        write_text(&mut file, &text).unwrap();
        // No byte-order mark, no code page 932: the file is the UTF-8 text.
        assert_eq!(file, text.as_bytes());
        assert_eq!(&file[2..5], "合".as_bytes());
    }

    #[test]
    fn colour_only_on_a_terminal_that_shows_it() {
        let asked = std::cell::Cell::new(0);
        let escapes = |ok: bool| {
            let asked = &asked;
            move || {
                asked.set(asked.get() + 1);
                ok
            }
        };
        assert!(decide_colour(None, true, escapes(true)));
        // A Windows console that cannot process escape sequences: no colour, not `←[32m`.
        assert!(!decide_colour(None, true, escapes(false)));
        assert!(decide_colour(
            Some(std::ffi::OsStr::new("")),
            true,
            escapes(true)
        ));
        assert_eq!(asked.get(), 3);
        // Redirected, or NO_COLOR: the console is not even asked.
        assert!(!decide_colour(None, false, escapes(true)));
        assert!(!decide_colour(
            Some(std::ffi::OsStr::new("1")),
            true,
            escapes(true)
        ));
        assert_eq!(asked.get(), 3);
    }
}
