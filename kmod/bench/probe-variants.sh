#!/usr/bin/env bash
# Builds variants of the probe, each with one part of the log path taken out, and a hook switch
# (sp_hook_switch) for each, into kmod/out/variants/<name>/: bench/pipe-floor.ts measures where the
# cost of capturing a process whose stdout is a pipe goes. The variants are measuring instruments,
# not capture: records they leave out are simply lost. Run scripts/kmod-build.sh probe first.
#
#   kmod/bench/probe-variants.sh ["variant ..."]
#
#   as-is           the probe as built (markers only: a stdio write keeps its bytes only when it may
#                   carry an activation marker, kmod/include/sp_markers.h)
#   keep-all        every stdio write kept whole with its bytes: the log path before markers only
#   no-marker-read  a stdio write is summed without reading its first bytes (nor the fd table): what
#                   the marker test costs
#   no-stdio-write  a write to fd 0-2 returns right after the filter: no record, no repeat flushed,
#                   nothing summed (the floor of the captured syscall path)
# (Variants of earlier sources, measured in bench/README.md "The log path's floor", were patches of
# the probe before markers only: no-flush, no-bytes, positions, markers-only.)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
K="$ROOT/kmod"
OUT="$K/out"
[ -f "$OUT/vmlinux.h" ] || { echo "probe-variants: run scripts/kmod-build.sh probe first" >&2; exit 1; }

# patch FILE FROM TO: replace the one line FROM (exactly) in FILE, or fail: the source moved on
patch_line() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1:]
s = open(path).read()
if s.count(old) != 1:
    sys.exit(f"probe-variants: {path}: expected one '{old.strip()}', found {s.count(old)}: update this script")
open(path, 'w').write(s.replace(old, new))
PY
}

build() {
  local name="$1" d="$OUT/variants/$1"
  mkdir -p "$d"
  cp "$K/bpf/sp_probe.bpf.c" "$K/include/sp_fill.h" "$d/"
  case "$name" in
    as-is) ;;
    keep-all)
      patch_line "$d/sp_probe.bpf.c" $'\tquiet = rw && ret >= 0 && !sum && sp_stdio_quiet(t, regs, ret);\n' $'\tquiet = 0;\n' ;;
    no-marker-read)
      patch_line "$d/sp_probe.bpf.c" $'\tquiet = rw && ret >= 0 && !sum && sp_stdio_quiet(t, regs, ret);\n' $'\tquiet = rw && ret >= 0 && !sum;\n' ;;
    no-stdio-write)
      patch_line "$d/sp_probe.bpf.c" $'\tt0 = sp_entered(t, nr);\n\tif (sp_nothing_moved' $'\tif (ev == SP_EV_WRITE && sp_is_stdio_fd(fd))\n\t\treturn 0;\n\tt0 = sp_entered(t, nr);\n\tif (sp_nothing_moved' ;;
    *) echo "probe-variants: unknown variant $name" >&2; exit 2 ;;
  esac
  # the copied sp_fill.h is found first: it sits next to the copied probe
  clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I "$OUT" -I "$K/include" -I /usr/include/x86_64-linux-gnu \
    -c "$d/sp_probe.bpf.c" -o "$d/sp_probe.bpf.o"
  bpftool gen skeleton "$d/sp_probe.bpf.o" name sp_probe_bpf > "$d/sp_probe.skel.h"
  gcc -O2 -Wall -I "$d" -I "$K/include" -I "$K/loader" "$K/bench/sp_hook_switch.c" "$K/loader/sp_capture.c" \
    "$K/loader/sp_capture_bpf.c" "$K/loader/sp_capture_kmod.c" -lbpf -lelf -lz -lpthread -o "$d/sp_hook_switch"
  echo "probe-variants: $name ok"
}

for v in ${1:-as-is keep-all no-marker-read no-stdio-write}; do build "$v"; done
