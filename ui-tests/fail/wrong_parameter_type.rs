use dag::task;

#[task]
fn extract() -> Vec<i32> {
    vec![1, 2, 3]
}

#[task(final)]
fn load(extract: &String) -> usize {
    extract.len()
}

fn main() {}
