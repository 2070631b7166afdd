//! dag-demo: a program whose `main` is the dag command line (`dag-demo --help`); the
//! integration tests of `tests/cli.rs` drive it as a process.

mod dags;

use dag::{Dag, cli::Cli};

fn main() {
    Cli::new()
        .dag(Dag::new("words").description("Counts the long words of a text"))
        .main()
}
