#!/bin/bash
#
# syslogcap.sh - capture what a program sends to syslog(3), with a real syslog-ng.
#
# Usage:
#   syslogcap.sh up DIR                  start a private syslog-ng listening on DIR/log.sock
#   syslogcap.sh run DIR CMD [ARG...]    run CMD with /dev/log leading to DIR/log.sock;
#                                        exits with CMD's exit status
#   syslogcap.sh wait DIR REGEX [SECS]   wait (default 10 s) until a line of DIR/messages
#                                        matches the extended REGEX; print the matches;
#                                        exit 1 on timeout
#   syslogcap.sh status DIR              exit 0 if DIR's syslog-ng runs, 1 if not
#   syslogcap.sh down DIR                stop syslog-ng, remove its sockets; DIR/messages
#                                        stays for the caller, who removes DIR
#
# DIR/messages gets one line per message:
#   2026-11-22T03:29:30+00:00 pfagent[25932] mail.warning: task=test event=x
# syslog-ng runs in the foreground (-F) with every path in DIR, so the host's
# syslog configuration, persist file and control socket are never touched.
#
# How /dev/log is redirected: "run" starts CMD in a private mount namespace
# (unshare -m --propagation private) and bind-mounts DIR/log.sock on /dev/log
# there; the host's /dev/log is not changed, so several captures can run side
# by side.  A bind mount needs an existing target: when the host has no
# /dev/log, "up" creates an empty placeholder file there.  Instances that use
# the placeholder are counted in $STATE_DIR; the last "down" removes it.
# A syslog() call outside "run" reaches the placeholder and is dropped.
#
# Runs as root (mount namespaces, /dev).

# Under "sh script" (make's $(SHELL) is /bin/sh), switch to bash first.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu

PATH=/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}
export PATH
umask 022

PROG=${0##*/}
LOCK=/run/lock/pfa-syslogcap.lock
STATE_DIR=/run/pfa-syslogcap
if [ ! -d /run/lock ]; then
	LOCK=/tmp/.pfa-syslogcap.lock
	STATE_DIR=/tmp/.pfa-syslogcap
fi
DEVLOG=/dev/log
SYSLOG_NG=/usr/sbin/syslog-ng

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

usage() {
	sed -n '4,15s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

set_dir() {
	[ -d "$1" ] || die "$1: no such directory"
	DIR=$(cd "$1" && pwd -P)
	case $DIR in
	/) die "refusing to use /" ;;
	*[!A-Za-z0-9._/+-]*) die "$DIR: only A-Z a-z 0-9 . _ / + - are allowed in the path" ;;
	esac
	CONF=$DIR/syslog-ng.conf
	SOCK=$DIR/log.sock
	MESSAGES=$DIR/messages
	PIDFILE=$DIR/syslog-ng.pid
}

require_capture() {
	set_dir "$1"
	[ -f "$DIR/.syslogcap" ] || die "$DIR: not a syslogcap directory (no .syslogcap marker)"
}

# The pid of DIR's syslog-ng if it is alive (not a zombie), else fail.
running_pid() {
	local d=${1:-$DIR} pid state rest
	[ -s "$d/syslog-ng.pid" ] || return 1
	read -r pid <"$d/syslog-ng.pid" || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	rest=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	rest=${rest##*) }
	state=${rest%% *}
	[ "$state" != Z ] || return 1
	[ "/proc/$pid/exe" -ef "$SYSLOG_NG" ] || return 1	# identity, as sandbox.sh's our_master
	tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF "$d/syslog-ng.conf" || return 1
	echo "$pid"
}

# ------------------------------------------------------------------ /dev/log users
# $STATE_DIR/users lists the DIRs of running captures; $STATE_DIR/placeholder
# exists while /dev/log is a placeholder made by this script.  Callers hold $LOCK.

with_lock() {
	local fd rc=0
	exec {fd}>"$LOCK"
	flock -w 30 "$fd" || die "could not lock $LOCK"
	"$@" || rc=$?
	exec {fd}>&-
	return "$rc"
}

# Drops users whose syslog-ng is gone (a test killed before its "down").
# A capture still starting has its marker but no pid file yet.
prune_users() {
	local d
	[ -f "$STATE_DIR/users" ] || return 0
	while read -r d; do
		[ -n "$d" ] || continue
		if running_pid "$d" >/dev/null \
			|| { [ -f "$d/.syslogcap" ] && [ ! -e "$d/syslog-ng.pid" ]; }; then
			echo "$d"
		fi
	done <"$STATE_DIR/users" >"$STATE_DIR/users.new"
	mv "$STATE_DIR/users.new" "$STATE_DIR/users"
}

ensure_placeholder() {
	if [ ! -e "$DEVLOG" ] && [ ! -L "$DEVLOG" ]; then
		: >"$DEVLOG"
		chmod 0666 "$DEVLOG"
		: >"$STATE_DIR/placeholder"
	fi
}

register_user() {
	mkdir -p "$STATE_DIR"
	prune_users
	grep -qxF "$DIR" "$STATE_DIR/users" 2>/dev/null || echo "$DIR" >>"$STATE_DIR/users"
	ensure_placeholder
}

unregister_user() {
	[ -d "$STATE_DIR" ] || return 0
	if [ -f "$STATE_DIR/users" ]; then
		grep -vxF "$DIR" "$STATE_DIR/users" >"$STATE_DIR/users.new" || true
		mv "$STATE_DIR/users.new" "$STATE_DIR/users"
	fi
	prune_users
	[ ! -s "$STATE_DIR/users" ] || return 0
	# Last user: take the placeholder away, but only if it still is ours
	# (an empty regular file), never a socket a real syslog daemon made since.
	if [ -f "$STATE_DIR/placeholder" ] && [ -f "$DEVLOG" ] && [ ! -L "$DEVLOG" ] \
		&& [ ! -s "$DEVLOG" ]; then
		rm -f "$DEVLOG"
	fi
	rm -rf "$STATE_DIR"
}

# ------------------------------------------------------------------ commands

write_conf() {
	cat >"$CONF" <<EOF
@version: 3.38
# Written by syslogcap.sh: capture syslog messages sent to $SOCK.
options {
	stats_freq(0);
	use_dns(no);
	dns_cache(no);
	chain_hostnames(no);
	keep_hostname(yes);
	create_dirs(no);
	flush_lines(1);
	time_reopen(1);
};
source s_cap { unix-dgram("$SOCK" perm(0666)); };
source s_self { internal(); };
destination d_messages {
	file("$MESSAGES"
		template("\${ISODATE} \${PROGRAM}[\${PID}] \${FACILITY}.\${PRIORITY}: \${MESSAGE}\n"));
};
destination d_internal { file("$DIR/internal.log"); };
log { source(s_cap); destination(d_messages); };
log { source(s_self); destination(d_internal); };
EOF
}

cmd_up() {
	local pid i out
	[ "$(id -u)" = 0 ] || die "must run as root"
	[ -x "$SYSLOG_NG" ] || die "$SYSLOG_NG not found: apt-get install syslog-ng-core"
	mkdir -p -- "$1"
	set_dir "$1"
	if [ -f "$DIR/.syslogcap" ] && running_pid >/dev/null; then
		die "$DIR: syslog-ng is already running"
	fi
	chmod 755 "$DIR"
	echo "syslog capture made by syslogcap.sh" >"$DIR/.syslogcap"
	rm -f "$SOCK" "$DIR/ctl" "$DIR/pid" "$PIDFILE"
	: >>"$MESSAGES"
	write_conf
	out=$DIR/syslog-ng.out
	if ! "$SYSLOG_NG" --syntax-only -f "$CONF" >"$out" 2>&1; then
		cat "$out" >&2
		die "syslog-ng rejected $CONF"
	fi

	with_lock register_user

	# setsid: the capture lives until "down", not until the caller's
	# process group gets a signal.  No inherited stdio, so "$(...)" returns.
	setsid "$SYSLOG_NG" -F -f "$CONF" -R "$DIR/persist" -p "$DIR/pid" -c "$DIR/ctl" \
		</dev/null >"$out" 2>&1 &
	pid=$!
	echo "$pid" >"$PIDFILE"
	for i in $(seq 1 100); do
		if [ -S "$SOCK" ] && running_pid >/dev/null; then
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		: "$i"
		sleep 0.1
	done
	cat "$out" >&2
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$SOCK" "$DIR/ctl" "$PIDFILE"
	with_lock unregister_user
	die "syslog-ng did not come up (no $SOCK within 10 s)"
}

cmd_run() {
	require_capture "$1"
	shift
	[ $# -ge 1 ] || usage
	running_pid >/dev/null || die "$DIR: syslog-ng is not running (syslogcap.sh up first)"
	[ -S "$SOCK" ] || die "$SOCK: no socket"
	[ -e "$DEVLOG" ] || with_lock register_user
	# unshare execs in place (no --fork), so CMD's exit status is ours.
	# shellcheck disable=SC2016 # $1 and $@ belong to the inner sh
	exec unshare -m --propagation private -- /bin/sh -c '
		mount --bind "$1" /dev/log || { echo "syslogcap.sh: bind mount on /dev/log failed" >&2; exit 125; }
		shift
		exec "$@"' syslogcap-run "$SOCK" "$@"
}

cmd_wait() {
	local re=$2 secs=${3:-10} end
	require_capture "$1"
	case $secs in '' | *[!0-9]*) die "bad timeout '$secs'" ;; esac
	end=$((SECONDS + secs))
	while :; do
		if grep -E -- "$re" "$MESSAGES" 2>/dev/null; then
			return 0
		fi
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	printf '%s: no line matching /%s/ in %s after %s s; last lines:\n' \
		"$PROG" "$re" "$MESSAGES" "$secs" >&2
	tail -n 10 "$MESSAGES" >&2 2>/dev/null || true
	return 1
}

cmd_status() {
	require_capture "$1"
	running_pid >/dev/null
}

cmd_down() {
	local pid i
	if [ ! -e "$1" ]; then
		printf '%s: %s: no such directory; nothing to do\n' "$PROG" "$1" >&2
		return 0
	fi
	require_capture "$1"
	if pid=$(running_pid); then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 50); do
			running_pid >/dev/null || break
			: "$i"
			sleep 0.1
		done
		if running_pid >/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
		fi
		if running_pid >/dev/null; then
			die "syslog-ng $pid did not stop"
		fi
	fi
	# syslog-ng does not unlink its sockets on exit.
	rm -f "$SOCK" "$DIR/ctl" "$DIR/pid" "$PIDFILE"
	with_lock unregister_user
}

[ $# -ge 2 ] || usage
action=$1
shift
case $action in
up) [ $# -eq 1 ] || usage; cmd_up "$1" ;;
run) cmd_run "$@" ;;
wait) if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi; cmd_wait "$@" ;;
status) [ $# -eq 1 ] || usage; cmd_status "$1" ;;
down) [ $# -eq 1 ] || usage; cmd_down "$1" ;;
*) usage ;;
esac
