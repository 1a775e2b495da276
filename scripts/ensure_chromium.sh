#!/usr/bin/env bash
# Install Debian's headless Chromium for the browser test (tests/test_archive_browser.py)
# where it is missing. Safe to run every time: does nothing when a chromium is on PATH.
# Needs root (CI runs as root); without it, or without the package, it says so and exits 0:
# the browser test then skips with that reason.
set -uo pipefail
for bin in chromium chromium-browser google-chrome; do
  if command -v "$bin" >/dev/null 2>&1; then
    echo "ensure_chromium: $bin present ($("$bin" --version 2>/dev/null | head -1))"
    exit 0
  fi
done
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_chromium: no chromium and no root apt-get; the browser test will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-cjk >/dev/null; then
  echo "ensure_chromium: installed $(chromium --version 2>/dev/null | head -1)"
else
  echo "ensure_chromium: apt-get could not install chromium; the browser test will skip" >&2
fi
exit 0
