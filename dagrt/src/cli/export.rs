//! Export: the `export snakemake` command — a static DAG written as a Snakefile whose rules
//! run its tasks as `run-task` processes over a shared store.

use super::dags::{Chosen, choose, emit};
use super::{Context, Exit, Outcome, store};
use crate::graph::NodeId;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The engines `export` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Engine {
    /// A Snakefile (Snakemake reaches Slurm, Kubernetes and cloud batch through its
    /// executor plugins).
    Snakemake,
}

/// The flags of `export`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// The workflow engine.
    #[arg(value_enum)]
    pub engine: Engine,
    /// The DAG.
    pub dag: String,
    /// The store the tasks read their inputs from and write their outputs to
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// The file to write
    #[arg(short, long, value_name = "FILE", default_value = "Snakefile")]
    pub output: PathBuf,
}

/// The Snakefile's code: the run id check and `dag_set`, which turns a config value into a
/// `--set` flag. Snakemake parses `--config` values (int, float, bool, YAML) before the
/// Snakefile sees them, so `007` arrives as `7`: a value for a text input that Snakemake did
/// not keep as text is refused rather than changed.
const PRELUDE: &str = r#"import re, shlex

RUN_ID = str(config.get("run_id", ""))
if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", RUN_ID):
    raise ValueError("give the run a plain id: --config run_id=ID (letters, digits, _ . -), not " + repr(RUN_ID))

def dag_set(task, key, text):
    if key not in config:
        return ""
    value = config[key]
    if value is None:
        raise ValueError(f"{key} is empty: give input `{task}` a value, or leave {key} out")
    if text and not isinstance(value, str):
        raise ValueError(f'{key}: Snakemake read {value!r} as a {type(value).__name__}, not as the text given; give such text in a config file (--configfile FILE holding {key}: "...")')
    if isinstance(value, bool):
        value = "true" if value else "false"
    return "--set " + shlex.quote(task + "=" + str(value))

"#;

/// The output types of inputs whose `--set` value is text as typed (see [`PRELUDE`]).
const TEXT_TYPES: &[&str] = &[
    "alloc::string::String",
    "std::path::PathBuf",
    "std::ffi::os_str::OsString",
];

/// Paths and names a Snakefile refers to.
struct Names {
    program: String,
    meta: PathBuf,
    store: PathBuf,
    records: PathBuf,
}

/// `export snakemake DAG --store DIR [-o FILE]`.
pub(super) fn export(ctx: &mut Context, args: &ExportArgs, err: &mut dyn Write) -> Outcome {
    let chosen = choose(ctx, &args.dag)?;
    let graph = &chosen.spec.graph;
    let opaque: Vec<String> = graph
        .nodes()
        .filter(|&n| chosen.spec.specs[n.index()].codec.is_none())
        .map(|n| {
            format!(
                "`{}` ({})",
                graph.name(n),
                chosen.spec.tasks[n.index()].output_type()
            )
        })
        .collect();
    if !opaque.is_empty() {
        return Err(format!(
            "DAG `{}` cannot be exported: each task runs as its own process, and the outputs \
             of {} are not serde-serializable, so they cannot leave the process (derive \
             `Serialize` and `Deserialize` for them, or run the DAG with `run`)",
            chosen.name,
            opaque.join(", ")
        ));
    }
    let absolute = |p: &Path, what: &str| {
        std::path::absolute(p)
            .map_err(|e| format!("cannot resolve the {what} {}: {e}", p.display()))
    };
    let program =
        std::env::current_exe().map_err(|e| format!("cannot find this program's path: {e}"))?;
    let meta = absolute(&ctx.meta_dir(), "meta dir")?;
    let records = crate::meta::run_path(&meta, &chosen.name, "run")
        .map_err(|e| e.to_string())?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let names = Names {
        program: program.display().to_string(),
        meta,
        store: absolute(&args.store, "store")?,
        records,
    };
    let text = snakefile(ctx, &chosen, &args.dag, &names);
    std::fs::write(&args.output, text)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    let mapped = mapped(&chosen);
    let mut note = format!(
        "wrote {}: a rule per task ({}), `all` and `gather`\n",
        args.output.display(),
        graph.len()
    );
    if !mapped.is_empty() {
        let _ = writeln!(
            note,
            "mapped (#[each]) tasks run as one job each: {}",
            mapped.join(", ")
        );
    }
    emit(err, &note)?;
    Ok(Exit::Success)
}

/// The `#[each]` tasks of the DAG.
fn mapped(chosen: &Chosen) -> Vec<&str> {
    let g = &chosen.spec.graph;
    g.nodes()
        .filter(|n| chosen.spec.specs[n.index()].mapped)
        .map(|n| g.name(n))
        .collect()
}

/// `text` as a Python string literal (a JSON string is one).
fn py(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// `text` as one shell word.
fn sh(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:+=@%,".contains(&b));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// `text` with Snakemake's format braces doubled.
fn literal(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// A task's name as a Python identifier part (rule names, config keys).
fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The Snakefile of `chosen` (see the module docs).
fn snakefile(ctx: &Context, chosen: &Chosen, dag: &str, names: &Names) -> String {
    let spec = &chosen.spec;
    let g = &spec.graph;
    let shared = store::open(&names.store, chosen);
    let file = |n: NodeId| shared.output_file(g.name(n)).display().to_string();
    let base = format!(
        "{} --meta-dir {}",
        sh(&names.program),
        sh(&names.meta.display().to_string())
    );
    let inputs: Vec<NodeId> = g
        .nodes()
        .filter(|n| spec.tasks[n.index()].input.is_input())
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Snakefile of DAG `{}`, written by `{} export snakemake {dag}`.",
        chosen.name, ctx.program
    );
    s.push_str(
        "# Each rule runs one task as its own process (`run-task`): it reads its inputs' outputs\n\
         # from the store and writes its own there, atomically, in dag's checkpoint format.\n\
         # Each rule's params hold its task's code hash: re-export after rebuilding the program,\n\
         # and Snakemake reruns the tasks whose code changed (and, by file times, what they reach).\n\
         # The last rule, `gather`, merges the tasks' record parts into the run's profiling record.\n\
         # A task's process uses as many workers as its rule's threads (1 unless `--set-threads`).\n#\n",
    );
    let sets: Vec<String> = inputs
        .iter()
        .map(|&n| format!("[set_{}=VALUE]", ident(g.name(n))))
        .collect();
    let _ = writeln!(
        s,
        "# Run: snakemake --cores 2 -s Snakefile --config run_id=ID {}",
        sets.join(" ")
    );
    for &n in &inputs {
        let d = spec.tasks[n.index()];
        let how = match ((d.parse)().is_some(), d.input) {
            (false, _) => "not FromStr: only a value given in code (Cli::dag) reaches it",
            (true, crate::task::InputKind::Required) => "required",
            (true, _) => "optional: its default is in code",
        };
        let _ = writeln!(
            s,
            "#   set_{}: input `{}` ({}), {how}",
            ident(g.name(n)),
            g.name(n),
            d.output_type()
        );
    }
    let mapped = mapped(chosen);
    if !mapped.is_empty() {
        let _ = writeln!(
            s,
            "# Mapped (#[each]) tasks run as one job each, their elements in parallel inside it: {}",
            mapped.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "# Every task's output is serde-serializable: none is grouped."
    );
    let _ = writeln!(
        s,
        "# Store: {}",
        crate::checkpoint::shared_dir(&names.store, &chosen.name).display()
    );
    let _ = writeln!(s, "# Records: {}", names.records.display());
    s.push_str("# `all` asks for the final output and the run's record (rule `gather`).\n\n");
    s.push_str(PRELUDE);
    let record = format!(
        "{} + RUN_ID + \".avro\"",
        py(&format!("{}/", names.records.display()))
    );
    let finals: Vec<NodeId> = spec
        .final_node
        .map_or_else(|| g.sinks().collect(), |f| vec![f]);
    s.push_str("rule all:\n    input:\n");
    for &n in &finals {
        let _ = writeln!(s, "        {},", py(&file(n)));
    }
    let _ = writeln!(s, "        {record},\n");
    for n in g.nodes() {
        let name = g.name(n);
        let d = spec.tasks[n.index()];
        let _ = writeln!(s, "rule task_{}:", ident(name));
        let _ = writeln!(s, "    # task `{name}`: {}", d.output_type());
        let preds = g.predecessors(n);
        if !preds.is_empty() {
            s.push_str("    input:\n");
            for &p in preds {
                let _ = writeln!(s, "        {},", py(&file(p)));
            }
        }
        let _ = writeln!(s, "    output: {}", py(&file(n)));
        let code = spec.specs[n.index()].code_hash;
        let mut command = format!(
            "{base} run-task {} {} --store {} --run-id {{config[run_id]}} --workers {{threads}}",
            sh(dag),
            sh(name),
            sh(&names.store.display().to_string())
        );
        command = literal(&command)
            .replace("{{config[run_id]}}", "{config[run_id]}")
            .replace("{{threads}}", "{threads}");
        if d.input.is_input() {
            let _ = writeln!(
                s,
                "    params: code={}, set=dag_set({}, {}, {})",
                py(code),
                py(name),
                py(&format!("set_{}", ident(name))),
                if TEXT_TYPES.contains(&d.output_type()) {
                    "True"
                } else {
                    "False"
                }
            );
            command.push_str(" {params.set}");
        } else {
            let _ = writeln!(s, "    params: code={}", py(code));
        }
        let _ = writeln!(s, "    shell: {}\n", py(&command));
    }
    s.push_str("rule gather:\n    input:\n");
    for n in g.nodes() {
        let _ = writeln!(s, "        {},", py(&file(n)));
    }
    let _ = writeln!(s, "    output: {record}");
    let gather = format!("{base} gather {} --run-id {{config[run_id]}}", sh(dag));
    let gather = literal(&gather).replace("{{config[run_id]}}", "{config[run_id]}");
    let _ = writeln!(s, "    shell: {}", py(&gather));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell_and_for_snakemake() {
        assert_eq!(sh("/usr/bin/dag-demo"), "/usr/bin/dag-demo");
        assert_eq!(sh("a b"), "'a b'");
        assert_eq!(sh("it's"), r"'it'\''s'");
        assert_eq!(sh(""), "''");
        assert_eq!(literal("a{b}"), "a{{b}}");
        assert_eq!(py("a\"b\\"), r#""a\"b\\""#);
        assert_eq!(ident("etl::load"), "etl__load");
    }
}
