use dag::task;

#[task]
fn extract() -> i32 {
    1
}

#[task]
fn extract() -> i32 {
    2
}

fn main() {}
