//! User `Serialize`/`Deserialize` code that panics while a run reuses outputs from before
//! (`rerun`, `resume`) never escapes: a warning names the task, whose output is recomputed.

use dag::{Dag, NodeStatus};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

/// A number whose `Serialize` panics once when `SER_PANICS` is set, and whose `Deserialize`
/// panics once when `DE_PANICS` is set.
#[derive(Debug, Clone, PartialEq)]
pub struct Touchy(pub u32);

static SER_PANICS: AtomicBool = AtomicBool::new(false);
/// The flags are shared by every test of this file: each test holds this lock while it runs,
/// so that one test's armed flag never fires inside another test's run.
static SERIAL: Mutex<()> = Mutex::new(());
static DE_PANICS: AtomicBool = AtomicBool::new(false);

impl Serialize for Touchy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if SER_PANICS.swap(false, SeqCst) {
            panic!("serialize exploded");
        }
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Touchy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if DE_PANICS.swap(false, SeqCst) {
            panic!("deserialize exploded");
        }
        u32::deserialize(d).map(Touchy)
    }
}

mod rerun_dag {
    use super::Touchy;
    use dag::task;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    pub static RUNS: AtomicUsize = AtomicUsize::new(0);

    #[task]
    pub fn touchy() -> Touchy {
        RUNS.fetch_add(1, SeqCst);
        Touchy(20)
    }

    #[task(final)]
    pub fn plus_one(touchy: &Touchy) -> u32 {
        touchy.0 + 1
    }
}

mod resume_dag {
    use super::Touchy;
    use dag::task;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    pub static RUNS: AtomicUsize = AtomicUsize::new(0);

    #[task]
    pub fn touchy() -> Touchy {
        RUNS.fetch_add(1, SeqCst);
        Touchy(7)
    }

    #[task(final)]
    pub fn fails_once(touchy: &Touchy) -> Result<u32, String> {
        static FAILED: AtomicUsize = AtomicUsize::new(0);
        if FAILED.fetch_add(1, SeqCst) == 0 {
            return Err("not yet".to_string());
        }
        Ok(touchy.0 * 2)
    }
}

#[test]
fn a_serialize_panic_during_rerun_recomputes_the_output_with_a_warning() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dag = Dag::new("rerun_dag").keep_outputs(true);
    let first = dag.execute().expect("runs");
    assert_eq!(first.output::<rerun_dag::plus_one>(), Some(&21));
    SER_PANICS.store(true, SeqCst);
    let second = dag.rerun(first, &[]).expect("the panic does not escape");
    assert_eq!(
        second.warnings(),
        [
            "encoding the previous output of task `touchy` panicked (the panic was caught): \
          serialize exploded; the task runs again"
        ]
    );
    assert_eq!(rerun_dag::RUNS.load(SeqCst), 2, "touchy ran again");
    assert_eq!(second.status("touchy"), Some(NodeStatus::Completed));
    assert_eq!(second.output::<rerun_dag::plus_one>(), Some(&21));
}

#[test]
fn a_deserialize_panic_during_resume_recomputes_the_output_with_a_warning() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("resume_dag").checkpoint_dir(dir.path());
    let first = dag.execute().expect("runs");
    assert_eq!(first.status("fails_once"), Some(NodeStatus::Failed));
    DE_PANICS.store(true, SeqCst);
    let resumed = dag.resume().expect("the panic does not escape");
    assert_eq!(
        resumed.warnings(),
        [
            "decoding the checkpointed output of task `touchy` panicked (the panic was caught): \
          deserialize exploded; the task runs again"
        ]
    );
    assert_eq!(resume_dag::RUNS.load(SeqCst), 2, "touchy ran again");
    assert_eq!(resumed.status("fails_once"), Some(NodeStatus::Completed));
    assert_eq!(resumed.output::<resume_dag::fails_once>(), Some(&14));
}
