#!/usr/bin/env bash
# The production bundle runs with production dependencies only: the API is built, then copied with
# package.json and package-lock.json alone (what the image's runtime stage holds) into a clean
# folder, `npm ci --omit=dev` installs there, and the bundle boots as in production
# (NODE_ENV=production, files secrets, TLS Redis) and must answer /health/live with 200, then the
# smoke test (the helm test's script) with a token from the bundle's dev-token entry.
# Part of `make test-deploy`; needs node, npm, curl and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/prod-deps.XXXXXX")
api_pid=''
redis_pid=''
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

say() { echo "prod-deps: $*"; }
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

say "building the bundle"
API_DIST_DIR="$work/bundle" npx nest build api >"$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log"; exit 1; }

app="$work/app"
mkdir -p "$app/dist/apps"
cp package.json package-lock.json "$app/"
cp -r "$work/bundle" "$app/dist/apps/api"
cd "$app"
say "npm ci --omit=dev in a clean copy"
npm ci --omit=dev --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1 ||
  { tail -n 40 "$work/npm.log"; exit 1; }
# Proves the copy is clean: a development-only package here would hide a missing dependency.
for dev_only in typescript jest @nestjs/cli webpack; do
  if [ -e "node_modules/$dev_only" ]; then
    say "FAILED: node_modules/$dev_only is installed, but only production dependencies should be"
    exit 1
  fi
done

node dist/apps/api/make-secrets.js "$work/state" --api-dir "$work/api-secrets" \
  --redis-dir "$work/redis-tls" | tee "$work/make-secrets.log"
if grep -q -- '-----BEGIN' "$work/make-secrets.log" ||
  grep -qF "$(head -c 20 "$work/api-secrets/record-key")" "$work/make-secrets.log"; then
  say "FAILED: make-secrets printed key material"; exit 1
fi
[ "$(stat -c %a "$work/api-secrets/api.key")" = 400 ] ||
  { say "FAILED: api.key is not 0400"; exit 1; }

redis_port=$(free_port)
redis-server --port 0 --tls-port "$redis_port" --bind 127.0.0.1 --dir "$work" \
  --tls-cert-file "$work/redis-tls/redis.crt" --tls-key-file "$work/redis-tls/redis.key" \
  --tls-ca-cert-file "$work/redis-tls/redis-ca.crt" --tls-auth-clients yes \
  --appendonly yes --save '' >"$work/redis.log" 2>&1 &
redis_pid=$!

api_port=$(free_port)
NODE_ENV=production PORT="$api_port" HOST=127.0.0.1 \
  SECRETS_SOURCE=files SECRETS_DIR="$work/api-secrets" \
  STORAGE_DRIVER=redis REDIS_HOST=127.0.0.1 REDIS_PORT="$redis_port" \
  AUTH_MODE=jwt AUTH_ISSUER=urn:patient-api:dev AUTH_AUDIENCE=patient-api \
  node dist/apps/api/main.js >"$work/api.log" 2>&1 &
api_pid=$!

ca="$work/api-secrets/api-ca.crt"
status=000
for _ in $(seq 1 120); do
  if ! kill -0 "$api_pid" 2>/dev/null; then
    say "FAILED: the API exited while booting:"; tail -n 40 "$work/api.log"; exit 1
  fi
  status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$ca" \
    "https://localhost:$api_port/health/live" || true)
  [ "$status" != 000 ] && break
  sleep 0.5
done
if [ "$status" != 200 ]; then
  say "FAILED: /health/live answered $status, expected 200"; tail -n 40 "$work/api.log"; exit 1
fi
say "/health/live -> 200 (NODE_ENV=production, production dependencies only)"

token=$(NODE_ENV=development DEV_STATE_DIR="$work/state" node dist/apps/api/dev-token.js)
API_URL="https://api:$api_port" API_CONNECT="127.0.0.1:$api_port" CA_FILE="$ca" TOKEN="$token" \
  node "$repo/deploy/helm/files/smoke-test.js"

kill -TERM "$api_pid"
if wait "$api_pid"; then say "SIGTERM: the API stopped cleanly"; else
  say "FAILED: the API exited with $? on SIGTERM"; tail -n 20 "$work/api.log"; exit 1
fi
api_pid=''
say "passed"
