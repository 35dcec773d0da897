//! The connection pool, and the two ways the store uses it: a write runs in one transaction,
//! committed before it answers; a read runs on a connection of the pool.

use crate::error::{Error, Res};
use sqlx::PgConnection;
use sqlx::postgres::PgPool;
use std::future::Future;
use std::pin::Pin;
use store::{StoreError, StoreResult};

/// The work of one store operation on a connection.
pub type Work<'c, T> = Pin<Box<dyn Future<Output = Res<T>> + Send + 'c>>;

/// The database: a pool of connections.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: PgPool,
}

impl Db {
    /// Runs `work` in a transaction of its own and commits it: what it wrote is durable when
    /// this answers. A failure rolls the whole operation back.
    ///
    /// Once begun, a write runs to its commit or its rollback on a task of its own, whether or
    /// not its caller still waits: a request dropped half-way (its client went away) must not
    /// leave a transaction open on a pooled connection, holding its row locks (a follow-up, a
    /// shared outcome tally) until that connection is next used.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl for<'c> FnOnce(&'c mut PgConnection) -> Work<'c, T> + Send + 'static,
    ) -> StoreResult<T> {
        let pool = self.pool.clone();
        let task = tokio::spawn(async move {
            let mut tx = pool.begin().await.map_err(Error::from)?;
            match work(&mut tx).await {
                Ok(out) => {
                    tx.commit().await.map_err(Error::from)?;
                    Ok(out)
                }
                Err(e) => {
                    // At once, not when the connection is next taken from the pool.
                    let _ = tx.rollback().await;
                    Err(StoreError::from(e))
                }
            }
        });
        task.await.map_err(|e| StoreError::Database(format!("a write stopped: {e}").into()))?
    }

    /// Runs `work` on a connection of the pool, outside any transaction of ours (each
    /// statement is its own).
    pub async fn read<T>(&self, work: impl for<'c> FnOnce(&'c mut PgConnection) -> Work<'c, T>) -> StoreResult<T> {
        let mut c = self.pool.acquire().await.map_err(Error::from)?;
        Ok(work(&mut c).await?)
    }
}
