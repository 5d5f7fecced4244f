#!/usr/bin/env bash
# Installs the Debian packages Slipway needs, if missing:
#   git        – app repositories and the smart-HTTP git endpoint
#   bubblewrap – the per-app sandbox for builds and instances
#   zstd       – slug compression
#   haproxy    – the router's data plane
#   python3-venv, make, g++ – the python buildpack; building better-sqlite3 from source
#   perl-base  – the sandbox's env loader (Essential on Debian; checked anyway)
#   gcc        – the security tests compile an LD_PRELOAD probe
#   docker-registry – a real OCI registry on loopback for the image push tests
#   mmdebstrap – builds stacks (Debian root filesystems) from the machine's apt sources
#   chromium   – the dashboard's browser tests and bench (driven headless by playwright-core)
#   openssl    – the router's default (self-signed) certificate; the TLS tests' private CA
#   perl, cpanminus, carton, libplack-perl, starman, libcgi-emulate-psgi-perl, libcgi-compile-perl
#              – the perl buildpack (PSGI apps on plackup/Starman, CGI scripts through Plack)
# As root it installs them; otherwise it prints the exact command to run.
set -euo pipefail

need=()
command -v git >/dev/null || need+=(git)
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v zstd >/dev/null || need+=(zstd)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
command -v make >/dev/null || need+=(make)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v g++ >/dev/null || need+=(g++)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v cc >/dev/null || need+=(gcc)
command -v perl >/dev/null || need+=(perl-base)
command -v openssl >/dev/null || need+=(openssl)
command -v cpanm >/dev/null || need+=(cpanminus)
command -v carton >/dev/null || need+=(carton)
command -v plackup >/dev/null || need+=(libplack-perl)
[ -f /usr/share/perl5/Starman.pm ] || need+=(starman)
[ -f /usr/share/perl5/CGI/Emulate/PSGI.pm ] || need+=(libcgi-emulate-psgi-perl)
[ -f /usr/share/perl5/CGI/Compile.pm ] || need+=(libcgi-compile-perl)
# Builds use Debian's python3 (readable by every app user), not a per-user one.
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
else
  need+=(python3 python3-venv)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "slipway needs these Debian packages: ${need[*]}" >&2
  echo "install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
