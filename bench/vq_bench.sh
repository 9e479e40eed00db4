#!/usr/bin/env bash
# VQ tokenizer encode + decode: Java (DJL, libtorch 2.7.1) next to PyTorch 2.7.1 eager
# on the same machine, 2 intra-op threads and 1 inter-op thread each, random weights
# and random images.
# Usage: bench/vq_bench.sh [preset] [size] [batch] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
args=("${1:-vq-16}" "${2:-256}" "${3:-4}" "${4:-2}")
mvn -B -q -o -pl common,tokenizer-vq -am -DskipTests install >/dev/null
mvn -B -q -o -pl tokenizer-vq test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/mutor-vq-bench-cp.txt >/dev/null
java -Xmx2g -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dai.djl.pytorch.num_threads=2 \
  -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "tokenizer-vq/target/test-classes:tokenizer-vq/target/classes:$(cat /tmp/mutor-vq-bench-cp.txt)" \
  org.mutor.tokenizer.bench.VqBench "${args[@]}" | tee /tmp/mutor-vq-bench-java.txt
python3 bench/vq_bench.py "${args[@]}" | tee /tmp/mutor-vq-bench-python.txt
java_rate=$(grep -o '[0-9.]* images/s (checksum' /tmp/mutor-vq-bench-java.txt | cut -d' ' -f1)
python_rate=$(grep -o '[0-9.]* images/s (checksum' /tmp/mutor-vq-bench-python.txt | cut -d' ' -f1)
echo "ratio java/python encode+decode images/s: $(python3 -c "print(round($java_rate / $python_rate, 3))")"
