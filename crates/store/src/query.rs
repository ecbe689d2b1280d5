//! Query steps the repositories share, generic over the two engines: a caller passes
//! its pool or `&mut *tx` as the executor, so one helper serves both backends.

use crate::db_error;
use domain::{DomainError, DomainResult, Page, Paged};
use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, QueryBuilder, Type,
};
use std::collections::HashMap;

/// The row `sql` (one `$1` for `key`) finds, if any.
pub(crate) async fn optional_row<'e, DB, E, K, R>(
    executor: E,
    sql: &'e str,
    key: K,
) -> DomainResult<Option<R>>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    K: 'e + Encode<'e, DB> + Type<DB>,
    R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    DB::Arguments<'e>: IntoArguments<'e, DB>,
{
    sqlx::query_as(sql)
        .bind(key)
        .fetch_optional(executor)
        .await
        .map_err(db_error)
}

/// The row `sql` (one `$1` for the code) finds for `code`; an unknown code is invalid
/// input on `field`: "no {what} has the code '{code}'".
pub(crate) async fn row_by_code<'e, DB, E, R>(
    executor: E,
    sql: &'e str,
    code: &'e str,
    field: impl Into<String>,
    what: &str,
) -> DomainResult<R>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    &'e str: Encode<'e, DB> + Type<DB>,
    DB::Arguments<'e>: IntoArguments<'e, DB>,
{
    let row: Option<R> = optional_row(executor, sql, code).await?;
    row.ok_or_else(|| DomainError::invalid(field, format!("no {what} has the code '{code}'")))
}

/// The id `sql` (one `$1` for the code) finds for `code`, as [`row_by_code`].
pub(crate) async fn id_by_code<'e, DB, E>(
    executor: E,
    sql: &'e str,
    code: &'e str,
    field: impl Into<String>,
    what: &str,
) -> DomainResult<i64>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    (i64,): for<'r> FromRow<'r, DB::Row>,
    &'e str: Encode<'e, DB> + Type<DB>,
    DB::Arguments<'e>: IntoArguments<'e, DB>,
{
    let (id,) = row_by_code::<DB, E, (i64,)>(executor, sql, code, field, what).await?;
    Ok(id)
}

/// The row `sql` (one `$1` for `key`) finds, or `NotFound { entity }`.
pub(crate) async fn one_or_not_found<'e, DB, E, K, R>(
    executor: E,
    sql: &'e str,
    key: K,
    entity: &'static str,
) -> DomainResult<R>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    K: 'e + Encode<'e, DB> + Type<DB>,
    R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    DB::Arguments<'e>: IntoArguments<'e, DB>,
{
    let row: Option<R> = optional_row(executor, sql, key).await?;
    row.ok_or(DomainError::NotFound { entity })
}

/// Fails with invalid input on `code` ("'{code}' is already used{taken_by}") when `sql`
/// (one `$1` for the code) finds a row other than `except`.
pub(crate) async fn ensure_code_free<'e, DB, E>(
    executor: E,
    sql: &'e str,
    code: &'e str,
    except: Option<i64>,
    taken_by: &str,
) -> DomainResult<()>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    (i64,): for<'r> FromRow<'r, DB::Row>,
    &'e str: Encode<'e, DB> + Type<DB>,
    DB::Arguments<'e>: IntoArguments<'e, DB>,
{
    let taken: Option<(i64,)> = optional_row(executor, sql, code).await?;
    match taken {
        Some((id,)) if Some(id) != except => Err(DomainError::invalid(
            "code",
            format!("'{code}' is already used{taken_by}"),
        )),
        _ => Ok(()),
    }
}

/// The rows the built query `qb` returns.
pub(crate) async fn fetch_rows<'q, 'c, DB, E, R>(
    executor: E,
    qb: &'q mut QueryBuilder<'q, DB>,
) -> DomainResult<Vec<R>>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    DB::Arguments<'q>: IntoArguments<'q, DB>,
{
    qb.build_query_as()
        .fetch_all(executor)
        .await
        .map_err(db_error)
}

/// The `(key, id)` rows `sql` selects, as a map from key to id (how import files
/// resolve numbers and codes).
pub(crate) async fn id_map<'e, DB, E>(
    executor: E,
    sql: &'e str,
) -> DomainResult<HashMap<String, i64>>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    (String, i64): for<'r> FromRow<'r, DB::Row>,
    DB::Arguments<'e>: IntoArguments<'e, DB>,
{
    let pairs: Vec<(String, i64)> = sqlx::query_as(sql)
        .fetch_all(executor)
        .await
        .map_err(db_error)?;
    Ok(pairs.into_iter().collect())
}

/// One page of a listing and the count of all its rows: `rows` (filtered and ordered;
/// the page's LIMIT and OFFSET are pushed here) and `count` (the same filter).
pub(crate) async fn fetch_page<'q, DB, E, R>(
    executor: E,
    rows: &'q mut QueryBuilder<'q, DB>,
    count: &'q mut QueryBuilder<'q, DB>,
    page: Page,
) -> DomainResult<(Vec<R>, i64)>
where
    DB: Database,
    E: Executor<'q, Database = DB> + Copy,
    R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    i64: Encode<'q, DB> + Type<DB> + for<'r> Decode<'r, DB>,
    usize: ColumnIndex<DB::Row>,
    DB::Arguments<'q>: IntoArguments<'q, DB>,
{
    rows.push(" LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let items = fetch_rows(executor, rows).await?;
    let total = count
        .build_query_scalar()
        .fetch_one(executor)
        .await
        .map_err(db_error)?;
    Ok((items, total))
}

/// The page `page` of a listing of `total` rows holding `items`.
pub(crate) fn paged<T>(page: Page, total: i64, items: Vec<T>) -> Paged<T> {
    Paged {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }
}

/// The rows of `select`, which ends in `IN (`, for `values` (bound as `$1, $2, ...`),
/// with `tail` (an ORDER BY, say) after the list; no values, no rows (and no query).
pub(crate) async fn fetch_in<'c, DB, E, T, R>(
    executor: E,
    select: &str,
    values: impl IntoIterator<Item = T>,
    tail: &str,
) -> DomainResult<Vec<R>>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    T: 'static + Send + for<'a> Encode<'a, DB> + Type<DB>,
    R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    for<'a> DB::Arguments<'a>: IntoArguments<'a, DB>,
{
    let values: Vec<T> = values.into_iter().collect();
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
    let sql = format!("{select}{}){tail}", placeholders.join(", "));
    let mut query = sqlx::query_as(&sql);
    for value in values {
        query = query.bind(value);
    }
    let rows = query.fetch_all(executor).await.map_err(db_error)?;
    Ok(rows)
}

/// Ends an `IN (` list the query so far opened: binds `values`, comma-separated, and
/// closes the parenthesis.
pub(crate) fn push_in_list<'a, DB, T>(
    qb: &mut QueryBuilder<'a, DB>,
    values: impl IntoIterator<Item = T>,
) where
    DB: Database,
    T: 'a + Encode<'a, DB> + Type<DB>,
{
    let mut list = qb.separated(", ");
    for value in values {
        list.push_bind(value);
    }
    qb.push(")");
}

/// Pushes ` AND (LOWER(c1) LIKE p ESCAPE '\' OR LOWER(c2) LIKE p ESCAPE '\' ...)`: any
/// of `columns` contains the [`crate::contains_pattern`] `pattern`.
pub(crate) fn push_any_contains<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    columns: &[&str],
    pattern: &str,
) where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
{
    qb.push(" AND (");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push(format_args!("LOWER({column}) LIKE "))
            .push_bind(pattern.to_string())
            .push(" ESCAPE '\\'");
    }
    qb.push(")");
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Postgres;

    #[test]
    fn any_contains_ors_a_like_per_column() {
        let mut qb = QueryBuilder::<Postgres>::new("SELECT 1 FROM t WHERE 1=1");
        push_any_contains(&mut qb, &["a.x", "b.y"], "%q%");
        assert_eq!(
            qb.sql(),
            "SELECT 1 FROM t WHERE 1=1 AND (LOWER(a.x) LIKE $1 ESCAPE '\\' OR LOWER(b.y) LIKE $2 ESCAPE '\\')"
        );
    }

    #[test]
    fn in_lists_bind_each_value_and_close() {
        let mut qb = QueryBuilder::<Postgres>::new("SELECT 1 FROM t WHERE id IN (");
        push_in_list(&mut qb, [3_i64, 1, 2]);
        assert_eq!(qb.sql(), "SELECT 1 FROM t WHERE id IN ($1, $2, $3)");
    }

    #[test]
    fn a_page_keeps_its_number_and_size() {
        let page = Page::new(Some(3), Some(20));
        let p = paged(page, 41, vec!["a"]);
        assert_eq!(
            (p.page, p.per_page, p.total, p.items),
            (3, 20, 41, vec!["a"])
        );
    }
}
