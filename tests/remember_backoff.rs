//! A huge backoff never panics: the delay is bounded (its arithmetic is tested in the
//! executor's unit tests, where no clock is involved).

use dag::Dag;
use std::time::Duration;

mod steady {
    use dag::task;

    #[task(final)]
    pub fn steady() -> Result<u32, String> {
        Ok(1)
    }
}

#[test]
fn retries_with_the_largest_backoff_run() {
    let dag = Dag::new("steady").retries(3).backoff(Duration::MAX);
    assert_eq!(dag.run::<u32>().expect("runs"), 1);
    let exec = dag.execute().expect("runs");
    assert_eq!(exec.node("steady").expect("node").attempts, 1);
}
