#!/usr/bin/env bash
# The core's cost per passthrough byte on the ESP32-C3's ISA: builds the
# bench image (src/bin/bench.rs), runs it under qemu-system-riscv32 with
# -icount shift=0 (QEMU's minstret then counts guest instructions), checks
# the counter and the figures, and prints instructions per byte both ways
# with the throughput a 160 MHz core could carry at that cost.
#
#   bash ports/qemu-virt/bench.sh
#
# Fails when QEMU or a figure is missing, the counter does not count a
# known loop exactly, or a figure is nonsensical (0, or over 1000 a byte).
set -euo pipefail
cd "$(dirname "$0")"

# The ESP32-C3's core clock and its UART's fastest rate (5 Mbaud, 8N1).
CPU_HZ=160000000
UART_BYTES_PER_S=500000

cargo build --release --bin bench
elf=target/riscv32imc-unknown-none-elf/release/bench

if ! command -v qemu-system-riscv32 >/dev/null; then
  echo "bench.sh: no qemu-system-riscv32 (Debian: apt-get install qemu-system-misc)" >&2
  exit 1
fi
# The image powers the machine off when done (status 0; 1 after a panic).
if ! out=$(timeout 300 qemu-system-riscv32 -machine virt -nographic -monitor none \
  -bios none -icount shift=0 -kernel "$elf" </dev/null); then
  printf '%s\n' "$out" >&2
  echo "bench.sh: the bench image failed (above)" >&2
  exit 1
fi
out=$(printf '%s\n' "$out" | tr -d '\r')

printf '%s\n' "$out" | awk -v hz="$CPU_HZ" -v uart="$UART_BYTES_PER_S" '
function fail(msg) { print "bench.sh: " msg > "/dev/stderr"; bad = 1; exit 1 }
# bench calibration: loops of K and 2K instructions counted as A and B (...)
/^bench calibration:/ {
  k = $5; a = $11; b = $13
  calibrated = 1
  next
}
# bench check: minstret I over the run, mtime T ticks = N ns
/^bench check:/ { run_insns = $4; run_ns = $12; checked = 1; next }
# bench DIR (SIZE-byte UNIT): N bytes, I instructions, X instructions/byte
/^bench [a-z>-]+ \(/ {
  split($0, parts, ": ")
  split(parts[2], f, " ")
  what[++n] = substr(parts[1], 7)
  bytes[n] = f[1]; insns[n] = f[3]
  size[n] = substr($3, 2) + 0
  next
}
END {
  if (bad) exit 1
  if (!calibrated) fail("no calibration line")
  if (b - a != k) fail("the counter is off: a loop of " k " more instructions counted as " b - a " more")
  if (a < k || a - k > 100) fail("the counter is off: a loop of " k " instructions counted as " a)
  if (!checked) fail("no check line")
  # mtime ticks every 100 instructions at shift=0: the two agree to a tick.
  d = run_insns - run_ns; if (d < 0) d = -d
  if (d > 200) fail("minstret (" run_insns ") and mtime (" run_ns " ns) disagree")
  if (n != 3) fail("expected 3 results, got " n)
  printf "riscv32imc (the ESP32-C3 ISA), qemu-system-riscv32 -icount shift=0\n"
  printf "counter: loops of %d and %d instructions counted as %d and %d:\n", k, 2 * k, a, b
  printf "  exactly %d apart (%d for the call around the loop);\n", b - a, a - k
  printf "  minstret agrees with mtime over the whole run (%d instructions)\n\n", run_insns
  printf "%-30s %8s %13s %11s %22s %10s\n", "direction", "bytes", "instructions", "insns/byte", "160 MHz at 1 IPC", "vs 5 Mbaud"
  for (i = 1; i <= n; i++) {
    if (bytes[i] <= 0 || insns[i] <= 0) fail("nothing measured for " what[i])
    per[i] = insns[i] / bytes[i]
    if (per[i] > 1000) fail(what[i] ": " per[i] " instructions a byte is not a measurement")
    rate = hz / per[i]
    printf "%-30s %8d %13d %11.2f %17.1f MB/s %9.0fx\n", what[i], bytes[i], insns[i], per[i], rate / 1e6, rate / uart
  }
  # The two uart->net runs differ only in piece size: split the cost into
  # a part per piece (handle_uart and the timers it runs) and one per byte.
  if (size[1] != size[2]) {
    fixed = (per[2] - per[1]) / (1 / size[2] - 1 / size[1])
    printf "\nuart->net: about %.0f instructions per piece plus %.2f per byte\n", fixed, per[1] - fixed / size[1]
  }
  printf "\n160 MHz / (instructions a byte), at one instruction a cycle: an upper bound. The C3 is single-issue\n"
  printf "(4-stage pipeline, ~1 IPC on ALU work); flash-cache misses, load-use stalls and taken branches lower it.\n"
  printf "The UART at 5 Mbaud carries %d kB/s each way.\n", uart / 1000
}'
