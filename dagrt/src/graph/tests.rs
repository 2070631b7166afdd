use super::*;

fn build(nodes: &[&str], edges: &[(&str, &str)]) -> Result<Graph, GraphError> {
    let mut b = Graph::builder();
    b.add_nodes(nodes.iter().copied())
        .add_edges(edges.iter().copied());
    b.build()
}

fn names(g: &Graph, ids: &[NodeId]) -> Vec<String> {
    ids.iter().map(|&n| g.name(n).to_string()).collect()
}

#[test]
fn topological_order_and_levels() {
    let g = build(
        &["load", "merge", "transform_b", "transform_a", "extract"],
        &[
            ("extract", "transform_a"),
            ("extract", "transform_b"),
            ("transform_a", "merge"),
            ("transform_b", "merge"),
            ("merge", "load"),
        ],
    )
    .expect("valid graph");
    assert_eq!(
        names(&g, g.topological_order()),
        ["extract", "transform_a", "transform_b", "merge", "load"]
    );
    let lvl = |n: &str| g.level(g.find(n).expect("node exists"));
    assert_eq!(
        (
            lvl("extract"),
            lvl("transform_a"),
            lvl("merge"),
            lvl("load")
        ),
        (0, 1, 2, 3)
    );
    assert_eq!(g.level_count(), 4);
    let merge = g.find("merge").expect("node exists");
    assert_eq!(
        names(&g, g.predecessors(merge)),
        ["transform_a", "transform_b"]
    );
    assert_eq!(names(&g, g.successors(merge)), ["load"]);
    assert_eq!(names(&g, &g.roots().collect::<Vec<_>>()), ["extract"]);
    assert_eq!(names(&g, &g.sinks().collect::<Vec<_>>()), ["load"]);
}

#[test]
fn errors_name_the_nodes() {
    assert_eq!(
        build(&["a", "a"], &[]).unwrap_err(),
        GraphError::DuplicateNode { name: "a".into() }
    );
    let e = build(&["a"], &[("a", "b")]).unwrap_err();
    assert_eq!(
        e,
        GraphError::UnknownNode {
            name: "b".into(),
            edge: ("a".into(), "b".into())
        }
    );
    assert_eq!(
        build(&["a"], &[("a", "a")]).unwrap_err(),
        GraphError::SelfLoop { name: "a".into() }
    );
    assert_eq!(
        build(&["a", "b"], &[("a", "b"), ("a", "b")]).unwrap_err(),
        GraphError::DuplicateEdge {
            edge: ("a".into(), "b".into())
        }
    );
}

#[test]
fn cycle_path_is_reported_in_edge_direction() {
    let e = build(
        &["x", "a", "b", "c"],
        &[("x", "a"), ("a", "b"), ("b", "c"), ("c", "a")],
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "dependency cycle: a -> b -> c -> a");
    let e = build(&["p", "q"], &[("q", "p"), ("p", "q")]).unwrap_err();
    assert_eq!(
        e,
        GraphError::Cycle {
            path: vec!["p".into(), "q".into(), "p".into()]
        }
    );
}

#[test]
fn large_graph_added_sink_first_builds() {
    let n = 8000;
    let mut b = Graph::builder();
    for i in (0..n).rev() {
        b.add_node(format!("n{i}"));
    }
    for i in 1..n {
        b.add_edge(format!("n{}", i - 1), format!("n{i}"));
    }
    let g = b.build().expect("a chain is acyclic");
    assert_eq!(g.level_count(), n);
    assert_eq!(g.name(g.topological_order()[0]), "n0");
}

#[test]
fn dot_and_mermaid_list_every_node_and_edge_by_id() {
    let g = build(&["a", "b", "c"], &[("a", "b"), ("a", "c")]).expect("valid graph");
    assert_eq!(
        g.to_dot("d"),
        "digraph \"d\" {\n    rankdir=LR;\n    n0 [label=\"a\"];\n    n1 [label=\"b\"];\n    \
         n2 [label=\"c\"];\n    n0 -> n1;\n    n0 -> n2;\n}\n"
    );
    assert_eq!(
        g.to_mermaid(),
        "flowchart LR\n    n0[\"a\"]\n    n1[\"b\"]\n    n2[\"c\"]\n    n0 --> n1\n    n0 --> n2\n"
    );
    let empty = build(&[], &[]).expect("valid graph");
    assert_eq!(empty.to_dot("e"), "digraph \"e\" {\n    rankdir=LR;\n}\n");
    assert_eq!(empty.to_mermaid(), "flowchart LR\n");
}

fn dot_label(name: &str) -> String {
    let mut out = String::new();
    super::export::push_dot_label(&mut out, name);
    out
}

fn mermaid_label(name: &str) -> String {
    let mut out = String::new();
    super::export::push_mermaid_label(&mut out, name);
    out
}

#[test]
fn dot_labels_escape_what_graphviz_reads() {
    let cases = [
        ("plain name_1", "plain name_1"),
        ("", ""),
        ("say \"hi\"", "say \\\"hi\\\""),
        ("back\\slash\\", "back\\\\slash\\\\"),
        ("\\N \\G \\l", "\\\\N \\\\G \\\\l"),
        ("two\nlines", "two\\nlines"),
        ("nul\0byte", "nul\\\\0byte"),
        (
            "tab\tcr\resc\u{1b}del\u{7f}c1\u{85}",
            "tab\\\\tcr\\\\resc\\\\u{1b}del\\\\u{7f}c1\\\\u{85}",
        ),
        ("nonchar\u{fffe}\u{ffff}", "nonchar\\\\u{fffe}\\\\u{ffff}"),
        ("&amp; <b>", "&amp;amp; <b>"),
        ("# ; % ` { } [ ] | -> --", "# ; % ` { } [ ] | -> --"),
        ("é 日本 🦀 \u{202e}", "é 日本 🦀 \u{202e}"),
    ];
    for (name, want) in cases {
        assert_eq!(dot_label(name), want, "{name:?}");
    }
}

#[test]
fn mermaid_labels_escape_what_mermaid_reads() {
    let cases = [
        ("plain name_1", "plain name_1"),
        ("", " "),
        ("say \"hi\"", "say #quot;hi#quot;"),
        ("#quot; #35;", "#35;quot; #35;35;"),
        ("%%{init: {}}%%", "#37;#37;{init: {}}#37;#37;"),
        ("`md`", "#96;md#96;"),
        ("<b>&amp;</b>", "#lt;b#gt;#amp;amp;#lt;/b#gt;"),
        ("two\nlines", "two<br>lines"),
        (
            "nul\0tab\tcr\r\u{1b}\u{fffe}",
            "nul\\0tab\\tcr\\r\\u{1b}\\u{fffe}",
        ),
        (
            "back\\slash ; [x] (y) {z} a|b end",
            "back\\slash ; [x] (y) {z} a|b end",
        ),
        ("é 日本 🦀", "é 日本 🦀"),
    ];
    for (name, want) in cases {
        assert_eq!(mermaid_label(name), want, "{name:?}");
    }
}

#[test]
fn hostile_names_never_merge_nodes_or_break_lines() {
    let long = "x".repeat(100_000);
    let names = ["", "\0", "\"", "\\", "\n", "a\nb", "#", ";", long.as_str()];
    let g = build(&names, &[("", "\0"), ("\\", "\n")]).expect("distinct names");
    let dot = g.to_dot("dag \"name\"\0");
    assert!(!dot.contains('\0'));
    // One line per statement: the header, rankdir, each node, each edge, the closing brace.
    assert_eq!(dot.lines().count(), 2 + names.len() + 2 + 1, "{dot}");
    assert!(dot.starts_with("digraph \"dag \\\"name\\\"\\\\0\" {\n"));
    assert!(dot.contains("    n0 -> n1;\n    n3 -> n4;\n"));
    let mermaid = g.to_mermaid();
    assert!(!mermaid.contains('\0') && !mermaid.contains("[\"\"]"));
    assert_eq!(mermaid.lines().count(), 1 + names.len() + 2, "{mermaid}");
    assert!(mermaid.ends_with("    n0 --> n1\n    n3 --> n4\n"));
}

#[test]
fn edges_by_id_build_the_graph_edges_by_name_build() {
    let nodes = ["a", "b", "c", "d"];
    let edges = [(0, 1), (0, 2), (2, 1), (1, 3)];
    let by_name: Vec<(&str, &str)> = edges.iter().map(|&(x, y)| (nodes[x], nodes[y])).collect();
    let g1 = build(&nodes, &by_name).expect("valid");
    let mut b = GraphBuilder::with_capacity(nodes.len(), edges.len());
    let ids: Vec<NodeId> = nodes.iter().map(|&n| b.node(n)).collect();
    for &(x, y) in &edges {
        b.edge(ids[x], ids[y]);
    }
    let g2 = b.build().expect("valid");
    assert_eq!(g1.topological_order(), g2.topological_order());
    for n in g1.nodes() {
        assert_eq!(g1.predecessors(n), g2.predecessors(n));
        assert_eq!(g1.successors(n), g2.successors(n));
        assert_eq!(g1.level(n), g2.level(n));
    }
    assert_eq!(names(&g2, g2.topological_order()), ["a", "c", "b", "d"]);
    assert_eq!(names(&g2, g2.predecessors(ids[1])), ["a", "c"]);
}

#[test]
fn edges_by_id_are_checked_like_edges_by_name() {
    let mut other = GraphBuilder::new();
    let far: Vec<NodeId> = (0..3).map(|i| other.node(format!("x{i}"))).collect();
    let mut b = GraphBuilder::new();
    let a = b.node("a");
    b.add_node("c");
    b.edge(a, far[2]);
    assert_eq!(
        b.build().expect_err("unknown id").to_string(),
        "edge `#0` -> `#2` names `#2`, which is not a node; add it with add_node first"
    );
    let mut b = GraphBuilder::new();
    let (a2, c2) = (b.node("a"), b.node("c"));
    b.edge(a2, c2).edge(a2, c2);
    assert_eq!(
        b.build().expect_err("repeated").to_string(),
        "edge `a` -> `c` is added twice"
    );
    let mut b = GraphBuilder::new();
    let (x, y) = (b.node("x"), b.node("y"));
    b.edge(x, y).edge(y, x);
    assert_eq!(
        b.build().expect_err("cycle").to_string(),
        "dependency cycle: x -> y -> x"
    );
}
