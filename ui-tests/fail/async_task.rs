use dag::task;

#[task(final)]
async fn fetch() -> String {
    String::from("page")
}

fn main() {}
