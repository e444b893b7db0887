//! What free text an entry may carry: one-line fields (titles, names,
//! locations) and multi-line ones (clause text, summaries, notes). It only
//! judges; escaping text for a terminal is the binary's job.

/// Characters that show nothing: a text made only of these (and
/// whitespace) is blank. Zero-width spaces and joiners, directional marks
/// and isolates, word joiners, invisible operators, the byte-order mark, the
/// soft hyphen and the combining grapheme joiner.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}')
}

/// Whether `s` shows nothing: empty, or only whitespace, control and
/// invisible characters.
pub fn is_blank(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_whitespace() || c.is_control() || invisible(c))
}

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFault {
    /// Empty, or only whitespace and invisible characters, or too long.
    Length,
    /// Holds a control character (in a one-line field: any; in multi-line
    /// text: any but newline and tab) or a line or paragraph separator in a
    /// one-line field.
    Control,
}

/// Checks a one-line field of at most `max` bytes.
pub fn check_line(s: &str, max: usize) -> Result<(), TextFault> {
    if is_blank(s) || s.len() > max {
        return Err(TextFault::Length);
    }
    if s.chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
    {
        return Err(TextFault::Control);
    }
    Ok(())
}

/// Checks multi-line text of at most `max` bytes: newlines and tabs are
/// allowed, other control characters (escape, carriage return, NUL) are not.
pub fn check_text(s: &str, max: usize) -> Result<(), TextFault> {
    if is_blank(s) || s.len() > max {
        return Err(TextFault::Length);
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(TextFault::Control);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_only_text_is_blank() {
        for s in ["", " ", "\u{200B}", "\0", "\u{FEFF} \u{200D}", "\t\n"] {
            assert!(is_blank(s), "{s:?}");
            assert_eq!(check_text(s, 100), Err(TextFault::Length), "{s:?}");
        }
        assert!(!is_blank("a\u{200B}"));
    }

    #[test]
    fn one_line_fields_refuse_line_breaks_and_escapes() {
        assert_eq!(check_line("Astana", 10), Ok(()));
        for s in ["a\nb", "a\rb", "a\u{1b}[31m", "a\u{2028}b", "a\0"] {
            assert_eq!(check_line(s, 100), Err(TextFault::Control), "{s:?}");
        }
        assert_eq!(check_line("abc", 2), Err(TextFault::Length));
    }

    #[test]
    fn multi_line_text_keeps_newlines_and_tabs_only() {
        assert_eq!(check_text("one\n\ttwo", 100), Ok(()));
        for s in ["a\rb", "a\u{1b}[2K", "a\0b", "a\u{7f}"] {
            assert_eq!(check_text(s, 100), Err(TextFault::Control), "{s:?}");
        }
    }
}
