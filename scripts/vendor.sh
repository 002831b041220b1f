#!/usr/bin/env bash
# Re-fetch the vendored front-end files by version from the npm registry.
# Nothing here is needed to run the portal: the files are committed.
set -euo pipefail
HTMX_VERSION=2.0.11
PICO_VERSION=2.1.1
dest="$(cd "$(dirname "$0")/.." && pwd)/portal/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null
npm pack --silent "@picocss/pico@${PICO_VERSION}" >/dev/null
mkdir htmx pico
tar -xzf htmx.org-*.tgz -C htmx
tar -xzf picocss-pico-*.tgz -C pico
mkdir -p "$dest"
cp htmx/package/dist/htmx.min.js "$dest/htmx-${HTMX_VERSION}.min.js"
cp pico/package/css/pico.min.css "$dest/pico-${PICO_VERSION}.min.css"
echo "vendored htmx ${HTMX_VERSION} and Pico CSS ${PICO_VERSION} into ${dest}"
