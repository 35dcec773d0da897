//! Group commit of check-ins. Every check-in used to be its own transaction, and so its own
//! fsync: a durable write each, one at a time behind SQLite's single writer. Now one task
//! writes the check-ins: it takes the first that waits and every other already waiting (up
//! to [`MAX_BATCH`]), writes each inside its own savepoint of one transaction, commits once,
//! and only then answers each caller. No caller hears "saved" before its batch is durable; a
//! check-in that fails rolls back to its savepoint alone; a commit that fails fails every
//! check-in of the batch, as none of them is saved. With one caller at a time a batch holds
//! one check-in, as before.

use crate::{BEGIN_WRITE, db};
use sqlx::SqlitePool;
use std::sync::Mutex;
use store::{Alert, CheckIn, ClinicId, NewAlert, NewCheckIn, NewFollowUp, StoreError, StoreResult};
use tokio::sync::{mpsc, oneshot};

/// The most check-ins one transaction takes.
pub const MAX_BATCH: usize = 128;

type Written = StoreResult<(CheckIn, Option<Alert>)>;

/// A check-in to write, and where its result goes.
struct Job {
    clinic_id: ClinicId,
    check_in: NewCheckIn,
    alert: Option<NewAlert>,
    next: Option<NewFollowUp>,
    reply: oneshot::Sender<Written>,
}

/// The way to the writer task, started on first use in the runtime of its caller (and
/// again if that runtime has gone).
#[derive(Default)]
pub struct CheckInWriter {
    jobs: Mutex<Option<mpsc::UnboundedSender<Job>>>,
}

impl std::fmt::Debug for CheckInWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckInWriter").finish_non_exhaustive()
    }
}

impl CheckInWriter {
    /// Writes one check-in (with its alert and next follow-up) in the next batch, and answers
    /// once that batch is committed.
    pub async fn write(
        &self,
        pool: &SqlitePool,
        clinic_id: ClinicId,
        check_in: NewCheckIn,
        alert: Option<NewAlert>,
        next: Option<NewFollowUp>,
    ) -> Written {
        let (reply, answer) = oneshot::channel();
        let job = Job { clinic_id, check_in, alert, next, reply };
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let sender = match jobs.as_ref().filter(|s| !s.is_closed()) {
                Some(s) => s.clone(),
                None => {
                    let (sender, receiver) = mpsc::unbounded_channel();
                    tokio::spawn(run(pool.clone(), receiver));
                    *jobs = Some(sender.clone());
                    sender
                }
            };
            sender.send(job).map_err(|_| StoreError::Unavailable("the check-in writer has stopped".to_owned()))?;
        }
        answer.await.map_err(|_| StoreError::Unavailable("the check-in writer stopped before answering".to_owned()))?
    }
}

/// The writer: a batch at a time, until every sender is gone.
async fn run(pool: SqlitePool, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = write_batch(&pool, &batch).await;
        for (job, result) in batch.into_iter().zip(results) {
            // A caller that has gone away (its request timed out) no longer waits.
            let _ = job.reply.send(result);
        }
    }
}

/// The same error again, for each check-in of a batch whose commit failed.
fn again(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound(what) => StoreError::NotFound(what),
        StoreError::Conflict(what) => StoreError::Conflict(what),
        StoreError::Corrupt(m) => StoreError::Corrupt(m.clone()),
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Database(cause) => StoreError::Database(cause.to_string().into()),
    }
}

async fn write_batch(pool: &SqlitePool, batch: &[Job]) -> Vec<Written> {
    let failed_all = |e: StoreError| batch.iter().map(|_| Err(again(&e))).collect();
    let mut tx = match pool.begin_with(BEGIN_WRITE).await {
        Ok(tx) => tx,
        Err(e) => return failed_all(db(e)),
    };
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        if let Err(e) = sqlx::query("SAVEPOINT check_in").execute(&mut *tx).await {
            // The transaction itself is in trouble: nothing of this batch is kept.
            return failed_all(db(e));
        }
        let written =
            crate::write_check_in(&mut tx, job.clinic_id, &job.check_in, job.alert.clone(), job.next.clone()).await;
        let end = if written.is_ok() { "RELEASE check_in" } else { "ROLLBACK TO check_in; RELEASE check_in" };
        if let Err(e) = sqlx::raw_sql(end).execute(&mut *tx).await {
            return failed_all(db(e));
        }
        results.push(written);
    }
    match tx.commit().await {
        Ok(()) => results,
        Err(e) => failed_all(db(e)),
    }
}
