use dag::task;

#[task(after = [load])]
fn schema() {}

#[task(final, after = [schema])]
fn load() -> u32 {
    1
}

fn main() {}
