use dag::task;

#[task(final, resources(gpu = 1, db = 2, gpu = 1))]
fn train() -> u32 {
    1
}

fn main() {}
