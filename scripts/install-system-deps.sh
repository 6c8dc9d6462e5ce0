#!/usr/bin/env bash
# Debian packages the project needs beyond Node: kept in one place so CI and a new machine agree.
set -euo pipefail
packages=(util-linux)
# exports (upg/export/): python3-prov reads PROV-JSON, python3-rdflib parses PROV-O Turtle and runs SPARQL,
# graphviz renders DOT, chromium opens the HTML view headless (test/export-html.test.ts)
packages+=(python3-prov python3-rdflib graphviz chromium fonts-dejavu-core)
# kernel capture (kmod/): the CO-RE probe and the addon (clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make g++),
# the loadable module and its qemu test (linux-headers-amd64 qemu-system-x86 busybox-static cpio; the matching
# linux-image package is downloaded, not installed, by scripts/kmod-qemu.sh), and the capture benchmark (strace)
packages+=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make g++ linux-headers-amd64 qemu-system-x86 busybox-static cpio strace)
# the local platform's action runtime unpacks zipped actions with unzip, as OpenWhisk's Node runtime does
packages+=(unzip)
# real action containers (invokers/local --containers docker, the agent's Docker discovery and their tests):
# Debian's Docker engine; the tests start and stop a private dockerd of their own
packages+=(docker.io)
# AWS's DynamoDB Local (the jar in the npm package amplify-dynamodb-simulator), the store's second test backend
packages+=(openjdk-17-jre-headless)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "$(id -u)" != 0 ]; then
  [ "${#missing[@]}" -eq 0 ] || echo "install-system-deps: not root; missing Debian packages: ${missing[*]}" >&2
  exit 0
fi
# scripts/kmod-qemu.sh fetches a kernel image with `apt-get download`, which needs package lists.
if [ "${#missing[@]}" -gt 0 ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
  apt-get update -qq
fi
if [ "${#missing[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi
