#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 20), one after the
# other, and prints executions per second and coverage for each. Fails if
# any target finds a crash, printing the input and how to reproduce it.
#
#   bash fuzz/run.sh [SECONDS]
#
# Installs what a fresh machine lacks (a nightly toolchain if it can be
# fetched, cargo-fuzz).
# The committed seeds in fuzz/corpus/ are only read: each run works in a
# scratch corpus under fuzz/target/corpus/ (kept between runs), and crash
# inputs land in fuzz/target/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-20}"
targets=(module parser dns sntp settings tls_record)
# Safe Rust on top of RustCrypto: no sanitizer, for twice the executions.
# Debug assertions and overflow checks are on (cargo-fuzz's default).
build_flags=(--sanitizer none)

# cargo-fuzz asks for nightly. A machine that cannot fetch one uses its
# own toolchain: without a sanitizer no nightly flag is needed (seen with
# cargo-fuzz 0.13 on stable 1.95: same instrumentation, same targets).
if rustup run nightly rustc --version >/dev/null 2>&1 \
  || rustup toolchain install nightly --profile minimal; then
  toolchain=(+nightly)
else
  echo "fuzz: no nightly toolchain; building with $(rustc --version)"
  toolchain=()
fi
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked
fi

start=$(date +%s)
cargo "${toolchain[@]}" fuzz build "${build_flags[@]}"
echo "fuzz: built in $(($(date +%s) - start)) s"

failed=()
summary=()
for t in "${targets[@]}"; do
  scratch="target/corpus/$t"
  artifacts="target/artifacts/$t"
  log="target/logs/$t.log"
  mkdir -p "$scratch" "$artifacts" "$(dirname "$log")"
  echo "fuzz: $t for ${seconds} s"
  # New inputs go to the first directory only: the scratch one.
  status=0
  cargo "${toolchain[@]}" fuzz run "${build_flags[@]}" "$t" "$scratch" "corpus/$t" -- \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  final=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$final")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$final")
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -1)
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log" | tail -1)
  line=$(printf '%-11s %9s exec/s  %10s runs  cov %6s  ft %6s' \
    "$t" "${rate:-?}" "${runs:-?}" "${cov:-?}" "${ft:-?}")
  if [ "$status" -ne 0 ]; then
    input=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -1)
    line="$line  FAILED (exit $status)"
    failed+=("$t")
    echo "fuzz: $t failed (exit $status); the end of $PWD/$log:"
    tail -40 "$log"
    if [ -n "$input" ]; then
      echo "fuzz: crash input: $PWD/$input"
      echo "fuzz: reproduce: (cd $PWD && cargo ${toolchain[*]} fuzz run ${build_flags[*]} $t $input)"
    fi
  fi
  summary+=("$line")
done

echo
echo "fuzz: ${seconds} s per target, $(($(date +%s) - start)) s in all"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
