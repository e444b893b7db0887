//! Tests of the redb store: readers beside a writer, damage, empty and
//! foreign files, repair of a file left mid-write.

use super::*;
use crate::EngineError;

fn kv(k: &str, v: &str) -> KeyValue {
    (k.as_bytes().to_vec(), v.as_bytes().to_vec())
}

fn ledger_of(n: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger");
    let mut s = RedbStore::create(&path).unwrap();
    for seq in 0..n {
        let head = seq.to_string();
        s.append(
            seq,
            format!("entry {seq}").as_bytes(),
            &[kv("h", &head), kv(&format!("c/{seq:04}"), &head)],
        )
        .unwrap();
    }
    (dir, path)
}

#[test]
fn a_reader_sees_one_snapshot_while_a_writer_appends_beside_it() {
    let (_dir, path) = ledger_of(3);
    let reader = RedbStore::open_read(&path).unwrap();
    {
        // The writer does not wait for the reader.
        let mut writer = RedbStore::open(&path).unwrap();
        writer.append(3, b"entry 3", &[kv("h", "3")]).unwrap();
        assert_eq!(writer.last_seq().unwrap(), Some(3));
    }
    assert_eq!(reader.last_seq().unwrap(), Some(2));
    assert_eq!(reader.get(3).unwrap(), None);
    assert_eq!(reader.scan(0).count(), 3);
    assert_eq!(reader.derived(b"h").unwrap().as_deref(), Some(&b"2"[..]));
    let fresh = RedbStore::open_read(&path).unwrap();
    assert_eq!(fresh.last_seq().unwrap(), Some(3));
    assert_eq!(fresh.derived(b"h").unwrap().as_deref(), Some(&b"3"[..]));
}

#[test]
fn a_reader_writes_nothing_and_keeps_recomputed_derived_data_in_memory() {
    let (_dir, path) = ledger_of(2);
    let file = layout::redb_file(&path);
    let before = std::fs::read(&file).unwrap();
    let mut reader = RedbStore::open_read(&path).unwrap();
    assert!(matches!(
        reader.append(2, b"x", &[]),
        Err(StoreError::Io(_))
    ));
    reader
        .replace_derived(&[kv("h", "r"), kv("c/0009", "n"), kv("gone", "")])
        .unwrap();
    assert_eq!(reader.derived(b"h").unwrap().as_deref(), Some(&b"r"[..]));
    assert_eq!(reader.derived(b"gone").unwrap(), None);
    let scanned: Vec<_> = reader.derived_scan(b"c/").map(|r| r.unwrap()).collect();
    assert_eq!(scanned, vec![kv("c/0009", "n")]);
    drop(reader);
    assert_eq!(std::fs::read(&file).unwrap(), before, "the file changed");
    let again = RedbStore::open_read(&path).unwrap();
    assert_eq!(again.derived(b"h").unwrap().as_deref(), Some(&b"1"[..]));
}

#[test]
fn scans_cross_many_chunks_in_order() {
    let n = 3 * SCAN_ENTRIES as u64 + 7;
    let (_dir, path) = ledger_of(n);
    for store in [
        RedbStore::open_read(&path).unwrap(),
        RedbStore::open(&path).unwrap(),
    ] {
        let seqs: Vec<u64> = store.scan(5).map(|r| r.unwrap().0).collect();
        assert_eq!(seqs, (5..n).collect::<Vec<_>>());
        let keys: Vec<Vec<u8>> = store.derived_scan(b"c/").map(|r| r.unwrap().0).collect();
        let want: Vec<Vec<u8>> = (0..n).map(|s| format!("c/{s:04}").into_bytes()).collect();
        assert_eq!(keys, want);
        assert_eq!(store.derived_scan(b"c/00").count(), 100);
        drop(store);
    }
}

#[test]
fn an_empty_database_file_is_damage_and_stays_empty() {
    let (_dir, path) = ledger_of(1);
    let file = layout::redb_file(&path);
    std::fs::write(&file, b"").unwrap();
    for outcome in [
        RedbStore::open(&path).map(drop),
        RedbStore::open_read(&path).map(drop),
        crate::DiskStore::open(&path).map(drop),
        RedbStore::create(&path).map(drop),
    ] {
        match outcome {
            Err(StoreError::Corrupt(why)) => {
                let why = why.to_string();
                assert!(
                    why.contains("ledger.redb") && why.contains("empty"),
                    "{why}"
                )
            }
            other => panic!("expected damage, got {:?}", other.err()),
        }
        assert_eq!(std::fs::metadata(&file).unwrap().len(), 0);
    }
}

#[test]
fn a_file_that_is_not_a_database_is_damage() {
    let (_dir, path) = ledger_of(1);
    std::fs::write(layout::redb_file(&path), vec![7u8; 8192]).unwrap();
    for outcome in [
        RedbStore::open(&path).map(drop),
        RedbStore::open_read(&path).map(drop),
    ] {
        assert!(
            matches!(outcome, Err(StoreError::Corrupt(_))),
            "{:?}",
            outcome.err()
        );
    }
    // The damage carries redb's own error, found by its type.
    let Err(e) = RedbStore::open(&path) else {
        panic!("opened a file that is not a database");
    };
    let cause = std::error::Error::source(&e)
        .and_then(std::error::Error::source)
        .and_then(|c| c.downcast_ref::<EngineError>())
        .expect("the engine's error as the damage's cause");
    assert!(cause.inner().downcast_ref::<redb::Error>().is_some());
}

#[test]
fn an_io_failure_carries_its_io_error() {
    let (_dir, path) = ledger_of(1);
    std::fs::remove_file(layout::lock_file(&path)).unwrap();
    std::fs::create_dir(layout::lock_file(&path)).unwrap();
    match RedbStore::open(&path).map(drop) {
        Err(e @ StoreError::FileIo { .. }) => {
            let io = std::error::Error::source(&e)
                .and_then(|c| c.downcast_ref::<std::io::Error>())
                .expect("the I/O error as the cause");
            assert!(e.to_string().ends_with(&io.to_string()), "{e}");
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn a_reader_waits_then_reports_in_use_while_an_exclusive_writer_holds_the_file() {
    let (_dir, path) = ledger_of(1);
    let holder = builder().open(layout::redb_file(&path)).unwrap();
    assert!(matches!(
        RedbStore::open_read(&path).map(drop),
        Err(StoreError::InUse(_))
    ));
    drop(holder);
    assert!(RedbStore::open_read(&path).is_ok());
}

/// A copy taken while a writer had the file open is what a crash
/// leaves: a file redb must repair before anyone reads it.
fn copy_left_mid_write(path: &Path, to: &Path) {
    let writer = RedbStore::open(path).unwrap();
    std::fs::create_dir(to).unwrap();
    std::fs::copy(layout::redb_file(path), layout::redb_file(to)).unwrap();
    drop(writer);
}

#[test]
fn a_reader_repairs_a_file_left_mid_write_where_it_can_write() {
    let (dir, path) = ledger_of(3);
    let copy = dir.path().join("copy");
    copy_left_mid_write(&path, &copy);
    assert!(matches!(
        try_open_snapshot(&layout::redb_file(&copy)),
        Ok(Opening::NeedsRepair)
    ));
    let reader = RedbStore::open_read(&copy).unwrap();
    assert_eq!(reader.last_seq().unwrap(), Some(2));
    assert_eq!(reader.scan(0).count(), 3);
}

#[test]
fn a_reader_that_cannot_repair_a_file_left_mid_write_says_so() {
    let (dir, path) = ledger_of(3);
    let copy = dir.path().join("copy");
    copy_left_mid_write(&path, &copy);
    // A lock file that cannot be opened for writing stands for a
    // directory this user cannot write (which modes cannot show root).
    std::fs::create_dir(layout::lock_file(&copy)).unwrap();
    let before = std::fs::read(layout::redb_file(&copy)).unwrap();
    match RedbStore::open_read(&copy).map(drop) {
        Err(e @ StoreError::Unrepaired { .. }) => {
            assert!(e.to_string().contains("not closed cleanly"), "{e}")
        }
        other => panic!("expected a refusal to repair, got {other:?}"),
    }
    assert_eq!(std::fs::read(layout::redb_file(&copy)).unwrap(), before);
}
