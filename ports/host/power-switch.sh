#!/usr/bin/env bash
# A bench power switch for atmodule, so that it can be certified as a board
# is: one module for the whole run on a stable line name, its power cut by
# the bench (`atcert run --dut serial:$ATMODULE_DIR/dut --power-cmd
# "ports/host/power-switch.sh cut"`).
#
#   start  power on: atmodule on a new pty, linked at $ATMODULE_DIR/dut, its
#          settings in $ATMODULE_DIR/store; returns once the link is there.
#   cut    SIGKILL (no clean shutdown, as a relay cuts power), then start.
#   stop   SIGKILL.
#
# ATMODULE: the binary (default: atmodule on PATH); ATMODULE_DIR: the
# folder (default /tmp/atmodule-bench); ATMODULE_ARGS: more arguments (a
# lab's --no-default-map --map ...).
set -eu
exe=${ATMODULE:-atmodule}
dir=${ATMODULE_DIR:-/tmp/atmodule-bench}
mkdir -p "$dir"

off() {
  if [ -f "$dir/pid" ]; then
    kill -9 "$(cat "$dir/pid")" 2>/dev/null || true
    rm -f "$dir/pid"
  fi
}

on() {
  rm -f "$dir/out"
  # shellcheck disable=SC2086
  setsid "$exe" --pty --pty-link "$dir/dut" --flow-control --store "$dir/store" \
    ${ATMODULE_ARGS:-} >"$dir/out" 2>>"$dir/log" </dev/null &
  echo $! >"$dir/pid"
  for _ in $(seq 500); do
    grep -q '^atmodule: ' "$dir/out" 2>/dev/null && return 0
    sleep 0.01
  done
  echo "power-switch: atmodule did not start (see $dir/log)" >&2
  return 1
}

case "${1:-}" in
  start) off; on ;;
  cut) off; on ;;
  stop) off ;;
  *) echo "usage: $0 start|cut|stop" >&2; exit 2 ;;
esac
