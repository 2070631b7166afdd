//! Two DAGs in one binary: the tasks of a module form a DAG named after the module.
//!
//! Both DAGs have a task called `extract`; `training` also reuses `etl`'s `clean` by importing
//! it. Run with `cargo run --example two_dags`.

use dag::Dag;

mod etl {
    use dag::task;

    /// Raw rows.
    #[task]
    pub fn extract() -> Vec<i64> {
        vec![3, 1, 2]
    }

    /// Sorted rows.
    #[task]
    pub fn clean(extract: &[i64]) -> Vec<i64> {
        let mut rows = extract.to_vec();
        rows.sort_unstable();
        rows
    }

    /// Total of the rows.
    #[task(final)]
    pub fn load(clean: &[i64]) -> i64 {
        clean.iter().sum()
    }
}

mod training {
    use super::etl::clean;
    use dag::task;

    /// Learning rate.
    #[task]
    fn extract() -> f64 {
        0.5
    }

    /// A "model": the cleaned rows scaled by the learning rate.
    #[task(final)]
    fn train(clean: &[i64], extract: &f64) -> Vec<f64> {
        clean.iter().map(|&x| x as f64 * extract).collect()
    }
}

fn main() -> Result<(), dag::Error> {
    let total: i64 = Dag::new("etl").run()?;
    println!("etl: total = {total}");
    let model: Vec<f64> = Dag::new("training").max_workers(2).run()?;
    println!("training: model = {model:?}");
    println!("DAGs in this binary: {:?}", dag::dag_names());
    Ok(())
}
