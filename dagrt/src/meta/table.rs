//! Query results: a column-major table of SQLite values with typed access and pretty printing.

use std::fmt;

use rusqlite::types::ValueRef;

use super::{MetaError, MetaWarning};

/// One SQLite value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A 64-bit integer.
    Integer(i64),
    /// A 64-bit float.
    Real(f64),
    /// UTF-8 text (invalid UTF-8 from SQLite is replaced lossily).
    Text(String),
    /// Raw bytes.
    Blob(Vec<u8>),
}

impl Value {
    pub(super) fn from_ref(v: ValueRef<'_>) -> Self {
        match v {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }

    /// The SQLite type name of this value: `NULL`, `INTEGER`, `REAL`, `TEXT` or `BLOB`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Integer(_) => "INTEGER",
            Value::Real(_) => "REAL",
            Value::Text(_) => "TEXT",
            Value::Blob(_) => "BLOB",
        }
    }

    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl fmt::Display for Value {
    /// Formats like a table cell: `NULL`, integers as is, floats with 6 decimals (scientific
    /// notation when very large or small), text verbatim, blobs as `<N bytes>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Real(x) => {
                let a = x.abs();
                if !x.is_finite() || a == 0.0 || (1e-4..1e15).contains(&a) {
                    write!(f, "{x:.6}")
                } else {
                    write!(f, "{x:.6e}")
                }
            }
            Value::Text(s) => f.write_str(s),
            Value::Blob(b) => write!(f, "<{} bytes>", b.len()),
        }
    }
}

/// Conversion from a table cell, used by [`Table::get`].
pub trait FromValue: Sized {
    /// Converts `v`, or returns `None` when it has another type. `i64` accepts only
    /// integers; `f64` accepts reals and integers; `String` only text; `Vec<u8>` blobs and
    /// text; `bool` integers (non-zero is true); `Option<T>` maps `NULL` to `None`;
    /// [`Value`] accepts anything.
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for Value {
    fn from_value(v: &Value) -> Option<Self> {
        Some(v.clone())
    }
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Real(x) => Some(*x),
            Value::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).map(|i| i != 0)
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Blob(b) => Some(b.clone()),
            Value::Text(s) => Some(s.clone().into_bytes()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// The result of a query: named columns of [`Value`]s plus the warnings (skipped files)
/// gathered while the index was brought up to date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    names: Vec<String>,
    columns: Vec<Vec<Value>>,
    len: usize,
    warnings: Vec<MetaWarning>,
}

/// A borrowed row of a [`Table`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    table: &'a Table,
    index: usize,
}

impl<'a> Row<'a> {
    /// Position of the row in the table.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The value in column number `col`, or `None` past the last column.
    pub fn get(&self, col: usize) -> Option<&'a Value> {
        self.table.columns.get(col).and_then(|c| c.get(self.index))
    }

    /// The value in the column named `name`, or `None` if there is no such column.
    pub fn by_name(&self, name: &str) -> Option<&'a Value> {
        self.table.column(name).and_then(|c| c.get(self.index))
    }

    /// The row's values, left to right.
    pub fn values(&self) -> impl Iterator<Item = &'a Value> + 'a {
        let (table, index) = (self.table, self.index);
        table.columns.iter().filter_map(move |c| c.get(index))
    }
}

impl Table {
    /// Runs a prepared statement to completion and collects every row.
    pub(super) fn collect(
        stmt: &mut rusqlite::Statement<'_>,
        params: impl rusqlite::Params,
        sql: &str,
    ) -> Result<Table, MetaError> {
        let sql_err = |e: rusqlite::Error| MetaError::Sql {
            query: sql.to_owned(),
            message: e.to_string(),
        };
        let names: Vec<String> = stmt.column_names().map(String::from).collect();
        let mut columns = vec![Vec::new(); names.len()];
        let mut rows = stmt.query(params).map_err(sql_err)?;
        let mut len = 0;
        while let Some(row) = rows.next().map_err(sql_err)? {
            for (i, col) in columns.iter_mut().enumerate() {
                col.push(Value::from_ref(row.get_ref(i).map_err(sql_err)?));
            }
            len += 1;
        }
        Ok(Table {
            names,
            columns,
            len,
            warnings: Vec::new(),
        })
    }

    pub(super) fn with_warnings(mut self, warnings: Vec<MetaWarning>) -> Self {
        self.warnings = warnings;
        self
    }

    /// Column names, in query order.
    pub fn column_names(&self) -> &[String] {
        &self.names
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// All values of the first column named `name`, or `None` if there is none.
    pub fn column(&self, name: &str) -> Option<&[Value]> {
        let i = self.names.iter().position(|n| n == name)?;
        self.columns.get(i).map(Vec::as_slice)
    }

    /// The rows, top to bottom.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len).map(move |index| Row { table: self, index })
    }

    /// Row number `index`, or `None` past the end.
    pub fn row(&self, index: usize) -> Option<Row<'_>> {
        (index < self.len).then_some(Row { table: self, index })
    }

    /// The cell at `row` in column `col`, converted to `T` (see [`FromValue`]).
    ///
    /// Fails with [`MetaError::Column`] for an unknown column, a row past the end, or a
    /// value that does not convert (e.g. `NULL` into `i64`; use `Option<i64>`).
    pub fn get<T: FromValue>(&self, row: usize, col: &str) -> Result<T, MetaError> {
        let err = |message: String| MetaError::Column {
            column: col.to_owned(),
            row,
            message,
        };
        let column = self
            .column(col)
            .ok_or_else(|| err(format!("no such column; columns are {:?}", self.names)))?;
        let v = column
            .get(row)
            .ok_or_else(|| err(format!("row out of range; the table has {} rows", self.len)))?;
        T::from_value(v).ok_or_else(|| {
            err(format!(
                "cannot convert {} value {v} to {}",
                v.type_name(),
                std::any::type_name::<T>()
            ))
        })
    }

    /// Files skipped while the index was brought up to date for this query (truncated,
    /// not Avro, foreign schema, unreadable). Empty when every file was good.
    pub fn warnings(&self) -> &[MetaWarning] {
        &self.warnings
    }
}

/// Rows shown in full by `Display`; longer tables show the first and last five.
const MAX_DISPLAY_ROWS: usize = 60;
/// Text cells longer than this many characters are cut with `...` by `Display`.
const MAX_CELL_CHARS: usize = 50;

fn cell_text(v: &Value) -> String {
    let s = v.to_string();
    let s = if matches!(v, Value::Text(_)) && s.contains(['\n', '\r', '\t']) {
        s.replace('\n', "\\n")
            .replace('\r', "\\r")
            .replace('\t', "\\t")
    } else {
        s
    };
    if s.chars().count() > MAX_CELL_CHARS {
        let cut: String = s.chars().take(MAX_CELL_CHARS - 3).collect();
        format!("{cut}...")
    } else {
        s
    }
}

impl fmt::Display for Table {
    /// Prints like a dataframe: a header, one line per row with the row number first, every
    /// cell right-aligned, floats with 6 decimals, `NULL` for nulls. Tables over 60 rows
    /// show the first and last 5 rows around a `...` line and end with `[N rows x M columns]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<usize> = if self.len > MAX_DISPLAY_ROWS {
            (0..5).chain(self.len - 5..self.len).collect()
        } else {
            (0..self.len).collect()
        };
        let mut cells: Vec<Vec<String>> = Vec::with_capacity(self.names.len() + 1);
        let mut index_col: Vec<String> = vec![String::new()];
        index_col.extend(shown.iter().map(|i| i.to_string()));
        cells.push(index_col);
        for (name, col) in self.names.iter().zip(&self.columns) {
            let mut c = vec![name.clone()];
            c.extend(
                shown
                    .iter()
                    .map(|&i| col.get(i).map(cell_text).unwrap_or_default()),
            );
            cells.push(c);
        }
        let widths: Vec<usize> = cells
            .iter()
            .map(|c| c.iter().map(|s| s.chars().count()).max().unwrap_or(0))
            .collect();
        for line in 0..=shown.len() {
            if self.len > MAX_DISPLAY_ROWS && line == 6 {
                let dots: Vec<String> = widths.iter().map(|w| format!("{:>w$}", "...")).collect();
                writeln!(f, "{}", dots.join("  ").trim_end())?;
            }
            let parts: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, &w)| format!("{:>w$}", c[line]))
                .collect();
            writeln!(f, "{}", parts.join("  ").trim_end())?;
        }
        if self.len > MAX_DISPLAY_ROWS || self.len == 0 {
            writeln!(f, "[{} rows x {} columns]", self.len, self.names.len())?;
        }
        Ok(())
    }
}
