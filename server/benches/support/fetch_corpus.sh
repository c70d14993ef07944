#!/usr/bin/env bash
# Fetches the benchmark corpus: real TS/JS sources shipped in popular npm
# packages, at pinned versions, unpacked (without their dependencies) into a
# cache outside the repository. Prints the corpus directory.
#   NUDGE_CORPUS=~/.cache/nudge/corpus (default)
set -euo pipefail
CORPUS=${NUDGE_CORPUS:-$HOME/.cache/nudge/corpus}
PACKAGES=(
  rxjs@7.8.1 three@0.160.0 effect@3.10.0 zod@3.23.8 date-fns@3.6.0 lodash-es@4.17.21
  svelte@4.2.19 @sveltejs/kit@2.7.2 webpack@5.95.0 eslint@9.12.0 antd@5.21.4 @mui/material@6.1.4
  @supabase/supabase-js@2.45.4 @supabase/auth-js@2.65.1 next@14.2.15 vue@3.5.12 @angular/core@18.2.8
  typeorm@0.3.20 prisma@5.21.1 @tanstack/query-core@5.59.13 react-router@6.27.0 express@4.21.1
)
if [ -f "$CORPUS/.complete" ]; then echo "$CORPUS"; exit 0; fi
rm -rf "$CORPUS" && mkdir -p "$CORPUS/.tarballs"
cd "$CORPUS/.tarballs"
for spec in "${PACKAGES[@]}"; do
  npm pack --silent --no-audit --no-fund "$spec" >/dev/null 2>&1 || { echo "could not fetch $spec" >&2; exit 1; }
done
for tarball in *.tgz; do
  name=${tarball%.tgz}
  mkdir -p "$CORPUS/$name"
  tar -xzf "$tarball" -C "$CORPUS/$name" --strip-components=1
done
rm -rf "$CORPUS/.tarballs"
touch "$CORPUS/.complete"
echo "$CORPUS"
