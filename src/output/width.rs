//! Display width of terminal text, and padding by it: East Asian wide characters (Japanese) take
//! two columns, so every column and line-up of the human renderers pads with these, never with
//! `{:<N}` / `{:>N}` on text (those count characters). Depends on nothing in the crate.
//!
//! Ambiguous-width characters (`·`, `→`, `–`, `±`) count one column, as terminals show them by
//! default. Pad plain text and colour it afterwards: escape sequences are not text.

use unicode_width::UnicodeWidthStr;

/// The columns `s` takes on a terminal.
pub(crate) fn display_width(s: &str) -> usize {
    s.width()
}

/// `s` followed by spaces up to `width` columns; unchanged when it is already as wide or wider.
pub(crate) fn pad_right(s: &str, width: usize) -> String {
    let fill = width.saturating_sub(display_width(s));
    let mut out = String::with_capacity(s.len() + fill);
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', fill));
    out
}

/// Spaces up to `width` columns, then `s`; unchanged when it is already as wide or wider.
pub(crate) fn pad_left(s: &str, width: usize) -> String {
    let fill = width.saturating_sub(display_width(s));
    let mut out = String::with_capacity(s.len() + fill);
    out.extend(std::iter::repeat_n(' ', fill));
    out.push_str(s);
    out
}

/// How a column's cells sit in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// `s` padded to `width` columns on the side `align` leaves open.
pub(crate) fn pad(s: &str, width: usize, align: Align) -> String {
    match align {
        Align::Left => pad_right(s, width),
        Align::Right => pad_left(s, width),
    }
}

/// Widens each of `widths` to the display width of the cell in the same place of `cells`, so a
/// table's columns are as wide as their widest header or row.
pub(crate) fn widen<S: AsRef<str>>(widths: &mut [usize], cells: &[S]) {
    for (w, c) in widths.iter_mut().zip(cells) {
        *w = (*w).max(display_width(c.as_ref()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_counts_two_columns_a_character() {
        assert_eq!(display_width("NTP"), 3);
        assert_eq!(display_width("対象"), 4);
        assert_eq!(display_width("遅延 (ms)"), 9);
        assert_eq!(display_width("イーサネット 2"), 14);
        // Ambiguous width: one column.
        assert_eq!(display_width("– · →"), 5);
        assert_eq!(display_width(""), 0);
    }

    #[test]
    fn pads_by_columns_not_characters() {
        assert_eq!(pad_right("現在", 6), "現在  ");
        assert_eq!(pad_right("now", 6), "now   ");
        assert_eq!(pad_left("可用性", 9), "   可用性");
        assert_eq!(pad_left("avail", 9), "    avail");
        assert_eq!(display_width(&pad_right("状態変化", 10)), 10);
    }

    #[test]
    fn columns_widen_to_their_widest_cell() {
        let mut widths = [4, 7, 9];
        widen(&mut widths, &["現在", "状態変化", "可用性"]);
        assert_eq!(widths, [4, 8, 9]);
        widen(&mut widths, &["UP", "20"]);
        assert_eq!(widths, [4, 8, 9]);
        assert_eq!(pad("状態変化", 9, Align::Right), " 状態変化");
        assert_eq!(pad("UP", 4, Align::Left), "UP  ");
    }

    #[test]
    fn text_wider_than_the_column_is_left_whole() {
        assert_eq!(pad_right("状態変化", 7), "状態変化");
        assert_eq!(pad_left("changes", 3), "changes");
        assert_eq!(pad_right("", 2), "  ");
    }
}
