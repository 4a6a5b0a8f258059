#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: with apt-get when running as
# root, otherwise says what to install. Usage: ensure-system-deps.sh [--optional] PACKAGE:BINARY...
set -euo pipefail

optional=0
missing=()
for spec in "$@"; do
  if [ "$spec" = "--optional" ]; then optional=1; continue; fi
  pkg=${spec%%:*}
  bin=${spec#*:}
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/bin/$bin" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} with apt-get"
  stamp=/var/lib/apt/periodic/patient-api-update-stamp
  if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
    apt-get update -qq
    mkdir -p "$(dirname "$stamp")" && touch "$stamp"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "missing Debian packages: ${missing[*]}"
echo "install them with: sudo apt-get install ${missing[*]}"
[ "$optional" = "1" ] && exit 0
exit 1
