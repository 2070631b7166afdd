use dag::task;

#[task(final, final)]
fn load() -> i32 {
    1
}

fn main() {}
