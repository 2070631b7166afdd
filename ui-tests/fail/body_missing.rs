use dag::task;

#[task(final)]
fn total() -> u32;

fn main() {}
