use dag::task;

#[task(input, final)]
fn root() -> std::path::PathBuf;

fn main() {}
