#!/usr/bin/env bash
# Slurm end to end (issue 15, point 5): a one-node Slurm cluster from Debian's packages
# (slurmctld, slurmd, munge) on this machine, and the demo's `wordcount` DAG exported as a
# Snakefile and run there by Snakemake's Slurm executor (snakemake-executor-plugin-slurm from
# PyPI): every task is a Slurm job running `dag-demo run-task`. Checks that the final output is
# byte for byte the in-process `run`'s and that `history` lists the run.
# Needs root (apt-get, daemons). The daemons are stopped at exit.
# Usage: ci/slurm_e2e.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "slurm_e2e: needs root (installs and starts slurmctld, slurmd, munged)" >&2; exit 1; }
work=${1:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -rf "$work/slurm" "$work/store" "$work/meta" "$work/meta-inproc" "$work/.snakemake"
start=$SECONDS

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi
echo "slurm packages ready at $((SECONDS - start)) s"

venv=$PWD/target/ci/snakemake-venv
if [ ! -x "$venv/bin/snakemake" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'snakemake>=9,<10'
fi
if ! "$venv/bin/python" -c 'import snakemake_executor_plugin_slurm' 2>/dev/null; then
  "$venv/bin/pip" install -q snakemake-executor-plugin-slurm
fi
echo "snakemake and its slurm executor ready at $((SECONDS - start)) s"

cargo build -q --bin dag-demo
bin=$PWD/target/debug/dag-demo

# munge: the key the packages made (or a new one), daemon as the munge user.
[ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
mkdir -p /run/munge && chown munge:munge /run/munge
pkill_pids=()
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  pkill_pids+=("$(cat /run/munge/munged.pid)")
fi

host=$(hostname -s)
s="$work/slurm"
mkdir -p "$s/state" "$s/spool"
# The default path: the steps a job starts (srun) read it too, whatever the job's environment.
conf=/etc/slurm/slurm.conf
marker="# written by dag's ci/slurm_e2e.sh"
if [ -e "$conf" ] && ! grep -qxF "$marker" "$conf"; then
  echo "slurm_e2e: $conf exists and is not ours: refusing to replace it" >&2
  exit 1
fi
mkdir -p /etc/slurm
cat >"$conf" <<CONF
$marker
ClusterName=dagci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd.pid
SlurmctldLogFile=$s/slurmctld.log
SlurmdLogFile=$s/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=$host CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
stop() {
  for f in "$s/slurmd.pid" "$s/slurmctld.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  for p in "${pkill_pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap stop EXIT
slurmctld
slurmd
for _ in $(seq 60); do
  sinfo -h -o '%T' 2>/dev/null | grep -qx idle && break
  sleep 1
done
sinfo
sinfo -h -o '%T' | grep -qx idle || { cat "$s/slurmctld.log" "$s/slurmd.log" >&2; exit 1; }
echo "one-node slurm up at $((SECONDS - start)) s"

mkdir -p "$work/in"
printf 'the quick brown fox jumps over the lazy dog\nthe dog sleeps\n' >"$work/in/a.txt"
printf 'a quick fox, a brown dog and the end\n' >"$work/in/b.txt"
"$bin" --meta-dir "$work/meta-inproc" run wordcount --set root="$work/in" >"$work/inproc.json"
"$bin" --meta-dir "$work/meta" export snakemake wordcount --store "$work/store" \
  -o "$work/Snakefile"
cd "$work"
if ! "$venv/bin/snakemake" -s Snakefile --executor slurm --jobs 2 --latency-wait 5 \
  --seconds-between-status-checks 1 --slurm-no-account --slurm-status-command squeue \
  --slurm-init-seconds-before-status-checks 1 \
  --default-resources slurm_partition=debug mem_mb=200 runtime=10 \
  --config run_id=slurm-1 set_root="$work/in" >slurm.log 2>&1; then
  cat slurm.log "$s/slurmctld.log" >&2
  exit 1
fi
jobs=$(grep -c 'has been submitted with SLURM jobid' slurm.log || true)
[ "$jobs" = 6 ] || { echo "slurm_e2e: $jobs slurm jobs, not 6 (5 tasks and gather)" >&2; cat slurm.log >&2; exit 1; }
echo "slurm jobs: $jobs (5 tasks and gather)"
"$bin" output wordcount top --store store >cluster.json
cmp inproc.json cluster.json
"$bin" --meta-dir meta history wordcount | tee history.txt
grep -qE '^0 +slurm-1 .* 5 +0 +0 +0 ' history.txt
echo "slurm_e2e: ok in $((SECONDS - start)) s"
