//! Reading run files back: schema check and decoding, shared by [`read_run`] and ingest.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as AvroValue;
use apache_avro::{Reader, Schema};
use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::StrDeserializer;

use super::record::{RUN_METADATA_KEY, RunMeta, encode_run, schema};
use super::{MAX_RECORD_BYTES, MetaError, RunRecord, TaskRecord};
use crate::NodeStatus;

/// One Avro row as decoded from a file.
#[derive(Debug, Deserialize)]
#[serde(rename = "profiling")] // the deserializer checks the record name
pub(super) struct Row {
    pub dag_name: String,
    pub dag_description: String,
    pub run_id: String,
    pub task_name: String,
    pub task_description: String,
    pub task_runtime: f64,
    pub status: String,
    pub error: Option<String>,
    pub start_offset: f64,
    pub end_offset: f64,
    pub worker: Option<i64>,
    pub attempt: i32,
    pub run_started_at: i64,
    /// Absent from files written before it existed.
    #[serde(default)]
    pub reused_from: Option<String>,
    /// Absent from files written before it existed.
    #[serde(default)]
    pub element_index: Option<i64>,
}

/// Decodes a whole file: run metadata plus rows. Errors are human-readable reasons.
///
/// Files whose embedded schema is byte-identical to the one [`write_run`](super::write_run)
/// writes (the normal case) take a fast path that reuses one parsed schema instead of
/// parsing it per file; anything else goes through apache-avro's generic `Reader`.
pub(super) fn decode(bytes: &[u8]) -> Result<(RunMeta, Vec<Row>), String> {
    if let Some(fast) = fast_path().and_then(|f| f.decode(bytes)) {
        return fast;
    }
    decode_generic(bytes)
}

fn decode_generic(bytes: &[u8]) -> Result<(RunMeta, Vec<Row>), String> {
    let reader = Reader::new(bytes).map_err(|e| format!("not a readable Avro file: {e}"))?;
    check_schema(reader.writer_schema())?;
    let meta = parse_meta(
        reader
            .user_metadata()
            .get(RUN_METADATA_KEY)
            .map(Vec::as_slice),
    )?;
    let mut rows = Vec::new();
    for (i, row) in reader.into_deser_iter::<Row>().enumerate() {
        rows.push(row.map_err(|e| format!("row {i}: {e}"))?);
    }
    check_count(meta, rows)
}

fn parse_meta(json: Option<&[u8]>) -> Result<RunMeta, String> {
    match json {
        Some(json) => serde_json::from_slice(json)
            .map_err(|e| format!("bad {RUN_METADATA_KEY:?} metadata: {e}")),
        None => Err(format!(
            "no {RUN_METADATA_KEY:?} metadata: not a dag run record"
        )),
    }
}

fn check_count(meta: RunMeta, rows: Vec<Row>) -> Result<(RunMeta, Vec<Row>), String> {
    if rows.len() as u64 != meta.task_count {
        return Err(format!(
            "truncated: {} rows, metadata says {}",
            rows.len(),
            meta.task_count
        ));
    }
    Ok((meta, rows))
}

/// Checks that the writer schema is a record with every field of [`AVRO_SCHEMA`] at the
/// same type (extra fields are allowed, so newer writers stay readable).
fn check_schema(found: &Schema) -> Result<(), String> {
    let Schema::Record(expected) = schema()? else {
        return Err("internal: AVRO_SCHEMA is not a record".to_owned());
    };
    let Schema::Record(found) = found else {
        return Err("foreign schema: not a record".to_owned());
    };
    for field in &expected.fields {
        let Some(&i) = found.lookup.get(&field.name) else {
            // A field added later with a default (`reused_from`): older files lack it.
            if field.default.is_some() {
                continue;
            }
            return Err(format!(
                "foreign schema {}: no field {:?}",
                found.name.name(),
                field.name
            ));
        };
        let got = &found.fields[i].schema;
        let ok = got == &field.schema
            || (matches!(field.schema, Schema::TimestampMicros) && matches!(got, Schema::Long));
        if !ok {
            return Err(format!(
                "foreign schema {}: field {:?} has type {}, expected {}",
                found.name.name(),
                field.name,
                got.canonical_form(),
                field.schema.canonical_form()
            ));
        }
    }
    Ok(())
}

/// Reads a run file written by [`write_run`](super::write_run) back into a [`RunRecord`].
///
/// Fails with [`MetaError::Io`] if the file cannot be read and [`MetaError::Decode`] if it
/// is truncated, not Avro, has another schema, or is larger than [`MAX_RECORD_BYTES`]. Unknown extra fields are ignored.
pub fn read_run(path: &Path) -> Result<RunRecord, MetaError> {
    let too_large = |size| MetaError::Decode {
        path: path.to_owned(),
        message: too_large(size),
    };
    let mut file = File::open(path).map_err(|e| MetaError::io("open", path, e))?;
    let size = file
        .metadata()
        .map_err(|e| MetaError::io("read", path, e))?
        .len();
    if size > MAX_RECORD_BYTES {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    (&mut file)
        .take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| MetaError::io("read", path, e))?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let (meta, rows) = decode(&bytes).map_err(|message| MetaError::Decode {
        path: path.to_owned(),
        message,
    })?;
    Ok(RunRecord {
        dag_name: meta.dag_name,
        dag_description: meta.dag_description,
        run_id: meta.run_id,
        started_at_micros: meta.started_at_micros,
        wall_clock: meta.wall_clock,
        max_workers: meta.max_workers,
        parallelism_efficiency: meta.parallelism_efficiency,
        tasks: rows
            .into_iter()
            .map(|r| {
                let status = parse_status(&r.status).ok_or_else(|| MetaError::Decode {
                    path: path.to_owned(),
                    message: format!(
                        "task `{}` has status `{}`, not completed, failed, skipped or cancelled",
                        r.task_name, r.status
                    ),
                })?;
                Ok(TaskRecord {
                    task_name: r.task_name,
                    task_description: r.task_description,
                    task_runtime: r.task_runtime,
                    status,
                    error: r.error,
                    start: r.start_offset,
                    end: r.end_offset,
                    worker: r.worker,
                    attempt: r.attempt,
                    reused_from: r.reused_from,
                    element_index: r.element_index,
                })
            })
            .collect::<Result<_, MetaError>>()?,
    })
}

/// Why a file of `size` bytes is not read.
pub(super) fn too_large(size: u64) -> String {
    format!("too large to be a run record: {size} bytes, over the limit of {MAX_RECORD_BYTES}")
}

/// The status a row's `status` column names ([`NodeStatus::as_str`]), if any.
pub(super) fn parse_status(word: &str) -> Option<NodeStatus> {
    let word: StrDeserializer<'_, serde::de::value::Error> = word.into_deserializer();
    NodeStatus::deserialize(word).ok()
}

/// The object container header: metadata map and sync marker; `rest` is the block data.
struct Header<'a> {
    metadata: std::collections::HashMap<String, AvroValue>,
    marker: &'a [u8],
    rest: &'a [u8],
}

fn parse_header<'a>(bytes: &'a [u8], map_reader: &GenericDatumReader<'_>) -> Option<Header<'a>> {
    let mut rest = bytes.strip_prefix(b"Obj\x01")?;
    let AvroValue::Map(metadata) = map_reader.read_value(&mut rest).ok()? else {
        return None;
    };
    let (marker, rest) = rest.split_at_checked(16)?;
    Some(Header {
        metadata,
        marker,
        rest,
    })
}

fn meta_bytes<'m>(h: &'m Header<'_>, key: &str) -> Option<&'m [u8]> {
    match h.metadata.get(key) {
        Some(AvroValue::Bytes(b)) => Some(b),
        _ => None,
    }
}

/// Reads a zigzag varint `long`.
fn read_long(input: &mut &[u8]) -> Option<i64> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = input.split_first()?;
        *input = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(((value >> 1) as i64) ^ -((value & 1) as i64));
        }
    }
    None
}

/// Everything the fast path needs, built once: our schema, the exact schema text our
/// writer embeds, and datum readers for rows and for the header's metadata map.
struct FastPath {
    schema_json: Vec<u8>,
    rows: GenericDatumReader<'static>,
    map: GenericDatumReader<'static>,
}

fn fast_path() -> Option<&'static FastPath> {
    static FAST: OnceLock<Option<FastPath>> = OnceLock::new();
    FAST.get_or_init(|| {
        static MAP_SCHEMA: OnceLock<Schema> = OnceLock::new();
        let map_schema = MAP_SCHEMA.get_or_init(|| Schema::map(Schema::Bytes).build());
        let map = GenericDatumReader::builder(map_schema).build().ok()?;
        let rows = GenericDatumReader::builder(schema().ok()?).build().ok()?;
        // The schema text exactly as our writer embeds it, taken from an empty run file.
        let empty = encode_run(&super::RunRecord {
            dag_name: String::new(),
            dag_description: String::new(),
            run_id: String::new(),
            started_at_micros: 0,
            wall_clock: 0.0,
            max_workers: 0,
            parallelism_efficiency: 0.0,
            tasks: Vec::new(),
        })
        .ok()?;
        let header = parse_header(&empty, &map)?;
        let schema_json = meta_bytes(&header, "avro.schema")?.to_vec();
        Some(FastPath {
            schema_json,
            rows,
            map,
        })
    })
    .as_ref()
}

impl FastPath {
    /// `None` when the file is not in our exact format (let the generic path judge it).
    fn decode(&self, bytes: &[u8]) -> Option<Result<(RunMeta, Vec<Row>), String>> {
        let header = parse_header(bytes, &self.map)?;
        if meta_bytes(&header, "avro.schema")? != self.schema_json.as_slice() {
            return None;
        }
        if !matches!(meta_bytes(&header, "avro.codec"), None | Some(b"null")) {
            return None;
        }
        Some(self.decode_blocks(&header))
    }

    fn decode_blocks(&self, header: &Header<'_>) -> Result<(RunMeta, Vec<Row>), String> {
        let meta = parse_meta(meta_bytes(header, RUN_METADATA_KEY))?;
        let mut rows = Vec::with_capacity(usize::try_from(meta.task_count).unwrap_or(0).min(4096));
        let mut input = header.rest;
        while !input.is_empty() {
            let done = rows.len();
            let corrupt = |what: &str| format!("corrupt data block after row {done}: {what}");
            let count = read_long(&mut input).ok_or_else(|| corrupt("bad row count"))?;
            let size = read_long(&mut input).ok_or_else(|| corrupt("bad block size"))?;
            let count = u64::try_from(count).map_err(|_| corrupt("negative row count"))?;
            let size = usize::try_from(size).map_err(|_| corrupt("negative block size"))?;
            let (mut block, rest) = input
                .split_at_checked(size)
                .ok_or_else(|| corrupt("truncated block"))?;
            let (marker, rest) = rest
                .split_at_checked(16)
                .ok_or_else(|| corrupt("truncated sync marker"))?;
            if marker != header.marker {
                return Err(corrupt("sync marker mismatch"));
            }
            input = rest;
            for _ in 0..count {
                let row = self
                    .rows
                    .read_deser::<Row>(&mut block)
                    .map_err(|e| format!("row {}: {e}", rows.len()))?;
                rows.push(row);
            }
            if !block.is_empty() {
                return Err(corrupt("block longer than its rows"));
            }
        }
        check_count(meta, rows)
    }
}

#[cfg(test)]
mod tests;
