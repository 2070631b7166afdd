//! Tasks: the `tasks` command (what each task does, needs and returns) and `graph`.

use super::args::GraphFormat;
use super::dags::{choose, emit};
use super::{Context, Exit, Outcome};
use crate::options::TaskOptions;
use crate::task::InputKind;
use std::fmt::Write as _;
use std::io::Write;

/// `tasks DAG`: a block per task, in the DAG's order.
pub(super) fn tasks(ctx: &mut Context, name: &str, out: &mut dyn Write) -> Outcome {
    let chosen = choose(ctx, name)?;
    let infos = chosen.dag.tasks().map_err(|e| e.to_string())?;
    let mut text = format!(
        "DAG `{}` ({}): {} tasks\n",
        chosen.name,
        chosen.spec.module,
        infos.len()
    );
    let graph = &chosen.spec.graph;
    for ((info, d), node) in infos
        .iter()
        .zip(chosen.spec.tasks.iter())
        .zip(graph.nodes())
    {
        // The node name: `etl::extract` for an imported task whose name another task has.
        let name = graph.name(node);
        let mut marks = Vec::new();
        match info.input {
            InputKind::Task => {}
            InputKind::Default => marks.push("input, with a default"),
            InputKind::Required => marks.push("input, required"),
        }
        if info.is_final {
            marks.push("final");
        }
        if d.is_async() {
            marks.push("async");
        }
        let _ = write!(text, "\n{name}");
        if !marks.is_empty() {
            let _ = write!(text, "  [{}]", marks.join(", "));
        }
        text.push('\n');
        for line in info.description.lines() {
            let _ = writeln!(text, "    {line}");
        }
        let mut field = |label: &str, value: &str| {
            let _ = writeln!(text, "    {label:<8} {value}");
        };
        if !info.dependencies.is_empty() {
            field("needs:", &info.dependencies.join(", "));
        }
        if !info.after.is_empty() {
            field("after:", &info.after.join(", "));
        }
        field("output:", info.output_type);
        let options = options_text(&info.options);
        if !options.is_empty() {
            field("options:", &options);
        }
        field("defined:", &info.location);
        if info.input.is_input() {
            let how = if (d.parse)().is_some() {
                format!("--set {name}=VALUE")
            } else {
                format!(
                    "in code only: `{}` is not `FromStr + Clone`",
                    info.output_type
                )
            };
            field("set:", &how);
        }
    }
    emit(out, &text)?;
    Ok(Exit::Success)
}

/// The options written in `#[task(...)]`, as they are written (`cache, retries = 3`).
fn options_text(o: &TaskOptions) -> String {
    let mut parts = Vec::new();
    if let Some(on) = o.cache {
        parts.push(if on {
            "cache".into()
        } else {
            "cache = false".into()
        });
    }
    if let Some(v) = o.version {
        parts.push(format!("version = {v:?}"));
    }
    if let Some(n) = o.retries {
        parts.push(format!("retries = {n}"));
    }
    if let Some(d) = o.backoff {
        parts.push(format!("backoff = {d:?}"));
    }
    if let Some(d) = o.timeout {
        parts.push(format!("timeout = {d:?}"));
    }
    if let Some(needs) = o.resources {
        let needs: Vec<String> = needs.iter().map(|(p, n)| format!("{p} = {n}")).collect();
        parts.push(format!("resources({})", needs.join(", ")));
    }
    if o.gate == Some(true) {
        parts.push("gate".into());
    }
    if let Some(d) = o.gate_timeout {
        parts.push(format!("gate_timeout = {d:?}"));
    }
    parts.join(", ")
}

/// `graph DAG --format F`.
pub(super) fn graph(
    ctx: &mut Context,
    name: &str,
    format: GraphFormat,
    out: &mut dyn Write,
) -> Outcome {
    let dag = choose(ctx, name)?.dag;
    let text = match format {
        GraphFormat::Dot => dag.to_dot(),
        GraphFormat::Mermaid => dag.to_mermaid(),
    }
    .map_err(|e| e.to_string())?;
    emit(out, &text)?;
    if !text.ends_with('\n') {
        emit(out, "\n")?;
    }
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn options_read_as_written() {
        const GPU: &[(&str, u32)] = &[("gpu", 1)];
        let o = TaskOptions::NONE
            .cache(true)
            .version("2")
            .retries(3)
            .backoff(Duration::from_millis(250))
            .timeout(Duration::from_secs(5))
            .resources(GPU)
            .gate(true);
        assert_eq!(
            options_text(&o),
            "cache, version = \"2\", retries = 3, backoff = 250ms, timeout = 5s, \
             resources(gpu = 1), gate"
        );
        assert_eq!(options_text(&TaskOptions::NONE), "");
    }
}
