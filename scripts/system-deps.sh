#!/usr/bin/env bash
# Debian packages afstand needs outside Python: WeasyPrint's text stack (Pango, HarfBuzz),
# fonts, poppler-utils (pdftotext/pdftoppm), chromium (Playwright browser tests), npm (axe-core for their accessibility checks) and gettext (msgfmt checks the catalogues). Installs what is
# missing when run as root with apt-get; otherwise says what to install.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium gettext)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: any install will do (Debian's npm package conflicts with a nodejs that bundles npm)
command -v npm >/dev/null || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "afstand needs these Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
