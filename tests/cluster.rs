//! Beyond one machine, without a workflow engine: `export snakemake` writes rules whose
//! commands this test runs itself (each as soon as its inputs exist), `run-task` runs one
//! task per process over a shared store, `output` prints the final output, `gather`
//! merges the record parts into the run's record. The Snakemake run itself is
//! ci/snakemake_e2e.sh.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;

use cli_common::demo;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory of two text files for `wordcount`.
fn texts(dir: &Path) -> PathBuf {
    let root = dir.join("in");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("a.txt"),
        "the quick brown fox; the lazy dog sleeps",
    )
    .unwrap();
    std::fs::write(root.join("b.txt"), "a quick fox and the brown dog").unwrap();
    std::fs::write(root.join("skip.md"), "not a text file").unwrap();
    root
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// One rule of an exported Snakefile.
#[derive(Debug)]
struct Rule {
    name: String,
    inputs: Vec<String>,
    output: String,
    shell: String,
}

/// The rules of `snakefile` (but `all`), with `run_id` for `RUN_ID`.
fn rules(snakefile: &str, run_id: &str) -> Vec<Rule> {
    let string = |text: &str| -> String {
        let text = text.replace("\" + RUN_ID + \"", run_id);
        serde_json::from_str(text.trim().trim_end_matches(',')).unwrap()
    };
    let mut out: Vec<Rule> = Vec::new();
    let mut in_inputs = false;
    for line in snakefile.lines() {
        if let Some(name) = line.strip_prefix("rule ") {
            out.push(Rule {
                name: name.trim_end_matches(':').to_string(),
                inputs: Vec::new(),
                output: String::new(),
                shell: String::new(),
            });
            in_inputs = false;
            continue;
        }
        let Some(rule) = out.last_mut() else { continue };
        let line = line.trim();
        if line == "input:" {
            in_inputs = true;
        } else if in_inputs && line.starts_with('"') {
            rule.inputs.push(string(line));
        } else {
            in_inputs = false;
            if let Some(o) = line.strip_prefix("output: ") {
                rule.output = string(o);
            } else if let Some(c) = line.strip_prefix("shell: ") {
                rule.shell = string(c);
            }
        }
    }
    out.retain(|r| r.name != "all");
    out
}

/// Runs every rule once, each when its inputs exist (as Snakemake would with one core), with
/// `sets` for `{params.set}` by rule name; returns the rule names in the order they ran.
fn run_rules(rules: &[Rule], run_id: &str, sets: &[(&str, String)]) -> Vec<String> {
    let mut ran: Vec<String> = Vec::new();
    while ran.len() < rules.len() {
        let rule = rules
            .iter()
            .find(|r| !ran.contains(&r.name) && r.inputs.iter().all(|i| Path::new(i).exists()))
            .unwrap_or_else(|| panic!("no rule can run after {ran:?}"));
        let set = sets
            .iter()
            .find(|(name, _)| *name == rule.name)
            .map_or(String::new(), |(_, set)| set.clone());
        let command = rule
            .shell
            .replace("{config[run_id]}", run_id)
            .replace("{threads}", "2")
            .replace("{params.set}", &set);
        let out = Command::new("sh")
            .args(["-c", &command])
            .env_remove("DAG_META_DIR")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            Path::new(&rule.output).exists(),
            "{command} made no {}",
            rule.output
        );
        ran.push(rule.name.clone());
    }
    ran
}

#[test]
fn exported_rules_run_one_process_per_task_and_match_the_in_process_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = texts(dir.path());
    let (store, meta) = (dir.path().join("store"), dir.path().join("meta"));
    let set_root = format!("root={}", s(&root));
    let inproc = demo(&[
        "--meta-dir",
        s(&dir.path().join("m0")),
        "run",
        "wordcount",
        "--set",
        &set_root,
    ]);
    assert_eq!(inproc.code, 0, "{}", inproc.stderr);

    let snakefile = dir.path().join("Snakefile");
    let export = demo(&[
        "--meta-dir",
        s(&meta),
        "export",
        "snakemake",
        "wordcount",
        "--store",
        s(&store),
        "-o",
        s(&snakefile),
    ]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert_eq!(
        export.stderr,
        format!(
            "wrote {}: a rule per task (5), `all` and `gather`\n\
             mapped (#[each]) tasks run as one job each: words\n",
            s(&snakefile)
        )
    );
    let text = std::fs::read_to_string(&snakefile).unwrap();
    assert!(text.contains(
        "# Mapped (#[each]) tasks run as one job each, their elements in parallel inside it: words\n"
    ));
    let rules = rules(&text, "c1");
    let outputs: Vec<&str> = rules.iter().map(|r| r.output.as_str()).collect();
    let file = |task: &str| s(&store.join("wordcount/outputs")).to_string() + "/" + task + ".bin";
    assert_eq!(
        outputs,
        [
            file("root"),
            file("min_len"),
            file("files"),
            file("words"),
            file("top"),
            s(&meta.join("profiling/wordcount/c1.avro")).to_string()
        ]
    );
    let words = rules.iter().find(|r| r.name == "task_words").unwrap();
    assert_eq!(words.inputs, [file("files"), file("min_len")]);
    let set = format!("--set '{set_root}'");
    let ran = run_rules(&rules, "c1", &[("task_root", set)]);
    assert_eq!(
        ran,
        [
            "task_root",
            "task_min_len",
            "task_files",
            "task_words",
            "task_top",
            "gather"
        ]
    );

    let shown = demo(&["output", "wordcount", "top", "--store", s(&store)]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert_eq!(shown.stdout, inproc.stdout);
    assert!(
        shown.stdout.contains("\"quick\",\n    2"),
        "{}",
        shown.stdout
    );

    // One run id across the processes: the gathered record is the run's.
    let history = demo(&["--meta-dir", s(&meta), "history", "wordcount"]);
    let row = history.stdout.lines().nth(1).unwrap();
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        (cols[1], cols[5], cols[6]),
        ("c1", "5", "0"),
        "{}",
        history.stdout
    );
    let sql = demo(&[
        "--meta-dir",
        s(&meta),
        "sql",
        "SELECT task_name FROM profiling WHERE run_id = 'c1' AND element_index IS NULL \
         ORDER BY task_name",
    ]);
    let names: Vec<&str> = sql
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(names, ["files", "min_len", "root", "top", "words"]);
    // The HTML report of the gathered run: every task with its status, from the record.
    let html = dir.path().join("cluster.html");
    let report = demo(&[
        "--meta-dir",
        s(&meta),
        "report",
        "wordcount",
        "--run-id",
        "c1",
        "-o",
        s(&html),
    ]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(
        report
            .stderr
            .starts_with("wrote the report of run `c1` (5 tasks recorded)")
    );
    let page = std::fs::read_to_string(&html).unwrap();
    for task in ["files", "min_len", "root", "top", "words"] {
        assert!(
            page.contains(&format!("\"{task}\"")),
            "{task} is in the report"
        );
    }
    let missing = demo(&[
        "--meta-dir",
        s(&meta),
        "report",
        "wordcount",
        "--run-id",
        "nope",
        "-o",
        s(&html),
    ]);
    assert_eq!(missing.code, 3);
    assert!(
        missing
            .stderr
            .contains("no readable record of run `nope` of DAG `wordcount`"),
        "{}",
        missing.stderr
    );
    let elements = demo(&[
        "--meta-dir",
        s(&meta),
        "sql",
        "SELECT COUNT(*) AS n FROM profiling WHERE run_id = 'c1' AND element_index IS NOT NULL",
    ]);
    assert_eq!(
        elements
            .stdout
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .nth(1),
        Some("2")
    );
    let estimate = demo(&[
        "--meta-dir",
        s(&meta),
        "estimate",
        "wordcount",
        "--workers",
        "2",
    ]);
    assert_eq!(estimate.code, 0, "{}", estimate.stderr);
    assert!(
        estimate.stdout.contains("critical path") && !estimate.stdout.contains("no recorded"),
        "{}",
        estimate.stdout
    );
}

#[test]
fn run_task_refuses_missing_and_foreign_inputs_and_values_for_other_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let root = texts(dir.path());
    let store = dir.path().join("store");
    let st = s(&store);
    let meta = dir.path().join("meta");
    let run = |args: &[&str]| {
        let mut all = vec!["--meta-dir", s(&meta), "run-task", "wordcount"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--store", st, "--run-id", "r"]);
        demo(&all)
    };
    let missing = run(&["files"]);
    assert_eq!(missing.code, 3);
    assert_eq!(
        missing.stderr,
        format!(
            "error: task `files` cannot run: the output of task `root` is missing from the store \
             (no file {st}/wordcount/outputs/root.bin): run it first with `dag-demo run-task \
             wordcount root --store {st}`\n"
        )
    );
    let other = run(&["files", "--set", "min_len=4"]);
    assert_eq!(other.code, 3);
    assert_eq!(
        other.stderr,
        "error: `--set min_len=...`: run-task runs `files` only, and takes the values of its \
         inputs from the store; give `min_len` its value where it runs: `dag-demo run-task \
         wordcount min_len --set min_len=VALUE`\n"
    );
    let set_root = format!("root={}", s(&root));
    let made = run(&["root", "--set", &set_root]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    assert_eq!(
        made.stderr,
        format!(
            "DAG `wordcount`, run r: task `root` completed in 0.000 s\n\
             output: {st}/wordcount/outputs/root.bin\n"
        )
    );
    assert!(meta.join("parts/wordcount/r/root.avro").is_file());
    // A file of another task under this task's name is refused, and left in place.
    let outputs = store.join("wordcount/outputs");
    std::fs::copy(outputs.join("root.bin"), outputs.join("min_len.bin")).unwrap();
    assert_eq!(run(&["files"]).code, 0);
    let renamed = run(&["words"]);
    assert_eq!(renamed.code, 3);
    assert_eq!(
        renamed.stderr,
        format!(
            "error: task `words` cannot run: the stored output of task `min_len` is unusable: \
             checkpoint: corrupt file {st}/wordcount/outputs/min_len.bin: the file holds the \
             output of task `root`, not of `min_len`: copied or renamed\n"
        )
    );
    assert!(outputs.join("min_len.bin").is_file());

    // Outputs that are not serde types cannot leave the process.
    let opaque = demo(&["run-task", "words", "day", "--store", st]);
    assert_eq!(opaque.code, 3);
    assert_eq!(
        opaque.stderr,
        "error: task `day` cannot run as its own process: the output of task `day` \
         (`dag_demo::dags::words::Day`) is not serde-serializable, so it cannot leave the \
         process (derive `Serialize` and `Deserialize` for it, or run the DAG in one process \
         with `run`)\n"
    );
    let export = demo(&[
        "export",
        "snakemake",
        "words",
        "--store",
        st,
        "-o",
        s(&dir.path().join("S")),
    ]);
    assert_eq!(export.code, 3);
    assert_eq!(
        export.stderr,
        "error: DAG `words` cannot be exported: each task runs as its own process, and the \
         outputs of `day` (dag_demo::dags::words::Day) are not serde-serializable, so they \
         cannot leave the process (derive `Serialize` and `Deserialize` for them, or run the \
         DAG with `run`)\n"
    );
    assert!(!dir.path().join("S").exists());
    let shown = demo(&["output", "wordcount", "top", "--store", st]);
    assert_eq!(shown.code, 3);
    assert!(
        shown
            .stderr
            .starts_with("error: the output of task `top` is missing"),
        "{}",
        shown.stderr
    );
}

#[test]
fn gather_without_parts_records_a_run_without_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path().join("meta");
    let gathered = demo(&[
        "--meta-dir",
        s(&meta),
        "gather",
        "wordcount",
        "--run-id",
        "idle",
    ]);
    assert_eq!(gathered.code, 0, "{}", gathered.stderr);
    assert_eq!(
        gathered.stderr,
        format!(
            "warning: no record part of run `idle` of DAG `wordcount` in {}: no task ran under \
             this run id; the run is recorded without tasks\n",
            s(&meta)
        )
    );
    assert_eq!(
        gathered.stdout,
        format!(
            "DAG `wordcount`, run idle: 0 of 5 tasks recorded in {}\n\
             not run under this run id (their stored outputs were up to date, or they did not \
             run): root, min_len, files, words, top\n",
            s(&meta.join("profiling/wordcount/idle.avro"))
        )
    );
    let history = demo(&["--meta-dir", s(&meta), "history", "wordcount"]);
    assert!(
        history.stdout.lines().nth(1).unwrap().contains(" idle "),
        "{}",
        history.stdout
    );
}

/// Version 1 of a two-task DAG.
mod v1 {
    use dag::task;

    /// A number.
    #[task]
    pub fn n() -> u32 {
        1
    }

    /// Doubles it.
    #[task(final)]
    pub fn doubled(n: &u32) -> u32 {
        n * 2
    }
}

/// Version 2: `n` changed; `boom` fails.
mod v2 {
    use dag::task;

    /// Another number.
    #[task]
    pub fn n() -> u32 {
        2
    }

    /// Doubles it.
    #[task(final)]
    pub fn doubled(n: &u32) -> u32 {
        n * 2
    }

    /// Fails.
    #[task]
    pub fn boom(n: &u32) -> Result<u32, String> {
        Err(format!("no luck with {n}"))
    }
}

/// Runs the command line in this process (where `v1` and `v2` are DAGs).
fn cli(args: &[&str]) -> (dag::cli::Exit, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut all = vec!["prog"];
    all.extend_from_slice(args);
    let exit = dag::cli::Cli::new().run_with(all, &mut out, &mut err);
    (exit, String::from_utf8(err).unwrap())
}

#[test]
fn an_output_written_by_another_version_of_its_task_is_refused_and_failures_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (store, meta) = (dir.path().join("store"), dir.path().join("meta"));
    let (st, me) = (s(&store), s(&meta));
    let (exit, err) = cli(&["--meta-dir", me, "run-task", "v1", "n", "--store", st]);
    assert_eq!(exit, dag::cli::Exit::Success, "{err}");
    // Without --run-id, the part goes under the process's own run id, which it names.
    let id = err
        .strip_prefix("DAG `v1`, run ")
        .and_then(|rest| rest.split(':').next())
        .unwrap();
    assert!(
        meta.join(format!("parts/v1/{id}/n.avro")).is_file(),
        "{err}"
    );
    std::fs::create_dir_all(store.join("v2/outputs")).unwrap();
    std::fs::copy(
        store.join("v1/outputs/n.bin"),
        store.join("v2/outputs/n.bin"),
    )
    .unwrap();
    let (exit, err) = cli(&["--meta-dir", me, "run-task", "v2", "doubled", "--store", st]);
    assert_eq!(exit, dag::cli::Exit::Error);
    let path = format!("{st}/v2/outputs/n.bin");
    let head = format!(
        "error: task `doubled` cannot run: the stored output of task `n` ({path}) was written by \
         another version of the task (code hash "
    );
    assert!(err.starts_with(&head), "{err}");
    assert!(
        err.ends_with(&format!(
            "): run it again with `prog run-task v2 n --store {st}`\n"
        )),
        "{err}"
    );
    assert!(err.contains("; this program's is "), "{err}");

    let (exit, _) = cli(&[
        "--meta-dir",
        me,
        "run-task",
        "v2",
        "n",
        "--store",
        st,
        "--run-id",
        "f",
    ]);
    assert_eq!(exit, dag::cli::Exit::Success);
    let (exit, err) = cli(&[
        "--meta-dir",
        me,
        "run-task",
        "v2",
        "boom",
        "--store",
        st,
        "--run-id",
        "f",
    ]);
    assert_eq!(exit, dag::cli::Exit::TaskFailed);
    assert!(
        err.ends_with("error: task `boom` failed: no luck with 2\n"),
        "{err}"
    );
    assert!(!store.join("v2/outputs/boom.bin").exists());
    let (exit, _) = cli(&["--meta-dir", me, "gather", "v2", "--run-id", "f"]);
    assert_eq!(exit, dag::cli::Exit::Success);
    let run = dag::meta::read_run(&meta.join("profiling/v2/f.avro")).unwrap();
    let rows: Vec<(&str, &str)> = run
        .tasks
        .iter()
        .map(|t| (t.task_name.as_str(), t.status.as_str()))
        .collect();
    assert_eq!(rows, [("n", "completed"), ("boom", "failed")]);
    assert_eq!(
        run.task("boom").unwrap().error.as_deref(),
        Some("no luck with 2")
    );
}
