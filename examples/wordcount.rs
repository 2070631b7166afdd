//! Word count over a directory tree: the root directory is an input given on the command
//! line, `files` lists the files under it, `#[each]` counts the words of every file in
//! parallel, and the final task sums them and prints the 10 most frequent words. Tracing and
//! profiling are on: the Chrome trace shows every file as its own slice (`words[3]`).
//!
//! `cargo run --example wordcount -- ROOT [OUT_DIR]` (defaults: `.` and `wordcount-out`);
//! OUT_DIR receives `trace.json` (Chrome Trace Event Format) and the profiling records.

use dag::{Dag, task};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Directory to scan.
#[task(input)]
fn root() -> PathBuf;

/// Shortest word that counts.
#[task(input)]
fn min_len() -> usize {
    3
}

/// The `.rs`, `.md` and `.toml` files under the root, sorted, skipping `target` and hidden
/// directories.
#[task]
fn files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let hidden = name
                .as_deref()
                .is_some_and(|n| n.starts_with('.') || n == "target");
            if path.is_dir() {
                if !hidden {
                    dirs.push(path);
                }
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("rs" | "md" | "toml")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Words in one file: runs once per element of `files`, in parallel.
#[task]
fn words(#[each] files: &PathBuf, min_len: &usize) -> std::io::Result<HashMap<String, usize>> {
    let text = std::fs::read_to_string(files)?;
    let mut counts = HashMap::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| w.chars().count() >= *min_len)
    {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    Ok(counts)
}

/// The 10 most frequent words, with their counts (ties by word).
#[task(final)]
fn top(words: &[HashMap<String, usize>]) -> Vec<(String, usize)> {
    let mut total: HashMap<&str, usize> = HashMap::new();
    for counts in words {
        for (word, n) in counts {
            *total.entry(word).or_insert(0) += n;
        }
    }
    let mut ranked: Vec<(String, usize)> =
        total.into_iter().map(|(w, n)| (w.to_string(), n)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(10);
    ranked
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root_dir = PathBuf::from(args.next().unwrap_or_else(|| ".".to_string()));
    let out = PathBuf::from(args.next().unwrap_or_else(|| "wordcount-out".to_string()));
    std::fs::create_dir_all(&out)?;
    let dag = Dag::new("wordcount")
        .description("Word count over a directory tree")
        .tracing(true)
        .profile(true)
        .meta_dir(out.join("meta"))
        .set::<root>(root_dir.clone());
    let listed: Vec<PathBuf> = dag.run_to::<files>()?;
    let exec = dag.execute()?;
    if let Some(failed) = exec.first_failure() {
        return Err(format!(
            "task `{}` failed: {}",
            failed.name,
            failed.error.unwrap_or_default()
        )
        .into());
    }
    let ranked = exec.output::<top>().ok_or("no output")?;
    println!(
        "{} files under {}; the 10 most frequent words:",
        listed.len(),
        root_dir.display()
    );
    for (word, n) in ranked {
        println!("{n:>8}  {word}");
    }
    if let Some(trace) = &exec.trace {
        std::fs::write(out.join("trace.json"), trace.to_chrome_trace())?;
    }
    Ok(())
}
