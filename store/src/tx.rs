//! The store's own connection and transaction types: callers outside the store name these
//! ([`Conn`], [`WriteTx`]), never SeaORM's, so `api` does not depend on SeaORM.

use std::future::Future;
use std::pin::Pin;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, IsolationLevel, QueryResult, Statement, TransactionError, TransactionOptions,
    TransactionTrait,
};

use crate::{Db, StoreError};

/// What store functions run on: the database ([`Db`]) or an open [`WriteTx`].
///
/// Sealed: only the store's own types are connections, and what they can do beyond being
/// passed to store functions is the store's business.
pub trait Conn: sealed::Orm {}

impl Conn for Db {}
impl Conn for WriteTx {}
/// The bare pool ([`Db::pool`]), for the store's own tests and migrations.
impl Conn for DatabaseConnection {}

mod sealed {
    use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};

    /// SeaORM's side of a [`super::Conn`]: public in a private module, so no one outside
    /// the store can name it or implement it.
    pub trait Orm: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> {}

    impl<C> Orm for C where C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> {}
}

/// An open write transaction (from [`crate::begin_write`]), or a savepoint when it was
/// begun inside another one. Dropping it without [`WriteTx::commit`] rolls it back.
#[derive(Debug)]
pub struct WriteTx(DatabaseTransaction);

impl WriteTx {
    pub(crate) fn new(txn: DatabaseTransaction) -> Self {
        WriteTx(txn)
    }

    /// Commits the transaction (or releases the savepoint).
    ///
    /// # Errors
    /// [`StoreError::Db`] when the database refuses the commit; nothing is then changed.
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.0.commit().await?)
    }

    /// Rolls the transaction (or the savepoint) back.
    ///
    /// # Errors
    /// [`StoreError::Db`] when the database fails.
    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.0.rollback().await?)
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTx {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.0.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.0.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.0.support_returning()
    }
}

/// What a [`TransactionTrait::transaction`] callback returns.
type TxFuture<'c, T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>;

/// A transaction begun on a `WriteTx` is a savepoint in it.
#[async_trait::async_trait]
impl TransactionTrait for WriteTx {
    type Transaction = DatabaseTransaction;

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        self.0.begin().await
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<DatabaseTransaction, DbErr> {
        self.0.begin_with_config(isolation_level, access_mode).await
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        self.0.begin_with_options(options).await
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> TxFuture<'c, T, E> + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.0.transaction(callback).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> TxFuture<'c, T, E> + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.0
            .transaction_with_config(callback, isolation_level, access_mode)
            .await
    }
}
