#!/usr/bin/env bash
# Writes prisma/migrations/<timestamp>_<name>/migration.sql by diffing the committed schema against the
# working one (the offline Prisma recipe cannot introspect a live database: see TOOLCHAIN.md).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: npm run db:new-migration -- <name>}
[[ "$name" =~ ^[a-z0-9_]+$ ]] || { echo "migration name: lowercase letters, digits and _ only" >&2; exit 1; }
prev=$(mktemp --suffix=.prisma)
trap 'rm -f "$prev"' EXIT
if git cat-file -e HEAD:prisma/schema.prisma 2>/dev/null; then
  git show HEAD:prisma/schema.prisma >"$prev"
  from=(--from-schema-datamodel "$prev")
else
  from=(--from-empty)
fi
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
node scripts/with-env.mjs prisma migrate diff "${from[@]}" --to-schema-datamodel prisma/schema.prisma --script >"$dir/migration.sql"
echo "wrote $dir/migration.sql"
