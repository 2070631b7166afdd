//! Inputs, overrides, `after` and `run_to`, written as DESIGN §7 shows them.

use dag::{task, Dag};
use std::path::{Path, PathBuf};

/// Directory to scan.
#[task(input)]
fn root() -> PathBuf;

/// Shortest word that counts.
#[task(input)]
fn min_len() -> usize {
    3
}

/// Files under the root.
#[task]
fn files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(vec![root.join("a.txt")])
}

/// Creates the output table; no data flows from it.
#[task]
fn schema() {}

/// How many files, written after the schema exists.
#[task(final, after = [schema])]
fn total(files: &[PathBuf], min_len: &usize) -> usize {
    files.len() * min_len
}

fn main() -> Result<(), dag::Error> {
    // The default stays callable as written.
    assert_eq!(min_len(), 3);
    let dag = Dag::new("wc").set::<root>("./data".into());
    let n: usize = dag.run()?;
    assert_eq!(n, 3);
    let listed: Vec<PathBuf> = dag.run_to::<files>()?;
    assert_eq!(listed, [PathBuf::from("./data/a.txt")]);
    let n: usize = dag.set::<min_len>(1).run()?;
    assert_eq!(n, 1);
    Ok(())
}
