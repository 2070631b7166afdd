use dag::task;

#[task]
fn base() -> u32 {
    1
}

#[task(input)]
fn threshold(base: &u32) -> u32;

fn main() {}
