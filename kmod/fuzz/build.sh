#!/bin/sh
# Builds the libFuzzer harnesses of kmod/ (needs clang and its runtime, Debian: libclang-rt-14-dev)
# into OUT (default: a temporary directory, printed), then runs each for RUNS inputs (default 1000000).
#   sh kmod/fuzz/build.sh [OUT] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$(mktemp -d)}
runs=${2:-1000000}
mkdir -p "$out/corpus"
# Records are packed, so parameters land unaligned by design (the record layout is the wire format);
# x86-64 and the BPF JIT store them unaligned without fault, so only that one check is left out.
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize=alignment -I"$here/../include" "$here/sp_fill_fuzz.c" -o "$out/sp_fill_fuzz"
echo "built $out/sp_fill_fuzz"
# libFuzzer ends a clean run with "Done N runs in S second(s)"; a crash prints ERROR/SUMMARY and exits non-zero
log="$out/sp_fill_fuzz.log"
status=0
"$out/sp_fill_fuzz" -runs="$runs" -max_len=4096 -seed=1 "$out/corpus" >"$log" 2>&1 || status=$?
grep -E '^Done [0-9]+ runs|ERROR|SUMMARY' "$log" || true
[ "$status" -eq 0 ] || { echo "sp_fill_fuzz failed (exit $status): see $log"; exit "$status"; }
