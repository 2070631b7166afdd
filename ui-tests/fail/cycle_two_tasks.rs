use dag::task;

#[task]
fn a(b: &i32) -> i32 {
    b + 1
}

#[task(final)]
fn b(a: &i32) -> i32 {
    a + 1
}

fn main() {}
