#!/usr/bin/env bash
# The plugin boundary's cost per record under ABI 2.x against the last 1.x commit, measured in
# the same run on the same machine: both trees' `batch` criterion benchmark, rounds interleaved
# (1.x, 2.x, 1.x, 2.x, …) so drift in the machine's load hits both alike.
#
# Usage: scripts/bench-boundary-abi.sh [ROUNDS]   (default 3)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ROUNDS=${1:-3}
# The last commit of ABI 1.x (plugin-api 1.0.0), before the 2.0 rewrite.
V1=b3e323c
TARGET=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
OUT=$TARGET/bench-abi
rm -rf "$OUT/src-1x"
mkdir -p "$OUT/src-1x"
git archive "$V1" | tar -x -C "$OUT/src-1x"

bench() { # bench MANIFEST TARGET_DIR → ns per record at 2,000 per batch
    # CARGO_TARGET_DIR, not --target-dir: criterion writes its estimates under the former.
    CARGO_TARGET_DIR=$2 cargo bench -q --offline --manifest-path "$1" -p connect-plugin-api --bench batch -- \
        --warm-up-time 2 --measurement-time 5 put_across_boundary/batch_2000 >/dev/null 2>&1
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print("%.2f" % (e["median"]["point_estimate"] / 2000))' \
        "$2/criterion/put_across_boundary/batch_2000/new/estimates.json"
}
echo "building both benchmarks"
CARGO_TARGET_DIR=$OUT/target-1x cargo bench -q --offline --manifest-path "$OUT/src-1x/Cargo.toml" -p connect-plugin-api --bench batch --no-run
CARGO_TARGET_DIR=$TARGET cargo bench -q --offline -p connect-plugin-api --bench batch --no-run
printf '%-6s %12s %12s %8s\n' round "1.x ns/rec" "2.x ns/rec" ratio
ones=() twos=()
for r in $(seq 1 "$ROUNDS"); do
    a=$(bench "$OUT/src-1x/Cargo.toml" "$OUT/target-1x")
    b=$(bench "$ROOT/Cargo.toml" "$TARGET")
    ones+=("$a") twos+=("$b")
    printf '%-6s %12s %12s %8s\n' "$r" "$a" "$b" "$(python3 -c "print('%.3f' % ($b / $a))")"
done
# One round's ratio swings by ±15 % on a shared 2-core VM; the medians are the figure to quote.
python3 - "${ones[*]}" "${twos[*]}" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]
b = [float(x) for x in sys.argv[2].split()]
ma, mb = statistics.median(a), statistics.median(b)
print("%-6s %12.2f %12.2f %8.3f   (2.x / 1.x: median of each column)" % ("median", ma, mb, mb / ma))
print("%-6s %12.2f %12.2f %8.3f   (2.x / 1.x: fastest round of each)" % ("min", min(a), min(b), min(b) / min(a)))
PY
