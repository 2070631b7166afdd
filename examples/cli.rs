//! A pipeline whose `main` is dag's command line: `cargo run --example cli -- --help`.
//!
//! ```console
//! $ cargo run -q --example cli -- tasks greet
//! $ cargo run -q --example cli -- run greet --set name=Ada --set times=2
//! "Hello, Ada! Hello, Ada!"
//! $ cargo run -q --example cli -- graph greet --format mermaid
//! ```

mod greet {
    use dag::task;

    /// Who to greet.
    #[task(input)]
    pub fn name() -> String {
        "world".to_string()
    }

    /// How many times.
    #[task(input)]
    pub fn times() -> usize {
        1
    }

    /// The greeting, repeated.
    #[task(final)]
    pub fn greeting(name: &str, times: &usize) -> String {
        vec![format!("Hello, {name}!"); *times].join(" ")
    }
}

fn main() {
    dag::cli::Cli::new()
        .dag(dag::Dag::new("greet").description("Greets someone, a few times"))
        .main()
}
