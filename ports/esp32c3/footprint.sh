#!/usr/bin/env bash
# The firmware's footprint, from its ELF with binutils only (readelf, size,
# nm): the app image, the static RAM, and firmware-core's share of both.
#
#   ./footprint.sh [ELF]    (default: the release build)
#
# - App image: the bytes of the loadable segments that have contents, i.e.
#   what espflash writes to the app partition, less its image and segment
#   headers, alignment padding and checksum (a few hundred bytes to a few
#   KiB). With espflash on PATH the exact image size is printed too.
# - Static RAM: .data + .bss of the whole image (DRAM), the heap regions
#   inside it and beside it, the code copied to IRAM, the main stack.
# - firmware-core: the sizes of symbols whose names are in firmware_core.
#   LTO inlines much of the core into the port's tasks, so this is a lower
#   bound for code; the core keeps no statics of its own (its buffers are
#   heap allocations at Module::new, sized by the dialect).
set -euo pipefail
cd "$(dirname "$0")"
elf=${1:-target/riscv32imc-unknown-none-elf/release/esp32c3}

image=0
while read -r type _off _vaddr _paddr filesz _rest; do
  if [[ $type == LOAD ]]; then
    image=$((image + filesz))
  fi
done < <(readelf -lW "$elf")

section() { size -A -d "$elf" | awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }'; }
data=$(($(section .data) + $(section .data.wifi)))
bss=$(($(section .bss) + $(section .noinit)))
iram=$(($(section .trap) + $(section .rwtext) + $(section .rwtext.wifi)))
stack=$(section .stack)
reclaimed=$(section .dram2_uninit)
bss_at=$(size -A -d "$elf" | awk '$1 == ".bss" { print $3 }')
heap_in_bss=$(nm -S -t d -C "$elf" | awk -v lo="$bss_at" -v hi="$((bss_at + bss))" \
  '$4 ~ /::HEAP$/ && $1 >= lo && $1 < hi { s += $2 } END { print s + 0 }')

# Sizes by kind (code, rodata, data+bss) of the symbols whose (demangled)
# names match a regex.
symbols() {
  nm -S -t d -C "$elf" | awk -v re="$1" 'NF >= 4 && substr($0, index($0, $4)) ~ re {
    if ($3 ~ /^[tT]$/) t += $2; else if ($3 ~ /^[rR]$/) r += $2; else if ($3 ~ /^[dDbB]$/) d += $2
  } END { print t + 0, r + 0, d + 0 }'
}
read -r core_text core_ro core_ram < <(symbols 'firmware_core::')
read -r deps_text deps_ro deps_ram < <(symbols '^<?(simple_dns|crc|time)::')
# The task that owns the Module: its future holds the Module itself.
module_task=$(nm -S -t d -C "$elf" | awk '$4 ~ /module_task::POOL$/ { s += $2 } END { print s + 0 }')

kib() { awk -v b="$1" 'BEGIN { printf "%d bytes (%.1f KiB)", b, b / 1024 }'; }
echo "ESP32-C3 app image (loadable ELF segments): $(kib "$image")"
if command -v espflash >/dev/null; then
  bin=$(mktemp)
  espflash save-image --chip esp32c3 "$elf" "$bin" >/dev/null
  echo "ESP32-C3 app image (espflash save-image):   $(kib "$(stat -c %s "$bin")")"
  rm -f "$bin"
fi
echo "static RAM, .data + .bss:                   $(kib $((data + bss)))"
echo "  of which esp-alloc heap (in .bss):         $(kib "$heap_in_bss")"
echo "  heap in reclaimed bootloader RAM (beside): $(kib "$reclaimed")"
echo "  code in IRAM (.trap, .rwtext):             $(kib "$iram")"
echo "  main stack (rest of DRAM):                 $(kib "$stack")"
echo "firmware-core symbols: code $(kib "$core_text"), rodata $(kib "$core_ro"), static RAM $(kib "$core_ram")"
echo "  its dependencies (simple-dns, crc, time): code $(kib "$deps_text"), rodata $(kib "$deps_ro"), static RAM $(kib "$deps_ram")"
echo "  the module task (holds the Module): $(kib "$module_task") of .bss"
