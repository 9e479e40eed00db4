#!/usr/bin/env bash
# Compares loading one torch.save checkpoint in Java (TorchLoadBench) and Python
# (torch.load). Each side runs twice as a separate process on the same file, so the
# page cache is warm; the second process's median of PASSES passes is reported, because
# single passes vary a lot on a shared 2-core machine. Run from the repository root:
#   bash bench/torch_load_bench.sh [FILE]     (default /tmp/bench-500mb.pt, created if missing)
set -euo pipefail
FILE="${1:-/tmp/bench-500mb.pt}"
PASSES="${PASSES:-5}"
CP_FILE="$(mktemp)"
trap 'rm -f "$CP_FILE"' EXIT

python3 bench/torch_load_bench.py "$FILE" 1 >/dev/null   # creates the file if missing, warms the cache
mvn -o -q -pl common test-compile
mvn -o -q -pl common dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null
CP="common/target/classes:common/target/test-classes:$(cat "$CP_FILE")"

run_java() {
  java -Xmx2g -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -cp "$CP" \
    org.mutor.common.format.torch.TorchLoadBench "$FILE" "$PASSES"
}
run_java >/dev/null
JAVA_OUT="$(run_java)"
python3 bench/torch_load_bench.py "$FILE" "$PASSES" >/dev/null
PY_OUT="$(python3 bench/torch_load_bench.py "$FILE" "$PASSES")"

echo "$JAVA_OUT"
echo "$PY_OUT"
JAVA_RATE="$(echo "$JAVA_OUT" | sed -n 's/^java_mb_per_s=//p')"
PY_RATE="$(echo "$PY_OUT" | sed -n 's/^python_mb_per_s=//p')"
python3 -c "print(f'java/python throughput ratio: {float($JAVA_RATE) / float($PY_RATE):.2f}')"
