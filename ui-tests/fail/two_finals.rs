use dag::task;

#[task]
fn extract() -> i32 {
    1
}

#[task(final)]
fn load(extract: &i32) -> i32 {
    *extract
}

#[task(final)]
fn report(extract: &i32) -> String {
    extract.to_string()
}

fn main() {}
