use dag::task;

#[task(final, timeout = "soon")]
async fn fetch() -> String {
    String::new()
}

fn main() {}
