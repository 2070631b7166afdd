//! `DAG_TRACING` switches tracing on without code changes (own test binary: it sets the
//! process environment).

mod only {
    use dag::task;

    #[task(final)]
    pub fn one() -> u8 {
        1
    }
}

/// Whether a run with `DAG_TRACING` set to `value` was traced, and its warnings.
fn run_with_env(value: &str) -> (bool, Vec<String>) {
    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    unsafe { std::env::set_var("DAG_TRACING", value) };
    let exec = dag::Dag::new("only").execute().expect("resolves");
    (exec.trace.is_some(), exec.warnings().to_vec())
}

#[test]
fn the_environment_variable_enables_tracing() {
    for on in [
        "1", "true", "TRUE", "True", "yes", "YES", "on", "On", " true ",
    ] {
        assert_eq!(run_with_env(on), (true, vec![]), "DAG_TRACING={on:?}");
    }
    for off in ["0", "false", "FALSE", "no", "No", "off", "OFF", "", " "] {
        assert_eq!(run_with_env(off), (false, vec![]), "DAG_TRACING={off:?}");
    }
    for bad in ["maybe", "2", "enabled", "tru", "y"] {
        assert_eq!(
            run_with_env(bad),
            (
                false,
                vec![format!(
                    "DAG_TRACING={bad:?} is not understood, so tracing stays off: use 1, true, \
                     yes or on to switch it on (0, false, no, off or empty for off; any case)"
                )]
            ),
            "DAG_TRACING={bad:?}"
        );
    }
    // An explicit `.tracing(..)` wins, and the variable is not read at all.
    unsafe { std::env::set_var("DAG_TRACING", "maybe") };
    let exec = dag::Dag::new("only")
        .tracing(true)
        .execute()
        .expect("resolves");
    assert!(exec.trace.is_some() && exec.warnings().is_empty());
    unsafe { std::env::set_var("DAG_TRACING", "1") };
    let exec = dag::Dag::new("only")
        .tracing(false)
        .execute()
        .expect("resolves");
    assert!(exec.trace.is_none() && exec.warnings().is_empty());
    unsafe { std::env::remove_var("DAG_TRACING") };
    let exec = dag::Dag::new("only").execute().expect("resolves");
    assert!(exec.trace.is_none() && exec.warnings().is_empty());
}
