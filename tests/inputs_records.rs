//! Profiling records say where an output the task did not compute came from
//! (`reused_from`: `provided` for a value given with `Dag::set`), and files written before
//! that field existed still read.

use dag::Dag;
use dag::meta::MetaDb;
use std::path::PathBuf;

mod wc {
    use dag::task;
    use std::path::{Path, PathBuf};

    /// Directory to scan.
    #[task(input)]
    pub fn root() -> PathBuf;

    /// Its depth.
    #[task(final)]
    pub fn depth(root: &Path) -> usize {
        root.components().count()
    }
}

#[test]
fn a_provided_value_is_recorded_as_provided() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("wc")
        .profile(true)
        .meta_dir(dir.path())
        .set::<wc::root>(PathBuf::from("a/b"));
    let exec = dag.execute().expect("runs");
    assert!(exec.warnings().is_empty(), "{:?}", exec.warnings());
    let t = MetaDb::open(dir.path())
        .query("SELECT task_name, reused_from, attempt FROM profiling ORDER BY task_name")
        .expect("queries");
    assert_eq!(t.len(), 2);
    assert_eq!(t.get::<String>(0, "task_name").expect("a name"), "depth");
    assert_eq!(
        t.get::<Option<String>>(0, "reused_from").expect("a value"),
        None
    );
    assert_eq!(t.get::<i64>(0, "attempt").expect("a value"), 1);
    assert_eq!(t.get::<String>(1, "task_name").expect("a name"), "root");
    assert_eq!(
        t.get::<Option<String>>(1, "reused_from").expect("a value"),
        Some("provided".to_string())
    );
    assert_eq!(t.get::<i64>(1, "attempt").expect("a value"), 0);
}
