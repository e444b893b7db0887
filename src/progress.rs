//! Progress bars for the long runs (verify, import, export), on standard
//! error and only when it is a terminal: never when output is piped or
//! logged, never with --json, never for runs too short to need one.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Below this many entries (or a file of this many bytes) a run takes about
/// a second or less: no bar.
const MIN_ENTRIES: u64 = 20_000;
const MIN_BYTES: u64 = 8 << 20;

/// A bar up to `total`, or a hidden one when not wanted or not worth it.
fn bar(total: u64, min: u64, template: &str, what: &str, quiet: bool) -> ProgressBar {
    if quiet || total < min || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// A bar counting `total` entries.
pub fn entries(total: u64, what: &str, quiet: bool) -> ProgressBar {
    bar(
        total,
        MIN_ENTRIES,
        "{msg} [{bar:32}] {human_pos}/{human_len} entries, {per_sec}, {eta} left",
        what,
        quiet,
    )
}

/// A bar over the `total` bytes of a file being read.
pub fn bytes(total: u64, what: &str, quiet: bool) -> ProgressBar {
    bar(
        total,
        MIN_BYTES,
        "{msg} [{bar:32}] {bytes}/{total_bytes}, {bytes_per_sec}, {eta} left",
        what,
        quiet,
    )
}
