use dag::task;

#[task]
fn files() -> Vec<String> {
    vec![String::from("a")]
}

#[task(final)]
async fn sizes(#[each] files: &String) -> usize {
    files.len()
}

fn main() {}
