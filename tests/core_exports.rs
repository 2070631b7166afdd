//! DOT and Mermaid exports of builder graphs with hostile node names.
//!
//! Each case is written as `NAME.dot`, `NAME.mmd` and `NAME.json` (the DAG's name, the node
//! names and the edges both exports must show) into `$DAG_EXPORTS_DIR` when it is set, else a
//! temporary dir. CI sets it and checks the files with Graphviz (`dot -Tsvg`) and Mermaid's
//! own parser: `node ci/check_exports.mjs --mermaid-dir DIR $DAG_EXPORTS_DIR`.

use dag::Dag;
use dag::graph::Graph;
use std::path::{Path, PathBuf};

/// Names that break naive DOT or Mermaid writers, one per node.
fn hostile_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "",
        "\0",
        "nul\0inside",
        "say \"hi\"",
        "\"",
        "back\\slash\\",
        "\\",
        "\\N \\G \\l \\n",
        "two\nlines",
        "\n",
        "cr\r\nlf",
        "tab\tsep",
        "esc\u{1b}[31m",
        "del\u{7f} c1\u{85}",
        "nonchar\u{fffe}\u{ffff}",
        "#",
        "#quot;",
        "a#b;c",
        ";",
        "50% done",
        "%%{init: {'theme':'dark'}}%%",
        "%% comment",
        "`markdown`",
        "<b>bold</b>",
        "&amp;",
        "[x] (y) {z} a|b",
        "end",
        "graph",
        "subgraph x",
        "-> --> ---",
        "é 日本 🦀",
        "\u{202e}rtl",
        "   ",
        "  padded  ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    names.push("long ".repeat(2_000));
    names
}

/// A graph over `names`: a chain through all of them, plus a fan-in to the last one.
fn graph(names: &[String]) -> Graph {
    let mut b = Graph::builder();
    let ids: Vec<_> = names.iter().map(|n| b.node(n.clone())).collect();
    for w in ids.windows(2) {
        b.edge(w[0], w[1]);
    }
    if let Some(&last) = ids.last() {
        for &id in ids
            .iter()
            .step_by(5)
            .filter(|&&id| id.index() + 1 < names.len() - 1)
        {
            b.edge(id, last);
        }
    }
    b.build().expect("distinct names")
}

/// Where the exports go: `$DAG_EXPORTS_DIR`, else a temp dir kept for the test's duration.
fn out_dir() -> (PathBuf, Option<tempfile::TempDir>) {
    match std::env::var_os("DAG_EXPORTS_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).expect("create DAG_EXPORTS_DIR");
            (dir, None)
        }
        None => {
            let tmp = tempfile::tempdir().expect("tempdir");
            (tmp.path().to_path_buf(), Some(tmp))
        }
    }
}

/// Writes the three files of one case and checks what can be checked without the parsers.
fn write_case(dir: &Path, case: &str, dag_name: &str, names: &[String]) {
    let g = graph(names);
    let edges: Vec<[usize; 2]> = g
        .nodes()
        .flat_map(|n| g.successors(n).iter().map(move |s| [n.index(), s.index()]))
        .collect();
    let dag = Dag::from_graph(dag_name, g);
    let dot = dag.to_dot();
    let mermaid = dag.to_mermaid();
    assert!(!dot.contains('\0') && !mermaid.contains('\0'), "{case}");
    // One statement per line: every name stays inside its node's line.
    assert_eq!(
        dot.lines().count(),
        2 + names.len() + edges.len() + 1,
        "{case}"
    );
    assert_eq!(
        mermaid.lines().count(),
        1 + names.len() + edges.len(),
        "{case}"
    );
    assert!(!mermaid.contains("[\"\"]"), "{case}");
    let expected = serde_json::json!({ "name": dag_name, "nodes": names, "edges": edges });
    std::fs::write(dir.join(format!("{case}.dot")), dot).expect("write dot");
    std::fs::write(dir.join(format!("{case}.mmd")), mermaid).expect("write mermaid");
    std::fs::write(dir.join(format!("{case}.json")), expected.to_string()).expect("write json");
}

#[test]
fn exports_of_hostile_names_are_written_for_the_parsers() {
    let (dir, _tmp) = out_dir();
    write_case(&dir, "hostile", "dag \"quoted\"\0\\name", &hostile_names());
    write_case(&dir, "no_nodes", "empty", &[]);
    write_case(&dir, "one_empty_name", "", &[String::new()]);
    let plain: Vec<String> = ["extract", "transform", "load"].map(String::from).into();
    write_case(&dir, "plain", "etl", &plain);
    for case in ["hostile", "no_nodes", "one_empty_name", "plain"] {
        for ext in ["dot", "mmd", "json"] {
            assert!(dir.join(format!("{case}.{ext}")).is_file());
        }
    }
}
