#!/usr/bin/env bash
# Looks at the reports as a clerk would: writes each report (sample rows, the real writer and definitions)
# to out/render/*.xlsx, converts each to PDF with LibreOffice and to PNG with pdftoppm. Not part of npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v soffice >/dev/null || need+=(libreoffice-calc)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi
out=out/render
rm -rf "$out" && mkdir -p "$out"
node --import tsx scripts/render-reports.ts "$out"
for f in "$out"/*.xlsx; do
  soffice --headless --convert-to pdf --outdir "$out" "$f" >/dev/null
  pdftoppm -png -r 90 "${f%.xlsx}.pdf" "${f%.xlsx}"
done
ls -1 "$out"/*.png
