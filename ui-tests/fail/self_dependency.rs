use dag::task;

#[task(final)]
fn total(total: &i32) -> i32 {
    total + 1
}

fn main() {}
