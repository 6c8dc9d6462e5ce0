#!/bin/sh
# Builds the libFuzzer harnesses of kmod/ (needs clang and its runtime, Debian: libclang-rt-14-dev)
# into OUT (default: a temporary directory, printed), then runs each for RUNS inputs (default 1000000).
#   sh kmod/fuzz/build.sh [OUT] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$(mktemp -d)}
runs=${2:-1000000}
mkdir -p "$out/corpus"
clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$here/../include" "$here/sp_fill_fuzz.c" -o "$out/sp_fill_fuzz"
echo "built $out/sp_fill_fuzz"
"$out/sp_fill_fuzz" -runs="$runs" -max_len=4096 -seed=1 "$out/corpus" 2>&1 | grep -E '^#[0-9]+ +DONE|ERROR|SUMMARY' || true
