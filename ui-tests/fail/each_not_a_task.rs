use dag::task;

#[task]
fn files() -> Vec<String> {
    vec!["a".to_string()]
}

#[task(final)]
fn sizes(#[each] fils: &String) -> usize {
    fils.len()
}

fn main() {}
