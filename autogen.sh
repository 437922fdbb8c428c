#!/bin/sh
# autogen.sh - generate ./configure.  With --deps, first install (apt-get,
# as root) every Debian package pfagent needs to build, test and demo.
set -e
cd "$(dirname "$0")"
if [ "${1:-}" = "--deps" ]; then
	pkgs="build-essential autoconf automake libtool pkg-config libssl-dev openssl
	      libconfig-dev libjson-c-dev libcmocka-dev libpcre2-dev postfix postfix-lmdb postfix-cdb
	      syslog-ng-core util-linux procps psmisc jq"
	pkgs="$pkgs zlib1g-dev libsystemd-dev pflogsumm systemd-journal-remote"  # log-report
	missing=
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		if [ "$(id -u)" != 0 ]; then
			echo "autogen.sh: missing packages:$missing (run as root to install them)" >&2
			exit 1
		fi
		# No system-wide Postfix: tests and the demo make their own instances.
		echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
	fi
fi
mkdir -p m4 build-aux
autoreconf -fi
# The TAP driver is not installed by automake --add-missing.
for d in /usr/share/automake-*; do
	if [ -f "$d/tap-driver.sh" ]; then
		cp "$d/tap-driver.sh" build-aux/tap-driver.sh
		break
	fi
done
[ -f build-aux/tap-driver.sh ] || { echo "autogen.sh: tap-driver.sh not found (apt-get install automake)" >&2; exit 1; }
