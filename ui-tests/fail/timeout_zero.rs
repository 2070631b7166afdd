use dag::task;

#[task(final, timeout = "0s")]
async fn fetch() -> String {
    String::new()
}

fn main() {}
