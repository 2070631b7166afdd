use dag::task;

#[task(final, resources(gpu, db = 1))]
fn train() -> u32 {
    1
}

fn main() {}
