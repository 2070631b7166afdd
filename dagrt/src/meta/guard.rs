//! The read-only guard on user SQL: SQLite's authorizer allows reading and nothing else.

use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};

use super::{MetaError, Table};

/// Pragmas a query may use: they only describe the schema or the build (`PRAGMA
/// table_info(runs)`, `SELECT * FROM pragma_table_info('profiling')`).
const READ_ONLY_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "function_list",
    "collation_list",
    "pragma_list",
    "compile_options",
];

/// Functions that reach outside the database.
const REFUSED_FUNCTIONS: &[&str] = &["load_extension", "fts3_tokenizer"];

/// What a query is told when it tries anything but reading.
const ONLY_READ: &str = "queries may only read (SELECT, WITH, EXPLAIN, or a PRAGMA that \
     describes the schema such as table_info)";

/// The verdict on one action, or the description of why it is refused.
fn judge(action: &AuthAction<'_>) -> Result<(), String> {
    match *action {
        AuthAction::Select | AuthAction::Read { .. } | AuthAction::Recursive => Ok(()),
        AuthAction::Function { function_name } => {
            if REFUSED_FUNCTIONS
                .iter()
                .any(|f| f.eq_ignore_ascii_case(function_name))
            {
                Err(format!("function {function_name}()"))
            } else {
                Ok(())
            }
        }
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            if READ_ONLY_PRAGMAS
                .iter()
                .any(|p| p.eq_ignore_ascii_case(pragma_name))
            {
                Ok(())
            } else {
                match pragma_value {
                    Some(v) => Err(format!("PRAGMA {pragma_name} = {v}")),
                    None => Err(format!("PRAGMA {pragma_name}")),
                }
            }
        }
        AuthAction::Transaction { .. } => Err("a transaction statement".to_owned()),
        AuthAction::Savepoint { savepoint_name, .. } => {
            Err(format!("a SAVEPOINT/RELEASE statement ({savepoint_name})"))
        }
        AuthAction::Attach { filename } => Err(format!("ATTACH DATABASE {filename:?}")),
        AuthAction::Detach { database_name } => Err(format!("DETACH DATABASE {database_name}")),
        // SQLite asks about its own bookkeeping first (`INSERT INTO sqlite_master` before
        // `CREATE TABLE t`), and stops at the first refusal.
        AuthAction::Insert { table_name }
        | AuthAction::Update { table_name, .. }
        | AuthAction::Delete { table_name }
            if table_name == "sqlite_master" || table_name == "sqlite_temp_master" =>
        {
            Err("a change of the schema (CREATE, DROP, ALTER)".to_owned())
        }
        AuthAction::Insert { table_name } => Err(format!("INSERT INTO {table_name}")),
        AuthAction::Update { table_name, .. } => Err(format!("UPDATE {table_name}")),
        AuthAction::Delete { table_name } => Err(format!("DELETE FROM {table_name}")),
        AuthAction::CreateTable { table_name } | AuthAction::CreateTempTable { table_name } => {
            Err(format!("CREATE TABLE {table_name}"))
        }
        AuthAction::CreateView { view_name } | AuthAction::CreateTempView { view_name } => {
            Err(format!("CREATE VIEW {view_name}"))
        }
        AuthAction::CreateIndex { index_name, .. }
        | AuthAction::CreateTempIndex { index_name, .. } => {
            Err(format!("CREATE INDEX {index_name}"))
        }
        AuthAction::DropTable { table_name } | AuthAction::DropTempTable { table_name } => {
            Err(format!("DROP TABLE {table_name}"))
        }
        AuthAction::DropView { view_name } | AuthAction::DropTempView { view_name } => {
            Err(format!("DROP VIEW {view_name}"))
        }
        AuthAction::DropIndex { index_name, .. } | AuthAction::DropTempIndex { index_name, .. } => {
            Err(format!("DROP INDEX {index_name}"))
        }
        AuthAction::Reindex { .. } => Err("REINDEX".to_owned()),
        AuthAction::Analyze { .. } => Err("ANALYZE".to_owned()),
        AuthAction::AlterTable { table_name, .. } => Err(format!("ALTER TABLE {table_name}")),
        ref other => Err(format!("{other:?}")),
    }
}

/// Prepares and runs one user statement on `conn` with every action but reading refused.
///
/// The authorizer is consulted while SQLite compiles the statement (and if it recompiles
/// it), so a refused statement never runs; it is removed again before returning. As a
/// second line of defence, a statement SQLite does not call read-only is refused too, and
/// a connection somehow left inside a transaction is rolled back.
pub(super) fn query_read_only(conn: &mut Connection, sql: &str) -> Result<Table, MetaError> {
    let refused: Arc<Mutex<Option<String>>> = Arc::default();
    let seen = Arc::clone(&refused);
    let sql_err = |message: String| MetaError::Sql {
        query: sql.to_owned(),
        message,
    };
    conn.authorizer(Some(move |ctx: AuthContext<'_>| match judge(&ctx.action) {
        Ok(()) => Authorization::Allow,
        Err(what) => {
            let mut first = seen.lock().unwrap_or_else(|e| e.into_inner());
            first.get_or_insert(what);
            Authorization::Deny
        }
    }))
    .map_err(|e| sql_err(e.to_string()))?;
    let result = run(conn, sql, &refused);
    let reset = conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>);
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    let table = result?;
    reset.map_err(|e| sql_err(e.to_string()))?;
    Ok(table)
}

fn run(conn: &Connection, sql: &str, refused: &Mutex<Option<String>>) -> Result<Table, MetaError> {
    let sql_err = |e: rusqlite::Error| {
        let refused = refused.lock().unwrap_or_else(|e| e.into_inner()).take();
        MetaError::Sql {
            query: sql.to_owned(),
            message: match refused {
                Some(what) => format!("refused {what}: {ONLY_READ}"),
                None => e.to_string(),
            },
        }
    };
    let mut stmt = conn.prepare(sql).map_err(sql_err)?;
    if !stmt.readonly() {
        return Err(MetaError::Sql {
            query: sql.to_owned(),
            message: format!("refused a statement that writes: {ONLY_READ}"),
        });
    }
    Table::collect(&mut stmt, [], sql).map_err(|e| match e {
        // A recompilation the authorizer refused: say so rather than "not authorized".
        MetaError::Sql { query, message } => {
            let refused = refused.lock().unwrap_or_else(|e| e.into_inner()).take();
            MetaError::Sql {
                query,
                message: refused.map_or(message, |what| format!("refused {what}: {ONLY_READ}")),
            }
        }
        other => other,
    })
}
