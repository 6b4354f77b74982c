#!/usr/bin/env bash
# Checks the swarm's deployment files: the Indexed Job against Kubernetes'
# OpenAPI schema (kubernetes-validate, strict; no cluster needed), and its
# command line against this atcert, run for two seeds as pod 0 would.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/kubernetes-validate
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet kubernetes-validate
fi
"$venv/bin/kubernetes-validate" --strict deploy/swarm/job.yaml

# The pod's command, with its range cut to the first two seeds of shard 0
# and the volume replaced by a scratch folder.
shards=$(grep -v "^ *#" deploy/swarm/job.yaml | sed -n "s/.*--shards \([0-9][0-9]*\).*/\1/p")
completions=$(sed -n 's/^  completions: \([0-9]*\)/\1/p' deploy/swarm/job.yaml)
[ "$shards" = "$completions" ] || { echo "--shards $shards but completions $completions"; exit 1; }
args=$(awk '/exec atcert swarm/{f=1} f{printf "%s ", $0} /jsonl/{f=0}' deploy/swarm/job.yaml \
  | sed "s/.*exec atcert swarm//; s|--seeds [0-9.]*|--seeds 0..$((2 * shards))|; s|/results|$PWD/target/swarm-check|")
mkdir -p target/swarm-check
cargo build --quiet --release --bin atcert
JOB_COMPLETION_INDEX=0 eval ./target/release/atcert swarm "$args" >/dev/null
test "$(wc -l < target/swarm-check/shard-0.jsonl)" -eq 2
echo "deploy/swarm: job.yaml valid, its command runs (2 seeds of shard 0/$shards)"
