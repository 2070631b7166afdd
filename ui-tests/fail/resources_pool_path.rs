use dag::task;

#[task(final, resources(pools::gpu = 1))]
fn train() -> u32 {
    1
}

fn main() {}
