//! `DAG_TRACING` is read once per DAG, at its first run (own test binary: it sets the process
//! environment).

mod only {
    use dag::task;

    #[task(final)]
    pub fn one() -> u8 {
        1
    }
}

fn traced(dag: &dag::Dag) -> (bool, Vec<String>) {
    let exec = dag.execute().expect("resolves");
    (exec.trace.is_some(), exec.warnings().to_vec())
}

#[test]
fn a_dag_keeps_the_verdict_of_its_first_run_and_a_new_dag_reads_the_variable_again() {
    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    unsafe { std::env::set_var("DAG_TRACING", "1") };
    let early = dag::Dag::new("only");
    assert_eq!(traced(&early), (true, vec![]));
    unsafe { std::env::set_var("DAG_TRACING", "0") };
    // The DAG that already ran keeps tracing; a new one sees the change.
    assert_eq!(traced(&early), (true, vec![]));
    let late = dag::Dag::new("only");
    assert_eq!(traced(&late), (false, vec![]));
    // A value that is not understood: its warning is on every run of that DAG.
    unsafe { std::env::set_var("DAG_TRACING", "maybe") };
    let odd = dag::Dag::new("only");
    let warning = "DAG_TRACING=\"maybe\" is not understood, so tracing stays off: use 1, true, \
                   yes or on to switch it on (0, false, no, off or empty for off; any case)"
        .to_string();
    assert_eq!(traced(&odd), (false, vec![warning.clone()]));
    unsafe { std::env::remove_var("DAG_TRACING") };
    assert_eq!(traced(&odd), (false, vec![warning]));
    // A DAG made before the variable was set, but run only after: read at that first run.
    let made_early = dag::Dag::new("only");
    unsafe { std::env::set_var("DAG_TRACING", "yes") };
    assert_eq!(traced(&made_early), (true, vec![]));
    unsafe { std::env::remove_var("DAG_TRACING") };
}
