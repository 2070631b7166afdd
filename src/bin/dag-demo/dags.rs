//! The DAGs of dag-demo (also compiled into `tests/cli.rs`, which compares the command line's
//! answers with the library's).

/// Counts the words of a text that are long enough.
pub mod words {
    use dag::task;
    use serde::{Deserialize, Serialize};
    use std::fmt;

    /// A calendar day: it has no `FromStr`, so it cannot be set from the command line.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Day {
        /// The year.
        pub year: u16,
        /// The month, 1 to 12.
        pub month: u8,
        /// The day of the month.
        pub day: u8,
    }

    impl fmt::Display for Day {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
        }
    }

    /// What the DAG produces.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Report {
        /// The day of the count.
        pub day: String,
        /// How many words are long enough.
        pub count: usize,
        /// Those words, in text order.
        pub words: Vec<String>,
    }

    /// The text to count words in.
    #[task(input)]
    pub fn text() -> String;

    /// Shortest word that counts.
    #[task(input)]
    pub fn min_len() -> usize {
        3
    }

    /// The day the count is for.
    #[task(input)]
    pub fn day() -> Day {
        Day {
            year: 2024,
            month: 1,
            day: 1,
        }
    }

    /// The words of the text.
    #[task]
    pub fn split(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    /// The words long enough to count.
    #[task(retries = 1)]
    pub fn long_words(split: &[String], min_len: &usize) -> Vec<String> {
        split
            .iter()
            .filter(|w| w.len() >= *min_len)
            .cloned()
            .collect()
    }

    /// The count of long words, with the words.
    #[task(final)]
    pub fn report(long_words: &[String], day: &Day) -> Report {
        Report {
            day: day.to_string(),
            count: long_words.len(),
            words: long_words.to_vec(),
        }
    }
}

/// A DAG whose middle task fails, next to a slow branch.
pub mod flaky {
    use dag::task;
    use std::time::Duration;

    /// Fetches a number.
    #[task]
    pub fn fetch() -> u32 {
        7
    }

    /// Stores it, and fails: the disk is full.
    #[task]
    pub fn store(fetch: &u32) -> Result<u32, String> {
        Err(format!("disk full while storing {fetch}"))
    }

    /// Takes its time (so that `--fail-fast` finds `audit` not started yet).
    #[task]
    pub fn slow() -> u32 {
        std::thread::sleep(Duration::from_millis(500));
        1
    }

    /// Runs after `slow`, unless the run stopped first.
    #[task]
    pub fn audit(slow: &u32) -> u32 {
        *slow + 1
    }

    /// Publishes what was stored.
    #[task(final)]
    pub fn publish(store: &u32) -> u32 {
        *store
    }
}

/// Four steps of 300 ms each, one after the other, for watching the progress display: the
/// third fails its first attempt and is retried; `audit`, beside them, fails when asked; the
/// last step can be held until a file exists, so that a test reads the screen mid-run.
pub mod steps {
    use dag::task;
    use std::path::Path;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{Duration, Instant};

    /// What each step takes.
    const STEP: Duration = Duration::from_millis(300);

    /// A file `load` waits for before it returns (empty: it does not wait).
    #[task(input)]
    pub fn hold() -> String {
        String::new()
    }

    /// Whether `audit` fails.
    #[task(input)]
    pub fn fail() -> bool {
        false
    }

    /// Gets ready.
    #[task]
    pub fn prepare() -> u32 {
        std::thread::sleep(STEP);
        1
    }

    /// Extracts the rows.
    #[task]
    pub fn extract(prepare: &u32) -> u32 {
        std::thread::sleep(STEP);
        prepare + 1
    }

    /// Transforms them; its first attempt in a process fails.
    #[task(retries = 1, backoff = "10ms")]
    pub fn transform(extract: &u32) -> Result<u32, String> {
        static ATTEMPTS: AtomicU32 = AtomicU32::new(0);
        std::thread::sleep(STEP);
        if ATTEMPTS.fetch_add(1, Ordering::Relaxed) == 0 {
            return Err("the warehouse is busy".to_string());
        }
        Ok(extract + 1)
    }

    /// Checks the numbers, beside the steps; fails with `--set fail=true`.
    #[task]
    pub fn audit(fail: &bool) -> Result<u32, String> {
        if *fail {
            return Err("the numbers do not add up".to_string());
        }
        Ok(0)
    }

    /// Loads them.
    ///
    /// Waits first for the file `hold` names (at most a minute).
    #[task(final)]
    pub fn load(transform: &u32, hold: &str) -> Result<u32, String> {
        std::thread::sleep(STEP);
        let start = Instant::now();
        while !hold.is_empty() && !Path::new(hold).exists() {
            if start.elapsed() > Duration::from_secs(60) {
                return Err(format!("{hold} did not appear within a minute"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(transform + 1)
    }
}

/// Word count over the text files of a directory (modelled on `examples/wordcount.rs`):
/// every output is serde-serializable, so `export snakemake` can run each task as its own
/// process.
pub mod wordcount {
    use dag::task;
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    /// Directory to scan.
    #[task(input)]
    pub fn root() -> PathBuf;

    /// Shortest word that counts.
    #[task(input)]
    pub fn min_len() -> usize {
        3
    }

    /// The `.txt` files directly under the root, sorted.
    #[task]
    pub fn files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(root)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "txt") {
                out.push(path);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Words of one file that are long enough, counted: once per file, in parallel.
    #[task]
    pub fn words(
        #[each] files: &PathBuf,
        min_len: &usize,
    ) -> std::io::Result<HashMap<String, usize>> {
        let text = std::fs::read_to_string(files)?;
        let mut counts = HashMap::new();
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= *min_len)
        {
            *counts.entry(word.to_lowercase()).or_insert(0) += 1;
        }
        Ok(counts)
    }

    /// The 10 most frequent words, with their counts (ties by word).
    #[task(final)]
    pub fn top(words: &[HashMap<String, usize>]) -> Vec<(String, usize)> {
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
}
