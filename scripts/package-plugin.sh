#!/usr/bin/env bash
# Builds a plugin crate in release mode and packages it as confluent-hub does:
#   <target dir>/plugins/<owner>-<name>-<version>.zip
#     <owner>-<name>-<version>/manifest.json
#     <owner>-<name>-<version>/lib/lib<crate lib>.so
# The archive path is printed as the last line. Install it with
#   connect plugins install <zip> --component-dir <dir>
# Usage: scripts/package-plugin.sh CRATE|DIR
#   CRATE: a package of this workspace (e.g. elasticsearch-sink, file-sink)
#   DIR:   any plugin crate directory, e.g. one made by `connect plugins new` (outside this
#          workspace too)
# The target directory is cargo's (CARGO_TARGET_DIR is honoured); other cargo settings from the
# environment apply too (e.g. CARGO_NET_OFFLINE=true).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arg=${1:?usage: scripts/package-plugin.sh CRATE|DIR (a package under plugins/, e.g. elasticsearch-sink, or a plugin crate directory)}

if [ -f "$arg/Cargo.toml" ]; then
  manifest=$(cd "$arg" && pwd)/Cargo.toml
  crate=""
else
  manifest=$root/Cargo.toml
  crate=$arg
fi

export CARGO_META_JSON
CARGO_META_JSON=$(cargo metadata --no-deps --format-version 1 --manifest-path "$manifest")
{ read -r crate_name; read -r crate_dir; read -r lib_name; read -r target_dir; } < <(python3 - "$crate" "$manifest" <<'PY'
import json, os, sys
crate, manifest = sys.argv[1], sys.argv[2]
meta = json.loads(os.environ["CARGO_META_JSON"])
if crate:
    found = [p for p in meta["packages"] if p["name"] == crate]
    if not found:
        sys.exit(f"package-plugin: no package named {crate} in this workspace (see plugins/), and no directory {crate} with a Cargo.toml")
else:
    found = [p for p in meta["packages"] if os.path.realpath(p["manifest_path"]) == os.path.realpath(manifest)]
    if not found:
        sys.exit(f"package-plugin: {manifest} has no [package]")
p = found[0]
for t in p["targets"]:
    if "cdylib" in t["crate_types"]:
        print(p["name"], os.path.dirname(p["manifest_path"]), t["name"], meta["target_directory"], sep="\n")
        sys.exit(0)
sys.exit(f"package-plugin: {p['name']} has no cdylib target; a plugin needs crate-type = [\"cdylib\", \"rlib\"]")
PY
)
[ -f "$crate_dir/manifest.json" ] || { echo "package-plugin: $crate_dir/manifest.json is missing (confluent-hub manifest: name, version, owner.username)" >&2; exit 1; }

echo "package-plugin: building $crate_name (release)" >&2
cargo build --release --manifest-path "$crate_dir/Cargo.toml" -p "$crate_name" >&2
lib="$target_dir/release/lib${lib_name}.so"
[ -f "$lib" ] || { echo "package-plugin: $lib was not built" >&2; exit 1; }

mkdir -p "$target_dir/plugins"
python3 - "$crate_dir/manifest.json" "$lib" "$target_dir/plugins" <<'PY'
import json, os, sys, zipfile
manifest_path, lib, out_dir = sys.argv[1:4]
m = json.load(open(manifest_path))
top = f"{m['owner']['username']}-{m['name']}-{m['version']}"
archive = os.path.join(out_dir, top + ".zip")
tmp = archive + ".tmp"
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
    z.write(manifest_path, f"{top}/manifest.json")
    z.write(lib, f"{top}/lib/{os.path.basename(lib)}")
os.replace(tmp, archive)
print(archive)
PY
