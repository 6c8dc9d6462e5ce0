#!/usr/bin/env bash
# Install what kernel capture needs to build and test (Debian 12, as root). Idempotent.
#   probe + addon: clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make g++
#   module + its qemu test: linux-headers-amd64 qemu-system-x86 busybox-static cpio
#   (the matching linux-image package is downloaded, not installed, by scripts/kmod-qemu.sh)
#   benchmark: strace
set -euo pipefail
if [ "$(id -u)" != 0 ]; then echo "kmod-setup: run as root (apt-get install)" >&2; exit 1; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 \
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make g++ \
  linux-headers-amd64 qemu-system-x86 busybox-static cpio strace
