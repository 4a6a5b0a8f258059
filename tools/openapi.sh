#!/usr/bin/env bash
# The contract, generated from the code:
#   tools/openapi.sh write   regenerate openapi/ (spec, typed client) and apps/api/src/metadata.ts
#   tools/openapi.sh check   fail, showing the difference, if what is committed is not what the
#                            code generates; then lint the spec (zero errors, zero warnings)
# Both expect a fresh build in $API_DIST_DIR (default dist/apps/api) for `check`; `write` builds.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
dist=${API_DIST_DIR:-dist/apps/api}

generate_client() { # spec, output
  npx --no-install openapi-typescript "$1" -o "$2" >/dev/null
}

lint() {
  npx --no-install redocly lint openapi/openapi.json --config=openapi/redocly.yaml \
    --format=summary --max-problems=50 2>&1 | grep -v '[║╔╚]' | tee /tmp/redocly-lint.$$
  if grep -qE '^(error|warning) ' /tmp/redocly-lint.$$; then
    rm -f /tmp/redocly-lint.$$
    echo "openapi: the spec has lint problems (zero errors and zero warnings required)" >&2
    exit 1
  fi
  rm -f /tmp/redocly-lint.$$
}

case "$mode" in
  write)
    node tools/generate-swagger-metadata.js
    npx --no-install nest build api
    node "$dist/write-openapi.js" openapi
    generate_client openapi/openapi.json openapi/client/src/schema.d.ts
    lint
    ;;
  check)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    stale=0
    check_file=.metadata-check.$$.ts
    trap 'rm -rf "$tmp" "apps/api/src/$check_file"' EXIT
    node tools/generate-swagger-metadata.js "$check_file" >/dev/null
    if ! diff -u apps/api/src/metadata.ts "apps/api/src/$check_file" >"$tmp/meta.diff"; then
      echo "openapi: apps/api/src/metadata.ts is not what the DTOs generate:" >&2
      head -20 "$tmp/meta.diff" | cut -c1-300 >&2
      stale=1
    fi
    node "$dist/write-openapi.js" "$tmp/spec"
    for file in openapi.json openapi.yaml; do
      if ! diff -u "openapi/$file" "$tmp/spec/$file" >"$tmp/$file.diff"; then
        echo "openapi: openapi/$file is not what the code generates (- committed, + generated):" >&2
        head -60 "$tmp/$file.diff" | cut -c1-300 >&2
        stale=1
      fi
    done
    generate_client "$tmp/spec/openapi.json" "$tmp/schema.d.ts"
    if ! diff -u openapi/client/src/schema.d.ts "$tmp/schema.d.ts" >"$tmp/client.diff"; then
      echo "openapi: openapi/client/src/schema.d.ts is not what the spec generates:" >&2
      head -40 "$tmp/client.diff" >&2
      stale=1
    fi
    if [ "$stale" = 1 ]; then
      echo "openapi: run \`make openapi\` and commit openapi/ and apps/api/src/metadata.ts" >&2
      exit 1
    fi
    lint
    echo "openapi: the committed contract is what the code generates"
    ;;
  *)
    echo "usage: $0 write|check" >&2
    exit 2
    ;;
esac
