use dag::task;

#[task(final, resources())]
fn train() -> u32 {
    1
}

fn main() {}
