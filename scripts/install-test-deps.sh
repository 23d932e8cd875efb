#!/usr/bin/env bash
# Installs the independent Kafka clients the end-to-end tests drive (kcat on librdkafka, kafka-python)
# from Debian's packages when they are missing. Idempotent and quick when everything is present.
set -euo pipefail

need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
command -v zsh >/dev/null 2>&1 || need+=(zsh)   # completion tests (test/commands/completion.test.ts)
if ! /usr/bin/python3 -c 'import kafka, snappy, lz4, zstandard' >/dev/null 2>&1; then
  need+=(python3 python3-kafka python3-snappy python3-lz4 python3-zstandard)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${need[*]}; install them with apt-get (needs root)" >&2
  exit 1
fi
echo "install-test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
