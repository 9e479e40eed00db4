#!/usr/bin/env bash
# Inception features/s: Java (DJL) next to PyTorch on full-width random weights, batch 16, 2 threads.
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/inception_full.pth
[ -f "$W" ] || python3 tools/reference/make_inception_fixtures.py --full "$W"
mvn -o -q -pl eval-fid test-compile
mvn -o -q -pl eval-fid dependency:build-classpath -Dmdep.outputFile=/tmp/eval-bench-cp.txt
java -Xmx2g -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp eval-fid/target/test-classes:eval-fid/target/classes:$(cat /tmp/eval-bench-cp.txt) \
  org.mutor.eval.InceptionBench "$W"
OMP_NUM_THREADS=2 python3 bench/inception_bench.py "$W"
