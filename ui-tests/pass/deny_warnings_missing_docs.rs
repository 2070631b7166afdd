//! Public tasks in a crate that denies every warning and missing docs.
#![deny(warnings, missing_docs)]

/// A public module of tasks.
pub mod pipeline {
    use dag::task;

    /// The input.
    #[task]
    pub fn input() -> Vec<i32> {
        vec![1, 2]
    }

    /// A private step.
    #[task]
    fn squared(input: &[i32]) -> Vec<i32> {
        input.iter().map(|x| x * x).collect()
    }

    /// The output.
    #[task(final)]
    pub fn output(squared: &[i32]) -> i32 {
        squared.iter().sum()
    }
}

fn main() {
    assert_eq!(dag::Dag::new("pipeline").run::<i32>().expect("runs"), 5);
}
