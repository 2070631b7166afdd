use dag::task;

#[task(final)]
fn numbers() -> impl Iterator<Item = i32> {
    0..3
}

fn main() {}
