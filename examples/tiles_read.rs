//! A benchmark probe for scripts/bench-remote.py, not part of accord: a
//! generic tlog-tiles client (the `tlog_tiles` crate, a port of Go's
//! sumdb/tlog) reading a ledger that `accord serve` serves. Each round,
//! on a fresh connection: `GET /checkpoint`, the entry bundle holding
//! entry INDEX, the tiles its inclusion proof needs, and the proof checked
//! against the checkpoint's root. Prints each round's milliseconds as JSON.
//!
//! usage: tiles_read URL INDEX ROUNDS

use std::time::Instant;

use base64::Engine;
use tlog_tiles::{Hash, TileHashReader, TileReader};

type Fail = Box<dyn std::error::Error>;

struct Http {
    base: String,
    agent: ureq::Agent,
}

impl Http {
    fn get(&self, path: &str) -> Result<Vec<u8>, Fail> {
        let mut answer = self.agent.get(format!("{}/{path}", self.base)).call()?;
        Ok(answer.body_mut().read_to_vec()?)
    }
}

impl TileReader for Http {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                // Go tlog names tiles `tile/8/<L>/<N>`; C2SP `tile/<L>/<N>`.
                let path = t.path().replacen("tile/8/", "tile/", 1);
                self.get(&path)
                    .map_err(|e| tlog_tiles::Error::InvalidInput(format!("{path}: {e}")))
            })
            .collect()
    }

    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

/// `N` as the spec's path elements (`x001/234`).
fn index_path(n: u64) -> String {
    let mut s = format!("{:03}", n % 1000);
    let mut rest = n / 1000;
    while rest > 0 {
        s = format!("x{:03}/{s}", rest % 1000);
        rest /= 1000;
    }
    s
}

fn round(base: &str, index: u64) -> Result<(), Fail> {
    let http = Http {
        base: base.trim_end_matches('/').to_owned(),
        agent: ureq::Agent::new_with_defaults(),
    };
    let checkpoint = String::from_utf8(http.get("checkpoint")?)?;
    let mut lines = checkpoint.lines().skip(1);
    let size: u64 = lines.next().ok_or("no size")?.parse()?;
    let root = base64::engine::general_purpose::STANDARD.decode(lines.next().ok_or("no root")?)?;
    let root = Hash(root.try_into().map_err(|_| "root is not 32 bytes")?);
    let bundle_index = index / 256;
    let width = (size - bundle_index * 256).min(256);
    let name = match width {
        256 => format!("tile/entries/{}", index_path(bundle_index)),
        w => format!("tile/entries/{}.p/{w}", index_path(bundle_index)),
    };
    let bundle = http.get(&name)?;
    let mut rest = &bundle[..];
    let mut entry = None;
    for n in bundle_index * 256.. {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        if n == index {
            entry = Some(&rest[2..2 + len]);
            break;
        }
        rest = &rest[2 + len..];
    }
    let leaf = tlog_tiles::record_hash(entry.ok_or("entry not in its bundle")?);
    let hashes = TileHashReader::new(size, root, &http);
    let proof = tlog_tiles::prove_record(size, index, &hashes)?;
    tlog_tiles::check_record(&proof, size, root, index, leaf)?;
    Ok(())
}

fn main() -> Result<(), Fail> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, index, rounds] = &args[..] else {
        return Err("usage: tiles_read URL INDEX ROUNDS".into());
    };
    let (index, rounds): (u64, usize) = (index.parse()?, rounds.parse()?);
    let mut ms = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        round(url, index)?;
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    println!("{{\"round_ms\": {ms:?}}}");
    Ok(())
}
