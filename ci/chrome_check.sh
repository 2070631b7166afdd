#!/usr/bin/env bash
# End-to-end consumer check of the Chrome export: installs the DevTools trace
# engine, writes sample ETL traces (both lane modes) with the write_chrome
# example, and checks each with check_chrome_trace.mjs.
#
#   bash ci/chrome_check.sh [ENGINE_DIR] [OUT_DIR]
#   DAG_PACKAGE=dagrt bash ci/chrome_check.sh ...   # in a workspace
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
engine=${1:-${TRACE_ENGINE_DIR:-$here/../target/trace_engine}}
out=${2:-$here/../target/chrome}

bash "$here/install_trace_engine.sh" "$engine"
rm -rf "$out"
cargo run --quiet ${DAG_PACKAGE:+-p "$DAG_PACKAGE"} --example write_chrome -- "$out" >/dev/null
node "$here/check_chrome_trace.mjs" --engine-dir "$engine" "$out"/etl_*_node.json "$out"/etl_*_worker.json
