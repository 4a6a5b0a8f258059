#!/usr/bin/env bash
# Instantiates the CAS session templates of this folder (api-session.yml, redis-session.yml),
# as the original's create_image.sh did with envsubst, and optionally uploads them to CAS.
#
# usage: docker/scone/instantiate-sessions.sh [--out DIR] [--upload]
#
# Reads from the environment:
#   SCONE_CAS_ADDR                the CAS the sessions go to (required)
#   AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE
#                                 how the API verifies access tokens (required)
#   API_MRENCLAVE, REDIS_MRENCLAVE
#                                 MRENCLAVE of `node` in the API image and of `redis-server` in
#                                 the Redis image; when unset, computed with docker from
#                                 API_IMAGE / REDIS_IMAGE (SCONE_HASH=1)
#   API_IMAGE, REDIS_IMAGE        the SCONE images (for the MRENCLAVEs; written to myenv)
#   SCONE_HEAP                    the enclave heap the images run with: it is part of MRENCLAVE,
#                                 so run them with the same value (default 2G; Node needs room)
#   API_SESSION, REDIS_SESSION    session names; fresh random ones when unset
#
# Writes DIR/api-session.yml, DIR/redis-session.yml and DIR/myenv (`source` it before
# `docker compose -f docker/scone/compose.yml up`); DIR defaults to docker/scone/out.
# --upload creates both sessions with the SCONE CLI (`scone session create`), Redis first: run
# `scone cas attest ...` and `scone cas set-default ...` for your CAS beforehand.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out"
upload=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --upload) upload=true; shift ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "instantiate-sessions: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "instantiate-sessions: $*" >&2; exit 1; }

command -v envsubst >/dev/null || fail "envsubst is missing (apt-get install gettext-base)"

export SCONE_HEAP="${SCONE_HEAP:-2G}"
export API_IMAGE="${API_IMAGE:-}"
export REDIS_IMAGE="${REDIS_IMAGE:-}"
# Unique names, as the original made them: a session name can only be used once per CAS.
export API_SESSION="${API_SESSION:-patient-api-$RANDOM-$RANDOM-$RANDOM}"
export REDIS_SESSION="${REDIS_SESSION:-patient-redis-$RANDOM-$RANDOM-$RANDOM}"

# MRENCLAVE of a binary in a SCONE image: the runtime prints it instead of running (SCONE_HASH=1).
mrenclave_of() {
  local image="$1" binary="$2"
  [[ -n "$image" ]] || return 1
  command -v docker >/dev/null || fail "docker is needed to compute the MRENCLAVE of $image"
  docker run --rm -e SCONE_HASH=1 -e SCONE_HEAP="$SCONE_HEAP" "$image" "$binary" \
    | grep -oE '[0-9a-f]{64}' | head -n 1
}
export API_MRENCLAVE="${API_MRENCLAVE:-$(mrenclave_of "$API_IMAGE" node || true)}"
export REDIS_MRENCLAVE="${REDIS_MRENCLAVE:-$(mrenclave_of "$REDIS_IMAGE" redis-server || true)}"

[[ -n "${SCONE_CAS_ADDR:-}" ]] || fail "SCONE_CAS_ADDR is required"
[[ "${AUTH_JWKS_URL:-}" =~ ^https://[^[:space:]]+$ ]] || fail "AUTH_JWKS_URL must be an https:// URL"
[[ -n "${AUTH_ISSUER:-}" ]] || fail "AUTH_ISSUER is required"
[[ -n "${AUTH_AUDIENCE:-}" ]] || fail "AUTH_AUDIENCE is required"
for name in API_MRENCLAVE REDIS_MRENCLAVE; do
  [[ "${!name}" =~ ^[0-9a-f]{64}$ ]] \
    || fail "$name must be 64 hex digits (set it, or API_IMAGE/REDIS_IMAGE to compute it)"
done
for name in API_SESSION REDIS_SESSION; do
  [[ "${!name}" =~ ^[A-Za-z0-9_.~-]{1,128}(/[A-Za-z0-9_.~-]{1,128})*$ ]] \
    || fail "$name is not a CAS session name (letters, digits, _ . ~ - and /)"
done
for name in SCONE_CAS_ADDR AUTH_JWKS_URL AUTH_ISSUER AUTH_AUDIENCE; do
  [[ "${!name}" != *[[:space:]\"\'\$]* ]] || fail "$name must not hold spaces, quotes or \$"
done

# Only these are replaced: the $$SCONE::...$$ placeholders are the runtime's.
variables='$API_SESSION $REDIS_SESSION $API_MRENCLAVE $REDIS_MRENCLAVE $SCONE_CAS_ADDR $AUTH_JWKS_URL $AUTH_ISSUER $AUTH_AUDIENCE'

mkdir -p "$out"
# The default folder sits in the repository: keep what is instantiated out of git.
[[ "$out" != "$here/out" ]] || echo '*' > "$out/.gitignore"
for session in redis-session api-session; do
  envsubst "$variables" < "$here/$session.yml" > "$out/$session.yml"
done
{
  echo "# written by docker/scone/instantiate-sessions.sh"
  for name in API_SESSION REDIS_SESSION SCONE_CAS_ADDR API_MRENCLAVE REDIS_MRENCLAVE \
    API_IMAGE REDIS_IMAGE SCONE_HEAP; do
    printf 'export %s=%q\n' "$name" "${!name}"
  done
} > "$out/myenv"

if $upload; then
  command -v scone >/dev/null || fail "--upload needs the SCONE CLI (scone) on the PATH"
  scone session create "$out/redis-session.yml"
  scone session create "$out/api-session.yml"
fi

echo "API session:   $API_SESSION ($out/api-session.yml)"
echo "Redis session: $REDIS_SESSION ($out/redis-session.yml)"
echo "then: source $out/myenv"
