use dag::task;

#[task(fnal)]
fn load() -> i32 {
    1
}

fn main() {}
