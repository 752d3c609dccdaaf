#!/usr/bin/env bash
# doc/screenshot.sh: regenerate doc/report-answers.png, the README's picture
# of a report's answers: the demo's report.html (go run ./cmd/wxaudit demo)
# as headless Chromium shows its first screen. Run it from anywhere after
# changing how the report words or shows its answers, and commit the PNG.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./cmd/wxaudit demo --out "$tmp/demo" >/dev/null
# A fresh profile, no background traffic; the report loads nothing itself.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --disable-background-networking --disable-component-update --disable-sync --no-first-run \
  --user-data-dir="$tmp/profile" --window-size=1200,1240 \
  --screenshot="$tmp/answers.png" "file://$tmp/demo/report/report.html" 2>/dev/null
cp "$tmp/answers.png" doc/report-answers.png
echo "wrote doc/report-answers.png"
