#!/usr/bin/env bash
# Set-up for the baseline of bench/build.py --baseline only (never run by CI):
# LibreOffice (headless Writer) and docxtpl, the tools offices script today.
set -euo pipefail
cd "$(dirname "$0")/.."
apt-get install -y libreoffice-writer-nogui
.venv/bin/pip install docxtpl
