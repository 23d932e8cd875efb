#!/usr/bin/env bash
# Installs etcd (Debian's etcd-server, 3.4) for the cluster tests when no `etcd` binary is on PATH.
# Idempotent and silent when etcd is already present. Waits for the dpkg lock instead of failing when
# another apt-get (e.g. install-test-deps.sh) runs at the same time.
set -euo pipefail

command -v etcd >/dev/null 2>&1 && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-etcd: etcd is missing; install the etcd-server package (needs root)" >&2
  exit 1
fi
echo "install-etcd: installing etcd-server" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends etcd-server >/dev/null
command -v etcd >/dev/null 2>&1 || { echo "install-etcd: etcd-server installed but no etcd on PATH" >&2; exit 1; }
