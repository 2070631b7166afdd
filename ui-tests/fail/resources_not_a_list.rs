use dag::task;

#[task(final, resources = "gpu")]
fn train() -> u32 {
    1
}

fn main() {}
