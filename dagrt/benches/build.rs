//! Building and binding a 100k-node builder graph (issue 16 target: ≤ 10 ms by id).
//!
//! Run with `cargo bench -p dagrt --bench build`.
//!
//! The graph is `graph_build_100k`'s (benches/executor.rs): a chain plus one pseudo-random
//! forward edge per node (~200k edges); every body is `|| ()`. The names and the edge list
//! are made once, outside the timing; each iteration is everything a program then does:
//! - `graph_build_bind_100k`: `GraphBuilder::with_capacity`, `node` / `edge`, `build()`,
//!   `Tasks::with_capacity` + `Tasks::add(id, ..)` per node, `Dag::from_graph(..).with_tasks`;
//! - `graph_build_bind_100k_owned`: the same with `into_graph()` (the builder consumed, its
//!   names moved into the graph) instead of `build()`;
//! - `graph_build_bind_100k_names`: the same by name (`add_node` / `add_edge`,
//!   `Tasks::add(name, ..)`), for comparison;
//! - `bind_100k_ids` / `bind_100k_names`: binding alone, on a built graph (cloned outside the
//!   timing).
//!
//! The `GraphDag` is dropped outside the timing.

use dag::graph::{Graph, GraphBuilder, NodeId};
use dag::{Dag, GraphDag, Tasks};
use divan::Bencher;
use divan::counter::ItemsCount;

const N: usize = 100_000;
const SAMPLES: u32 = 25;

fn main() {
    divan::main();
}

/// The edges of `graph_build_100k`: the chain, then a forward edge skipping at least one node.
fn edges() -> Vec<(usize, usize)> {
    let mut edges: Vec<(usize, usize)> = (1..N).map(|i| (i - 1, i)).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..N {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let j = i + 2 + (x % 1000) as usize;
        if j < N {
            edges.push((i, j));
        }
    }
    edges
}

fn names() -> Vec<String> {
    (0..N).map(|i| format!("n{i}")).collect()
}

/// Builds by id, binds by id.
fn by_ids(names: &[String], edges: &[(usize, usize)]) -> GraphDag {
    by_ids_with(names, edges, |b| b.build())
}

/// [`by_ids`] with the builder consumed (`into_graph`): the graph takes its names over.
fn by_ids_owned(names: &[String], edges: &[(usize, usize)]) -> GraphDag {
    by_ids_with(names, edges, GraphBuilder::into_graph)
}

fn by_ids_with(
    names: &[String],
    edges: &[(usize, usize)],
    build: impl FnOnce(GraphBuilder) -> Result<Graph, dag::graph::GraphError>,
) -> GraphDag {
    let mut b = GraphBuilder::with_capacity(names.len(), edges.len());
    let ids: Vec<NodeId> = names.iter().map(|n| b.node(n.as_str())).collect();
    for &(from, to) in edges {
        b.edge(ids[from], ids[to]);
    }
    let graph = build(b).expect("valid");
    let mut tasks = Tasks::with_capacity(ids.len());
    for &id in &ids {
        tasks.add(id, || ());
    }
    Dag::from_graph("build", graph)
        .with_tasks(tasks)
        .expect("every node has a body")
}

/// Builds by name, binds by name.
fn by_names(names: &[String], edges: &[(usize, usize)]) -> GraphDag {
    let mut b = Graph::builder();
    b.add_nodes(names.iter().map(String::as_str));
    for &(from, to) in edges {
        b.add_edge(names[from].as_str(), names[to].as_str());
    }
    let graph = b.build().expect("valid");
    let mut tasks = Tasks::new();
    for name in names {
        tasks.add(name.as_str(), || ());
    }
    Dag::from_graph("build", graph)
        .with_tasks(tasks)
        .expect("every node has a body")
}

/// Build + bind + `GraphDag`, by id.
#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn graph_build_bind_100k(bencher: Bencher) {
    let (names, edges) = (names(), edges());
    assert_eq!(by_ids(&names, &edges).graph().edge_count(), edges.len());
    bencher
        .counter(ItemsCount::new(N))
        .bench_local(|| by_ids(&names, &edges));
}

/// Build + bind + `GraphDag`, by name.
#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn graph_build_bind_100k_owned(bencher: Bencher) {
    let (names, edges) = (names(), edges());
    assert_eq!(
        by_ids_owned(&names, &edges).graph().edge_count(),
        edges.len()
    );
    bencher
        .counter(ItemsCount::new(N))
        .bench_local(|| by_ids_owned(&names, &edges));
}

#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn graph_build_bind_100k_names(bencher: Bencher) {
    let (names, edges) = (names(), edges());
    assert_eq!(by_names(&names, &edges).graph().edge_count(), edges.len());
    bencher
        .counter(ItemsCount::new(N))
        .bench_local(|| by_names(&names, &edges));
}

fn built() -> Graph {
    let mut b = Graph::builder();
    let ids: Vec<NodeId> = names().into_iter().map(|n| b.node(n)).collect();
    for (from, to) in edges() {
        b.edge(ids[from], ids[to]);
    }
    b.build().expect("valid")
}

/// `Tasks::add(id, ..)` per node + `with_tasks`, on a built graph.
#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn bind_100k_ids(bencher: Bencher) {
    let graph = built();
    let ids: Vec<NodeId> = graph.nodes().collect();
    bencher
        .counter(ItemsCount::new(N))
        .with_inputs(|| graph.clone())
        .bench_local_values(|graph| {
            let mut tasks = Tasks::with_capacity(ids.len());
            for &id in &ids {
                tasks.add(id, || ());
            }
            Dag::from_graph("bind", graph)
                .with_tasks(tasks)
                .expect("bound")
        });
}

/// `Tasks::add(name, ..)` per node + `with_tasks`, on a built graph.
#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn bind_100k_names(bencher: Bencher) {
    let graph = built();
    let names = names();
    bencher
        .counter(ItemsCount::new(N))
        .with_inputs(|| graph.clone())
        .bench_local_values(|graph| {
            let mut tasks = Tasks::new();
            for name in &names {
                tasks.add(name.as_str(), || ());
            }
            Dag::from_graph("bind", graph)
                .with_tasks(tasks)
                .expect("bound")
        });
}
