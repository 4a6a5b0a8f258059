#!/usr/bin/env bash
# make test-deploy: the container image, the compose stack and the chart's smoke test, for real.
#   1. installs podman, runc, debootstrap, podman-compose... with apt-get (root) and sets
#      default_ulimits = [] in /etc/containers/containers.conf (this sandbox cannot raise them);
#   2. the production bundle runs with production dependencies only (tools/test-prod-deps.sh);
#   3. renders the Helm chart as helm would (test/deploy/helm-render: Go text/template + sprig,
#      from Debian's packages; there is no helm here) with several value sets, and checks the
#      manifests (selectors, ports, volumes, refusals);
#   4. builds the local base images once (docker/base-images/build.sh; no registry is reachable
#      here), then docker/Dockerfile on them;
#   5. runs docker/compose.yml with podman-compose on free ports and a project of its own: TLS
#      material, TLS-only Redis with AOF, the API in production mode with auth on; checks the
#      image's HEALTHCHECK, /health/ready, Redis refusing plain and certificate-less clients, runs
#      the chart's rendered `helm test` pod in the stack's network (podman play kube) with a dev
#      token, 401 without one, and a clean stop on SIGTERM;
#   6. removes its containers, pods, networks and volumes (base images and layer cache stay).
# Needs root (rootful podman). Prints "N passed, M failed" last.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$SECONDS

podman="$repo/tools/podman-runc.sh"
NODE_IMAGE=localhost/node20-bookworm:local
REDIS_IMAGE=localhost/redis-tls:local
API_IMAGE=localhost/patient-api:test

passed=0
say() { echo "test-deploy: $*"; }
pass() { passed=$((passed + 1)); say "ok: $*"; }
fail() {
  say "FAILED: $*"
  echo "$passed passed, 1 failed"
  exit 1
}

if [ "$(id -u)" != 0 ]; then
  say "needs root: the deploy tests run rootful podman (as CI does)"
  echo "0 passed, 1 failed"
  exit 1
fi

# --- 1. system packages and podman settings ---------------------------------------------------
tools/ensure-system-deps.sh podman:podman runc:runc debootstrap:debootstrap uidmap:newuidmap \
  slirp4netns:slirp4netns fuse-overlayfs:fuse-overlayfs catatonit:catatonit \
  netavark:/usr/lib/podman/netavark aardvark-dns:/usr/lib/podman/aardvark-dns \
  iptables:iptables podman-compose:podman-compose curl:curl redis-server:redis-server

# The chart renderer (test/deploy/helm-render): Go and sprig, Helm's template functions, from Debian.
go_missing=()
for pkg in golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || go_missing+=("$pkg:$pkg")
done
[ ${#go_missing[@]} -eq 0 ] || tools/ensure-system-deps.sh "${go_missing[@]}"

conf=/etc/containers/containers.conf
mkdir -p /etc/containers
if [ ! -f "$conf" ]; then
  printf '[containers]\ndefault_ulimits = []\n' >"$conf"
elif ! grep -Eq '^[[:space:]]*default_ulimits[[:space:]]*=' "$conf"; then
  if grep -Eq '^[[:space:]]*\[containers\]' "$conf"; then
    sed -i -E '0,/^[[:space:]]*\[containers\]/s//&\ndefault_ulimits = []/' "$conf"
  else
    printf '\n[containers]\ndefault_ulimits = []\n' >>"$conf"
  fi
fi
backend=$($podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null || true)
[ "$backend" = netavark ] ||
  say "warning: podman's network backend is '$backend', not netavark: service names may not resolve"

# --- 2. production dependencies only ----------------------------------------------------------
tools/test-prod-deps.sh || fail "the bundle with production dependencies only (above)"
pass "the bundle boots and answers with production dependencies only"

# --- 3. the chart, rendered as helm would ------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/test-deploy.XXXXXX")
project="deploytest$$"
test_pod=''
test_volumes=''
compose=(podman-compose --podman-path "$podman" -p "$project" -f "$repo/docker/compose.yml")
cleanup() {
  set +e
  "${compose[@]}" down -v -t 5 >>"$work/compose.log" 2>&1
  # What podman-compose 1.0 leaves behind: its network, and anything a failed step left.
  for id in $($podman ps -aq --filter "label=io.podman.compose.project=$project"); do
    $podman rm -f "$id" >/dev/null 2>&1
  done
  for vol in $($podman volume ls -q --filter "label=io.podman.compose.project=$project"); do
    $podman volume rm -f "$vol" >/dev/null 2>&1
  done
  [ -n "$test_pod" ] && $podman pod rm -f "$test_pod" >/dev/null 2>&1
  for vol in ${test_volumes//,/ }; do $podman volume rm -f "$vol" >/dev/null 2>&1; done
  $podman network rm -f "${project}_default" >/dev/null 2>&1
  # Dangling layers of earlier builds; a day's worth stay as the build cache.
  $podman image prune -f --filter until=24h >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
gopath="$work/gopath"
# GOPATH mode over Debian's Go sources; sprig and semver are imported as .../v3.
mkdir -p "$gopath/src/helmrender" "$gopath/src/github.com/Masterminds/sprig" \
  "$gopath/src/github.com/Masterminds/semver"
ln -s /usr/share/gocode/src/github.com/Masterminds/sprig "$gopath/src/github.com/Masterminds/sprig/v3"
ln -s /usr/share/gocode/src/github.com/Masterminds/semver "$gopath/src/github.com/Masterminds/semver/v3"
cp test/deploy/helm-render/main.go "$gopath/src/helmrender/"
(cd "$gopath/src/helmrender" && GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS= \
  GOCACHE="${GOCACHE:-${HOME:-$work}/.cache/go-build}" go build -o "$work/helm-render" .) || fail "building test/deploy/helm-render"
render() { "$work/helm-render" --check --release deploytest "$@" deploy/helm; }
scone=(--set scone.enabled=true --set scone.cas=cas.example --set scone.apiSession=s/api
  --set scone.redisSession=r/redis --set autoscaling.enabled=true --set redis.persistence.enabled=false)
render >/dev/null || fail "the chart with its default values"
render "${scone[@]}" >"$work/scone.yaml" || fail "the chart with SCONE on"
grep -q 'sgx.k8s.io/sgx: 1' "$work/scone.yaml" || fail "SCONE on, but no pod asks for sgx.k8s.io/sgx"
render --set auth.enabled=false --set nodeEnv=development >/dev/null || fail "the chart as an open demo"
if render --set auth.enabled=false >/dev/null 2>&1; then
  fail "the chart rendered auth.enabled=false with nodeEnv=production, which the API refuses"
fi
if render --set redis.enabled=false >/dev/null 2>&1; then
  fail "the chart rendered redis.enabled=false without redis.external.host"
fi
pass "the chart renders (defaults, SCONE, open demo; refuses what the API would refuse) and its manifests check"

# --- 4. images ---------------------------------------------------------------------------------

docker/base-images/build.sh || fail "building the local base images"
say "building docker/Dockerfile on $NODE_IMAGE"
$podman build --format docker --network host --pull=never --build-arg "NODE_IMAGE=$NODE_IMAGE" \
  -f docker/Dockerfile -t "$API_IMAGE" . >"$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log"; fail "podman build -f docker/Dockerfile"; }
pass "docker/Dockerfile builds"

config=$($podman image inspect "$API_IMAGE" --format \
  '{{.Config.User}}|{{json .Config.Cmd}}|{{json .Config.Healthcheck.Test}}|{{json .Config.Env}}')
IFS='|' read -r user cmd health env <<<"$config"
[ "$user" = 1000:1000 ] || fail "the image runs as '$user', expected the non-root 1000:1000"
[ "$cmd" = '["node","--max-old-space-size=512","dist/apps/api/main.js"]' ] || fail "the image's CMD is $cmd"
[[ "$health" == *health* ]] || fail "the image has no HEALTHCHECK ($health)"
[[ "$env" == *NODE_ENV=production* ]] || fail "the image does not set NODE_ENV=production"
$podman run --rm --no-healthcheck --entrypoint sh "$API_IMAGE" -c \
  'test -d node_modules/@nestjs/core && ! test -e node_modules/typescript && ! test -e node_modules/jest' ||
  fail "the image's node_modules should hold production dependencies only"
pass "the image runs node as 1000:1000 with a HEALTHCHECK and production dependencies only"

# --- 5. the compose stack ----------------------------------------------------------------------
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
export API_IMAGE REDIS_IMAGE NODE_IMAGE
API_PORT=$(free_port)
API_MANAGEMENT_PORT=$(free_port)
export API_PORT API_MANAGEMENT_PORT
container() { echo "${project}_$1_1"; }
up() { "${compose[@]}" up -d --no-build "$@" >>"$work/compose.log" 2>&1 || true; }
show_logs() {
  for service in "$@"; do
    echo "--- logs of $service"
    $podman logs --tail 30 "$(container "$service")" 2>&1 || true
  done
}

say "compose project $project, API on 127.0.0.1:$API_PORT"
# podman-compose 1.0 starts services in order without waiting for depends_on conditions: run the
# one-shot to its end first, then the rest.
up secrets
status=$($podman wait "$(container secrets)" 2>/dev/null || echo missing)
[ "$status" = 0 ] || { tail -n 30 "$work/compose.log"; show_logs secrets; fail "the secrets one-shot ended with $status"; }
pass "the one-shot made the TLS material"
up

api=$(container api)
redis=$(container redis)
healthy=''
for _ in $(seq 1 90); do
  if $podman healthcheck run "$api" >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 1
done
[ -n "$healthy" ] || { show_logs redis api; fail "the API's HEALTHCHECK never passed"; }
pass "the image's HEALTHCHECK passes (GET /health/live)"
cmdline=$($podman exec "$api" cat /proc/1/cmdline | tr '\0' ' ')
[[ "$cmdline" == "node --max-old-space-size=512 dist/apps/api/main.js "* ]] ||
  fail "the API container runs '$cmdline', not the image's CMD with its heap cap"
pass "the API container runs node --max-old-space-size=512 dist/apps/api/main.js"

# As the README says: the CA from the secrets service (podman-compose adds lines of its own).
"${compose[@]}" run --rm -T secrets cat /out/api/api-ca.crt 2>>"$work/compose.log" |
  sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' >"$work/api-ca.crt"
grep -q 'BEGIN CERTIFICATE' "$work/api-ca.crt" || fail "no API CA from the secrets service"
ready=$(curl -s -o "$work/ready.json" -w '%{http_code}' --cacert "$work/api-ca.crt" \
  --resolve "api:$API_PORT:127.0.0.1" "https://api:$API_PORT/health/ready" || true)
[ "$ready" = 200 ] || { cat "$work/ready.json"; show_logs api; fail "/health/ready answered $ready through the published port"; }
pass "/health/ready -> 200 through the published port, certificate verified for host api"

# Redis: TLS only, client certificates required, AOF on.
redis_cli=($podman exec "$redis" redis-cli -h 127.0.0.1 -p 6379)
if "${redis_cli[@]}" ping 2>/dev/null | grep -q PONG; then fail "Redis answered a plain-text client"; fi
if "${redis_cli[@]}" --tls --cacert /tls/redis-ca.crt ping 2>/dev/null | grep -q PONG; then
  fail "Redis answered a TLS client without a certificate"
fi
aof=$($podman run --rm --user 0 --net "${project}_default" -v "${project}_api-secrets:/s:ro" \
  "$REDIS_IMAGE" redis-cli -h redis -p 6379 --tls --cacert /s/redis-ca.crt \
  --cert /s/redis-client.crt --key /s/redis-client.key config get appendonly 2>&1 | tr '\n' ' ')
[[ "$aof" == "appendonly yes"* ]] || fail "Redis with the API's client certificate: '$aof', expected appendonly yes"
pass "Redis refuses plain and certificate-less clients, answers the API's certificate, AOF on"

# The chart's helm test, from inside the stack's network like the test pod, with a dev token.
token=$("${compose[@]}" run --rm -T secrets node dist/apps/api/dev-token.js 2>>"$work/compose.log" |
  grep -Eo '^ey[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+' | head -n 1 || true)
[ -n "$token" ] || { tail -n 20 "$work/compose.log"; fail "no dev token from the secrets service"; }
printf '%s\n' "$token" >"$work/token"
# The chart's test pod as rendered, named so that it reaches this stack's `api` on 4996, its CA
# and token in the Secrets it names (podman plays Secret volumes as folders).
render --set fullnameOverride=api --set service.port=4996 \
  --set tests.image.repository="${NODE_IMAGE%:*}" --set tests.image.tag="${NODE_IMAGE##*:}" \
  --set tests.caSecret.name=smoke-ca --set tests.tokenSecret.name=smoke-token >"$work/chart.yaml" ||
  fail "rendering the chart for the stack"
mkdir -p "$work/secrets/smoke-ca" "$work/secrets/smoke-token"
cp "$work/api-ca.crt" "$work/secrets/smoke-ca/api-ca.crt"
cp "$work/token" "$work/secrets/smoke-token/token"
read -r pod_file configmap_file pod_name container_name test_volumes < <(
  node tools/helm-test-pods.js "$work/chart.yaml" "$work/secrets" "$work/test-pods")
test_pod=$pod_name
$podman play kube --network "${project}_default" --configmap "$configmap_file" "$pod_file" \
  >>"$work/compose.log" 2>&1 || { tail -n 20 "$work/compose.log"; fail "podman play kube of the test pod"; }
test_status=$($podman wait "$pod_name-$container_name" 2>/dev/null || echo missing)
$podman logs "$pod_name-$container_name" 2>&1 || true
$podman pod rm -f "$pod_name" >/dev/null 2>&1 || true
[ "$test_status" = 0 ] || { show_logs api; fail "the helm test pod ended with $test_status"; }
pass "helm test (the chart's test pod, played by podman): POST, GET, score of a random patient -> 200"

# Without a token, the stack refuses (auth is on).
noauth=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/api-ca.crt" \
  --resolve "api:$API_PORT:127.0.0.1" "https://api:$API_PORT/patient/nobody" || true)
[ "$noauth" = 401 ] || fail "GET /patient without a token answered $noauth, expected 401"
pass "without a token: 401"

# Production: metrics only on the management listener, never on the port that carries PHI.
phi_metrics=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/api-ca.crt" \
  --resolve "api:$API_PORT:127.0.0.1" "https://api:$API_PORT/metrics" || true)
mgmt_metrics=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/api-ca.crt" \
  --resolve "api:$API_MANAGEMENT_PORT:127.0.0.1" "https://api:$API_MANAGEMENT_PORT/metrics" || true)
[ "$phi_metrics" = 404 ] && [ "$mgmt_metrics" = 200 ] ||
  fail "/metrics answered $phi_metrics on the API port (expected 404), $mgmt_metrics on the management port (expected 200)"
pass "/metrics: 404 on the API port, 200 on the management port"

$podman stop -t 20 "$api" >/dev/null 2>&1
code=$($podman inspect "$api" --format '{{.State.ExitCode}}')
[ "$code" = 0 ] || { show_logs api; fail "the API exited with $code on SIGTERM"; }
pass "the API stops cleanly on SIGTERM (podman stop)"

elapsed=$((SECONDS - started))
say "done in ${elapsed}s"
echo "$passed passed, 0 failed"
