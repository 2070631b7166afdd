#!/usr/bin/env python3
"""Interoperability check: read a dag run file with fastavro and compare it, field by
field, with DIR/expected.json written by `cargo run --example write_sample -- DIR`.

usage: check_avro.py DIR      exit 0 when everything matches, 1 otherwise
"""
import datetime
import json
import sys

import fastavro

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    """fastavro turns timestamp-micros into an aware datetime; compare as integer µs."""
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(microseconds=1)
    return value


def main(directory):
    with open(f"{directory}/expected.json", encoding="utf-8") as f:
        expected = json.load(f)
    errors = []
    with open(f"{directory}/{expected['avro_file']}", "rb") as f:
        reader = fastavro.reader(f)
        schema = reader.writer_schema
        records = [{k: plain(v) for k, v in r.items()} for r in reader]
        metadata = reader.metadata

    names = [field["name"] for field in schema["fields"]]
    if names[: len(expected["field_order"])] != expected["field_order"]:
        errors.append(f"field order {names} != {expected['field_order']}")
    types = {field["name"]: field["type"] for field in schema["fields"]}
    if types["run_started_at"] != {"type": "long", "logicalType": "timestamp-micros"}:
        errors.append(f"run_started_at type is {types['run_started_at']}")
    if types["error"] != ["null", "string"] or types["worker"] != ["null", "long"]:
        errors.append(f"union types: error={types['error']} worker={types['worker']}")

    run_meta = json.loads(metadata.get("dag.run", "null"))
    for key, want in expected["run_metadata"].items():
        got = (run_meta or {}).get(key)
        if got != want:
            errors.append(f"metadata {key}: got {got!r}, want {want!r}")

    if len(records) != len(expected["records"]):
        errors.append(f"{len(records)} records, want {len(expected['records'])}")
    for i, (got, want) in enumerate(zip(records, expected["records"])):
        for key, value in want.items():
            if key not in got:
                errors.append(f"record {i}: missing field {key}")
            elif got[key] != value or type(got[key]) is not type(value):
                errors.append(f"record {i} {key}: got {got[key]!r}, want {value!r}")

    for e in errors:
        print("MISMATCH", e)
    checked = len(records) * len(expected["field_order"])
    print(f"fastavro {fastavro.__version__}: {len(records)} records, {checked} fields checked, "
          f"{len(errors)} mismatches")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
