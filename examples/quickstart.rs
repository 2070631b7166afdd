//! The daglib quickstart, ported 1:1: two tasks, the second doubles the first's output.
//!
//! Run with `cargo run --example quickstart`; prints `[2, 4, 6]` after about a second.

use dag::{Dag, task};

/// Do some stuff
#[task]
fn task_1() -> Vec<i32> {
    std::thread::sleep(std::time::Duration::from_secs(1));
    vec![1, 2, 3]
}

/// Do some other stuff
#[task(final)]
#[allow(clippy::ptr_arg)] // the daglib seed, ported 1:1 (`&[i32]` works too)
fn task_2(task_1: &Vec<i32>) -> Vec<i32> {
    task_1.iter().map(|x| x * 2).collect()
}

fn main() -> Result<(), dag::Error> {
    let dag = Dag::new("example")
        .description("This is an example DAG")
        .profile(true);
    let out: Vec<i32> = dag.run()?;
    println!("{out:?}");
    Ok(())
}
