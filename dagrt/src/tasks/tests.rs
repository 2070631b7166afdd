use super::*;
use crate::graph::Graph;

/// `a -> b -> c`, built by id.
fn chain() -> (Graph, [NodeId; 3]) {
    let mut b = Graph::builder();
    let ids = [b.node("a"), b.node("b"), b.node("c")];
    b.edge(ids[0], ids[1]).edge(ids[1], ids[2]);
    (b.build().expect("valid"), ids)
}

#[test]
fn plain_bodies_by_id_are_bound_without_a_spec_per_node() {
    let (graph, ids) = chain();
    let mut tasks = Tasks::with_capacity(3);
    for id in ids {
        tasks.add(id, || 1u8);
    }
    let bound = tasks.bind(&graph).expect("bound");
    assert_eq!(bound.bodies.len(), 3);
    assert_eq!(bound.frees, [true, true, true]);
    assert_eq!((bound.outputs[2])().name, "u8");
    assert!(bound.specs.is_empty(), "every spec is the default one");
    assert!(bound.asyncs.is_empty(), "no task is async");
}

#[test]
fn options_by_id_keep_a_spec_per_node() {
    let (graph, ids) = chain();
    let mut tasks = Tasks::new();
    tasks.options(ids[1], TaskOptions::NONE.retries(2));
    for id in ids {
        tasks.add(id, || ());
    }
    let resolved = tasks.resolve(&graph).expect("resolved");
    let retries: Vec<Option<u32>> = resolved.specs.iter().map(|s| s.options.retries).collect();
    assert_eq!(retries, [None, Some(2), None]);
    assert_eq!(resolved.frees, [false, false, false]);
    let bound = tasks.bind(&graph).expect("bound");
    let retries: Vec<Option<u32>> = bound.specs.iter().map(|s| s.options.retries).collect();
    assert_eq!(retries, [None, Some(2), None]);
}

#[test]
fn a_body_given_both_ways_is_the_later_one() {
    let (graph, ids) = chain();
    let mut tasks = Tasks::new();
    tasks
        .add(ids[0], || 1u8)
        .add("a", || 1u16)
        .add(ids[1], || ())
        .add("c", || ());
    assert_eq!(tasks.output_type(&graph, ids[0]).expect("a").name, "u16");
    tasks.add(ids[0], || 1u32);
    assert_eq!(tasks.output_type(&graph, ids[0]).expect("a").name, "u32");
    assert_eq!(
        format!("{tasks:?}"),
        r#"Tasks { names: ["a", "c"], ids: [0, 1] }"#
    );
    let bound = tasks.bind(&graph).expect("a replaced body is no extra one");
    assert_eq!((bound.outputs[0])().name, "u32");
}
