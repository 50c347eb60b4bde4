#!/usr/bin/env bash
# The set-up command of the README: vanban and its test tools in .venv/.
#
# One optional system library, HarfBuzz-Subset, lets WeasyPrint subset the embedded
# font about four times faster than its fontTools fallback (same PDF text and
# layout). It is installed here when this machine uses apt and we may install;
# without it everything still works, only PDF writing is slower.
set -euo pipefail
cd "$(dirname "$0")"
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] \
   && ! ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0'; then
  { apt-get install -y -q libharfbuzz-subset0 \
    || { apt-get update -q && apt-get install -y -q libharfbuzz-subset0; } } >/dev/null 2>&1 \
    || echo "setup: libharfbuzz-subset0 not installed; PDFs will be written more slowly" >&2
fi
python3 -m venv .venv
.venv/bin/pip install -q -e ".[test]"
