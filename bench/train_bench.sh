#!/usr/bin/env bash
# GPT training step (forward, backward, clipping, AdamW): Java (DJL, libtorch 2.7.1) next
# to PyTorch 2.7.1 eager, 2 intra-op threads and 1 inter-op thread each, random weights
# and codes. Defaults: GPT-B width (768, 12 heads), 2 layers, 16x16 grid, batch 4.
# Usage: bench/train_bench.sh [dim] [layers] [heads] [vocab] [grid] [batch] [steps]
# The Java side also takes MuToR-2D: set METHODS="ntp full sparse" (the Python peer is NTP only).
set -euo pipefail
cd "$(dirname "$0")/.."
: > /tmp/mutor-train-java.txt
args=("${1:-768}" "${2:-2}" "${3:-12}" "${4:-16384}" "${5:-16}" "${6:-4}" "${7:-5}")
# Build the reactor's own classes, so sibling modules never come from a stale local repository.
mvn -B -q -o -pl generator -am test-compile >/dev/null
mvn -B -q -o -pl generator dependency:build-classpath -Dmdep.outputFile=/tmp/mutor-train-cp.txt >/dev/null
cp="generator/target/test-classes:generator/target/classes:common/target/classes:mutor2d/target/classes"
cp="$cp:tokenizer-vq/target/classes:$(cat /tmp/mutor-train-cp.txt)"
for method in ${METHODS:-ntp}; do
  java -Xmx3g -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dai.djl.pytorch.num_threads=2 \
    -Dai.djl.pytorch.num_interop_threads=1 -cp "$cp" \
    org.mutor.generator.bench.GptTrainBench "$method" "${args[@]:0:7}" 80 0.0 2>/dev/null | tee -a /tmp/mutor-train-java.txt
done
python3 bench/train_bench.py "${args[@]}" | tee /tmp/mutor-train-python.txt
java_rate=$(grep -o 'java ntp.* [0-9]* tokens/s' /tmp/mutor-train-java.txt | tail -1 | grep -o '[0-9]* tokens/s' | cut -d' ' -f1)
python_rate=$(grep -o '[0-9]* tokens/s' /tmp/mutor-train-python.txt | tail -1 | cut -d' ' -f1)
if [ -n "$java_rate" ]; then
  echo "ratio java/python tokens/s: $(python3 -c "print(round($java_rate / $python_rate, 3))")"
fi
