#!/usr/bin/env bash
# The abuse suite of issue 20 at full scale: every attack for 30 s against a gateway child, with
# canaries on the attacked upstream and on another. Writes bench/results/abuse-<UTC date>.md.
# What it runs and how to read it: bench/README.md, section "The abuse suite".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/bench/results/abuse-$(date -u +%Y-%m-%d).md"
mvn_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --offline) mvn_flags+=(-o); shift ;;
    -h|--help) sed -n 2,4p "$0"; echo "usage: bench/abuse.sh [--out FILE] [--offline]"; exit 0 ;;
    *) echo "abuse.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

# AbuseIT at scale `full`; it builds the jar first (the package phase) and starts the gateway from it.
status=0
(cd "$here" && mvn -B -q "${mvn_flags[@]}" -pl gateway -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=AbuseIT -Dgatehouse.abuse.scale=full -Dgatehouse.abuse.report="$out") || status=$?
if [ ! -f "$out" ]; then echo "abuse.sh: no report was written (maven exit $status)" >&2; exit 1; fi
echo "abuse.sh: report in $out"
if [ "$status" -ne 0 ]; then echo "abuse.sh: targets missed (see the report's last section)" >&2; fi
exit "$status"
