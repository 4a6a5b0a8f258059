#!/usr/bin/env bash
# Builds the local base images the deploy tests use where no container registry is reachable,
# from Debian packages and this machine's own Node.js:
#   localhost/debian-bookworm:local   debootstrap --variant=minbase bookworm, from the apt mirror
#   localhost/node20-bookworm:local   + this machine's Node 20 and npm (stands in for node:20-bookworm-slim)
#   localhost/redis-tls:local         + Debian's redis-server, user redis (uid 999, as the official image)
# An image that already exists is kept (delete it to rebuild). Needs root, podman and debootstrap.
# Usage: docker/base-images/build.sh   (PODMAN may name another podman command)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
podman=${PODMAN:-"$here/../../tools/podman-runc.sh"}

DEBIAN_IMAGE=localhost/debian-bookworm:local
NODE_IMAGE=localhost/node20-bookworm:local
REDIS_IMAGE=localhost/redis-tls:local

exists() { $podman image exists "$1"; }

# The first bookworm mirror in apt's sources (deb822 .sources or one-line .list); Debian's
# default mirror when none is found.
apt_mirror() {
  local file uri
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    uri=$(awk '
      /^[[:space:]]*$/ { if (uri != "" && suite) { print uri; exit } uri = ""; suite = 0; next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
      END { if (uri != "" && suite) print uri }' "$file" | head -n 1)
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    uri=$(awk '$1 == "deb" && $0 ~ / bookworm / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' "$file")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  echo "http://deb.debian.org/debian"
}

scratch=$(mktemp -d /var/tmp/base-images.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

if ! exists "$DEBIAN_IMAGE"; then
  mirror=$(apt_mirror)
  echo "base-images: debootstrap bookworm (minbase) from $mirror"
  root="$scratch/rootfs"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" \
    >"$scratch/debootstrap.log" 2>&1 || { tail -n 30 "$scratch/debootstrap.log"; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  tar -C "$root" --numeric-owner -c . | $podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$root"
  echo "base-images: built $DEBIAN_IMAGE"
fi

if ! exists "$NODE_IMAGE"; then
  node_bin=$(readlink -f "$(command -v node)")
  node_prefix=$(dirname "$(dirname "$node_bin")")
  "$node_bin" -e 'process.exit(process.versions.node.split(".")[0] === "20" ? 0 : 1)' ||
    { echo "base-images: Node 20 is needed here, found $("$node_bin" --version)"; exit 1; }
  ctx="$scratch/node"
  mkdir -p "$ctx/usr/local/bin" "$ctx/usr/local/lib/node_modules" "$ctx/local-ca"
  cp "$node_bin" "$ctx/usr/local/bin/node"
  cp -a "$node_prefix/lib/node_modules/npm" "$ctx/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr/local/bin/npx"
  # CAs this machine adds to Debian's (a TLS-inspecting egress proxy, for one): without them npm
  # inside a build cannot reach the registry that npm on the host reaches.
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$ctx/local-ca/"
  fi
  cp "$here/Containerfile.node" "$ctx/Containerfile"
  $podman build --format docker --network host --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" \
    -t "$NODE_IMAGE" -f "$ctx/Containerfile" "$ctx" >"$scratch/node.log" 2>&1 ||
    { tail -n 30 "$scratch/node.log"; exit 1; }
  echo "base-images: built $NODE_IMAGE (node $("$node_bin" --version))"
fi

if ! exists "$REDIS_IMAGE"; then
  $podman build --format docker --network host --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" \
    -t "$REDIS_IMAGE" -f "$here/Containerfile.redis" "$here" >"$scratch/redis.log" 2>&1 ||
    { tail -n 30 "$scratch/redis.log"; exit 1; }
  echo "base-images: built $REDIS_IMAGE"
fi
