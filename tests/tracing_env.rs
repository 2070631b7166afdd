//! `DAG_TRACING=true` switches tracing on without code changes (own test binary: it sets the
//! process environment).

mod only {
    use dag::task;

    #[task(final)]
    pub fn one() -> u8 {
        1
    }
}

#[test]
fn the_environment_variable_enables_tracing() {
    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    unsafe { std::env::set_var("DAG_TRACING", "true") };
    let exec = dag::Dag::new("only").execute().expect("resolves");
    assert!(exec.trace.is_some());
    unsafe { std::env::set_var("DAG_TRACING", "1") };
    assert!(
        dag::Dag::new("only")
            .execute()
            .expect("resolves")
            .trace
            .is_some()
    );
    assert!(
        dag::Dag::new("only")
            .tracing(false)
            .execute()
            .expect("resolves")
            .trace
            .is_none()
    );
    unsafe { std::env::set_var("DAG_TRACING", "no") };
    assert!(
        dag::Dag::new("only")
            .execute()
            .expect("resolves")
            .trace
            .is_none()
    );
}
