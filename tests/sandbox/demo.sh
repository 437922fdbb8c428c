#!/bin/bash
#
# demo.sh - shows pfagent at work on a real, throwaway Postfix instance.
#
# Usage: demo.sh PFAGENT_BINARY          (or: make demo)
#
# Brings up a sandbox Postfix (sandbox.sh) and a private syslog-ng
# (syslogcap.sh), writes a pfagent configuration for that instance from
# demo.conf (rotate-dh every 7d, mode ffdhe, 3072 bits), and then runs,
# narrating each step:
#   pfagent -c CONF check-config
#   pfagent -c CONF list
#   pfagent -c CONF run                       first run: replaces the DH file, reloads
#   pfagent -c CONF run                       second run: nothing is due
#   pfagent -c CONF status
#   pfagent -c CONF --json run rotate-dh --dry-run
#   pfagent -c CONF run validate-config       the configuration audit
#   pfagent -c CONF run check-tls             certificate, DH file, live probe
# and shows Postfix's reload lines, the new DH group and what pfagent sent to
# syslog.  pfagent runs under "syslogcap.sh run", so its syslog(3) lines reach
# the private syslog-ng.  Everything is torn down at the end, also on failure
# or interruption.
#
# Exit status: 0 if every step behaved as expected (in particular: the first
# run exits 0 and changes the DH file, Postfix reloads; the second run exits 0
# and changes nothing), 1 otherwise.  Runs as root.

# Under "sh script" (make's $(SHELL) is /bin/sh), switch to bash first.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu

PATH=/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}
export PATH
umask 022

if [ $# -ne 1 ]; then
	sed -n '4,5s/^# \{0,1\}//p' "$0" >&2
	exit 1
fi
PFAGENT=$(readlink -f -- "$1") || PFAGENT=$1
if [ ! -f "$PFAGENT" ] || [ ! -x "$PFAGENT" ]; then
	echo "demo.sh: $1: not an executable file" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: must run as root (it starts a Postfix instance)" >&2
	exit 1
fi

HERE=$(cd "$(dirname "$0")" && pwd)
SANDBOX_SH=$HERE/sandbox.sh
SYSLOGCAP_SH=$HERE/syslogcap.sh
TEMPLATE=$HERE/demo.conf

ROOT=
SB=
SL=
steps=0
bad=0

# ------------------------------------------------------------------ narration

step() {
	steps=$((steps + 1))
	printf '\n==> [%d] %s\n' "$steps" "$*"
}

say() {
	printf '    %s\n' "$*"
}

# check DESCRIPTION CMD...: counts an unexpected result unless CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then
		say "as expected: $desc"
	else
		say "UNEXPECTED: $desc - did not hold"
		bad=$((bad + 1))
	fi
}

# pf ARG...: shows and runs pfagent under the syslog capture; sets $rc.
pf() {
	printf '$ pfagent -c %s %s\n' "$CONF" "$*"
	rc=0
	"$SYSLOGCAP_SH" run "$SL" "$PFAGENT" -c "$CONF" "$@" </dev/null || rc=$?
	say "(exit status $rc)"
}

sum() {
	sha256sum "$1" | cut -d' ' -f1
}

log_size() {
	stat -c %s "$PFSB_LOG"
}

# New maillog lines since byte offset $1.
log_since() {
	tail -c +"$(($1 + 1))" "$PFSB_LOG"
}

reload_lines() {
	grep -E 'refreshing the Postfix mail system|master\[[0-9]+\]: reload' || true
}

# ------------------------------------------------------------------ setup, teardown

cleanup() {
	local rc=$?
	trap - EXIT
	set +e
	if [ -n "$ROOT" ]; then
		printf '\n==> tearing down\n'
		if [ -n "$SB" ] && "$SANDBOX_SH" down "$SB"; then
			say "sandbox stopped and removed"
		fi
		if [ -n "$SL" ] && "$SYSLOGCAP_SH" down "$SL"; then
			say "syslog-ng stopped"
		fi
		rm -rf -- "$ROOT"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

ROOT=$(mktemp -d /tmp/pfagent-demo.XXXXXX)
chmod 755 "$ROOT"

step "bringing up a throwaway Postfix and a private syslog-ng"
SB=$ROOT/sandbox
env_lines=$("$SANDBOX_SH" up "$SB")
eval "$env_lines"
# pfagent must find the instance through its configuration, not the environment.
unset MAIL_CONFIG
say "Postfix instance $PFSB_ETC, smtpd on 127.0.0.1:$PFSB_PORT, log $PFSB_LOG"
SL=$ROOT/syslog
"$SYSLOGCAP_SH" up "$SL"
say "syslog-ng on $SL/log.sock, messages in $SL/messages"

CONF=$PFSB_DIR/pfagent.conf
mkdir -m 0700 "$PFSB_DIR/state"
sed "s|@SANDBOX@|$PFSB_DIR|g" "$TEMPLATE" | grep -v '^#' >"$CONF"
chown root:root "$CONF" "$PFSB_DIR/state"
chmod 0600 "$CONF"
say "configuration $CONF (root, 0600):"
sed 's/^/        /' "$CONF"
say "DH file: $PFSB_DH"
openssl pkeyparam -in "$PFSB_DH" -noout -text | grep -E 'Parameters|GROUP' | sed 's/^/        /'

# ------------------------------------------------------------------ the demo

step "pfagent check-config: is the configuration valid?"
pf check-config
check "check-config exits 0" test "$rc" = 0

step "pfagent list: the tasks, their intervals, when they are due"
pf list
check "list exits 0" test "$rc" = 0

step "pfagent run (first run: rotate-dh is due, so it replaces the DH file and Postfix reloads)"
before=$(sum "$PFSB_DH")
off=$(log_size)
pf run
after=$(sum "$PFSB_DH")
check "the first run exits 0" test "$rc" = 0
check "the DH file changed" test "$before" != "$after"
say "Postfix's log since the run:"
reloads=$(log_since "$off" | reload_lines)
printf '%s\n' "$reloads" | sed 's/^/        /'
check "Postfix was reloaded" test -n "$reloads"
fatal=$(log_since "$off" | grep -E 'fatal:|panic:' || true)
check "no fatal: or panic: in Postfix's log" test -z "$fatal"
if [ -n "$fatal" ]; then printf '%s\n' "$fatal" | sed 's/^/        /'; fi
say "the new DH file (openssl pkeyparam -text):"
dhtext=$(openssl pkeyparam -in "$PFSB_DH" -noout -text 2>&1 || true)
printf '%s\n' "$dhtext" | grep -E 'Parameters|GROUP' | sed 's/^/        /'
check "the new parameters have 3072 bits" grep -q '(3072 bit)' <<<"$dhtext"
banner=$("$SANDBOX_SH" banner "$SB" 2>&1 || true)
say "SMTP after the reload: $banner"
check "Postfix still answers with 220" grep -q '^220 ' <<<"$banner"

step "pfagent run again (nothing is due: no change, no reload)"
before=$(sum "$PFSB_DH")
off=$(log_size)
pf run
check "the second run exits 0" test "$rc" = 0
check "the DH file is unchanged" test "$before" = "$(sum "$PFSB_DH")"
check "Postfix was not reloaded" test -z "$(log_since "$off" | reload_lines)"

step "pfagent status: the last outcome of every task"
pf status
check "status exits 0 (every task ended OK)" test "$rc" = 0

step "pfagent --json run rotate-dh --dry-run: what a forced run would do, as JSON"
before=$(sum "$PFSB_DH")
printf '$ pfagent -c %s --json run rotate-dh --dry-run\n' "$CONF"
rc=0
json=$("$SYSLOGCAP_SH" run "$SL" "$PFAGENT" -c "$CONF" --json run rotate-dh --dry-run </dev/null) || rc=$?
printf '%s\n' "$json"
say "(exit status $rc)"
check "the dry run exits 0" test "$rc" = 0
check "the dry run wrote nothing" test "$before" = "$(sum "$PFSB_DH")"
check "the output is one JSON document" \
	jq -e . <<<"$json" >/dev/null

step "pfagent run validate-config: Postfix's checks, loadability, hardening audit (as an MX)"
pf run validate-config
check "validate-config ran and found nothing critical (exit 0 or 1)" test "$rc" -le 1

step "pfagent run check-tls: the certificate, the DH file and what the listener serves"
pf run check-tls
check "check-tls ran and found nothing critical (exit 0 or 1)" test "$rc" -le 1
check "check-tls probed the listener (PFA-PROBE-010 in syslog)" \
	"$SYSLOGCAP_SH" wait "$SL" 'task=check-tls event=finding id=PFA-PROBE-010' 5

step "what pfagent sent to syslog (received by syslog-ng)"
"$SYSLOGCAP_SH" wait "$SL" 'pfagent\[[0-9]+\] [a-z0-9]+\.[a-z]+: .*task=rotate-dh' 5 >/dev/null || true
lines=$(grep -E 'pfagent\[[0-9]*\]' "$SL/messages" || true)
printf '%s\n' "$lines" | sed 's/^/    /'
check "pfagent logged task=rotate-dh events with facility mail" \
	grep -qE 'pfagent\[[0-9]+\] mail\.[a-z]+: .*task=rotate-dh' <<<"$lines"

printf '\n==> %d steps, %d unexpected result(s)\n' "$steps" "$bad"
[ "$bad" = 0 ] || exit 1
