#!/usr/bin/env bash
# Debian packages the project needs beyond Node: kept in one place so CI and a new machine agree.
set -euo pipefail
packages=(util-linux)
# exports (upg/export/): python3-prov reads PROV-JSON, python3-rdflib parses PROV-O Turtle and runs SPARQL,
# graphviz renders DOT, chromium opens the HTML view headless (test/export-html.test.ts)
packages+=(python3-prov python3-rdflib graphviz chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
