#!/usr/bin/env bash
# curl against GoogleOAuth2Emulator: each example of docs/emulator.md (curl).
# `bash examples.sh EXAMPLE` runs one, with EMULATOR (http://127.0.0.1:PORT), ACCESS_TOKEN,
# ID_TOKEN, ASSERTION, SERVICE_ACCOUNT and AUDIENCE set; run by test/e2e/conformance/curl.e2e-spec.ts.
set -euo pipefail

case "$1" in
token)
  curl -s "$EMULATOR/token" \
    -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d assertion="$ASSERTION"
  ;;
tokeninfo)
  curl -s "$EMULATOR/tokeninfo?access_token=$ACCESS_TOKEN"
  ;;
tokeninfo-id-token)
  curl -s "$EMULATOR/tokeninfo?id_token=$ID_TOKEN"
  ;;
userinfo)
  curl -s -H "Authorization: Bearer $ACCESS_TOKEN" "$EMULATOR/oauth2/v2/userinfo"
  ;;
certs)
  curl -s "$EMULATOR/oauth2/v3/certs"
  ;;
metadata-token)
  curl -s -H 'Metadata-Flavor: Google' \
    "$EMULATOR/computeMetadata/v1/instance/service-accounts/default/token"
  ;;
metadata-account)
  curl -s -H 'Metadata-Flavor: Google' \
    "$EMULATOR/computeMetadata/v1/instance/service-accounts/default/?recursive=true"
  ;;
metadata-identity)
  curl -s -H 'Metadata-Flavor: Google' \
    "$EMULATOR/computeMetadata/v1/instance/service-accounts/default/identity?audience=$AUDIENCE&format=full"
  ;;
generate-id-token)
  curl -s -H "Authorization: Bearer $ACCESS_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"audience\": \"$AUDIENCE\", \"includeEmail\": true}" \
    "$EMULATOR/v1/projects/-/serviceAccounts/$SERVICE_ACCOUNT:generateIdToken"
  ;;
iap-keys)
  curl -s "$EMULATOR/iap/verify/public_key-jwk"
  ;;
*)
  echo "usage: examples.sh EXAMPLE" >&2
  exit 2
  ;;
esac
