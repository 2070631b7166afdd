//! A dependency defined in another module and imported with `use`.

mod sources {
    use dag::task;

    /// Raw rows.
    #[task]
    pub fn rows() -> Vec<u32> {
        vec![1, 2, 3]
    }
}

mod report {
    use super::sources::rows;
    use dag::task;

    /// Their sum.
    #[task(final)]
    pub fn total(rows: &[u32]) -> u32 {
        rows.iter().sum()
    }
}

fn main() {
    let total: u32 = dag::Dag::new("report").run().expect("runs");
    assert_eq!(total, 6);
    // Tasks stay plain functions.
    assert_eq!(report::total(&sources::rows()), 6);
}
