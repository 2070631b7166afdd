#!/usr/bin/env bash
# Snakemake end to end (issue 15): the demo's `wordcount` DAG exported as a Snakefile and run
# by Snakemake (from PyPI, in a venv under target/), one `run-task` process per task.
# Checks: the final output is byte for byte the in-process `run`'s; `history` and `sql` see
# the run under its one run id; after one input changes (`--config set_min_len=4`), only the
# tasks it reaches run again (the others' store files keep their mtimes), and the output is
# again the in-process one; with nothing changed, no task runs.
# Usage: ci/snakemake_e2e.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -rf "$work/store" "$work/meta" "$work/meta-inproc" "$work/.snakemake"

venv=$PWD/target/ci/snakemake-venv
if [ ! -x "$venv/bin/snakemake" ]; then
  start=$SECONDS
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'snakemake>=9,<10'
  echo "snakemake installed in $((SECONDS - start)) s"
fi
snakemake="$venv/bin/snakemake"
"$snakemake" --version

cargo build -q --bin dag-demo
bin=$PWD/target/debug/dag-demo

mkdir -p "$work/in"
printf 'the quick brown fox jumps over the lazy dog\nthe dog sleeps\n' >"$work/in/a.txt"
printf 'a quick fox, a brown dog and the end\n' >"$work/in/b.txt"
printf 'quick quick quick\n' >"$work/in/c.txt"

"$bin" --meta-dir "$work/meta-inproc" run wordcount --set root="$work/in" >"$work/inproc.json"
"$bin" --meta-dir "$work/meta-inproc" run wordcount --set root="$work/in" --set min_len=4 \
  >"$work/inproc4.json"
"$bin" --meta-dir "$work/meta" export snakemake wordcount --store "$work/store" \
  -o "$work/Snakefile"

cd "$work"
# The rules a Snakemake log says it ran, sorted, on one line.
ran() { grep -oE '^(local)?rule [A-Za-z_]+' "$1" | sed -E 's/^(local)?rule //' | sort | tr '\n' ' '; }
fail() { echo "snakemake_e2e: $1" >&2; cat "$2" >&2; exit 1; }
outputs=store/wordcount/outputs

"$snakemake" --cores 2 -s Snakefile --config run_id=e2e-1 set_root="$work/in" >sm1.log 2>&1 ||
  fail "first run failed" sm1.log
[ "$(ran sm1.log)" = "all gather task_files task_min_len task_root task_top task_words " ] ||
  fail "first run: not every task ran once: $(ran sm1.log)" sm1.log
"$bin" output wordcount top --store store >cluster.json
cmp inproc.json cluster.json
echo "final output identical to the in-process run's ($(wc -c <cluster.json) bytes)"

"$bin" --meta-dir meta history wordcount | tee history.txt
grep -qE '^0 +e2e-1 .* 5 +0 +0 +0 ' history.txt
rows=$("$bin" --meta-dir meta sql "SELECT COUNT(*) AS n FROM profiling WHERE run_id = 'e2e-1' AND element_index IS NULL")
[ "$(echo "$rows" | awk 'NR == 2 { print $2 }')" = 5 ] || { echo "$rows" >&2; exit 1; }
"$bin" --meta-dir meta estimate wordcount --workers 2
"$bin" --meta-dir meta report wordcount --run-id e2e-1 -o cluster.html
grep -q '"top"' cluster.html || { echo "the cluster run's report lacks its tasks" >&2; exit 1; }

stamp() { stat -c %y "$outputs/root.bin" "$outputs/files.bin" "$outputs/words.bin"; }
before=$(stamp)
sleep 1 # distinct mtimes for what reruns
"$snakemake" --cores 2 -s Snakefile --config run_id=e2e-2 set_root="$work/in" set_min_len=4 \
  >sm2.log 2>&1 || fail "second run failed" sm2.log
[ "$(ran sm2.log)" = "all gather task_min_len task_top task_words " ] ||
  fail "after set_min_len=4, not only what it reaches ran: $(ran sm2.log)" sm2.log
after=$(stamp)
[ "$(echo "$before" | head -2)" = "$(echo "$after" | head -2)" ] ||
  { echo "root/files were rewritten: $before / $after" >&2; exit 1; }
[ "$(echo "$before" | tail -1)" != "$(echo "$after" | tail -1)" ] ||
  { echo "words was not rewritten" >&2; exit 1; }
"$bin" output wordcount top --store store >cluster4.json
cmp inproc4.json cluster4.json
! cmp -s cluster.json cluster4.json
echo "after the change: min_len, words, top ran; root, files did not; output identical"

"$snakemake" --cores 2 -s Snakefile --config run_id=e2e-3 set_root="$work/in" set_min_len=4 \
  >sm3.log 2>&1 || fail "third run failed" sm3.log
[ "$(ran sm3.log)" = "all gather " ] || fail "nothing changed, yet tasks ran: $(ran sm3.log)" sm3.log
# A value for a text input that Snakemake parses as a number is refused, not changed.
if "$snakemake" -n --cores 1 -s Snakefile --config run_id=e2e-4 set_root=007 >sm4.log 2>&1; then
  fail "set_root=007 (read by Snakemake as the int 7) was accepted" sm4.log
fi
grep -qF 'set_root: Snakemake read 7 as a int, not as the text given' sm4.log ||
  fail "set_root=007: not the expected refusal" sm4.log
echo "snakemake_e2e: ok"
