//! Tests of the checkpoint store and manifest comparison.

use super::{CheckpointError, CheckpointStore, Manifest, ManifestNode};
use std::fs;
use std::path::Path;

fn node(name: &str, code: &str, preds: &[&str]) -> ManifestNode {
    ManifestNode {
        name: name.into(),
        code_hash: code.into(),
        output_type: "u32".into(),
        preds: preds.iter().map(|p| (*p).to_owned()).collect(),
    }
}

fn etl() -> Manifest {
    Manifest {
        dag: "etl".into(),
        nodes: vec![
            node("a", "h_a", &[]),
            node("b", "h_b", &[]),
            node("c", "h_c", &[]),
            node("transform", "abc1234567890000", &["a"]),
            node("merge", "h_m", &["a", "b"]),
        ],
    }
}

fn mismatch(dir: &Path, manifest: &Manifest) -> String {
    match CheckpointStore::open(dir, manifest) {
        Err(CheckpointError::Mismatch { dir: d, reason }) => {
            assert_eq!(d, dir);
            reason
        }
        other => panic!("expected Mismatch, got {other:?}"),
    }
}

#[test]
fn manifest_created_then_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let store = CheckpointStore::open(&dir, &etl()).unwrap();
    assert_eq!(store.dir(), dir);
    assert_eq!(store.manifest(), &etl());
    let json = fs::read(dir.join("manifest.json")).unwrap();
    assert_eq!(serde_json::from_slice::<Manifest>(&json).unwrap(), etl());
    store.save("a", b"1").unwrap();
    drop(store);
    let again = CheckpointStore::open(&dir, &etl()).unwrap();
    assert_eq!(again.completed(), ["a"]);
    // Node order does not matter.
    let mut reordered = etl();
    reordered.nodes.reverse();
    CheckpointStore::open(&dir, &reordered).unwrap();
}

#[test]
fn mismatch_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    CheckpointStore::open(&dir, &etl()).unwrap();

    let mut m = etl();
    m.nodes[3].code_hash = "def4567890120000".into();
    assert_eq!(
        mismatch(&dir, &m),
        "task `transform` changed (code hash abc123456789… → def456789012…)"
    );

    let mut m = etl();
    m.nodes.push(node("load", "h_l", &[]));
    assert_eq!(mismatch(&dir, &m), "task `load` was added");

    let mut m = etl();
    m.nodes.remove(2);
    assert_eq!(mismatch(&dir, &m), "task `c` was removed");

    let mut m = etl();
    m.nodes[4].preds = vec!["a".into(), "c".into()];
    assert_eq!(
        mismatch(&dir, &m),
        "the inputs of `merge` changed (a, b → a, c)"
    );

    let mut m = etl();
    m.nodes[4].preds = vec!["b".into(), "a".into()];
    assert_eq!(
        mismatch(&dir, &m),
        "the inputs of `merge` changed (a, b → b, a)"
    );

    let mut m = etl();
    m.nodes[0].preds = vec!["b".into()];
    assert_eq!(mismatch(&dir, &m), "the inputs of `a` changed (none → b)");

    let mut m = etl();
    m.dag = "etl2".into();
    assert_eq!(mismatch(&dir, &m), "different DAG `etl` vs `etl2`");

    // Several differences are all listed, then counted.
    let mut m = etl();
    m.nodes[0].code_hash = "x".into();
    m.nodes[1].code_hash = "y".into();
    m.nodes.push(node("load", "h_l", &[]));
    m.nodes.remove(2);
    m.nodes.push(node("save", "h_s", &[]));
    assert_eq!(
        mismatch(&dir, &m),
        "task `a` changed (code hash h_a → x); task `b` changed (code hash h_b → y); \
         task `load` was added; and 2 more"
    );

    let err = CheckpointStore::open(&dir, &m).unwrap_err().to_string();
    assert!(err.starts_with(&format!(
        "checkpoint {} does not match this DAG: ",
        dir.display()
    )));
    // The stored manifest is untouched by a failed open.
    CheckpointStore::open(&dir, &etl()).unwrap();
}

#[test]
fn corrupt_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    fs::create_dir_all(&dir).unwrap();
    for bad in [&b"{ not json"[..], b"", b"{\"dag\": 3}", b"\xff\xfe"] {
        fs::write(dir.join("manifest.json"), bad).unwrap();
        match CheckpointStore::open(&dir, &etl()) {
            Err(CheckpointError::Corrupt { path, reason }) => {
                assert_eq!(path, dir.join("manifest.json"));
                assert!(reason.starts_with("invalid manifest"), "{reason}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }
}

#[test]
fn save_load_completed() {
    let tmp = tempfile::tempdir().unwrap();
    let store = CheckpointStore::open(tmp.path(), &etl()).unwrap();
    assert_eq!(store.load("merge").unwrap(), None);
    assert!(store.completed().is_empty());
    store.save("merge", b"merged").unwrap();
    store.save("a", b"").unwrap();
    store.save("transform", &[9u8; 10_000]).unwrap();
    store.save("merge", b"merged again").unwrap();
    assert_eq!(
        store.load("merge").unwrap().as_deref(),
        Some(&b"merged again"[..])
    );
    assert_eq!(store.load("a").unwrap(), Some(Vec::new()));
    assert_eq!(store.load("transform").unwrap(), Some(vec![9u8; 10_000]));
    assert_eq!(store.completed(), ["a", "merge", "transform"]);
    // Stray files are not outputs.
    let outputs = tmp.path().join("outputs");
    fs::write(outputs.join(".1-2-3.tmp"), b"partial").unwrap();
    fs::write(outputs.join("notes.txt"), b"").unwrap();
    fs::write(outputs.join("%41.bin"), b"").unwrap();
    assert_eq!(store.completed(), ["a", "merge", "transform"]);
}

#[test]
fn corrupt_output_is_an_error_then_absent() {
    let tmp = tempfile::tempdir().unwrap();
    let store = CheckpointStore::open(tmp.path(), &etl()).unwrap();
    store.save("merge", b"merged rows").unwrap();
    let path = tmp.path().join("outputs").join("merge.bin");
    let mut bytes = fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x10;
    fs::write(&path, &bytes).unwrap();
    match store.load("merge") {
        Err(CheckpointError::Corrupt { path: p, reason }) => {
            assert_eq!(p, path);
            assert!(reason.contains("checksum"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(store.load("merge").unwrap(), None);
    assert!(store.completed().is_empty());
    fs::write(&path, b"DAGC").unwrap();
    assert!(matches!(
        store.load("merge"),
        Err(CheckpointError::Corrupt { .. })
    ));
}

#[test]
fn clear_is_idempotent_and_store_reusable() {
    let tmp = tempfile::tempdir().unwrap();
    let store = CheckpointStore::open(tmp.path(), &etl()).unwrap();
    store.save("a", b"1").unwrap();
    store.clear().unwrap();
    assert!(!tmp.path().join("manifest.json").exists());
    assert!(!tmp.path().join("outputs").exists());
    assert!(store.completed().is_empty());
    assert_eq!(store.load("a").unwrap(), None);
    store.clear().unwrap();
    // After clearing, a different DAG may take the directory over.
    let mut other = etl();
    other.dag = "other".into();
    CheckpointStore::open(tmp.path(), &other).unwrap();
    drop(CheckpointStore::open(tmp.path(), &other).unwrap().clear());
    // And a save after clear writes the manifest back.
    store.save("b", b"2").unwrap();
    assert_eq!(
        CheckpointStore::open(tmp.path(), &etl())
            .unwrap()
            .completed(),
        ["b"]
    );
}

#[test]
fn names_with_paths_and_colons() {
    let tmp = tempfile::tempdir().unwrap();
    let names = [
        "etl::load",
        "a/b",
        "../escape",
        ".hidden",
        "a::b/c d",
        "50%",
        "é",
    ];
    let manifest = Manifest {
        dag: "odd".into(),
        nodes: names.iter().map(|n| node(n, "h", &[])).collect(),
    };
    let store = CheckpointStore::open(tmp.path(), &manifest).unwrap();
    for (i, name) in names.iter().enumerate() {
        store.save(name, &[i as u8]).unwrap();
    }
    for (i, name) in names.iter().enumerate() {
        assert_eq!(store.load(name).unwrap(), Some(vec![i as u8]), "{name}");
    }
    let mut sorted: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    sorted.sort();
    assert_eq!(store.completed(), sorted);
    // Everything stays inside outputs/, one flat file per node.
    let files = fs::read_dir(tmp.path().join("outputs")).unwrap().count();
    assert_eq!(files, names.len());
    assert!(
        tmp.path()
            .join("outputs")
            .join("etl%3A%3Aload.bin")
            .is_file()
    );
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        2,
        "manifest.json + outputs/"
    );
}

#[test]
fn fingerprint_is_canonical() {
    let a = etl();
    let mut b = etl();
    b.nodes.swap(0, 4);
    assert_eq!(a.fingerprint(), b.fingerprint());
    let mut c = etl();
    c.nodes[0].name = "a".into();
    c.nodes[0].code_hash = "h_ah_a".into();
    assert_ne!(a.fingerprint(), c.fingerprint());
    // Length prefixing: moving a boundary changes the fingerprint.
    let d = Manifest {
        dag: "ab".into(),
        nodes: vec![node("c", "", &[])],
    };
    let e = Manifest {
        dag: "a".into(),
        nodes: vec![node("bc", "", &[])],
    };
    assert_ne!(d.fingerprint(), e.fingerprint());
    let f = Manifest {
        dag: "x".into(),
        nodes: vec![node("n", "h", &["p", "q"])],
    };
    let g = Manifest {
        dag: "x".into(),
        nodes: vec![node("n", "h", &["pq"])],
    };
    assert_ne!(f.fingerprint(), g.fingerprint());
    assert!(a.fingerprint().bytes().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn an_output_copied_to_another_node_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let store = CheckpointStore::open(tmp.path(), &etl()).unwrap();
    store.save("a", b"of a").unwrap();
    let outputs = tmp.path().join("outputs");
    fs::copy(outputs.join("a.bin"), outputs.join("b.bin")).unwrap();
    match store.load("b") {
        Err(CheckpointError::Corrupt { reason, .. }) => assert_eq!(
            reason,
            "the file holds the output of task `a` (code hash h_a), not of `b` (code hash h_b): \
             copied or renamed"
        ),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(store.load("b").unwrap(), None, "removed");
    assert_eq!(store.load("a").unwrap().as_deref(), Some(&b"of a"[..]));
    // A task the manifest does not list has no place in the checkpoint.
    assert!(matches!(
        store.save("nope", b"x"),
        Err(CheckpointError::Mismatch { .. })
    ));
}
