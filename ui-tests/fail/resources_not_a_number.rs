use dag::task;

#[task(final, resources(gpu = "one"))]
fn train() -> u32 {
    1
}

fn main() {}
