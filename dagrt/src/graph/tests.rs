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
fn dot_and_mermaid_list_every_edge() {
    let g = build(&["a", "b"], &[("a", "b")]).expect("valid graph");
    assert!(g.to_dot("d").contains("\"a\" -> \"b\";"));
    assert!(g.to_mermaid().contains("n0 --> n1"));
}
