#!/usr/bin/env bash
# Build kernel capture: the CO-RE probe + skeleton, the C tools, the node addon and (when the
# Debian headers are installed) the kernel module. Outputs go to kmod/out/ (probe, tools, module)
# and kmod/build/Release/sp_capture.node (addon).
#
#   scripts/kmod-build.sh [--optional] [probe|addon|lkm|all]
#
# --optional: a missing toolchain is reported (with the step to take) and the script exits 0,
# so that `npm ci` works on machines without clang/libbpf/BTF: kernel capture is then off.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
K="$ROOT/kmod"
OUT="$K/out"
OPTIONAL=0
if [ "${1:-}" = "--optional" ]; then OPTIONAL=1; shift; fi
WHAT="${1:-all}"
mkdir -p "$OUT"

missing() {
  echo "kmod-build: $1" >&2
  echo "kmod-build: to enable kernel capture: $2" >&2
  if [ "$OPTIONAL" = 1 ]; then exit 0; fi
  exit 1
}

need() { command -v "$1" >/dev/null 2>&1 || missing "$1 not found" "as root, run scripts/install-system-deps.sh (apt-get install ${2:-$1})"; }

build_probe() {
  need clang; need bpftool; need gcc
  [ -r /sys/kernel/btf/vmlinux ] || missing "this kernel has no BTF (/sys/kernel/btf/vmlinux)" "run on a kernel built with CONFIG_DEBUG_INFO_BTF=y"
  [ -f /usr/include/bpf/libbpf.h ] || missing "libbpf headers not found" "as root, run scripts/install-system-deps.sh (apt-get install libbpf-dev libelf-dev zlib1g-dev)"
  bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$OUT/vmlinux.h"
  clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I "$OUT" -I "$K/include" -I /usr/include/x86_64-linux-gnu \
    -c "$K/bpf/sp_probe.bpf.c" -o "$OUT/sp_probe.bpf.o"
  bpftool gen skeleton "$OUT/sp_probe.bpf.o" name sp_probe_bpf > "$OUT/sp_probe.skel.h"
  local cf=(-O2 -Wall -I "$K/include" -I "$K/loader" -I "$OUT")
  gcc "${cf[@]}" "$K/tools/sp_dump_schema.c" "$K/src/sp_event_table.c" -o "$OUT/sp_dump_schema"
  gcc "${cf[@]}" "$K/tools/sp_capture_dump.c" "$K/loader/sp_capture.c" "$K/loader/sp_capture_bpf.c" \
    "$K/loader/sp_capture_kmod.c" -lbpf -lelf -lz -o "$OUT/sp_capture_dump"
  # the empty program on the probe's hook, and the switch that attaches it or the probe in turn: bench/capture.ts measures the hook's own cost with them
  clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I "$OUT" -I /usr/include/x86_64-linux-gnu \
    -c "$K/bench/sp_empty.bpf.c" -o "$OUT/sp_empty.bpf.o"
  gcc "${cf[@]}" "$K/bench/sp_hook_switch.c" "$K/loader/sp_capture.c" "$K/loader/sp_capture_bpf.c" \
    "$K/loader/sp_capture_kmod.c" -lbpf -lelf -lz -lpthread -o "$OUT/sp_hook_switch"
  echo "kmod-build: probe ok ($OUT/sp_probe.bpf.o)"
}

build_addon() {
  [ -f "$OUT/sp_probe.skel.h" ] || build_probe
  local gyp
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$gyp" ] || missing "node-gyp not found next to npm" "install npm with its bundled node-gyp"
  local nodedir=()
  # Debian's nodejs ships its headers in /usr/include/node: no download needed
  if [ -f /usr/include/node/node_api.h ]; then nodedir=(--nodedir=/usr); fi
  (cd "$K" && node "$gyp" rebuild "${nodedir[@]}" >"$OUT/node-gyp.log" 2>&1) ||
    { tail -20 "$OUT/node-gyp.log" >&2; missing "the addon did not build (log: $OUT/node-gyp.log)" "install g++ and make, then re-run scripts/kmod-build.sh addon"; }
  echo "kmod-build: addon ok ($K/build/Release/sp_capture.node)"
}

build_lkm() {
  local hdr
  hdr="$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1 || true)"
  [ -n "$hdr" ] || missing "no Debian kernel headers in /usr/src" "as root, run scripts/install-system-deps.sh (apt-get install linux-headers-amd64)"
  mkdir -p "$OUT/lkm"
  # kbuild builds in the source directory: copy the sources next to the shared headers
  cp "$K/lkm/sp_lkm.c" "$OUT/lkm/sp_lkm_main.c"; cp "$K/lkm/Kbuild" "$K/src/sp_event_table.c" "$OUT/lkm/"
  make -s -C "$hdr" M="$OUT/lkm" SP_INCLUDE="$K/include" modules >"$OUT/lkm/build.log" 2>&1 ||
    { tail -30 "$OUT/lkm/build.log" >&2; exit 1; }
  echo "kmod-build: module ok ($OUT/lkm/sp_lkm.ko for $(basename "$hdr" | sed 's/linux-headers-//'))"
  # the reader that runs inside the qemu guest: static, kmod backend only
  gcc -O2 -Wall -static -DSP_NO_BPF -I "$K/include" -I "$K/loader" "$K/tools/sp_capture_dump.c" \
    "$K/loader/sp_capture.c" "$K/loader/sp_capture_kmod.c" -o "$OUT/sp_capture_dump.static"
}

case "$WHAT" in
  probe) build_probe ;;
  addon) build_addon ;;
  lkm) build_lkm ;;
  all) build_probe; build_addon; build_lkm ;;
  *) echo "usage: scripts/kmod-build.sh [--optional] [probe|addon|lkm|all]" >&2; exit 2 ;;
esac
