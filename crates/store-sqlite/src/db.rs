//! The connections, and the one writer.
//!
//! **Writes.** One thread owns the connection that writes. Every write is a job sent to it.
//! It takes the first job that waits and every other already waiting (up to
//! [`MAX_BATCH`]), runs each in its own savepoint of one transaction, commits once (one
//! fsync for the batch), and only then answers each caller. No caller hears "saved" before
//! its batch is durable; a write that fails rolls back to its savepoint alone; a commit that
//! fails fails every write of the batch, as none of them is saved. With one caller at a time
//! a batch holds one write. A job runs inside the transaction: a write of several statements
//! is all or nothing without managing a transaction of its own.
//!
//! **Reads** run on a small pool of read-only connections, each used by one blocking task at
//! a time, so that a long read never holds up the runtime or the writer (WAL: readers see
//! the last commit and never wait for the writer). A private in-memory database has only the
//! writer's connection, and reads go to it too.
//!
//! **Hot reads on the writer.** A read connection's page cache is dropped whenever another
//! connection commits, so under a stream of check-ins nearly every read starts cold. A short
//! read that every check-in makes (the client link's) runs instead on the writer's
//! connection, whose cache no commit drops: it is a job too, answered before the next batch
//! begins, outside any transaction, so it sees the last commit and never a batch in progress.
//!
//! Every statement runs as a prepared statement kept in its connection's cache.

use crate::error::{Error, Res};
use rusqlite::{Connection, OpenFlags};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};
use std::time::Duration;
use store::{StoreError, StoreResult};
use tokio::sync::oneshot;

/// The most writes one transaction takes.
pub const MAX_BATCH: usize = 128;

/// How many read connections a file database keeps open at most.
const READERS: usize = 4;

/// How long a statement waits for a lock another connection holds before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements each connection keeps (the store runs about a hundred).
const STATEMENT_CACHE: usize = 256;

/// The database: the way to the writer, and the readers.
#[derive(Clone)]
pub struct Db {
    jobs: Arc<Mutex<Option<mpsc::Sender<Job>>>>,
    readers: Option<Arc<Readers>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("readers", &self.readers.is_some()).finish_non_exhaustive()
    }
}

/// What the writer does next.
enum Job {
    /// A write, run in a savepoint of the batch's transaction.
    Write(Box<dyn WriteJob>),
    /// Work that must run outside any transaction, alone (migrations, statistics).
    Alone(Box<dyn FnOnce(&mut Connection) + Send>),
    /// A short read of the last commit, run outside any transaction before the next batch.
    Read(Box<dyn FnOnce(&Connection) + Send>),
    /// Stop: close the connection, then answer.
    Close(oneshot::Sender<()>),
}

/// A write to run, or to refuse when its batch cannot start.
trait WriteJob: Send {
    fn run(self: Box<Self>, c: &Connection) -> Box<dyn Pending>;
    fn refuse(self: Box<Self>, e: &StoreError);
}

struct Write<F, R> {
    write: F,
    to: oneshot::Sender<StoreResult<R>>,
}

impl<F, R> WriteJob for Write<F, R>
where
    F: FnOnce(&Connection) -> Res<R> + Send + 'static,
    R: Send + 'static,
{
    fn run(self: Box<Self>, c: &Connection) -> Box<dyn Pending> {
        let Write { write, to } = *self;
        Box::new(Reply { result: guarded(|| write(c)), to })
    }

    fn refuse(self: Box<Self>, e: &StoreError) {
        let _ = self.to.send(Err(again(e)));
    }
}

/// A write that has run, waiting for its batch's commit to answer its caller.
trait Pending: Send {
    fn failed(&self) -> bool;
    fn finish(self: Box<Self>, committed: Result<(), &StoreError>);
}

struct Reply<R> {
    result: StoreResult<R>,
    to: oneshot::Sender<StoreResult<R>>,
}

impl<R: Send> Pending for Reply<R> {
    fn failed(&self) -> bool {
        self.result.is_err()
    }

    fn finish(self: Box<Self>, committed: Result<(), &StoreError>) {
        let result = match committed {
            Ok(()) => self.result,
            Err(e) => Err(again(e)),
        };
        // A caller that has gone away (its request timed out) no longer waits.
        let _ = self.to.send(result);
    }
}

/// The same error again, for each write of a batch whose commit failed.
fn again(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound(what) => StoreError::NotFound(what),
        StoreError::Conflict(what) => StoreError::Conflict(what),
        StoreError::Corrupt(m) => StoreError::Corrupt(m.clone()),
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Database(cause) => StoreError::Database(cause.to_string().into()),
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the database writer has stopped".to_owned())
}

/// Runs `f`, turning a panic into an error: the writer and the readers outlive a bug in one
/// operation.
fn guarded<R>(f: impl FnOnce() -> Res<R>) -> StoreResult<R> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(StoreError::from),
        Err(_) => Err(StoreError::Database("a store operation panicked".into())),
    }
}

impl Db {
    /// Opens the database file at `path` (created if missing): the writer, with the schema's
    /// settings, and the readers.
    pub fn open_file(path: &Path) -> StoreResult<Db> {
        let writer = open_writer(path).map_err(StoreError::from)?;
        let readers = Arc::new(Readers { path: path.to_owned(), pool: Mutex::default(), freed: Condvar::new() });
        Ok(Db::start(writer, Some(path.to_owned()), Some(readers)))
    }

    /// A private in-memory database: one connection, which reads too.
    pub fn open_memory() -> StoreResult<Db> {
        let c = Connection::open_in_memory().map_err(Error::from)?;
        settings(&c).map_err(StoreError::from)?;
        c.execute_batch("PRAGMA foreign_keys = ON").map_err(Error::from)?;
        Ok(Db::start(c, None, None))
    }

    fn start(writer: Connection, path: Option<PathBuf>, readers: Option<Arc<Readers>>) -> Db {
        let (sender, jobs) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || run(writer, path, &jobs))
            .map_or_else(
                |_| Db { jobs: Arc::default(), readers: None },
                |_| Db { jobs: Arc::new(Mutex::new(Some(sender))), readers },
            )
    }

    fn send(&self, job: Job) -> StoreResult<()> {
        let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.as_ref().ok_or_else(stopped)?.send(job).map_err(|_| stopped())
    }

    /// Runs `write` in the next batch and answers once that batch is committed (durable).
    pub async fn write<R: Send + 'static>(
        &self,
        write: impl FnOnce(&Connection) -> Res<R> + Send + 'static,
    ) -> StoreResult<R> {
        let (to, answer) = oneshot::channel();
        self.send(Job::Write(Box::new(Write { write, to })))?;
        answer.await.map_err(|_| stopped())?
    }

    /// Runs `work` on the writer's connection outside any transaction, between batches.
    pub async fn alone<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Res<R> + Send + 'static,
    ) -> StoreResult<R> {
        let (to, answer) = oneshot::channel();
        self.send(Job::Alone(Box::new(move |c: &mut Connection| {
            let _ = to.send(guarded(|| work(c)));
        })))?;
        answer.await.map_err(|_| stopped())?
    }

    /// Runs `read` on the writer's connection, outside any transaction, before the next
    /// batch: it sees the last commit, like any read. The writer's page cache stays warm (a
    /// read connection's is dropped at every commit), so a short, hot read (a client link's)
    /// costs less here; a long read belongs on a read connection, as it holds up the writes.
    pub async fn read_on_writer<R: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> Res<R> + Send + 'static,
    ) -> StoreResult<R> {
        let (to, answer) = oneshot::channel();
        self.send(Job::Read(Box::new(move |c: &Connection| {
            let _ = to.send(guarded(|| read(c)));
        })))?;
        answer.await.map_err(|_| stopped())?
    }

    /// Runs `read` on a read connection (on the writer's, for an in-memory database).
    pub async fn read<R: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> Res<R> + Send + 'static,
    ) -> StoreResult<R> {
        let Some(readers) = self.readers.clone() else {
            return self.write(read).await;
        };
        tokio::task::spawn_blocking(move || {
            let c = readers.take()?;
            let result = guarded(|| read(&c.0));
            readers.give(c);
            result
        })
        .await
        .map_err(|_| StoreError::Database("a read was cancelled".into()))?
    }

    /// Finishes the writes already sent, then closes every connection.
    pub async fn close(&self) {
        let sender = self.jobs.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(sender) = sender {
            let (to, closed) = oneshot::channel();
            if sender.send(Job::Close(to)).is_ok() {
                let _ = closed.await;
            }
        }
        if let Some(readers) = &self.readers {
            readers.close();
        }
    }
}

/// The settings of every connection.
fn settings(c: &Connection) -> Res<()> {
    c.busy_timeout(BUSY_TIMEOUT)?;
    c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

fn open_writer(path: &Path) -> Res<Connection> {
    let c = Connection::open(path)?;
    settings(&c)?;
    c.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         -- What is deleted or overwritten is zeroed in the file, not left in free space: a
         -- client's erased words must not be readable from the database file.
         PRAGMA secure_delete = ON;
         -- The planner's statistics, as SQLite advises for long-lived connections: gathered
         -- (within a bounded effort) when the connection opens, and refreshed every hour by
         -- `refresh_statistics`.
         PRAGMA analysis_limit = 400;
         PRAGMA optimize = 0x10002;",
    )?;
    Ok(c)
}

/// The writer's loop: a batch at a time, until closed or every sender is gone.
fn run(mut c: Connection, path: Option<PathBuf>, jobs: &mpsc::Receiver<Job>) {
    let mut next: Option<Job> = None;
    loop {
        let job = match next.take() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        match job {
            Job::Close(to) => {
                drop(c);
                let _ = to.send(());
                return;
            }
            Job::Alone(work) => work(&mut c),
            Job::Read(read) => read(&c),
            Job::Write(first) => {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match jobs.try_recv() {
                        Ok(Job::Write(w)) => batch.push(w),
                        // A read that waits is answered before the batch, from the last commit.
                        Ok(Job::Read(read)) => read(&c),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                write_batch(&c, batch);
            }
        }
        if !c.is_autocommit() {
            // A transaction left open (a rollback that failed too) would make every later
            // batch a savepoint inside it that never commits: start again on a fresh connection.
            let _ = c.execute_batch("ROLLBACK");
            if !c.is_autocommit()
                && let Some(fresh) = path.as_deref().and_then(|p| open_writer(p).ok())
            {
                c = fresh;
            }
        }
    }
}

/// Runs one statement of the batch's frame (prepared once, then taken from the cache).
fn frame(c: &Connection, sql: &str) -> rusqlite::Result<()> {
    c.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn write_batch(c: &Connection, batch: Vec<Box<dyn WriteJob>>) {
    let mut done: Vec<Box<dyn Pending>> = Vec::with_capacity(batch.len());
    let mut rest = batch.into_iter();
    let sql = |e: rusqlite::Error| StoreError::from(Error::from(e));
    let failed: Option<StoreError> = match frame(c, "BEGIN IMMEDIATE") {
        Err(e) => Some(sql(e)),
        Ok(()) => loop {
            let Some(w) = rest.next() else { break frame(c, "COMMIT").err().map(sql) };
            if let Err(e) = frame(c, "SAVEPOINT write") {
                rest = std::iter::once(w).chain(rest).collect::<Vec<_>>().into_iter();
                break Some(sql(e));
            }
            let pending = w.run(c);
            let failed = pending.failed();
            done.push(pending);
            if failed && c.is_autocommit() {
                // SQLite rolled the whole transaction back (a full disk or an I/O error in
                // the middle of a statement does): nothing of the batch is written.
                break Some(StoreError::Unavailable("the database rolled the writes back".to_owned()));
            }
            let undone = if failed { frame(c, "ROLLBACK TO write") } else { Ok(()) };
            if let Err(e) = undone.and_then(|()| frame(c, "RELEASE write")) {
                break Some(sql(e));
            }
        },
    };
    match failed {
        None => done.into_iter().for_each(|d| d.finish(Ok(()))),
        Some(e) => {
            // Nothing of this batch is kept: each caller hears why.
            if !c.is_autocommit() {
                let _ = c.execute_batch("ROLLBACK");
            }
            done.into_iter().for_each(|d| d.finish(Err(&e)));
            rest.for_each(|w| w.refuse(&e));
        }
    }
}

/// The read connections of a file database.
struct Readers {
    path: PathBuf,
    pool: Mutex<Pool>,
    freed: Condvar,
}

#[derive(Default)]
struct Pool {
    idle: Vec<Connection>,
    open: usize,
    closed: bool,
}

/// A read connection taken from the pool.
struct Reader(Connection);

impl Readers {
    fn take(&self) -> StoreResult<Reader> {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if pool.closed {
                return Err(stopped());
            }
            if let Some(c) = pool.idle.pop() {
                return Ok(Reader(c));
            }
            if pool.open < READERS {
                pool.open += 1;
                drop(pool);
                return self.open().map(Reader).map_err(|e| {
                    self.pool.lock().unwrap_or_else(PoisonError::into_inner).open -= 1;
                    self.freed.notify_one();
                    e.into()
                });
            }
            pool = self.freed.wait(pool).unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn open(&self) -> Res<Connection> {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        settings(&c)?;
        // A read connection cannot write, whatever a read asks of it.
        c.execute_batch("PRAGMA query_only = ON")?;
        Ok(c)
    }

    fn give(&self, c: Reader) {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.closed || !c.0.is_autocommit() {
            pool.open -= 1;
        } else {
            pool.idle.push(c.0);
        }
        drop(pool);
        self.freed.notify_one();
    }

    fn close(&self) {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        pool.closed = true;
        pool.open -= pool.idle.len();
        pool.idle.clear();
        drop(pool);
        self.freed.notify_all();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn write<F>(write: F) -> (Box<dyn WriteJob>, oneshot::Receiver<StoreResult<()>>)
    where
        F: FnOnce(&Connection) -> Res<()> + Send + 'static,
    {
        let (to, answer) = oneshot::channel();
        (Box::new(Write { write, to }), answer)
    }

    fn insert(x: i64) -> impl FnOnce(&Connection) -> Res<()> + Send + 'static {
        move |c: &Connection| Ok(c.execute("INSERT INTO t (x) VALUES (?)", [x]).map(|_| ())?)
    }

    fn rows(c: &Connection) -> i64 {
        c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_read_on_the_writer_runs_before_the_batch_outside_any_transaction() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let (jobs, queue) = mpsc::channel();
        let (a, ra) = write(insert(1));
        jobs.send(Job::Write(a)).unwrap();
        // Queued after the first write and before the second: answered before their batch,
        // from the last commit, when no transaction is open.
        let (seen, saw) = std::sync::mpsc::channel();
        jobs.send(Job::Read(Box::new(move |c: &Connection| {
            seen.send((c.is_autocommit(), rows(c))).unwrap();
        })))
        .unwrap();
        let (b, rb) = write(insert(2));
        jobs.send(Job::Write(b)).unwrap();
        // Work alone ends the batch, which commits before it runs.
        let (counted, after) = std::sync::mpsc::channel();
        jobs.send(Job::Alone(Box::new(move |c: &mut Connection| counted.send(rows(c)).unwrap()))).unwrap();
        drop(jobs);
        run(c, None, &queue);
        assert_eq!(saw.recv().unwrap(), (true, 0), "the read saw no batch in progress");
        assert!(ra.blocking_recv().unwrap().is_ok() && rb.blocking_recv().unwrap().is_ok());
        assert_eq!(after.recv().unwrap(), 2, "the batch of both writes committed after the read");
    }

    #[test]
    fn a_failed_write_undoes_only_itself_and_the_batch_commits_the_rest() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (x INTEGER UNIQUE)").unwrap();
        let (a, ra) = write(insert(1));
        let (b, rb) = write(|c: &Connection| {
            insert(2)(c)?;
            insert(1)(c) // taken: this write fails, and its first insert goes with it
        });
        let (d, rd) = write(insert(3));
        write_batch(&c, vec![a, b, d]);
        assert!(ra.blocking_recv().unwrap().is_ok());
        assert!(matches!(rb.blocking_recv().unwrap(), Err(StoreError::Conflict(_))));
        assert!(rd.blocking_recv().unwrap().is_ok());
        let kept: Vec<i64> =
            c.prepare("SELECT x FROM t ORDER BY x").unwrap().query_map([], |r| r.get(0)).unwrap().flatten().collect();
        assert_eq!(kept, vec![1, 3]);
        assert!(c.is_autocommit(), "the batch's transaction is over");
    }

    #[test]
    fn a_write_after_which_sqlite_rolled_everything_back_fails_the_whole_batch_as_unavailable() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let (a, ra) = write(insert(1));
        // What SQLite does on a full disk in the middle of a statement: the whole
        // transaction is rolled back, not only the statement.
        let (b, rb) = write(|c: &Connection| {
            c.execute_batch("ROLLBACK")?;
            Err(Error::Store(StoreError::Unavailable("database or disk is full".to_owned())))
        });
        let (d, rd) = write(insert(3));
        write_batch(&c, vec![a, b, d]);
        for answer in [ra, rb, rd] {
            let got = answer.blocking_recv().unwrap();
            assert!(matches!(got, Err(StoreError::Unavailable(_))), "{got:?}");
        }
        assert_eq!(rows(&c), 0, "nothing of the batch is written, and no caller heard it was");
        assert!(c.is_autocommit());
    }
}
