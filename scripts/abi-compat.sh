#!/usr/bin/env bash
# The plugin ABI's compatibility proof (plugin-api/src/abi/mod.rs has the rule it checks):
#
#  1. older plugin, newer host: the plugins of the pinned earlier 2.x commit (tests/compat/PINNED)
#     are built from that commit's tree and must load into the current host;
#  2. newer plugin, older host: tests/compat/newer-abi, built against plugin-api 2.1 (the
#     `preview` feature), must load into this 2.0 host and degrade (it never gets the 2.1 call),
#     and its `require` build, which declares the 2.1 capability as required, must be refused
#     with a reason naming what is missing.
#
# Libraries land in $TARGET/abi-compat/plugins/{old,newer,newer-require}; the e2e test
# `abi_compat` then runs them in-process. Usage: scripts/abi-compat.sh (after cargo build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
OUT=$TARGET/abi-compat
# One target dir for the old tree and the fixtures (shared dependencies), apart from the
# workspace's: the old tree's crates have the same names as today's.
BUILD=$OUT/target
PLUGINS=$OUT/plugins
# The old tree's own profile would keep full debug info; these libraries are only loaded.
export CARGO_PROFILE_DEV_DEBUG=false CARGO_INCREMENTAL=0
CONNECT=$TARGET/debug/connect
export CONNECT_LOG=${CONNECT_LOG:-warn}
say() { printf 'abi-compat: %s\n' "$*"; }
die() { printf 'abi-compat: error: %s\n' "$*" >&2; exit 1; }

[[ -x $CONNECT ]] || die "$CONNECT is not built: run cargo build --workspace first"
pinned=$(tr -d '[:space:]' <tests/compat/PINNED)
git cat-file -e "$pinned^{commit}" 2>/dev/null ||
    die "the pinned commit $pinned is not in this clone's history (a shallow clone? git fetch --unshallow)"

rm -rf "$PLUGINS" "$OUT/src"
mkdir -p "$PLUGINS"/{old,newer,newer-require} "$OUT/src"

say "building the plugins of $pinned (older plugins)"
git archive "$pinned" | tar -x -C "$OUT/src"
cargo build --offline -q --manifest-path "$OUT/src/Cargo.toml" --target-dir "$BUILD" \
    -p file-sink -p file-source -p elasticsearch-sink
for lib in connect_file_sink connect_file_source connect_elasticsearch_sink; do
    cp "$BUILD/debug/lib$lib.so" "$PLUGINS/old/"
done

say "building tests/compat/newer-abi against plugin-api 2.1 (newer plugin)"
fixture=tests/compat/newer-abi
cp Cargo.lock "$fixture/Cargo.lock" # the workspace's versions, so nothing is resolved anew
cargo build --offline -q --manifest-path "$fixture/Cargo.toml" --target-dir "$BUILD"
cp "$BUILD/debug/libconnect_newer_abi.so" "$PLUGINS/newer/"
cargo build --offline -q --manifest-path "$fixture/Cargo.toml" --target-dir "$BUILD" --features require
cp "$BUILD/debug/libconnect_newer_abi.so" "$PLUGINS/newer-require/"
# The copies are all the e2e test needs; the build tree is a second workspace's worth of disk.
rm -rf "$BUILD" "$OUT/src"

check() { # check DIR PYTHON-ASSERTIONS: the host's listing of DIR as `l`
    "$CONNECT" plugins list --json --plugin-path "$PLUGINS/$1" >"$OUT/$1.json"
    python3 - "$OUT/$1.json" "$2" <<'PY' || die "unexpected listing of $1: $(cat "$OUT/$1.json")"
import json, sys
l = json.load(open(sys.argv[1]))
exec(sys.argv[2])
PY
    say "ok: $1"
}
check old '
classes = sorted(c["class"] for c in l["loaded"])
assert classes == ["io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
                   "org.apache.kafka.connect.file.FileStreamSinkConnector",
                   "org.apache.kafka.connect.file.FileStreamSourceConnector"], classes
assert not l["refused"], l["refused"]
'
check newer '
assert [c["class"] for c in l["loaded"]] == ["com.example.compat.NewerAbiSinkConnector"], l
assert l["loaded"][0]["plugin_api"] == "2.1.0", l
assert not l["refused"]
'
check newer-require '
assert not l["loaded"], l
reason = l["refused"][0]["reason"]
assert "plugin-api 2.1.0" in reason and "requires host capabilities" in reason and "bit 5" in reason, reason
'
say "every check passed"
