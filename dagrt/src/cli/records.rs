//! Records: the commands over the profiling records — `estimate`, `history` and `sql`.

use super::dags::{choose, emit};
use super::{Context, Exit, Outcome};
use crate::meta::{MetaDb, MetaWarning};
use std::io::Write;

/// `estimate DAG [--workers N]`: the makespan predicted from the recorded mean durations.
pub(super) fn estimate(
    ctx: &mut Context,
    name: &str,
    workers: Option<u32>,
    out: &mut dyn Write,
) -> Outcome {
    let chosen = choose(ctx, name)?;
    let dir = ctx.meta_dir();
    let durations = MetaDb::open(&dir)
        .mean_runtimes(&chosen.name)
        .map_err(|e| e.to_string())?;
    if durations.is_empty() {
        return Err(format!(
            "no recorded run of DAG `{}` in {} has a completed task: record some with `{} run \
             {name} --profile` first",
            chosen.name,
            dir.display(),
            ctx.program
        ));
    }
    let workers = workers.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        |n| n as usize,
    );
    let e = chosen
        .dag
        .estimate(&durations, workers)
        .map_err(|e| e.to_string())?;
    let mut text = format!(
        "DAG `{}` on {workers} worker{}: estimated makespan {:.3} s\n",
        chosen.name,
        if workers == 1 { "" } else { "s" },
        e.makespan
    );
    text.push_str(&format!(
        "critical path ({:.3} s): {}\n",
        e.critical_path_duration,
        e.critical_path.join(" -> ")
    ));
    if !e.missing.is_empty() {
        text.push_str(&format!(
            "no recorded duration (counted as 0 s): {}\n",
            e.missing.join(", ")
        ));
    }
    emit(out, &text)?;
    Ok(Exit::Success)
}

/// `history DAG`: the recorded runs, oldest first.
pub(super) fn history(
    ctx: &mut Context,
    name: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let chosen = choose(ctx, name)?;
    let dir = ctx.meta_dir();
    let sql = format!(
        "SELECT run_id, strftime('%Y-%m-%d %H:%M:%S', started_at / 1000000, 'unixepoch') \
         AS started_utc, wall_clock, completed, failed, skipped, cancelled, max_workers \
         FROM runs WHERE dag_name = {} ORDER BY started_at, run_id",
        sql_text(&chosen.name)
    );
    let table = MetaDb::open(&dir).query(&sql).map_err(|e| e.to_string())?;
    warn(err, table.warnings())?;
    if table.is_empty() {
        emit(
            err,
            &format!(
                "no recorded runs of DAG `{}` in {} (record one with `{} run {name} --profile`)\n",
                chosen.name,
                dir.display(),
                ctx.program
            ),
        )?;
    } else {
        emit(out, &table.to_string())?;
    }
    Ok(Exit::Success)
}

/// `sql QUERY`: the query's rows as a table.
pub(super) fn sql(ctx: &Context, query: &str, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let table = MetaDb::open(ctx.meta_dir())
        .query(query)
        .map_err(|e| e.to_string())?;
    warn(err, table.warnings())?;
    emit(out, &table.to_string())?;
    Ok(Exit::Success)
}

/// Prints the record files a query skipped.
fn warn(err: &mut dyn Write, warnings: &[MetaWarning]) -> Result<(), String> {
    for w in warnings {
        emit(err, &format!("warning: {w}\n"))?;
    }
    Ok(())
}

/// `text` as an SQL string literal.
fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::sql_text;

    #[test]
    fn an_sql_literal_doubles_its_quotes() {
        assert_eq!(sql_text("etl"), "'etl'");
        assert_eq!(sql_text("o'brien"), "'o''brien'");
    }
}
