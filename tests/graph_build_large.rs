//! Large run-time graphs whose edges are all given by id: `build()` computes their name index
//! and their topology on two threads. The graph and every error are the ones the one-thread
//! path (edges by name) gives for the same input.

use dag::graph::{Graph, GraphBuilder, GraphError};

const N: usize = 40_000;

/// A lattice over `N` nodes: `i-1 -> i` and `i/2 -> i`, plus `extra` edges (by index).
fn edges(extra: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut e: Vec<(usize, usize)> = (1..N).map(|i| (i - 1, i)).collect();
    e.extend((2..N).map(|i| (i / 2, i)).filter(|&(a, b)| a != b - 1));
    e.extend_from_slice(extra);
    e
}

fn names(duplicate: Option<usize>) -> Vec<String> {
    (0..N)
        .map(|i| match duplicate {
            Some(d) if i == d => "n7".to_owned(),
            _ => format!("n{i}"),
        })
        .collect()
}

/// The builder of `names` and `edges` by id, plus an edge to an id from a larger graph (not a
/// node of this one) when `bad_to` is given.
fn builder(names: &[String], edges: &[(usize, usize)], bad_to: Option<u32>) -> GraphBuilder {
    let mut b = GraphBuilder::with_capacity(names.len(), edges.len());
    let ids: Vec<_> = names.iter().map(|n| b.node(n)).collect();
    for &(from, to) in edges {
        b.edge(ids[from], ids[to]);
    }
    if let Some(bad) = bad_to {
        let mut other = GraphBuilder::new();
        let far = (0..=bad).map(|i| other.node(format!("x{i}"))).last();
        b.edge(ids[0], far.expect("at least one node"));
    }
    b
}

fn by_name(names: &[String], edges: &[(usize, usize)]) -> Result<Graph, GraphError> {
    let mut b = Graph::builder();
    b.add_nodes(names);
    for &(from, to) in edges {
        b.add_edge(names[from].clone(), names[to].clone());
    }
    b.build()
}

/// How a builder becomes a graph: `build()` or `into_graph()`.
type Finish = fn(GraphBuilder) -> Result<Graph, GraphError>;

/// `build()` and `into_graph()`.
const BUILDS: [(&str, Finish); 2] = [
    ("build", |b| b.build()),
    ("into_graph", GraphBuilder::into_graph),
];

#[test]
fn a_large_graph_by_id_equals_the_same_graph_by_name() {
    let (names, edges) = (names(None), edges(&[]));
    let b = by_name(&names, &edges).expect("valid");
    for (how, finish) in BUILDS {
        let a = finish(builder(&names, &edges, None)).expect("valid");
        assert_eq!(
            (a.len(), a.edge_count()),
            (b.len(), b.edge_count()),
            "{how}"
        );
        assert_eq!(a.topological_order(), b.topological_order(), "{how}");
        for v in a.nodes() {
            assert_eq!(a.find(a.name(v)), Some(v), "{how}");
            assert_eq!(a.name(v), b.name(v));
            assert_eq!(a.predecessors(v), b.predecessors(v));
            assert_eq!(a.successors(v), b.successors(v));
            assert_eq!(a.level(v), b.level(v));
        }
        assert_eq!(a.find("nope"), None);
    }
}

#[test]
fn a_large_graph_by_id_reports_each_error_as_the_one_thread_path_does() {
    let dup = names(Some(N - 1));
    let cyclic = edges(&[(N - 1, 3)]);
    let ok = names(None);
    for (how, finish) in BUILDS {
        // A name given twice wins over everything else, as on the one-thread path.
        let err = finish(builder(&dup, &cyclic, Some(N as u32 + 5))).expect_err("a duplicate");
        assert_eq!(
            err,
            GraphError::DuplicateNode { name: "n7".into() },
            "{how}"
        );
        // Then an edge to no node, then the topology's errors.
        let err = finish(builder(&ok, &cyclic, Some(N as u32 + 5))).expect_err("an unknown id");
        assert!(
            matches!(&err, GraphError::UnknownNode { name, .. } if *name == format!("#{}", N + 5)),
            "{how}: {err:?}"
        );
        for extra in [(5, 5), (1, 2), (N - 1, 3)] {
            let e = edges(&[extra]);
            assert_eq!(
                finish(builder(&ok, &e, None)).expect_err("invalid"),
                by_name(&ok, &e).expect_err("invalid"),
                "{how}: {extra:?}"
            );
        }
    }
}

#[test]
fn a_small_graph_into_graph_equals_build() {
    let mut b = Graph::builder();
    let (x, y, z) = (b.node("x"), b.node("y"), b.node("z"));
    b.edge(x, y).edge(y, z).edge(x, z);
    let built = b.build().expect("valid");
    let owned = b.clone().into_graph().expect("valid");
    assert_eq!(built.topological_order(), owned.topological_order());
    for v in built.nodes() {
        assert_eq!(built.predecessors(v), owned.predecessors(v));
        assert_eq!(owned.find(built.name(v)), Some(v));
    }
    // Edges by name take `build()`'s path.
    let mut named = Graph::builder();
    named.add_nodes(["p", "q"]).add_edge("p", "q");
    let g = named.into_graph().expect("valid");
    assert_eq!(
        g.successors(g.find("p").expect("p")),
        [g.find("q").expect("q")]
    );
    let mut dup = Graph::builder();
    dup.add_nodes(["p", "p"]);
    assert_eq!(
        dup.into_graph().expect_err("a duplicate"),
        GraphError::DuplicateNode { name: "p".into() }
    );
}
