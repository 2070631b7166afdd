//! The store, keys and key builder in use (what a reader of the module would try first).

use super::{CacheError, CacheStore, Key, KeyBuilder};

#[test]
fn a_store_puts_and_gets_by_key() -> Result<(), Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    let store = CacheStore::open(tmp.path().join("cache"))?.max_bytes(64 << 20);
    let key = KeyBuilder::new("load").code("c0ffee").finish();
    assert_eq!(store.get(&key)?, None);
    store.put(&key, b"rows")?;
    assert_eq!(store.get(&key)?.as_deref(), Some(&b"rows"[..]));
    Ok(())
}

#[test]
fn keys_hash_content_and_parse_their_hex() {
    assert_eq!(Key::of_bytes(b"abc"), Key::of_bytes(b"abc"));
    assert_ne!(Key::of_bytes(b"abc"), Key::of_bytes(b"abd"));
    let key = Key::of_bytes(b"x");
    assert_eq!(Key::from_hex(&key.to_string()), Some(key));
    assert_eq!(Key::from_hex("abc"), None);
}

#[test]
fn a_key_builder_ignores_the_order_of_code_and_version() {
    let raw = Key::of_bytes(b"raw rows");
    let key = KeyBuilder::new("transform")
        .code("3f2a9c")
        .version("v2")
        .input("rows", &raw)
        .finish();
    assert_eq!(
        key,
        KeyBuilder::new("transform")
            .version("v2")
            .code("3f2a9c")
            .input("rows", &raw)
            .finish()
    );
    assert_ne!(
        key,
        KeyBuilder::new("transform")
            .code("3f2a9c")
            .input("rows", &raw)
            .finish()
    );
}

#[test]
fn default_dir_and_error_display() {
    // Only reads the variable; tests never set it.
    let expected = match std::env::var_os("DAG_CACHE_DIR") {
        Some(d) if !d.is_empty() => d.into(),
        _ => std::path::PathBuf::from(".dag-cache"),
    };
    assert_eq!(CacheStore::default_dir(), expected);
    let err = CacheError::Io {
        action: "read",
        path: "/x/y.bin".into(),
        source: std::io::Error::other("boom"),
    };
    assert_eq!(err.to_string(), "cache: cannot read /x/y.bin: boom");
    assert!(std::error::Error::source(&err).is_some());
    fn assert_send_sync<T: Send + Sync + std::error::Error + 'static>() {}
    assert_send_sync::<CacheError>();
}
