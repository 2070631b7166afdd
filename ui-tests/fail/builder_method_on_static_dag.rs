// A static DAG has no builder-graph methods: `execute_with(&tasks)` on `Dag::new` does not
// compile (it used to fail at run time, saying the binary had no #[dag::task]).
use dag::{task, Dag, Tasks};

#[task(final)]
fn answer() -> i64 {
    42
}

fn main() {
    let _ = Dag::new("etl").execute_with(&Tasks::new());
    let _ = Dag::new("etl").final_node("answer");
}
