#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 for the tests (TEST_DATABASE_URL's default).
# - already answering: nothing to do;
# - installed but stopped: start its newest cluster;
# - not installed: install Debian's package, allow trust auth from loopback only (tests connect as
#   postgres without a password, as on the development machines), and start it.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if command -v pg_isready >/dev/null 2>&1 && ready; then
  echo "PostgreSQL is answering on 127.0.0.1:5432"
  exit 0
fi

installed_here=0
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  echo "Installing PostgreSQL from Debian's packages"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  installed_here=1
fi

version=$(ls /etc/postgresql | sort -V | tail -n 1)
if [ "$installed_here" = 1 ]; then
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Loopback only; first matching line wins in pg_hba.conf, so it goes on top.
  $SUDO sed -i '1i host all all 127.0.0.1/32 trust # mm365 tests' "$hba"
fi

echo "Starting PostgreSQL $version"
$SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 60); do
  if ready; then
    echo "PostgreSQL is answering on 127.0.0.1:5432"
    exit 0
  fi
  sleep 0.5
done
echo "PostgreSQL did not start; see /var/log/postgresql/" >&2
exit 1
