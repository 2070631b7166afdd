use dag::task;

#[task]
fn pair() -> (i32, i32) {
    (1, 2)
}

#[task(final)]
fn sum((a, b): &(i32, i32)) -> i32 {
    a + b
}

fn main() {}
