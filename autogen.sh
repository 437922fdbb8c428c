#!/bin/sh
# autogen.sh - generate ./configure.
#
#   ./autogen.sh              generate ./configure (needs autoconf, automake, libtool)
#   ./autogen.sh --deps       first install, with apt-get as root, every Debian
#                             package pfagent needs to build, test, fuzz and run
#                             the demo, then generate ./configure
#   ./autogen.sh --deps -n    only say what --deps would install and whether it
#                             would touch debconf; install and generate nothing
#
# --deps is safe on a configured mail server: it installs only what is
# missing, never removes a package (apt-get --no-remove: installing postfix
# where another MTA is installed is refused, not done), and preseeds debconf
# ("No configuration", so that the postfix package creates no system-wide
# mail server) only when the postfix package was never installed (or was
# purged).  The tests and the demo make their own throwaway Postfix
# instances.
set -e
cd "$(dirname "$0")"

# What each package is for; tests/deps.sh checks that every program the
# tests, the demo and the benchmarks run comes from one of these (or from an
# Essential package).
build_pkgs="build-essential autoconf automake libtool pkg-config
	libssl-dev libconfig-dev libjson-c-dev libpcre2-dev"
test_pkgs="libcmocka-dev openssl postfix postfix-lmdb postfix-cdb syslog-ng-core
	iproute2 procps util-linux jq"
test_pkgs="$test_pkgs libfaketime ssl-cert"	# check-tls
test_pkgs="$test_pkgs monitoring-plugins-standard"	# check-queue: check_mailq
build_pkgs="$build_pkgs zlib1g-dev libsystemd-dev"	# log-report
test_pkgs="$test_pkgs pflogsumm systemd-journal-remote gzip time"	# log-report
fuzz_pkgs="clang libclang-rt-14-dev"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

if [ "${1:-}" = "--deps" ]; then
	plan_only=
	[ "${2:-}" = "-n" ] && plan_only=1
	missing=
	for p in $build_pkgs $test_pkgs $fuzz_pkgs; do
		installed "$p" || missing="$missing $p"
	done
	# Never installed (or purged): no answer of the administrator's to keep.
	preseed=
	case $(dpkg-query -W -f='${Status}' postfix 2>/dev/null || true) in
	''|*not-installed) preseed=1 ;;
	esac
	if [ -n "$plan_only" ]; then
		echo "packages:" $build_pkgs $test_pkgs $fuzz_pkgs
		echo "missing:${missing:- none}"
		if [ -n "$preseed" ]; then
			echo "debconf: postfix/main_mailer_type preseeded to 'No configuration' (postfix not installed)"
		else
			echo "debconf: untouched (postfix installed, or removed with its configuration kept)"
		fi
		exit 0
	fi
	if [ -n "$missing" ]; then
		if [ "$(id -u)" != 0 ]; then
			echo "autogen.sh: missing packages:$missing (run as root to install them)" >&2
			exit 1
		fi
		if [ -n "$preseed" ]; then
			echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
		fi
		apt-get update -qq
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-remove $missing
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
