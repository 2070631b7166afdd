use dag::task;

#[task]
fn schema() {}

#[task(final, after = [shema])]
fn total() -> u32 {
    1
}

fn main() {}
