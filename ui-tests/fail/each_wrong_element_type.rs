use dag::task;

#[task]
fn files() -> Vec<String> {
    vec!["a".to_string()]
}

#[task(final)]
fn sizes(#[each] files: &u64) -> u64 {
    *files
}

fn main() {}
