#!/bin/sh
# Renders the icon sources (icons/src/*.svg) to the PNGs the app embeds. Needs `rsvg-convert`
# (Debian: librsvg2-bin). Run from anywhere: `sh icons/render.sh`. Commit sources and PNGs.
set -eu
cd "$(dirname "$0")"
for state in good attention critical unknown scanning; do
  # 32 px is what tray hosts ask for (16–24 px panels scale it down; the shapes stay readable).
  rsvg-convert -w 32 -h 32 "src/tray-$state.svg" -o "tray-$state.png"
  rsvg-convert -w 64 -h 64 "src/tray-$state.svg" -o "tray-$state@2x.png"
done
rsvg-convert -w 128 -h 128 src/app.svg -o icon.png
rsvg-convert -w 512 -h 512 src/app.svg -o icon-512.png
