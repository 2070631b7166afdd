use dag::task;

/// Given to each run: nothing of it runs, so nothing can time out.
#[task(input, timeout = "5s")]
fn token() -> String;

fn main() {}
