#!/usr/bin/env bash
# Uploads the console's static export to its bucket (cloudbuild.yaml runs it after
# `cd web && npm ci && npm run build`):  upload-console.sh web/out BUCKET
#
# Cache-Control is what Cloud CDN and browsers follow (the backend bucket uses the
# origin's headers):
#   _next/static/**   content-hashed names: immutable, one year
#   everything else   HTML, RSC payloads, icons: no-cache (revalidated on every request,
#                     so a deploy shows at once; unchanged files answer 304)
set -euo pipefail

out="${1:?usage: upload-console.sh OUT_DIR BUCKET}"
bucket="${2:?usage: upload-console.sh OUT_DIR BUCKET}"
out="${out%/}"

immutable="public, max-age=31536000, immutable"
revalidate="no-cache"

if [ ! -f "$out/index.html" ]; then
  echo "$out/index.html is missing: build the console first (cd web && npm ci && npm run build)" >&2
  exit 1
fi

# 1. Hashed assets first, so that no page uploaded next refers to a missing file. Old ones
#    are kept: a browser still on the previous pages loads them (noncurrent versions and
#    deleted objects are cleaned by the bucket's lifecycle rule, not here).
if [ -d "$out/_next/static" ]; then
  gcloud storage rsync "$out/_next/static" "gs://$bucket/_next/static" \
    --recursive --checksums-only --cache-control="$immutable"
fi

# 2. Everything else; files gone from the export are deleted. Excluded (neither copied nor
#    deleted): the hashed assets of step 1 and the extension-less page copies of step 3
#    (so a file of the export without an extension is not uploaded).
gcloud storage rsync "$out" "gs://$bucket" \
  --recursive --checksums-only --cache-control="$revalidate" \
  --delete-unmatched-destination-objects \
  --exclude='^_next/static/|(^|/)[^/.]+$'

# 3. A page exported as <route>.html (Next's default, trailingSlash: false) must also
#    answer at /<route>: Cloud Storage has no extension fallback, so it gets a copy there.
#    With trailingSlash: true every page is <route>/index.html and nothing is done here.
find "$out" -type f -name '*.html' ! -name 'index.html' ! -name '404.html' \
  ! -path "$out/_next/*" -print0 | sort -z | while IFS= read -r -d '' page; do
  route="${page#"$out"/}"
  gcloud storage cp "$page" "gs://$bucket/${route%.html}" \
    --content-type="text/html; charset=utf-8" --cache-control="$revalidate"
done
