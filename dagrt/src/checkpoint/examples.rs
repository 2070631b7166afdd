//! The store and manifests in use (what a reader of the module would try first).

use super::{CheckpointStore, Manifest, ManifestNode};

fn node(name: &str) -> ManifestNode {
    ManifestNode {
        name: name.into(),
        code_hash: "h".into(),
        output_type: "u32".into(),
        preds: vec![],
    }
}

#[test]
fn a_store_saves_loads_and_lists_outputs() -> Result<(), Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    let manifest = Manifest {
        dag: "etl".into(),
        nodes: vec![node("etl::load")],
    };
    let store = CheckpointStore::open(tmp.path().join("run"), &manifest)?;
    store.save("etl::load", b"rows")?;
    assert_eq!(store.completed(), ["etl::load"]);
    assert_eq!(store.load("etl::load")?.as_deref(), Some(&b"rows"[..]));
    store.clear()?;
    Ok(())
}

#[test]
fn a_fingerprint_ignores_the_order_of_nodes() {
    let a = Manifest {
        dag: "etl".into(),
        nodes: vec![node("x"), node("y")],
    };
    let b = Manifest {
        dag: "etl".into(),
        nodes: vec![node("y"), node("x")],
    };
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.fingerprint().len(), 64);
}
