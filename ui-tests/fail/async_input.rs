use dag::task;

#[task(input)]
async fn root() -> String {
    String::from(".")
}

fn main() {}
