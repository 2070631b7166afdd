use dag::task;

#[task(final, timeout = 5)]
async fn fetch() -> String {
    String::new()
}

fn main() {}
