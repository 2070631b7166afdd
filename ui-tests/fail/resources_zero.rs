use dag::task;

#[task(final, resources(gpu = 0))]
fn train() -> u32 {
    1
}

fn main() {}
