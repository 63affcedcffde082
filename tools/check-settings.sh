#!/usr/bin/env bash
# tools/check-settings.sh — README.md names every `set` setting of the one
# settings table (lib/codegen/codegen.c), each in backquotes; exit 1 if not.
set -uo pipefail
cd "$(dirname "$0")/.."
names=$(sed -n '/^static const struct { const char \*name; uint8_t how; const char \*kind; } settings\[\] = {/,/^};/p' \
            lib/codegen/codegen.c | grep -oE '^ *\{"[a-z0-9_]+"' | grep -oE '[a-z0-9_]+')
[ -n "$names" ] || { echo "check-settings.sh: no settings table in lib/codegen/codegen.c"; exit 1; }
rc=0
for n in $names; do
    grep -qE "\`$n(\`|=)" README.md || { echo "FAIL README.md does not name the setting \`$n\`"; rc=1; }
done
exit $rc
