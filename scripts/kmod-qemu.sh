#!/usr/bin/env bash
# Boot the Debian kernel that matches linux-headers-amd64 under qemu (TCG) with a busybox
# initramfs that loads kmod/out/lkm/sp_lkm.ko, runs kmod/qemu/workload.sh in a cgroup, dumps the
# records (hex, on the serial console), unloads the module and powers off. Prints the console.
# Needs: scripts/kmod-build.sh lkm, and the packages of scripts/install-system-deps.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
K="$ROOT/kmod"
OUT="$K/out"
Q="$OUT/qemu"
mkdir -p "$Q"
HDR="$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1 || true)"
[ -n "$HDR" ] || { echo "kmod-qemu: no kernel headers: run scripts/install-system-deps.sh" >&2; exit 1; }
KVER="$(basename "$HDR" | sed 's/linux-headers-//')"
KIMG="$Q/vmlinuz-$KVER"
if [ ! -f "$KIMG" ]; then
  # the kernel the module was built for; downloaded as a package, not installed on the host
  if ! ls "$Q"/linux-image-"$KVER"*.deb >/dev/null 2>&1; then
    (cd "$Q" && apt-get download "linux-image-$KVER-unsigned" >/dev/null 2>&1 || apt-get download "linux-image-$KVER" >/dev/null) ||
      { echo "kmod-qemu: cannot download linux-image-$KVER: run apt-get update (as root)" >&2; exit 1; }
  fi
  rm -rf "$Q/deb" && mkdir -p "$Q/deb"
  dpkg-deb -x "$(ls "$Q"/linux-image-"$KVER"*.deb | head -1)" "$Q/deb"
  cp "$Q/deb/boot/vmlinuz-$KVER" "$KIMG"
  rm -rf "$Q/deb"
fi
[ -f "$OUT/lkm/sp_lkm.ko" ] || { echo "kmod-qemu: build the module first: scripts/kmod-build.sh lkm" >&2; exit 1; }
BB="$(command -v busybox || true)"
[ -n "$BB" ] && file -L "$BB" 2>/dev/null | grep -q 'statically linked' || BB=/bin/busybox
[ -x "$BB" ] || { echo "kmod-qemu: busybox-static is missing: run scripts/install-system-deps.sh" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "kmod-qemu: qemu-system-x86 is missing: run scripts/install-system-deps.sh" >&2; exit 1; }
R="$(mktemp -d)"
trap 'rm -rf "$R"' EXIT
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp"
cp "$BB" "$R/bin/busybox"
cp "$K/qemu/init" "$R/init" && chmod +x "$R/init"
cp "$K/qemu/workload.sh" "$R/workload.sh"
cp "$OUT/lkm/sp_lkm.ko" "$R/sp_lkm.ko"
cp "$OUT/sp_capture_dump.static" "$R/sp_capture_dump"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$Q/initramfs.gz"
exec timeout 180 qemu-system-x86_64 -accel tcg -m 512M -smp 1 -nographic -no-reboot \
  -kernel "$KIMG" -initrd "$Q/initramfs.gz" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init"
