use dag::task;

#[task(final, retries = 3, backoff = "soon")]
fn fetch() -> Result<String, std::io::Error> {
    Ok(String::new())
}

fn main() {}
