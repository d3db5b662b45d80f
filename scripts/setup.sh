#!/usr/bin/env bash
# Installs what Segmenta needs to build and test on Debian 12, and nothing twice.
#   scripts/setup.sh            build and test dependencies
#   scripts/setup.sh --bench    plus the Python baselines used by bench/
# Debian packages come from apt; DuckDB 1.4.4 (C API) from the npm registry, checked
# against pinned SHA-256 sums and unpacked into third_party/duckdb (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(cmake g++ make pkg-config libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libfmt-dev libssl-dev libeigen3-dev
  libnlopt-dev libboost-dev  # value models: L-BFGS (NLopt), digamma and quadrature (Boost.Math)
  libcpp-httplib-dev  # segmenta serve
  python3-scipy  # the experiment statistics are checked against scipy in a test
  chromium)  # chromium: the report and dashboard render tests (headless)
if [[ "${1:-}" == "--bench" ]]; then
  APT_PACKAGES+=(python3-pandas python3-numpy python3-sklearn time wrk)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# npm may come with a nodejs package that is not Debian's; only the command matters.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

DUCKDB_DIR=third_party/duckdb
LIB_PKG="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
LIB_TGZ="duckdb-node-bindings-linux-x64-1.4.4-r.4.tgz"
LIB_SHA="732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b"
HDR_PKG="duckdb@1.4.4"
HDR_TGZ="duckdb-1.4.4.tgz"
HDR_SHA="5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed"

fetch() {  # fetch PACKAGE TARBALL SHA256
  local pkg=$1 tgz=$2 sha=$3
  if [[ ! -f "$DUCKDB_DIR/$tgz" ]] || ! echo "$sha  $DUCKDB_DIR/$tgz" | sha256sum -c --quiet - 2>/dev/null; then
    echo "setup: npm pack $pkg"
    (cd "$DUCKDB_DIR" && npm pack --silent "$pkg" >/dev/null)
  fi
  echo "$sha  $DUCKDB_DIR/$tgz" | sha256sum -c --quiet - || {
    echo "setup: checksum mismatch for $tgz; refusing to use it" >&2
    exit 1
  }
}

if [[ ! -f "$DUCKDB_DIR/lib/libduckdb.so" || ! -f "$DUCKDB_DIR/include/duckdb.h" ]]; then
  mkdir -p "$DUCKDB_DIR/lib" "$DUCKDB_DIR/include"
  fetch "$LIB_PKG" "$LIB_TGZ" "$LIB_SHA"
  fetch "$HDR_PKG" "$HDR_TGZ" "$HDR_SHA"
  tar -xzf "$DUCKDB_DIR/$LIB_TGZ" -C "$DUCKDB_DIR/lib" --strip-components=1 package/libduckdb.so
  tar -xzf "$DUCKDB_DIR/$HDR_TGZ" -C "$DUCKDB_DIR/include" --strip-components=5 \
    package/src/duckdb/src/include/duckdb.h
  rm -f "$DUCKDB_DIR/$LIB_TGZ" "$DUCKDB_DIR/$HDR_TGZ"
  echo "setup: DuckDB 1.4.4 in $DUCKDB_DIR"
fi

# The dashboard (web/): its npm packages, exactly as locked, then its build (web/dist).
if [[ -f web/package-lock.json ]]; then
  if [[ ! -d web/node_modules ]] || [[ web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
    echo "setup: npm ci in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
