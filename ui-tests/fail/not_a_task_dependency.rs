use dag::task;

fn config() -> i32 {
    7
}

#[task(final)]
fn load(config: &i32) -> i32 {
    *config
}

fn main() {}
