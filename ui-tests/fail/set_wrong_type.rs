use dag::{task, Dag};
use std::path::PathBuf;

#[task(input)]
fn root() -> PathBuf;

#[task(final)]
fn depth(root: &PathBuf) -> usize {
    root.components().count()
}

fn main() {
    let _ = Dag::new("x").set::<root>(42usize);
}
