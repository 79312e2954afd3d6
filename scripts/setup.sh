#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for the demo and the tests: PostgreSQL's server binaries (the
# tests and the demo start throwaway clusters with them), kubectl, the age CLI, and the npm dependencies, Node 24 included.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "setup: installing PostgreSQL from the distribution's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
fi
# The distribution starts a cluster of its own; ours are throwaway clusters on free ports, so it is not needed.
if command -v pg_lsclusters >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null 2>&1; then
  pg_lsclusters --no-header 2>/dev/null | awk '$4=="online"{print $1, $2}' | while read -r v c; do as_root pg_ctlcluster "$v" "$c" stop || true; done
fi

# kubectl for infra-change's tests and demo (Debian's kubernetes-client; any kubectl already installed is used).
if ! command -v kubectl >/dev/null 2>&1; then
  echo "setup: installing kubectl from the distribution's packages (kubernetes-client)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
fi

# The age CLI: the tests prove that backups open with the commands the README gives (age -d ...).
if ! command -v age >/dev/null 2>&1; then
  echo "setup: installing the age CLI from the distribution's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends age >/dev/null
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup: Node.js and npm are needed to start (any version from 18; npm ci brings Node 24 itself)" >&2
  exit 1
fi
npm ci --no-audit --no-fund
