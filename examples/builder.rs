//! A graph known only at run time (dagron's `DAG.builder()`), run on the same executor.
//!
//! `cargo run --example builder` builds a fan-out of N shards (N from the first argument,
//! default 8), runs zero-argument closures and closures that read their inputs, and prints
//! the result and the trace summary.

use dag::graph::Graph;
use dag::{Dag, InputError, Tasks};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let shards: usize = std::env::args().nth(1).map_or(Ok(8), |a| a.parse())?;
    let mut b = Graph::builder();
    b.add_node("config");
    for i in 0..shards {
        b.add_node(format!("shard_{i}"))
            .add_edge("config", format!("shard_{i}"));
    }
    b.add_node("total");
    b.add_edges((0..shards).map(|i| (format!("shard_{i}"), "total")));
    let dag = Dag::from_graph("shards", b.build()?).tracing(true);

    let mut tasks = Tasks::new();
    tasks.add("config", || 1_000u64);
    for i in 0..shards {
        tasks.add_with_inputs(format!("shard_{i}"), move |inputs| {
            let size = inputs.by_name::<u64>("config")?;
            Ok::<_, InputError>((0..*size).map(|x| x * i as u64).sum::<u64>())
        });
    }
    tasks.add_with_inputs("total", |inputs| {
        (0..inputs.len())
            .map(|k| inputs.get::<u64>(k))
            .sum::<Result<u64, _>>()
    });

    let execution = dag.execute_with(&tasks)?;
    println!("total = {:?}", execution.output_as::<u64>("total"));
    if let Some(trace) = &execution.trace {
        println!("{}", trace.summary());
    }
    // Mistakes are found before anything runs, with the cycle path:
    let mut bad = Graph::builder();
    bad.add_nodes(["a", "b", "c"])
        .add_edges([("a", "b"), ("b", "c"), ("c", "a")]);
    match bad.build() {
        Ok(_) => println!("unexpected: the cyclic graph was accepted"),
        Err(e) => println!("a cyclic graph is refused: {e}"),
    }
    Ok(())
}
