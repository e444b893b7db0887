//! The machine's clock and RFC 3339 at the edge; the ledger itself only
//! sees Unix seconds.

use anyhow::{anyhow, Result};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

pub fn parse(s: &str) -> Result<i64> {
    OffsetDateTime::parse(s.trim(), &Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| anyhow!("{s:?} is not an RFC 3339 time such as 2017-01-24T10:00:00Z ({e})"))
}

pub fn format(t: i64) -> String {
    accord_ledger::export::rfc3339(t)
}

/// The time to claim: `--time` or `ACCORD_TIME`, or (when neither is
/// given, or it is empty) this machine's clock.
pub fn claimed(flag: Option<&str>) -> Result<i64> {
    match flag {
        Some(s) if !s.trim().is_empty() => parse(s),
        _ => Ok(now()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = parse("2017-01-24T10:00:00Z").unwrap();
        assert_eq!(t, 1_485_252_000);
        assert_eq!(format(t), "2017-01-24T10:00:00Z");
        assert_eq!(parse("2017-01-24T13:00:00+03:00").unwrap(), t);
        assert!(parse("yesterday").is_err());
        assert_eq!(format(i64::MAX), format!("@{}", i64::MAX));
    }
}
