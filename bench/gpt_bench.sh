#!/usr/bin/env bash
# GPT sampling: Java (DJL, libtorch 2.7.1) next to PyTorch 2.7.1 eager on the same
# machine, 2 intra-op threads and 1 inter-op thread each, random weights.
# Usage: bench/gpt_bench.sh [preset] [batch] [cfg] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
args=("${1:-gpt-b}" "${2:-8}" "${3:-2.0}" "${4:-2}")
mvn -B -q -o -DskipTests install >/dev/null
mvn -B -q -o -pl generator test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/mutor-bench-cp.txt >/dev/null
java -Xmx3g -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dai.djl.pytorch.num_threads=2 \
  -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "generator/target/test-classes:generator/target/classes:$(cat /tmp/mutor-bench-cp.txt)" \
  org.mutor.generator.bench.GptSamplingBench "${args[@]}" | tee /tmp/mutor-bench-java.txt
python3 bench/gpt_bench.py "${args[@]}" | tee /tmp/mutor-bench-python.txt
java_rate=$(grep -o '[0-9.]* images/s' /tmp/mutor-bench-java.txt | cut -d' ' -f1)
python_rate=$(grep -o '[0-9.]* images/s' /tmp/mutor-bench-python.txt | cut -d' ' -f1)
echo "ratio java/python images/s: $(python3 -c "print(round($java_rate / $python_rate, 3))")"
