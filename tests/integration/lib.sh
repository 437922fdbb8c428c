# lib.sh - shared helpers for pfagent's integration tests (bash; source it).
#
# Usage, in tests/integration/NN-name.sh:
#   #!/bin/bash
#   set -eu
#   . "$(dirname "$0")/lib.sh"
#   sandbox_up                        # a real Postfix; sets PFSB_DIR, PFSB_ETC, ...
#   tap_ok "postfix runs" postfix -c "$PFSB_ETC" status
#   tap_done
#
# TAP output (automake's tap-driver reads it):
#   tap_ok DESC CMD [ARG...]       pass if CMD exits 0
#   tap_status WANT DESC CMD...    pass if CMD exits with status WANT
#   tap_require DESC CMD...        like tap_ok, but a failure bails out
#   tap_is GOT WANT DESC           pass if the strings are equal
#   tap_like TEXT REGEX DESC       pass if a line of TEXT matches REGEX (grep -E)
#   tap_unlike TEXT REGEX DESC     pass if no line of TEXT matches REGEX
#   tap_diag MSG...                a "# MSG" comment line
#   tap_done                       prints the plan 1..N; exits 1 if anything failed
#   tap_bail MSG                   prints "Bail out! MSG" and exits 1
# CMD runs with stdin from /dev/null; its stdout and stderr together are kept
# in $TAP_OUTPUT and its exit status in $TAP_STATUS; they are shown as "# "
# lines when the assertion fails.  Every assertion sets TAP_RESULT (0 passed,
# 1 failed) and returns 0, so a failed assertion never ends a script that runs
# under set -e; use tap_require for steps the rest of the script depends on.
#
# Resources, all removed by an EXIT trap that also runs on failure and on
# SIGINT/SIGTERM/SIGHUP (nothing is left: no process, no temporary directory):
#   pfa_tmpdir                     prints a new directory (mode 755) below $PFA_TEST_ROOT
#   sandbox_up                     sandbox.sh up in a new directory (on $SANDBOX_PORT if
#                                  set, else a free port); evals its env lines
#                                  (PFSB_DIR PFSB_ETC PFSB_PORT PFSB_LOG PFSB_SPOOL
#                                  PFSB_TLS PFSB_DH); MAIL_CONFIG is NOT left exported,
#                                  so a command that forgets -c fails loudly
#   sandbox_down                   sandbox.sh down "$PFSB_DIR" now (checked by the caller)
#   syslog_up                      syslogcap.sh up in a new directory; sets SYSLOG_DIR
#                                  and SYSLOG_MESSAGES
#   syslog_run CMD [ARG...]        CMD with /dev/log leading to that syslog-ng
#   syslog_wait REGEX [SECS]       syslogcap.sh wait on it
#   pfa_require_pfagent            bails out unless $PFAGENT is an executable
# Background jobs the script started are killed at exit too.
#
# Environment (set by "make check"; defaults for running a script by hand):
#   PFAGENT       absolute path of the built pfagent binary ($PFA_BUILDDIR/pfagent)
#   PFA_SRCDIR    the source tree (two levels above this file)
#   PFA_BUILDDIR  the build tree ($PFA_SRCDIR)
# Tests run as root; anything else bails out (tests are never skipped).

# shellcheck disable=SC2034 # SYSLOG_MESSAGES, TAP_* etc. are for the sourcing script
true
if [ -z "${BASH_VERSION:-}" ]; then
	echo "Bail out! lib.sh needs bash"
	exit 1
fi

PATH=/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}
export PATH

PFA_SRCDIR=${PFA_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PFA_BUILDDIR=${PFA_BUILDDIR:-$PFA_SRCDIR}
PFAGENT=${PFAGENT:-$PFA_BUILDDIR/pfagent}
export PFA_SRCDIR PFA_BUILDDIR PFAGENT
SANDBOX_SH=$PFA_SRCDIR/tests/sandbox/sandbox.sh
SYSLOGCAP_SH=$PFA_SRCDIR/tests/sandbox/syslogcap.sh
PFA_TEST_NAME=$(basename "$0" .sh)

_tap_n=0
_tap_failed=0
_tap_finished=0
_pfa_cleaned=0
_pfa_err_line=
PFA_TEST_ROOT=
TAP_RESULT=0
TAP_OUTPUT=
TAP_STATUS=0

# ------------------------------------------------------------------ TAP

tap_diag() {
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

# Indented "# " lines for multi-line text (command output etc.).
_tap_block() {
	printf '%s\n' "$1" | sed -e 's/^/#   /' | head -n 60
}

_tap_result() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$2"
		TAP_RESULT=0
	else
		printf 'not ok %d - %s\n' "$_tap_n" "$2"
		_tap_failed=$((_tap_failed + 1))
		TAP_RESULT=1
	fi
}

# Runs "$@", filling TAP_OUTPUT and TAP_STATUS.
_tap_run() {
	local out
	out=$(mktemp "$PFA_TEST_ROOT/.out.XXXXXX")
	TAP_STATUS=0
	"$@" </dev/null >"$out" 2>&1 || TAP_STATUS=$?
	TAP_OUTPUT=$(cat "$out")
	rm -f "$out"
}

_tap_cmd_diag() {
	tap_diag "  command: $*" "  exit status: $TAP_STATUS"
	[ -z "$TAP_OUTPUT" ] || { tap_diag "  output:"; _tap_block "$TAP_OUTPUT"; }
}

tap_ok() {
	local desc=$1
	shift
	_tap_run "$@"
	if [ "$TAP_STATUS" = 0 ]; then
		_tap_result 0 "$desc"
	else
		_tap_result 1 "$desc"
		_tap_cmd_diag "$@"
	fi
	return 0
}

tap_status() {
	local want=$1 desc=$2
	shift 2
	_tap_run "$@"
	if [ "$TAP_STATUS" = "$want" ]; then
		_tap_result 0 "$desc"
	else
		_tap_result 1 "$desc"
		tap_diag "  expected exit status: $want"
		_tap_cmd_diag "$@"
	fi
	return 0
}

tap_require() {
	tap_ok "$@"
	[ "$TAP_RESULT" = 0 ] || tap_bail "required step failed: $1"
}

tap_is() {
	if [ "$1" = "$2" ]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		tap_diag "       got: '$1'" "  expected: '$2'"
	fi
	return 0
}

tap_like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		tap_diag "  no line matches /$2/ in:"
		_tap_block "$1"
	fi
	return 0
}

tap_unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		_tap_result 1 "$3"
		tap_diag "  a line matches /$2/ in:"
		_tap_block "$1"
	else
		_tap_result 0 "$3"
	fi
	return 0
}

tap_bail() {
	_tap_finished=1
	printf 'Bail out! %s\n' "$*"
	exit 1
}

tap_done() {
	_tap_finished=1
	if [ "$_tap_n" = 0 ]; then
		printf 'Bail out! %s ran no test\n' "$PFA_TEST_NAME"
		exit 1
	fi
	printf '1..%d\n' "$_tap_n"
	if [ "$_tap_failed" != 0 ]; then
		tap_diag "$_tap_failed of $_tap_n failed"
		exit 1
	fi
	exit 0
}

# ------------------------------------------------------------------ cleanup

_pfa_register() {
	printf '%s\t%s\n' "$1" "$2" >>"$PFA_TEST_ROOT/.cleanup"
}

_pfa_cleanup() {
	local kind dir pid pids alive
	[ "$_pfa_cleaned" = 0 ] || return 0
	_pfa_cleaned=1
	set +e
	mapfile -t pids < <(jobs -p)
	if [ "${#pids[@]}" -gt 0 ]; then
		kill -TERM "${pids[@]}" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			alive=0
			for pid in "${pids[@]}"; do
				! kill -0 "$pid" 2>/dev/null || alive=1
			done
			[ "$alive" = 1 ] || break
			sleep 0.2
		done
		kill -KILL "${pids[@]}" 2>/dev/null
		wait 2>/dev/null
	fi
	[ -n "$PFA_TEST_ROOT" ] && [ -d "$PFA_TEST_ROOT" ] || return 0
	if [ -f "$PFA_TEST_ROOT/.cleanup" ]; then
		tac "$PFA_TEST_ROOT/.cleanup" | while IFS=$'\t' read -r kind dir; do
			[ -e "$dir" ] || continue
			case $kind in
			sandbox) "$SANDBOX_SH" down "$dir" >&2 || echo "# cleanup: sandbox.sh down $dir failed" >&2 ;;
			syslog) "$SYSLOGCAP_SH" down "$dir" >&2 || echo "# cleanup: syslogcap.sh down $dir failed" >&2 ;;
			esac
		done
	fi
	rm -rf -- "$PFA_TEST_ROOT"
}

_pfa_on_exit() {
	local rc=$?
	trap - EXIT
	if [ "$_tap_finished" = 0 ]; then
		printf 'Bail out! %s stopped early (exit status %s%s)\n' "$PFA_TEST_NAME" "$rc" \
			"${_pfa_err_line:+, last failed command at line $_pfa_err_line}"
		[ "$rc" != 0 ] || rc=1
	fi
	_pfa_cleanup
	exit "$rc"
}

set -E
trap '_pfa_err_line=$LINENO' ERR
trap _pfa_on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ resources

pfa_tmpdir() {
	local d
	d=$(mktemp -d "$PFA_TEST_ROOT/tmp.XXXXXX") || tap_bail "mktemp failed"
	chmod 755 "$d"
	printf '%s\n' "$d"
}

pfa_require_pfagent() {
	[ -x "$PFAGENT" ] || tap_bail "no pfagent binary at '$PFAGENT' (build it first, or set PFAGENT)"
}

sandbox_up() {
	local d env
	d=$(pfa_tmpdir)
	_pfa_register sandbox "$d"
	env=$("$SANDBOX_SH" up "$d" ${SANDBOX_PORT:+"$SANDBOX_PORT"}) ||
		tap_bail "sandbox.sh up $d ${SANDBOX_PORT:-} failed (see stderr)"
	eval "$env"
	# Keep the values, but do not hand MAIL_CONFIG to every child: pfagent
	# must find the instance through its own configuration.
	export -n MAIL_CONFIG
	unset MAIL_CONFIG
}

sandbox_down() {
	"$SANDBOX_SH" down "$PFSB_DIR"
}

syslog_up() {
	local d
	d=$(pfa_tmpdir)
	_pfa_register syslog "$d"
	"$SYSLOGCAP_SH" up "$d" || tap_bail "syslogcap.sh up $d failed (see stderr)"
	SYSLOG_DIR=$d
	SYSLOG_MESSAGES=$d/messages
}

syslog_run() {
	"$SYSLOGCAP_SH" run "$SYSLOG_DIR" "$@"
}

syslog_wait() {
	"$SYSLOGCAP_SH" wait "$SYSLOG_DIR" "$@"
}

# ------------------------------------------------------------------ start

[ "$(id -u)" = 0 ] || tap_bail "integration tests must run as root (they start Postfix instances); run make check as root"
for _pfa_tool in postfix postconf openssl syslog-ng unshare setpriv ss; do
	command -v "$_pfa_tool" >/dev/null || tap_bail "$_pfa_tool not found: install the test dependencies"
done
unset _pfa_tool
PFA_TEST_ROOT=$(mktemp -d "/tmp/pfa-$PFA_TEST_NAME.XXXXXX") || tap_bail "mktemp failed"
chmod 755 "$PFA_TEST_ROOT"
: >"$PFA_TEST_ROOT/.cleanup"
