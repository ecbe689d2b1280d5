//! A timestamp column type that sorts correctly on both engines.
//!
//! PostgreSQL stores `TIMESTAMPTZ`. SQLite has no timestamp type; sqlx's default
//! text for `OffsetDateTime` varies in length (fractions are trimmed), which breaks
//! text comparison in `WHERE expires_at > $1`. `DbTime` writes one fixed-width UTC
//! form to SQLite so comparisons and `ORDER BY` are chronological.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

const SQLITE_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// A UTC timestamp column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DbTime(pub OffsetDateTime);

impl DbTime {
    #[expect(
        clippy::expect_used,
        reason = "a UTC timestamp of years 0..=9999 always formats; the store writes no other"
    )]
    fn sqlite_text(&self) -> String {
        self.0
            .to_offset(UtcOffset::UTC)
            .format(SQLITE_FORMAT)
            .expect("timestamp formats")
    }
}

impl From<OffsetDateTime> for DbTime {
    fn from(value: OffsetDateTime) -> Self {
        Self(value)
    }
}

impl From<DbTime> for OffsetDateTime {
    fn from(value: DbTime) -> Self {
        value.0
    }
}

impl Type<Sqlite> for DbTime {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for DbTime {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(self.sqlite_text(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Sqlite>>::decode(value)?;
        let parsed = PrimitiveDateTime::parse(text, SQLITE_FORMAT)?;
        Ok(Self(parsed.assume_utc()))
    }
}

impl Type<Postgres> for DbTime {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <OffsetDateTime as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for DbTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <OffsetDateTime as Encode<'_, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(<OffsetDateTime as Decode<'r, Postgres>>::decode(
            value,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sqlite_text_is_fixed_width_and_sorts() {
        let a = DbTime(datetime!(2025-01-01 00:00:00.1 UTC)).sqlite_text();
        let b = DbTime(datetime!(2025-01-01 00:00:00.12 UTC)).sqlite_text();
        let c = DbTime(datetime!(2025-01-01 08:00:00 +8)).sqlite_text();
        assert_eq!(a.len(), b.len());
        assert!(a < b);
        assert_eq!(c, "2025-01-01T00:00:00.000000Z");
    }
}
