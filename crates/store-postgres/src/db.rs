//! The connection pool, and the two ways the store uses it: a write runs in one transaction,
//! committed before it answers; a read runs on a connection of the pool.

use crate::error::{Error, Res};
use sqlx::PgConnection;
use sqlx::postgres::PgPool;
use std::future::Future;
use std::pin::Pin;
use store::StoreResult;

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
    pub async fn write<T>(&self, work: impl for<'c> FnOnce(&'c mut PgConnection) -> Work<'c, T>) -> StoreResult<T> {
        let mut tx = self.pool.begin().await.map_err(Error::from)?;
        let out = work(&mut tx).await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(out)
    }

    /// Runs `work` on a connection of the pool, outside any transaction of ours (each
    /// statement is its own).
    pub async fn read<T>(&self, work: impl for<'c> FnOnce(&'c mut PgConnection) -> Work<'c, T>) -> StoreResult<T> {
        let mut c = self.pool.acquire().await.map_err(Error::from)?;
        Ok(work(&mut c).await?)
    }
}
