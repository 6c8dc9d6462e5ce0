#!/usr/bin/env bash
# Build kernel capture: the CO-RE probe + skeleton, the C tools, the node addon and (when the
# Debian headers are installed) the kernel module. Outputs go to kmod/out/ (probe, tools, module)
# and kmod/build/Release/sp_capture.node (addon).
#
#   scripts/kmod-build.sh [--optional] [--if-stale] [probe|addon|lkm|all]
#
# --optional: a missing toolchain is reported (with the step to take) and the script exits 0,
# so that `npm ci` works on machines without clang/libbpf/BTF: kernel capture is then off.
# --if-stale: build only what is missing or older than one of its sources (a checkout that moved
# on must not go on running the probe or module of an older source).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
K="$ROOT/kmod"
OUT="$K/out"
OPTIONAL=0
IF_STALE=0
if [ "${1:-}" = "--optional" ]; then OPTIONAL=1; shift; fi
if [ "${1:-}" = "--if-stale" ]; then IF_STALE=1; shift; fi
WHAT="${1:-all}"
mkdir -p "$OUT"

# What each build is made from, and the file it leaves last (its stamp): a source newer than the
# stamp, or no stamp, means the build is stale.
PROBE_SOURCES=("$K/bpf" "$K/include" "$K/loader" "$K/tools" "$K/bench" "$K/src")
PROBE_STAMP="$OUT/.probe-built"
ADDON_SOURCES=("$K/addon" "$K/binding.gyp" "$PROBE_STAMP")
ADDON_STAMP="$K/build/Release/sp_capture.node"
LKM_SOURCES=("$K/lkm" "$K/include" "$K/src" "$K/loader" "$K/tools")
LKM_STAMP="$OUT/lkm/.built"
stale() {
  local stamp="$1"; shift
  [ ! -e "$stamp" ] || [ -n "$(find "$@" -newer "$stamp" -print -quit 2>/dev/null)" ]
}

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
  touch "$PROBE_STAMP"
  echo "kmod-build: probe ok ($OUT/sp_probe.bpf.o)"
}

build_addon() {
  # the addon embeds the probe's skeleton: a stale probe would be built into it
  if stale "$PROBE_STAMP" "${PROBE_SOURCES[@]}"; then build_probe; fi
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
  touch "$LKM_STAMP"
}

# each build, or with --if-stale only when it is stale
run() {
  local what="$1" stamp="$2"; shift 2
  if [ "$IF_STALE" = 1 ] && ! stale "$stamp" "$@"; then return 0; fi
  "build_$what"
}

probe() { run probe "$PROBE_STAMP" "${PROBE_SOURCES[@]}"; }
addon() { run addon "$ADDON_STAMP" "${ADDON_SOURCES[@]}" "${PROBE_SOURCES[@]}"; }
lkm() { run lkm "$LKM_STAMP" "${LKM_SOURCES[@]}"; }
case "$WHAT" in
  probe) probe ;;
  addon) addon ;;
  lkm) lkm ;;
  all) probe; addon; lkm ;;
  *) echo "usage: scripts/kmod-build.sh [--optional] [probe|addon|lkm|all]" >&2; exit 2 ;;
esac
