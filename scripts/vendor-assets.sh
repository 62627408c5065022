#!/usr/bin/env bash
# Reproduce src/steeltrace/dashboard/static/vendor/ from the npm registry.
#
# The dashboard works offline: every script it loads is a file of the package, never a
# CDN. This script fetches the pinned npm tarballs with `npm pack`, copies the minified
# browser builds and their licences, and checks them against SHA256SUMS.txt.
#
#   scripts/vendor-assets.sh          fetch, copy, verify (fails if a hash differs)
#   scripts/vendor-assets.sh --update fetch, copy, rewrite SHA256SUMS.txt
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/steeltrace/dashboard/static/vendor"
update=0
[[ "${1:-}" == "--update" ]] && update=1

# package@version | file in the tarball | name in vendor/
assets=(
  "htmx.org@2.0.11|dist/htmx.min.js|htmx.min.js"
  "htmx.org@2.0.11|LICENSE|LICENSE-htmx.txt"
  "htmx-ext-sse@2.2.4|dist/sse.min.js|htmx-ext-sse.min.js"
  "htmx-ext-sse@2.2.4|LICENSE|LICENSE-htmx-ext-sse.txt"
  "echarts@5.6.0|dist/echarts.min.js|echarts.min.js"
  "echarts@5.6.0|LICENSE|LICENSE-echarts.txt"
  "echarts@5.6.0|NOTICE|NOTICE-echarts.txt"
  "echarts@5.6.0|licenses/LICENSE-d3|LICENSE-echarts-d3.txt"
  "cytoscape@3.35.0|dist/cytoscape.min.js|cytoscape.min.js"
  "cytoscape@3.35.0|LICENSE|LICENSE-cytoscape.txt"
  "dagre@0.8.5|dist/dagre.min.js|dagre.min.js"
  "dagre@0.8.5|LICENSE|LICENSE-dagre.txt"
  # dagre.min.js bundles graphlib 2.1.8 and lodash 4.x (both MIT): ship their licences too
  "graphlib@2.1.8|LICENSE|LICENSE-graphlib.txt"
  "lodash@4.17.21|LICENSE|LICENSE-lodash.txt"
  "cytoscape-dagre@2.5.0|cytoscape-dagre.js|cytoscape-dagre.js"
  "cytoscape-dagre@2.5.0|LICENSE|LICENSE-cytoscape-dagre.txt"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"

declare -A unpacked=()
for row in "${assets[@]}"; do
  IFS='|' read -r pkg src name <<<"$row"
  if [[ -z "${unpacked[$pkg]:-}" ]]; then
    mkdir -p "$work/$pkg"
    tarball="$(cd "$work" && npm pack "$pkg" --silent | tail -n1)"
    tar xzf "$work/$tarball" -C "$work/$pkg"
    unpacked[$pkg]=1
  fi
  cp "$work/$pkg/package/$src" "$dest/$name"
done

cd "$dest"
files=()
for row in "${assets[@]}"; do files+=("${row##*|}"); done
if (( update )); then
  sha256sum "${files[@]}" >SHA256SUMS.txt
  echo "wrote $dest/SHA256SUMS.txt"
else
  sha256sum --quiet -c SHA256SUMS.txt
  echo "vendored assets match SHA256SUMS.txt"
fi
du -ch "${files[@]}" | tail -n1
