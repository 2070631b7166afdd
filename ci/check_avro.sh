#!/usr/bin/env bash
# Interoperability check: write a sample run with the Rust writer into DIR and read it
# back with Python fastavro, field by field.
#   usage: ci/check_avro.sh DIR
# Needs python3 (with venv) and access to PyPI. Run from anywhere inside the crate.
set -euo pipefail

dir=${1:?usage: check_avro.sh DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "fastavro==${FASTAVRO_VERSION:-1.13.1}"

(cd "$here/.." && cargo run --quiet --example avro_sample -- "$dir")
"$venv/bin/python" "$here/check_avro.py" "$dir"
