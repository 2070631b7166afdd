//! `#[each]` over 100k elements against the builder fan of 100k empty tasks, in one run of
//! this binary: ns per element vs ns per task (issue 12 target: ≤ 1.5×).
//!
//! Run with `cargo bench -p dagrt --bench each`.

use dag::graph::Graph;
use dag::{Dag, Tasks};
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};

const WORKERS: usize = 2;
const N: usize = 100_000;
const SAMPLES: u32 = 25;

mod mapped {
    use dag::task;

    /// The elements.
    #[task(input)]
    pub fn items() -> Vec<u32>;

    /// One empty unit of work per element.
    #[task(final)]
    pub fn each_item(#[each] items: &u32) {
        let _ = items;
    }
}

fn main() {
    divan::main();
}

/// 100k elements mapped by one `#[each]` task.
#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn each_100k(b: Bencher) {
    let dag = Dag::new("mapped")
        .max_workers(WORKERS)
        .set::<mapped::items>(vec![0; N]);
    let out: Vec<()> = dag.run().expect("runs");
    assert_eq!(out.len(), N);
    b.counter(ItemsCount::new(N)).bench(|| {
        drop(black_box(dag.execute().expect("runs")));
    });
}

/// The builder fan 0 -> {1..=100k} -> 100k+1 of empty tasks.
#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn fan_100k(b: Bencher) {
    let names: Vec<String> = (0..N + 2).map(|i| format!("n{i}")).collect();
    let mut builder = Graph::builder();
    builder.add_nodes(names.iter().cloned());
    builder.add_edges((1..=N).flat_map(|i| {
        [
            (names[0].clone(), names[i].clone()),
            (names[i].clone(), names[N + 1].clone()),
        ]
    }));
    let graph = builder.build().expect("a DAG");
    let mut tasks = Tasks::new();
    for v in graph.nodes() {
        tasks.add(graph.name(v), || ());
    }
    let dag = Dag::from_graph("fan", graph)
        .max_workers(WORKERS)
        .with_tasks(tasks)
        .expect("every node has a task");
    drop(dag.execute().expect("runs"));
    b.counter(ItemsCount::new(N + 2)).bench(|| {
        drop(black_box(dag.execute().expect("runs")));
    });
}
