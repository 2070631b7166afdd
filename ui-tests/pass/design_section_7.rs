//! The example of DESIGN §7, as written there (bodies filled in).

use dag::{task, Dag};
use std::path::PathBuf;

/// Directory to scan.
#[task(input)]
fn root() -> PathBuf;

/// Shortest word that counts.
#[task(input)]
fn min_len() -> usize { 3 }

/// Files under the root.
#[task]
fn files(root: &PathBuf) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    out.sort();
    Ok(out)
}

/// Words in one file: runs once per element of `files`, in parallel.
#[task]
fn words(#[each] files: &PathBuf, min_len: &usize) -> std::io::Result<usize> {
    let text = std::fs::read_to_string(files)?;
    Ok(text.split_whitespace().filter(|w| w.len() >= *min_len).count())
}

/// Creates the output table; no data flows from it.
#[task]
fn schema() {}

/// The sum, written after the schema exists.
#[task(final, after = [schema])]
fn total(words: &Vec<usize>) -> usize { words.iter().sum() }

fn main() -> Result<(), dag::Error> {
    let dir = std::env::temp_dir().join(format!("dag-design-7-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("a.txt"), "one two three").expect("written");
    std::fs::write(dir.join("b.txt"), "four fives x").expect("written");
    let dag = Dag::new("wc").set::<root>(dir.clone());
    let n: usize = dag.run()?;
    assert_eq!(n, 5);
    let counts: Vec<usize> = dag.run_to::<words>()?;
    assert_eq!(counts, [3, 2]);
    std::fs::remove_dir_all(&dir).expect("removed");
    Ok(())
}
