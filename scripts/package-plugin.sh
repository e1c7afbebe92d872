#!/usr/bin/env bash
# Builds a plugin crate in release mode and packages it as confluent-hub does:
#   target/plugins/<owner>-<name>-<version>.zip
#     <owner>-<name>-<version>/manifest.json
#     <owner>-<name>-<version>/lib/lib<crate lib>.so
# The archive path is printed as the last line. Install it with
#   connect plugins install <zip> --component-dir <dir>
# Usage: scripts/package-plugin.sh CRATE   (e.g. elasticsearch-sink, file-sink)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
crate=${1:?usage: scripts/package-plugin.sh CRATE (a package under plugins/, e.g. elasticsearch-sink)}
cd "$root"

export CARGO_META_JSON
CARGO_META_JSON=$(cargo metadata --no-deps --format-version 1)
read -r crate_dir lib_name < <(python3 - "$crate" <<'PY'
import json, os, sys
crate = sys.argv[1]
meta = json.loads(os.environ["CARGO_META_JSON"])
for p in meta["packages"]:
    if p["name"] == crate:
        for t in p["targets"]:
            if "cdylib" in t["crate_types"]:
                print(os.path.dirname(p["manifest_path"]), t["name"])
                sys.exit(0)
        sys.exit(f"package-plugin: {crate} has no cdylib target; a plugin needs crate-type = [\"cdylib\", \"rlib\"]")
sys.exit(f"package-plugin: no package named {crate} in this workspace (see plugins/)")
PY
)
[ -f "$crate_dir/manifest.json" ] || { echo "package-plugin: $crate_dir/manifest.json is missing (confluent-hub manifest: name, version, owner.username)" >&2; exit 1; }

echo "package-plugin: building $crate (release)" >&2
cargo build --release -p "$crate" >&2
lib="$root/target/release/lib${lib_name}.so"
[ -f "$lib" ] || { echo "package-plugin: $lib was not built" >&2; exit 1; }

mkdir -p "$root/target/plugins"
python3 - "$crate_dir/manifest.json" "$lib" "$root/target/plugins" <<'PY'
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
