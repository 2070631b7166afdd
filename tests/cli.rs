//! The command line (`dag::cli`) driven as a user would, part 1: help, `list`, `tasks`,
//! `graph`, usage and name errors, and the command line run in process (`Cli::run_with`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;

use cli_common::dags::words::{Report, text};
use cli_common::{demo, location};
use dag::Dag;

#[test]
fn help_describes_the_commands_and_the_exit_codes() {
    let r = demo(&["--help"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "Usage: dag-demo [OPTIONS] <COMMAND>",
        "  list      List the DAGs of this program, with their task counts and descriptions",
        "  run       Run a DAG, or one task and the tasks it needs; print the final output as JSON",
        "  dag-demo run etl --task load          # `load` and the tasks it needs, nothing else",
        "  0  success",
        "  1  a task failed (the failed tasks and their errors are printed on stderr)",
        "  2  bad usage: an unknown command or flag, a missing or malformed argument",
        "  3  any other error: an unknown DAG, task or input, a value that does not parse,",
    ] {
        assert!(
            r.stdout.lines().any(|l| l == line),
            "{line:?} in\n{}",
            r.stdout
        );
    }
    let r = demo(&["run", "--help"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains(
            "--set <NAME=VALUE>      Give an input a value (parsed with its type's FromStr); \
             repeatable"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn list_shows_each_dag_with_its_task_count_and_description() {
    let r = demo(&["list"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    // `words` has the description given in code; `flaky` shows its final task's.
    assert_eq!(
        r.stdout,
        "DAG        TASKS  DESCRIPTION
\
         flaky          5  Publishes what was stored.
\
         steps          7  Loads them.
\
         wordcount      5  The 10 most frequent words, with their counts (ties by word).
\
         words          6  Counts the long words of a text
"
    );
}

#[test]
fn tasks_tell_what_each_task_does_needs_and_returns() {
    let r = demo(&["tasks", "flaky"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let expected = format!(
        "DAG `flaky` (dag_demo::dags::flaky): 5 tasks\n\
         \nfetch\n    Fetches a number.\n    output:  u32\n    defined: {}\n\
         \nstore\n    Stores it, and fails: the disk is full.\n    needs:   fetch\n    \
         output:  u32\n    defined: {}\n\
         \nslow\n    Takes its time (so that `--fail-fast` finds `audit` not started yet).\n    \
         output:  u32\n    defined: {}\n\
         \naudit\n    Runs after `slow`, unless the run stopped first.\n    needs:   slow\n    \
         output:  u32\n    defined: {}\n\
         \npublish  [final]\n    Publishes what was stored.\n    needs:   store\n    \
         output:  u32\n    defined: {}\n",
        location("flaky", "fetch"),
        location("flaky", "store"),
        location("flaky", "slow"),
        location("flaky", "audit"),
        location("flaky", "publish"),
    );
    assert_eq!(r.stdout, expected);
    // Inputs say how to set them; options read as written.
    let r = demo(&["tasks", "words"]);
    assert_eq!(r.code, 0);
    let blocks: Vec<&str> = r.stdout.split("\n\n").collect();
    assert_eq!(
        blocks[1],
        format!(
            "text  [input, required]\n    The text to count words in.\n    \
             output:  alloc::string::String\n    defined: {}\n    set:     --set text=VALUE",
            location("words", "text")
        )
    );
    assert!(
        blocks[3].ends_with(
            "set:     in code only: `dag_demo::dags::words::Day` is not `FromStr + Clone`"
        ),
        "{}",
        blocks[3]
    );
    assert!(
        blocks[5].contains("    needs:   split, min_len\n")
            && blocks[5].contains("    options: retries = 1\n"),
        "{}",
        blocks[5]
    );
}

#[test]
fn graph_draws_dot_and_mermaid() {
    let r = demo(&["graph", "flaky"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        "digraph \"flaky\" {\n    rankdir=LR;\n    n0 [label=\"fetch\"];\n    \
         n1 [label=\"store\"];\n    n2 [label=\"slow\"];\n    n3 [label=\"audit\"];\n    \
         n4 [label=\"publish\"];\n    n0 -> n1;\n    n1 -> n4;\n    n2 -> n3;\n}\n"
    );
    let r = demo(&["graph", "words", "--format", "mermaid"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, Dag::new("words").to_mermaid().unwrap());
    assert!(r.stdout.contains("    n0[/\"text\"/]\n"), "{}", r.stdout);
}

#[test]
fn unknown_names_exit_3() {
    let r = demo(&["run", "nope"]);
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stderr,
        "error: no DAG named `nope`; this program's DAGs are: flaky, steps, wordcount, words (see `dag-demo \
         list`)\n"
    );
    let r = demo(&["tasks", "nope"]);
    assert_eq!(r.code, 3);
    let r = demo(&["run", "words", "--set", "text=a", "--task", "splitt"]);
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stderr,
        "error: `--task splitt`: the DAG `words` has no task `splitt` (see `dag-demo tasks \
         words`)\n"
    );
}

#[test]
fn bad_usage_exits_2() {
    let r = demo(&["run", "words", "--frobnicate"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: unexpected argument '--frobnicate' found\n"),
        "{}",
        r.stderr
    );
    let r = demo(&["run", "words", "--set", "text"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(
            "error: invalid value 'text' for '--set <NAME=VALUE>': `text` is not NAME=VALUE \
             (for example `--set count=3`)\n"
        ),
        "{}",
        r.stderr
    );
    let r = demo(&["run", "flaky", "--resume"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = demo(&["run", "flaky", "--workers", "0"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = demo(&[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// Runs the command line in this process, over this test binary's copy of the demo DAGs.
fn in_process(cli: dag::cli::Cli, args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut argv = vec!["demo"];
    argv.extend(args);
    let exit = cli.run_with(argv, &mut out, &mut err);
    (
        exit.code(),
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn the_command_line_runs_in_process_with_dags_configured_in_code() {
    use dag::cli::{Cli, Exit};
    let cli = Cli::new().dag(Dag::new("flaky").description("Fails in the middle"));
    let (code, out, err) = in_process(cli, &["list"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "DAG        TASKS  DESCRIPTION
\
         flaky          5  Fails in the middle
\
         steps          7  Loads them.
\
         wordcount      5  The 10 most frequent words, with their counts (ties by word).
\
         words          6  The count of long words, with the words.
"
    );
    // A value set in code reaches the run; the command line's --set applies on top.
    let cli = Cli::new().dag(Dag::new("words").set::<text>("aaa b cccc".into()));
    let (code, out, _) = in_process(cli, &["run", "words"]);
    assert_eq!(code, 0);
    let report: Report = serde_json::from_str(&out).unwrap();
    assert_eq!(report.words, ["aaa", "cccc"]);
    let cli = Cli::new().dag(Dag::new("words").set::<text>("aaa b cccc".into()));
    let (_, out, _) = in_process(cli, &["run", "words", "--set", "min_len=4"]);
    let report: Report = serde_json::from_str(&out).unwrap();
    assert_eq!(report.words, ["cccc"]);
    // A DAG given in code that names no DAG is an error, not ignored.
    let cli = Cli::new().dag(Dag::new("wrods"));
    let (code, _, err) = in_process(cli, &["list"]);
    assert_eq!(code, 3);
    assert!(
        err.starts_with("error: the DAG `wrods` given to Cli::dag cannot be used: no DAG named"),
        "{err}"
    );
    let codes = [Exit::Success, Exit::TaskFailed, Exit::Usage, Exit::Error].map(Exit::code);
    assert_eq!(codes, [0, 1, 2, 3]);
}
