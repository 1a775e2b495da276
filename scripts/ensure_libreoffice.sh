#!/usr/bin/env bash
# Install the system packages that reading old Office files and OCR need, where missing:
# LibreOffice's headless Writer converts .doc/.wps to DOCX (parser/office_convert.py), and
# OpenCV (a dependency of the OCR engine) needs libGL. Safe to run every time: does nothing
# when both are present. Needs root (CI runs as root); without it, or without the packages,
# it says so and exits 0: .doc/.wps files are then refused with how to install LibreOffice,
# and the conversion tests skip with that reason.
set -uo pipefail
want=()
if command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; then
  echo "ensure_libreoffice: $(soffice --version 2>/dev/null | head -1) present"
else
  want+=(libreoffice-writer-nogui)
fi
if [ -e /usr/lib/x86_64-linux-gnu/libGL.so.1 ] || ldconfig -p 2>/dev/null | grep -q 'libGL.so.1 '; then
  :
else
  want+=(libgl1)
fi
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_libreoffice: ${want[*]} missing and no root apt-get; .doc/.wps will be refused" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends \
    "${want[@]}" >/dev/null; then
  echo "ensure_libreoffice: installed ${want[*]}"
else
  echo "ensure_libreoffice: apt-get could not install ${want[*]}" >&2
fi
exit 0
