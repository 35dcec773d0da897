//! An online backup: a consistent copy of the live database in a new file, made while the
//! server keeps reading and writing.
//!
//! The copy runs on a read connection with SQLite's backup API, a batch of pages at a time
//! with a short pause between batches. Before the first page it opens a read transaction on
//! that connection and keeps it to the last: in WAL mode a reader sees one snapshot, the last
//! commit before it began, and never holds the writer up. Every page then comes from that one
//! snapshot, so the copy is the database as it stood at one commit, and a write meanwhile
//! neither tears it nor (as it would without the snapshot) starts the copy over.
//!
//! The file is created for the copy, readable by its owner only, and never overwritten. A
//! copy that fails is removed: no half-written backup is left to be mistaken for a whole one.
//! A finished copy is checked (`PRAGMA quick_check`) before it is reported.

use crate::error::{Error, Res};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::ffi::c_int;
use std::path::Path;
use std::time::Duration;
use store::StoreError;

/// Pages copied per step (4 MiB with SQLite's default 4 KiB pages).
const PAGES_PER_STEP: c_int = 1024;

/// The pause after each step, leaving the disk to the server's own reads and writes.
const PAUSE: Duration = Duration::from_millis(2);

/// How many times, in all, a step is tried again while the new file is locked (5 s of
/// [`WAIT`]) before the copy gives up.
const MOST_WAITS: u32 = 500;

/// The pause before a step is tried again when its file was locked.
const WAIT: Duration = Duration::from_millis(10);

/// Copies the database of `c` (a connection of the live database, not in a transaction) to
/// the new file `file`; its size in bytes.
pub fn backup_to(c: &Connection, file: &Path) -> Res<u64> {
    backup_with(c, file, PAGES_PER_STEP, || {
        std::thread::sleep(PAUSE);
        Ok(())
    })
}

/// [`backup_to`], `pages` pages a step, with `between` run after every step but the last.
fn backup_with(c: &Connection, file: &Path, pages: c_int, between: impl FnMut() -> Res<()>) -> Res<u64> {
    if !c.is_autocommit() {
        // Only a private in-memory database reads inside the writer's transaction, and SQLite
        // cannot copy a database from a connection that is writing it.
        return Err(failed(file, "a private in-memory database cannot be backed up".to_owned()));
    }
    create_new(file)?;
    let copied = copy(c, file, pages, between)
        .and_then(|()| std::fs::metadata(file).map(|m| m.len()).map_err(|e| failed(file, e.to_string())));
    if copied.is_err() {
        // What was written is no backup: only the file this call created goes.
        let _ = std::fs::remove_file(file);
    }
    copied
}

/// Creates `file`, empty and readable by its owner only; fails if it exists.
fn create_new(file: &Path) -> Res<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(failed(file, "the file exists; a backup never overwrites a file".to_owned()))
        }
        Err(e) => Err(failed(file, e.to_string())),
    }
}

/// Copies every page of the snapshot `c` holds to the empty database `file`, then checks the
/// copy.
fn copy(c: &Connection, file: &Path, pages: c_int, between: impl FnMut() -> Res<()>) -> Res<()> {
    let mut to =
        Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    to.execute_batch("PRAGMA synchronous = FULL")?;
    // The snapshot: a read transaction, begun by reading, held until every page is copied.
    c.execute_batch("BEGIN DEFERRED")?;
    let copied = c
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))
        .map_err(Error::from)
        .and_then(|_| steps(c, &mut to, file, pages, between));
    if c.execute_batch("COMMIT").is_err() {
        let _ = c.execute_batch("ROLLBACK");
    }
    copied?;
    let check: String = to.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(failed(file, format!("the copy failed its check: {check}")));
    }
    to.close().map_err(|(_, e)| Error::from(e))
}

/// Runs the backup's steps until every page is copied.
fn steps(
    c: &Connection,
    to: &mut Connection,
    file: &Path,
    pages: c_int,
    mut between: impl FnMut() -> Res<()>,
) -> Res<()> {
    let backup = Backup::new(c, to)?;
    let mut waits = 0;
    loop {
        match backup.step(pages)? {
            StepResult::Done => return Ok(()),
            StepResult::More => between()?,
            // Busy, Locked: the new file is locked, which only another program opening it
            // does. Wait a little, then give up.
            _ => {
                waits += 1;
                if waits > MOST_WAITS {
                    return Err(Error::Store(StoreError::Unavailable(format!(
                        "{}: the backup file stayed locked",
                        file.display()
                    ))));
                }
                std::thread::sleep(WAIT);
            }
        }
    }
}

/// A backup that failed, naming its file.
fn failed(file: &Path, why: String) -> Error {
    Error::Store(StoreError::Database(format!("{}: {why}", file.display()).into()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::SqliteStore;
    use store::{NewClinic, NewStaff, Role, Store, Timestamp};

    /// A fresh directory for one test.
    fn dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("aftercare-backup-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn count(c: &Connection, table: &str) -> i64 {
        c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    }

    /// Every step of the copy is followed by a commit from another connection: the copy still
    /// finishes, in one pass, and holds the database as it was when it began, with each
    /// transaction whole.
    #[test]
    fn a_copy_finishes_while_another_connection_commits_between_its_steps_and_holds_one_snapshot() {
        let dir = dir("snapshot");
        let source = dir.join("live.db");
        let writer = Connection::open(&source).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE a (x INTEGER, pad BLOB);
                 CREATE TABLE b (x INTEGER);
                 BEGIN;
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 INSERT INTO a SELECT i, randomblob(400) FROM n;
                 INSERT INTO b SELECT x FROM a;
                 COMMIT;",
            )
            .unwrap();
        let pages: i64 = writer.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        assert!(pages > 100, "the database spans many steps of one page: {pages}");
        let reader = Connection::open(&source).unwrap();
        let mut commits = 0_i64;
        let size = backup_with(&reader, &dir.join("copy.db"), 1, || {
            // Each transaction writes a row to both tables: a torn copy would differ.
            writer.execute_batch(
                "BEGIN IMMEDIATE; INSERT INTO a VALUES (-1, NULL); INSERT INTO b VALUES (-1); COMMIT;",
            )?;
            commits += 1;
            assert!(commits <= 2 * pages, "the copy started over after a commit: {commits} steps for {pages} pages");
            Ok(())
        })
        .unwrap();
        assert!(commits >= pages - 1, "another connection committed between the steps: {commits}");
        assert!(reader.is_autocommit(), "the snapshot is let go");
        let copy = Connection::open(dir.join("copy.db")).unwrap();
        assert_eq!(size, std::fs::metadata(dir.join("copy.db")).unwrap().len());
        assert_eq!((count(&copy, "a"), count(&copy, "b")), (2000, 2000), "the copy is the database as it began");
        assert_eq!(count(&writer, "a"), 2000 + commits, "the live database kept every commit");
        drop(copy);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_backup_never_overwrites_a_file_and_names_it() {
        let dir = dir("exists");
        let source = Connection::open(dir.join("live.db")).unwrap();
        source.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);").unwrap();
        let taken = dir.join("taken.db");
        std::fs::write(&taken, b"keep me").unwrap();
        let Err(Error::Store(StoreError::Database(e))) = backup_to(&source, &taken) else {
            panic!("a backup onto an existing file is refused");
        };
        assert!(e.to_string().contains(&taken.display().to_string()), "the error names the file: {e}");
        assert_eq!(std::fs::read(&taken).unwrap(), b"keep me", "the file is left as it was");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_backup_that_fails_leaves_no_file() {
        let dir = dir("fails");
        let source = Connection::open(dir.join("live.db")).unwrap();
        source.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);").unwrap();
        let file = dir.join("copy.db");
        let got = backup_with(&source, &file, 1, || Err(Error::Store(StoreError::Unavailable("stopped".to_owned()))));
        assert!(got.is_err());
        assert!(!file.exists(), "the half-written copy is removed");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[tokio::test]
    async fn a_private_in_memory_database_is_not_backed_up_and_no_file_is_made() {
        let dir = dir("memory");
        let store = SqliteStore::open_url("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let file = dir.join("copy.db");
        let Err(e) = store.backup_to(&file).await else { panic!("an in-memory database has no file to copy") };
        let why = std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default();
        assert!(why.contains("in-memory"), "{why}");
        assert!(!file.exists());
        store.close().await;
        std::fs::remove_dir_all(&dir).ok();
    }

    fn clinic(i: i64) -> (NewClinic, NewStaff) {
        let now = Timestamp(1_790_000_000_000 + i);
        let clinic = NewClinic {
            name: format!("Clinic {i}"),
            country: "GB".into(),
            timezone: "Europe/London".into(),
            check_in_hours: vec![24, 48],
            now,
        };
        let owner = NewStaff {
            email: format!("owner{i}@x.example"),
            name: "O".into(),
            role: Role::Owner,
            password_hash: None,
            now,
        };
        (clinic, owner)
    }

    /// The store's backup, taken while clinics are being created, opens as the data
    /// directory's database, migrates, and holds each clinic whole with its owner.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_taken_while_the_server_writes_opens_migrates_and_holds_whole_clinics() {
        let live = dir("live");
        let store = SqliteStore::open_dir(&live).await.unwrap();
        store.migrate().await.unwrap();
        for i in 0..50 {
            let (c, o) = clinic(i);
            store.create_clinic(c, o).await.unwrap();
        }
        let writing = store.clone();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let writes = tokio::spawn(async move {
            let mut i = 50;
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                let (c, o) = clinic(i);
                writing.create_clinic(c, o).await.unwrap();
                i += 1;
            }
            i
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let restored = dir("restored");
        let file = restored.join("aftercare.db");
        let size = store.backup_to(&file).await.unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let created = writes.await.unwrap();
        store.close().await;

        assert!(size > 0 && size == std::fs::metadata(&file).unwrap().len());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        let copy = SqliteStore::open_dir(&restored).await.unwrap();
        copy.migrate().await.unwrap();
        let clinics = copy.clinics().await.unwrap();
        assert!(
            clinics.len() >= 50 && clinics.len() <= usize::try_from(created).unwrap(),
            "{} of {created}",
            clinics.len()
        );
        for c in &clinics {
            let staff = copy.staff_of_clinic(c.id).await.unwrap();
            assert_eq!(staff.len(), 1, "clinic {} came with its owner", c.id);
        }
        assert!(copy.staff_by_email("owner0@x.example").await.unwrap().is_some());
        copy.close().await;

        let again = SqliteStore::open_dir(&live).await.unwrap();
        let Err(e) = again.backup_to(&file).await else { panic!("the backup file is not overwritten") };
        let why = std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default();
        assert!(why.contains(&file.display().to_string()) && why.contains("exists"), "{why}");
        again.close().await;
        std::fs::remove_dir_all(&live).ok();
        std::fs::remove_dir_all(&restored).ok();
    }
}
