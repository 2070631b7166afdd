//! An `async fn` task with dag's `tokio` feature off: must not compile (see Cargo.toml).

/// The tasks.
mod pipeline {
    use dag::task;

    /// A sync task compiles without the feature.
    #[task]
    pub fn url() -> String {
        String::from("https://example.org")
    }

    /// This one needs the feature.
    #[task(final)]
    pub async fn page(url: &str) -> String {
        url.to_uppercase()
    }
}

fn main() {
    let _ = dag::Dag::new("pipeline");
}
