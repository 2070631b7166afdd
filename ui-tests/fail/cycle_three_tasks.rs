use dag::task;

#[task]
fn a(c: &i32) -> i32 {
    c + 1
}

#[task]
fn b(a: &i32) -> i32 {
    a + 1
}

#[task(final)]
fn c(b: &i32) -> i32 {
    b + 1
}

fn main() {}
