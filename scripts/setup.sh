#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: system packages (registry, redis, skopeo, openssl), npm packages, build.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if ! command -v docker-registry >/dev/null || ! command -v redis-server >/dev/null || ! command -v skopeo >/dev/null || ! command -v openssl >/dev/null || ! command -v htpasswd >/dev/null; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends docker-registry redis-server skopeo openssl ca-certificates apache2-utils
fi
npm ci --no-audit --no-fund
npm run build
