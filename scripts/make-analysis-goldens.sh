#!/usr/bin/env bash
# Regenerates test/golden/analysis/<fixture>.tsv for every test/fixtures/pcap/analysis-* capture
# with tshark 4.0.17 (scripts/oracle-tshark.sh). Run once after adding a fixture; commit the output.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test/golden/analysis
for f in test/fixtures/pcap/analysis-*; do
  scripts/oracle-tshark.sh "$f" 2>/dev/null > "test/golden/analysis/$(basename "$f").tsv"
done
