//! Times as people read them: a claimed time (Unix seconds, as entries
//! carry it) written as RFC 3339 UTC in messages. Formatting only; this
//! module never reads a clock.

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Unix seconds shown as RFC 3339 UTC (`2017-01-24T10:00:00Z`), or as
/// `@SECONDS` when outside the years RFC 3339 can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment(pub i64);

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|d| d.format(&Rfc3339).ok())
        {
            Some(text) => f.write_str(&text),
            None => write!(f, "@{}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Moment;

    #[test]
    fn writes_rfc3339_utc_and_marks_what_it_cannot_write() {
        assert_eq!(Moment(1_485_252_000).to_string(), "2017-01-24T10:00:00Z");
        assert_eq!(Moment(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Moment(i64::MAX).to_string(), format!("@{}", i64::MAX));
    }
}
