//! Tests of the cache store, keys and entry format.

use super::KEY_LEN;
use super::entry::{HEADER_LEN, decode_entry, encode_entry};
use super::{CacheError, CacheStore, Key, KeyBuilder};
use std::fs::{self, File};
use std::time::{Duration, SystemTime};

fn store(max: u64) -> (tempfile::TempDir, CacheStore) {
    let tmp = tempfile::tempdir().unwrap();
    let store = CacheStore::open(tmp.path().join("c"))
        .unwrap()
        .max_bytes(max);
    (tmp, store)
}

fn key(n: u32) -> Key {
    Key::of_bytes(&n.to_le_bytes())
}

fn set_mtime(store: &CacheStore, key: &Key, secs: u64) {
    let file = File::options()
        .write(true)
        .open(store.entry_path(key))
        .unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap();
}

#[test]
fn round_trip_and_layout() {
    let (_tmp, store) = store(1 << 20);
    let k = key(1);
    store.put(&k, b"hello").unwrap();
    assert_eq!(store.get(&k).unwrap().as_deref(), Some(&b"hello"[..]));
    let hex = k.to_string();
    let expected = store
        .dir()
        .join("objects")
        .join(&hex[..2])
        .join(format!("{hex}.bin"));
    assert_eq!(store.entry_path(&k), expected);
    assert_eq!(fs::read(&expected).unwrap().len(), HEADER_LEN + KEY_LEN + 5);
    assert_eq!(
        (store.len().unwrap(), store.size_bytes().unwrap()),
        (1, (HEADER_LEN + KEY_LEN) as u64 + 5)
    );
    // Empty payloads round-trip too.
    store.put(&key(2), b"").unwrap();
    assert_eq!(store.get(&key(2)).unwrap(), Some(Vec::new()));
}

#[test]
fn miss_remove_clear() {
    let (_tmp, store) = store(1 << 20);
    assert_eq!(store.get(&key(1)).unwrap(), None);
    assert!(store.is_empty().unwrap());
    store.put(&key(1), b"a").unwrap();
    store.put(&key(2), b"b").unwrap();
    assert!(store.remove(&key(1)).unwrap());
    assert!(!store.remove(&key(1)).unwrap());
    assert_eq!(store.get(&key(1)).unwrap(), None);
    store.clear().unwrap();
    store.clear().unwrap();
    assert_eq!(store.len().unwrap(), 0);
    store.put(&key(3), b"c").unwrap();
    assert_eq!(store.get(&key(3)).unwrap().as_deref(), Some(&b"c"[..]));
}

#[test]
fn corrupt_entries_are_reported_then_absent() {
    let good = encode_entry(b"some payload bytes");
    let mut flipped = good.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let mut wrong_magic = good.clone();
    wrong_magic[0] = b'X';
    let mut wrong_version = good.clone();
    wrong_version[4] = 99;
    let mut long = good.clone();
    long.push(0);
    let cases: [(&str, Vec<u8>); 7] = [
        ("truncated", good[..good.len() - 3].to_vec()),
        ("short header", good[..10].to_vec()),
        ("flipped", flipped),
        (
            "garbage",
            b"definitely not a cache entry at all, no sir, not one".to_vec(),
        ),
        ("magic", wrong_magic),
        ("version", wrong_version),
        ("trailing", long),
    ];
    let (_tmp, store) = store(1 << 20);
    for (i, (name, bytes)) in cases.into_iter().enumerate() {
        let k = key(i as u32);
        store.put(&k, b"some payload bytes").unwrap();
        fs::write(store.entry_path(&k), bytes).unwrap();
        match store.get(&k) {
            Err(CacheError::Corrupt { path, reason }) => {
                assert_eq!(path, store.entry_path(&k), "{name}");
                assert!(!reason.is_empty());
                let msg = CacheError::Corrupt { path, reason }.to_string();
                assert!(msg.contains(&k.to_string()), "{name}: {msg}");
            }
            other => panic!("{name}: expected Corrupt, got {other:?}"),
        }
        assert!(
            !store.entry_path(&k).exists(),
            "{name}: corrupt file removed"
        );
        assert_eq!(store.get(&k).unwrap(), None, "{name}");
    }
}

#[test]
fn decode_reasons() {
    assert_eq!(decode_entry(encode_entry(b"xyz")).unwrap(), b"xyz");
    let reason = decode_entry(vec![0; 3]).unwrap_err();
    assert!(reason.contains("shorter"), "{reason}");
    let mut e = encode_entry(b"xyz");
    e[13] ^= 0xff;
    assert!(decode_entry(e).unwrap_err().contains("checksum"));
}

#[test]
fn lru_eviction_order() {
    // Each entry is HEADER_LEN + KEY_LEN + 168 = 245 bytes; budget 1000 (target 900).
    let (_tmp, store) = store(1000);
    let payload = [7u8; 168];
    for n in 1..=3 {
        store.put(&key(n), &payload).unwrap();
    }
    set_mtime(&store, &key(1), 2_000);
    set_mtime(&store, &key(2), 1_000); // least recently used
    set_mtime(&store, &key(3), 3_000);
    store.put(&key(4), &payload).unwrap(); // 980 bytes: under budget
    assert_eq!(store.len().unwrap(), 4);
    store.put(&key(5), &payload).unwrap(); // 1225 > 1000: evict 2 then 1
    let alive: Vec<bool> = (1..=5)
        .map(|n| store.entry_path(&key(n)).exists())
        .collect();
    assert_eq!(alive, [false, false, true, true, true]);
    assert_eq!(store.size_bytes().unwrap(), 735);
}

#[test]
fn get_refreshes_recency() {
    let (_tmp, store) = store(1000);
    let payload = [1u8; 168];
    for n in 1..=4 {
        store.put(&key(n), &payload).unwrap();
        set_mtime(&store, &key(n), 1_000 * u64::from(n));
    }
    store.get(&key(1)).unwrap().unwrap(); // now the most recent
    store.put(&key(5), &payload).unwrap();
    let alive: Vec<bool> = (1..=5)
        .map(|n| store.entry_path(&key(n)).exists())
        .collect();
    assert_eq!(alive, [true, false, false, true, true]);
}

#[test]
fn ties_break_by_path() {
    let (_tmp, store) = store(1000);
    let payload = [1u8; 168];
    let keys: Vec<Key> = (1..=4).map(key).collect();
    for k in &keys {
        store.put(k, &payload).unwrap();
        set_mtime(&store, k, 5_000);
    }
    store.put(&key(9), &payload).unwrap();
    let mut by_path = keys.clone();
    by_path.sort_by_key(|k| store.entry_path(k));
    let alive: Vec<bool> = by_path
        .iter()
        .map(|k| store.entry_path(k).exists())
        .collect();
    assert_eq!(alive, [false, false, true, true]);
}

#[test]
fn just_written_entry_survives() {
    let (_tmp, store) = store(300);
    store.put(&key(1), &[0u8; 100]).unwrap();
    store.put(&key(2), &[0u8; 100]).unwrap();
    // Larger than the whole budget: everything else goes, it stays.
    store.put(&key(3), &[0u8; 1000]).unwrap();
    set_mtime(&store, &key(3), 1); // even when it looks oldest
    store.put(&key(3), &[0u8; 1000]).unwrap();
    assert_eq!(store.get(&key(3)).unwrap().map(|v| v.len()), Some(1000));
    assert_eq!(store.len().unwrap(), 1);
}

#[test]
fn stale_temp_files_removed_young_kept() {
    let (_tmp, store) = store(300);
    let shard = store.dir().join("objects").join("ab");
    fs::create_dir_all(&shard).unwrap();
    let old = shard.join(".1-0-0.tmp");
    let young = shard.join(".2-0-0.tmp");
    fs::write(&old, b"partial").unwrap();
    fs::write(&young, b"partial").unwrap();
    let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
    File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    store.put(&key(1), &[0u8; 500]).unwrap(); // over budget: eviction scan
    assert!(!old.exists());
    assert!(young.exists());
    assert_eq!(store.len().unwrap(), 1, "temp files are not entries");
}

#[test]
fn concurrent_puts_of_one_key() {
    let (_tmp, store) = store(1 << 30);
    let payload: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let k = Key::of_bytes(&payload);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| store.put(&k, &payload).unwrap());
        }
    });
    assert_eq!(store.get(&k).unwrap().as_deref(), Some(&payload[..]));
    assert_eq!(store.len().unwrap(), 1);
    let shard = store.entry_path(&k).parent().unwrap().to_path_buf();
    assert_eq!(
        fs::read_dir(shard).unwrap().count(),
        1,
        "no temp files left"
    );
}

#[test]
fn key_hex_round_trip() {
    let k = key(42);
    let hex = k.to_string();
    assert_eq!(hex.len(), 64);
    assert!(
        hex.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    );
    assert_eq!(Key::from_hex(&hex), Some(k));
    assert_eq!(Key::from_hex(&hex.to_uppercase()), Some(k));
    assert_eq!(Key::from_hex(&hex[1..]), None);
    assert_eq!(Key::from_hex(&format!("{}g", &hex[1..])), None);
    assert_eq!(Key::from_bytes(*k.as_bytes()), k);
    assert_eq!(format!("{k:?}"), format!("Key({hex})"));
    assert_eq!(
        Key::of_bytes(b"").to_string(),
        "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    );
}

#[test]
fn key_builder_determinism_and_sensitivity() {
    let a = Key::of_bytes(b"a");
    let b = Key::of_bytes(b"b");
    let base = || {
        KeyBuilder::new("task")
            .code("c1")
            .version("v1")
            .input("x", &a)
            .input("y", &b)
    };
    let k = base().finish();
    assert_eq!(k, base().finish());
    let variants = [
        KeyBuilder::new("task2")
            .code("c1")
            .version("v1")
            .input("x", &a)
            .input("y", &b),
        KeyBuilder::new("task")
            .code("c2")
            .version("v1")
            .input("x", &a)
            .input("y", &b),
        KeyBuilder::new("task")
            .code("c1")
            .version("v2")
            .input("x", &a)
            .input("y", &b),
        KeyBuilder::new("task")
            .code("c1")
            .input("x", &a)
            .input("y", &b),
        KeyBuilder::new("task")
            .code("c1")
            .version("")
            .input("x", &a)
            .input("y", &b),
        KeyBuilder::new("task")
            .version("v1")
            .input("x", &a)
            .input("y", &b),
        KeyBuilder::new("task")
            .code("c1")
            .version("v1")
            .input("y", &b)
            .input("x", &a),
        KeyBuilder::new("task")
            .code("c1")
            .version("v1")
            .input("x", &b)
            .input("y", &a),
        KeyBuilder::new("task")
            .code("c1")
            .version("v1")
            .input("z", &a)
            .input("y", &b),
        KeyBuilder::new("task")
            .code("c1")
            .version("v1")
            .input("x", &a),
        KeyBuilder::new("task")
            .code("c1")
            .version("v1")
            .input("x", &a)
            .input("y", &b)
            .input("y", &b),
    ];
    let mut all = vec![k];
    for v in &variants {
        all.push(v.finish());
    }
    let unique: std::collections::HashSet<Key> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "every field changes the key");
    // Order of code/version calls does not matter; last call wins.
    let swapped = KeyBuilder::new("task")
        .version("v1")
        .code("c1")
        .input("x", &a)
        .input("y", &b);
    assert_eq!(swapped.finish(), k);
    // Builder keys never equal the content hash of their fields.
    assert_ne!(KeyBuilder::new("").finish(), Key::of_bytes(b""));
}

#[test]
fn key_builder_length_prefixing() {
    let z = Key::of_bytes(b"");
    let ab_c = KeyBuilder::new("ab").code("c").finish();
    let a_bc = KeyBuilder::new("a").code("bc").finish();
    assert_ne!(ab_c, a_bc);
    assert_ne!(
        KeyBuilder::new("t").code("ab").version("c").finish(),
        KeyBuilder::new("t").code("a").version("bc").finish()
    );
    assert_ne!(
        KeyBuilder::new("t").input("ab", &z).input("c", &z).finish(),
        KeyBuilder::new("t").input("a", &z).input("bc", &z).finish()
    );
    // A code hash cannot masquerade as a version.
    assert_ne!(
        KeyBuilder::new("t").code("x").finish(),
        KeyBuilder::new("t").version("x").finish()
    );
}

#[test]
fn an_entry_copied_to_another_key_is_refused() {
    let (_tmp, store) = store(1 << 20);
    store.put(&key(1), b"one").unwrap();
    let target = store.entry_path(&key(2));
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    fs::copy(store.entry_path(&key(1)), &target).unwrap();
    match store.get(&key(2)) {
        Err(CacheError::Corrupt { path, reason }) => {
            assert_eq!(path, target);
            assert_eq!(
                reason,
                format!(
                    "the file holds the entry of key {}, not of {} (copied or renamed)",
                    key(1),
                    key(2)
                )
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(store.get(&key(2)).unwrap(), None, "removed");
    assert_eq!(store.get(&key(1)).unwrap().as_deref(), Some(&b"one"[..]));
}
