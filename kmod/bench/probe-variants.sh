#!/usr/bin/env bash
# Builds variants of the probe, each with one part of the log path taken out, and a hook switch
# (sp_hook_switch) for each, into kmod/out/variants/<name>/: bench/pipe-floor.ts measures where the
# cost of capturing a process whose stdout is a pipe goes. The variants are measuring instruments,
# not capture: records they leave out are simply lost. Run scripts/kmod-build.sh probe first.
#
#   kmod/bench/probe-variants.sh ["variant ..."]
#
#   as-is           the probe as built
#   no-stdio-write  a write to fd 0-2 returns right after the filter: no record, no repeat flushed
#   no-flush        pending read repeats are not flushed before a write to fd 0-2
#   no-bytes        a write to fd 0-2 is recorded without its bytes (as a position would be)
#   positions       no-flush and no-bytes together: the cost of the "positions, not bytes" design
#   markers-only    a write to fd 0-2 whose first bytes are neither "@prov" (a wrapper record) nor
#                   "XXX_" (the runtime's sentinel) is summed like any other write: no record, no bytes
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
    no-stdio-write)
      patch_line "$d/sp_probe.bpf.c" $'\tt0 = sp_entered(t, nr);\n\tif (sp_nothing_moved' $'\tif (ev == SP_EV_WRITE && sp_is_stdio_fd(fd))\n\t\treturn 0;\n\tt0 = sp_entered(t, nr);\n\tif (sp_nothing_moved' ;;
    no-flush)
      patch_line "$d/sp_probe.bpf.c" $'\tsp_flush(t);\n\tif (sum)\n' $'\tif (!(ev == SP_EV_WRITE && sp_is_stdio_fd(fd)))\n\t\tsp_flush(t);\n\tif (sum)\n' ;;
    no-bytes)
      patch_line "$d/sp_fill.h" $'\tif (ret <= 0 || !src->ptr) {\n' $'\tif (ret <= 0 || !src->ptr || sp_is_stdio_fd(fd)) {\n' ;;
    positions)
      patch_line "$d/sp_probe.bpf.c" $'\tsp_flush(t);\n\tif (sum)\n' $'\tif (!(ev == SP_EV_WRITE && sp_is_stdio_fd(fd)))\n\t\tsp_flush(t);\n\tif (sum)\n'
      patch_line "$d/sp_fill.h" $'\tif (ret <= 0 || !src->ptr) {\n' $'\tif (ret <= 0 || !src->ptr || sp_is_stdio_fd(fd)) {\n' ;;
    markers-only)
      patch_line "$d/sp_probe.bpf.c" $'static __noinline int sp_on_exit(' $'SP_INLINE int sp_no_marker(__u64 buf)\n{\n\tchar p[4];\n\n\tif (bpf_probe_read_user(p, sizeof(p), (const void *)buf))\n\t\treturn 0;\n\treturn !(p[0] == \'@\' && p[1] == \'p\' && p[2] == \'r\' && p[3] == \'o\') && !(p[0] == \'X\' && p[1] == \'X\' && p[2] == \'X\' && p[3] == \'_\');\n}\n\nstatic __noinline int sp_on_exit('
      patch_line "$d/sp_probe.bpf.c" $'\tsum = rw && ret >= 0 && sp_summable(t, ev, fd);\n' $'\tsum = rw && ret >= 0 && (sp_summable(t, ev, fd) || (ret > 0 && sp_no_marker(regs->si)));\n' ;;
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

for v in ${1:-as-is no-stdio-write no-flush no-bytes positions markers-only}; do build "$v"; done
