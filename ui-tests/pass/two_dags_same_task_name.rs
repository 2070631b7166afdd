//! Two DAGs in one crate, both with a task called `extract`.

mod etl {
    use dag::task;

    #[task]
    fn extract() -> i32 {
        1
    }

    #[task(final)]
    fn load(extract: &i32) -> i32 {
        extract + 10
    }
}

mod training {
    use dag::task;

    #[task]
    fn extract() -> String {
        "features".to_string()
    }

    #[task(final)]
    fn train(extract: &str) -> usize {
        extract.len()
    }
}

fn main() {
    assert_eq!(dag::Dag::new("etl").run::<i32>().expect("etl runs"), 11);
    assert_eq!(dag::Dag::new("training").run::<usize>().expect("training runs"), 8);
}
