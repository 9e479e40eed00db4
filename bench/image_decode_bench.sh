#!/usr/bin/env bash
# Decode throughput of the ImageIO and OpenCV image decoders on the large JPEG photos
# of Debian's mate-backgrounds package (apt-get install mate-backgrounds).
# Usage: bench/image_decode_bench.sh [FOLDER] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."

folder=${1:-/usr/share/backgrounds/mate}
rounds=${2:-3}
mapfile -t photos < <(find "$folder" -iname '*.jpg' | sort)
if [ "${#photos[@]}" -eq 0 ]; then
  echo "no JPEG files under $folder; run: apt-get install -y mate-backgrounds" >&2
  exit 1
fi

mvn -o -B -q -pl common test-compile
classpath_file=$(mktemp)
trap 'rm -f "$classpath_file"' EXIT
mvn -o -B -q -pl common dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"

java -Xmx3g -Djava.awt.headless=true \
  -cp "common/target/classes:common/target/test-classes:$(cat "$classpath_file")" \
  org.mutor.common.image.ImageDecodeBench "$rounds" "${photos[@]}"
