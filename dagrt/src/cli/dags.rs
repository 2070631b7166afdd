//! DAGs: which DAG a name on the command line means, the `Dag` to use for it, and `list`.

use super::{Context, Exit, Outcome};
use crate::Dag;
use crate::registry::{self, Registered};
use std::io::Write;
use std::sync::Arc;

/// A DAG named on the command line, resolved.
pub(super) struct Chosen {
    /// The `Dag` to configure and run: the one given to `Cli::dag`, else `Dag::new(name)`.
    pub dag: Dag,
    /// Its registered tasks and graph.
    pub spec: Arc<Registered>,
    /// The name its runs are recorded under (what `history` and `estimate` look up).
    pub name: String,
}

/// The name `list` shows for the DAG of `module` and that the CLI runs it under: the module's
/// last segment when no other DAG's module ends the same way, else the full path (the same
/// names `Dag::new` accepts).
fn short_name(module: &'static str, all: &[&'static str]) -> &'static str {
    let last = module.rsplit("::").next().unwrap_or(module);
    let clash = all
        .iter()
        .filter(|m| m.rsplit("::").next() == Some(last))
        .count()
        > 1;
    if clash { module } else { last }
}

/// The module path of the DAG `name` means: the module itself, its last segments
/// (`etl`, `jobs::etl`), never another DAG (unlike `Dag::new`'s one-DAG fallback).
fn module_of(name: &str, ctx: &Context) -> Result<&'static str, String> {
    let all = registry::dag_names();
    let suffix = format!("::{name}");
    let matches: Vec<&'static str> = all
        .iter()
        .copied()
        .filter(|m| *m == name || m.ends_with(&suffix))
        .collect();
    match matches[..] {
        [one] => Ok(one),
        [] if all.is_empty() => Err(format!(
            "no DAG named `{name}`: this program has no #[dag::task] (tasks in a library crate \
             are only linked if the program uses one of its items)"
        )),
        [] => {
            let names: Vec<&str> = all.iter().map(|m| short_name(m, &all)).collect();
            Err(format!(
                "no DAG named `{name}`; this program's DAGs are: {} (see `{} list`)",
                names.join(", "),
                ctx.program
            ))
        }
        _ => Err(format!(
            "DAG name `{name}` is ambiguous: it matches {}; use the full module path",
            matches.join(", ")
        )),
    }
}

/// The DAG `name` means, with the `Dag` configured for it in code if there is one.
pub(super) fn choose(ctx: &mut Context, name: &str) -> Result<Chosen, String> {
    let module = module_of(name, ctx)?;
    let configured = configured(ctx)?;
    let dag = match configured.iter().position(|m| *m == module) {
        Some(i) => ctx.dags.swap_remove(i),
        None => Dag::new(short_name(module, &registry::dag_names())),
    };
    let spec = dag.resolve().map_err(|e| e.to_string())?;
    let name = dag.name().to_string();
    Ok(Chosen { dag, spec, name })
}

/// The module of each DAG given to `Cli::dag`, in order; a DAG that names no DAG of the
/// program is an error (it would silently do nothing).
fn configured(ctx: &Context) -> Result<Vec<&'static str>, String> {
    ctx.dags
        .iter()
        .map(|d| {
            d.resolve().map(|s| s.module).map_err(|e| {
                format!(
                    "the DAG `{}` given to Cli::dag cannot be used: {e}",
                    d.name()
                )
            })
        })
        .collect()
}

/// `list`: one line per DAG: name, task count, description.
pub(super) fn list(ctx: &Context, out: &mut dyn Write) -> Outcome {
    let all = registry::dag_names();
    let configured = configured(ctx)?;
    let mut rows = vec![[
        "DAG".to_string(),
        "TASKS".to_string(),
        "DESCRIPTION".to_string(),
    ]];
    for &module in &all {
        let given = configured.iter().position(|m| *m == module);
        let (count, description) = match registry::lookup(module) {
            Ok(spec) => {
                let configured = given.map(|i| ctx.dags[i].config.description.clone());
                let fin = spec.final_node.map(|f| spec.tasks[f.index()].description);
                let description = match configured {
                    Some(d) if !d.is_empty() => d,
                    _ => fin.unwrap_or_default().to_string(),
                };
                (spec.graph.len().to_string(), description)
            }
            Err(e) => ("-".to_string(), format!("invalid: {e}")),
        };
        let name = match given {
            Some(i) => ctx.dags[i].name().to_string(),
            None => short_name(module, &all).to_string(),
        };
        rows.push([name, count, first_line(&description).to_string()]);
    }
    let text = table(&rows);
    emit(out, &text)?;
    Ok(Exit::Success)
}

/// The first line of a description.
pub(super) fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Rows as left-aligned columns (the second one right-aligned: counts).
fn table(rows: &[[String; 3]]) -> String {
    let width = |c: usize| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(0), width(1));
    let mut text = String::new();
    for r in rows {
        let line = format!("{:<w0$}  {:>w1$}  {}", r[0], r[1], r[2]);
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Writes `text` to `out`.
pub(super) fn emit(out: &mut dyn Write, text: &str) -> Result<(), String> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the output: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_name_is_the_last_segment_unless_two_dags_share_it() {
        let all = ["app::etl", "app::jobs::etl", "app::train"];
        assert_eq!(short_name("app::train", &all), "train");
        assert_eq!(short_name("app::etl", &all), "app::etl");
        assert_eq!(short_name("app", &["app"]), "app");
    }

    #[test]
    fn a_table_aligns_its_columns() {
        let rows = [
            ["DAG".into(), "TASKS".into(), "DESCRIPTION".into()],
            ["etl".into(), "12".into(), "Loads".into()],
            ["training".into(), "3".into(), String::new()],
        ];
        assert_eq!(
            table(&rows),
            "DAG       TASKS  DESCRIPTION\netl          12  Loads\ntraining      3\n"
        );
    }
}
