#!/bin/bash
#
# sandbox.sh - a throwaway, real Postfix instance for pfagent's tests.
#
# Usage:
#   sandbox.sh up DIR [PORT]      build and start an instance in DIR; print env lines
#   sandbox.sh down DIR           stop it, make sure no process is left, rm -rf DIR
#   sandbox.sh status DIR         exit 0 if the instance is running, 1 if not
#   sandbox.sh env DIR            print the env lines again
#   sandbox.sh banner DIR         print the SMTP 220 greeting (fails without one)
#   sandbox.sh send DIR FROM TO   one SMTP transaction; prints the server's final
#                                 reply; exit 0 if the message was accepted (250)
#   sandbox.sh inject DIR N       N messages over SMTP (smtp-source), waiting until
#                                 every one of them is in the deferred queue
#
# The instance lives entirely in DIR and is addressed with "postfix -c DIR/etc":
#   DIR/etc      main.cf, master.cf (written from scratch, chroot = n everywhere)
#   DIR/spool    queue_directory          DIR/data  data_directory (owner postfix)
#   DIR/log      maillog_file DIR/log/maillog, written by postlogd
#   DIR/tls      cert.pem, key.pem (self-signed, sandbox.invalid), dh.pem (ffdhe2048)
#   DIR/port     the SMTP port         DIR/.pfsandbox  marker; down refuses without it
# smtpd listens on 127.0.0.1:PORT only (a free port is picked when PORT is omitted).
# Mail cannot leave the machine: the smtp transport is in defer_transports and the
# relayhost is [127.0.0.1]:1, so accepted mail stays in the deferred queue.
#
# "up" prints lines for eval, e.g.  eval "$(sandbox.sh up "$d")":
#   export PFSB_DIR=... PFSB_ETC=... PFSB_PORT=... PFSB_LOG=... PFSB_SPOOL=...
#   export PFSB_TLS=... PFSB_DH=... MAIL_CONFIG=...          (one per line)
#
# Environment: PFSB_CERT_DAYS (default 3650) - validity of the test certificate.
# For inject: SANDBOX_FROM (sender@example.test), SANDBOX_TO (rcpt@example.test),
# SANDBOX_RCPTS (recipients per message, default 1: smtp-source numbers them,
# 1.rcpt@..., 2.rcpt@...), SANDBOX_AGE (e.g. 10d: the messages' arrival time is
# back-dated by that much; Postfix runs under libfaketime while they arrive).
#
# Runs as root.  Several instances can run side by side.  Diagnostics go to
# stderr; without a tty postfix(1) prints nothing itself, so on failure the
# maillog tail and "postfix check" under a pty are shown.

# Under "sh script" (make's $(SHELL) is /bin/sh), switch to bash first.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu

PATH=/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}
export PATH
umask 022

PROG=${0##*/}
PORT_LOCK=/run/lock/pfsandbox-port.lock
[ -d /run/lock ] || PORT_LOCK=/tmp/.pfsandbox-port.lock
POSTFIX_DAEMON_DIR=/usr/lib/postfix/sbin

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

warn() {
	printf '%s: %s\n' "$PROG" "$*" >&2
}

usage() {
	sed -n '4,14s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

# ------------------------------------------------------------------ paths

# Sets DIR (absolute, symlinks resolved) and the derived paths from $1.
set_dir() {
	[ -n "$1" ] || die "empty DIR"
	[ -d "$1" ] || die "$1: no such directory"
	DIR=$(cd "$1" && pwd -P)
	case $DIR in
	/) die "refusing to use / as a sandbox" ;;
	*[!A-Za-z0-9._/+-]*)
		die "$DIR: only A-Z a-z 0-9 . _ / + - are allowed in the path (Postfix lists split on other characters)" ;;
	esac
	ETC=$DIR/etc
	SPOOL=$DIR/spool
	DATA=$DIR/data
	LOGDIR=$DIR/log
	MAILLOG=$LOGDIR/maillog
	TLS=$DIR/tls
	DH=$TLS/dh.pem
}

require_sandbox() {
	[ -d "$1" ] || die "$1: no such directory"
	set_dir "$1"
	[ -f "$DIR/.pfsandbox" ] || die "$DIR: not a sandbox (no .pfsandbox marker); refusing"
}

port_of() {
	[ -s "$DIR/port" ] || die "$DIR/port: missing; was the sandbox ever brought up?"
	PORT=$(cat "$DIR/port")
	case $PORT in
	'' | *[!0-9]*) die "$DIR/port: bad port '$PORT'" ;;
	esac
}

print_env() {
	printf "export PFSB_DIR='%s'\n" "$DIR"
	printf "export PFSB_ETC='%s'\n" "$ETC"
	printf "export PFSB_PORT='%s'\n" "$PORT"
	printf "export PFSB_LOG='%s'\n" "$MAILLOG"
	printf "export PFSB_SPOOL='%s'\n" "$SPOOL"
	printf "export PFSB_TLS='%s'\n" "$TLS"
	printf "export PFSB_DH='%s'\n" "$DH"
	printf "export MAIL_CONFIG='%s'\n" "$ETC"
}

# Every directory from / down to DIR must be searchable by user postfix,
# or master dies with "open lock file DIR/data/master.lock: Permission denied".
check_searchable() {
	local path=$1 a=''
	local IFS=/
	local part
	for part in $path; do
		[ -n "$part" ] || continue
		a=$a/$part
		if ! setpriv --reuid=postfix --regid=postfix --clear-groups test -x "$a/"; then
			die "$a is not searchable by user postfix (mode $(stat -c %A "$a")); Postfix cannot work below it. Use a directory under /tmp, or chmod o+x $a"
		fi
	done
}

# ------------------------------------------------------------------ ports

listening() {
	[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

port_free() {
	! listening "$1" && ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A free port below the kernel's ephemeral range, so that no client
# connection can be sitting on it.
pick_port() {
	local low hi p i
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range || low=32768
	hi=$((low - 1))
	[ "$hi" -gt 20100 ] || hi=30999
	for i in $(seq 1 100); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % (hi - 20000)))
		if port_free "$p"; then
			echo "$p"
			return 0
		fi
		: "$i"
	done
	return 1
}

# ------------------------------------------------------------------ files

write_main_cf() {
	cat >"$ETC/main.cf" <<EOF
# main.cf of a pfagent test sandbox, written by sandbox.sh.  Throwaway.
compatibility_level = 3.6
queue_directory = $SPOOL
data_directory = $DATA
maillog_file = $MAILLOG
maillog_file_prefixes = $LOGDIR
syslog_name = pfsb-${DIR##*/}

myhostname = sandbox.invalid
mydestination =
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
append_dot_mydomain = no

inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_client_connection_count_limit = 0

# Nothing leaves the machine: the smtp transport does not deliver unless
# flushed, and even then it only reaches the closed port 127.0.0.1:1.
default_transport = smtp
relay_transport = smtp
defer_transports = smtp
relayhost = [127.0.0.1]:1
smtp_fallback_relay =

queue_run_delay = 3600s
minimal_backoff_time = 3600s
maximal_backoff_time = 7200s
maximal_queue_lifetime = 100d
bounce_queue_lifetime = 100d
service_throttle_time = 2s
in_flow_delay = 0

smtpd_tls_cert_file = $TLS/cert.pem
smtpd_tls_key_file = $TLS/key.pem
smtpd_tls_dh1024_param_file = $DH
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
EOF
}

write_master_cf() {
	cat >"$ETC/master.cf" <<EOF
127.0.0.1:$PORT inet n - n - - smtpd
# master.cf of a pfagent test sandbox, written by sandbox.sh.  chroot = n everywhere.
# service  type  private unpriv  chroot  wakeup  maxproc command
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
tlsmgr     unix  -       -       n       1000?   1       tlsmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
EOF
}

make_tls() {
	local out=$DIR/log/openssl.out
	if ! openssl req -x509 -newkey rsa:2048 -nodes -days "${PFSB_CERT_DAYS:-3650}" \
		-subj /CN=sandbox.invalid \
		-addext subjectAltName=DNS:sandbox.invalid,IP:127.0.0.1 \
		-keyout "$TLS/key.pem" -out "$TLS/cert.pem" >"$out" 2>&1; then
		cat "$out" >&2
		die "openssl req failed"
	fi
	# RFC 7919 group: instant, unlike "openssl dhparam 2048" (~100 s).
	if ! openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 \
		-out "$DH" >"$out" 2>&1; then
		cat "$out" >&2
		die "openssl genpkey (ffdhe2048) failed"
	fi
	rm -f "$out"
	chmod 0600 "$TLS/key.pem"
	chmod 0644 "$TLS/cert.pem" "$DH"
}

# ------------------------------------------------------------------ processes

has_our_env() {
	grep -qzxF "MAIL_CONFIG=$ETC" "/proc/$1/environ" 2>/dev/null
}

master_pid_file() {
	local p=''
	if [ -f "$SPOOL/pid/master.pid" ]; then
		read -r p <"$SPOOL/pid/master.pid" || true
	fi
	p=${p// /}
	case $p in
	'' | *[!0-9]*) return 1 ;;
	esac
	echo "$p"
}

# Prints the pids of the live (non-zombie) processes of this instance: the
# members of master's process group (when the pid file named our master) and
# any Postfix program whose environment says MAIL_CONFIG=DIR/etc (e.g. the
# postsuper that "postfix reload" leaves running in the background).  A few
# processes per call, however many processes the machine has.
instance_pids() {
	local mpid=${1:-} envs
	{
		if [ -n "$mpid" ]; then
			ps -eo pid=,pgid=,stat= | awk -v g="$mpid" '$2 == g && $3 !~ /^Z/ { print $1 }'
		fi
		# Zombies have no readable exe link and no environment.
		envs=$(find /proc -mindepth 2 -maxdepth 2 -name exe \
			\( -lname "$POSTFIX_DAEMON_DIR/*" -o -lname '/usr/sbin/post*' \
			-o -lname '/usr/sbin/sendmail*' \) -printf '%h/environ\n' 2>/dev/null || true)
		if [ -n "$envs" ]; then
			printf '%s\n' "$envs" | xargs -d '\n' grep -lzxF "MAIL_CONFIG=$ETC" 2>/dev/null \
				| sed -e 's|^/proc/||' -e 's|/environ$||' || true
		fi
	} | sort -un
}

# Master's pid if the pid file names a live master of this instance.  The
# program is compared by identity (-ef: device and inode), not by the name
# readlink gives: for a master started in another mount namespace (as
# restart_instance does) inside a chroot, that name is the path seen from
# outside the chroot.
our_master() {
	local p
	p=$(master_pid_file) || return 1
	[ -d "/proc/$p" ] || return 1
	[ "/proc/$p/exe" -ef "$POSTFIX_DAEMON_DIR/master" ] || return 1
	has_our_env "$p" || return 1
	echo "$p"
}

# ------------------------------------------------------------------ SMTP

# smtp_dialog PORT MODE [FROM TO]: MODE banner or send.  Runs under timeout(1)
# in its own bash, so a hung server cannot hang the caller.
smtp_dialog() {
	local port=$1 mode=$2 from=${3:-} to=${4:-}
	local line code reply

	exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1

	# Reads one (possibly multi-line) reply into $reply and $code.
	get_reply() {
		reply=''
		code=''
		while IFS= read -r -t 30 line <&3; do
			line=${line%$'\r'}
			reply=$reply$line$'\n'
			case $line in
			[0-9][0-9][0-9]-*) continue ;;
			esac
			code=${line:0:3}
			return 0
		done
		reply="${reply}(connection closed or timed out)"$'\n'
		return 1
	}
	fail() {
		printf '%s' "$reply"
		printf 'QUIT\r\n' >&3 2>/dev/null || true
		exit 1
	}
	# step LINE CODE...: sends LINE (if any), reads the reply, fails unless
	# its code is one of CODE...
	step() {
		local ok
		[ -z "$1" ] || printf '%s\r\n' "$1" >&3
		shift
		get_reply || fail
		for ok in "$@"; do
			[ "$code" != "$ok" ] || return 0
		done
		fail
	}

	step '' 220
	if [ "$mode" = banner ]; then
		printf '%s' "$reply" | tail -n 1
		printf 'QUIT\r\n' >&3
		exit 0
	fi
	step "EHLO sandbox-client.invalid" 250
	step "MAIL FROM:<$from>" 250
	step "RCPT TO:<$to>" 250 251
	step "DATA" 354
	printf '%s\r\n' \
		"From: <$from>" \
		"To: <$to>" \
		"Subject: sandbox test message" \
		"Date: $(date -R)" \
		"Message-ID: <$(date +%s).$$.$RANDOM@sandbox-client.invalid>" \
		"" \
		"This message was sent by sandbox.sh and can never leave this machine." >&3
	step "." 250
	printf '%s' "$reply"
	printf 'QUIT\r\n' >&3
	exit 0
}

# smtp SECONDS PORT MODE [FROM TO]
smtp() {
	local t=$1
	shift
	timeout "$t" bash -c "$(declare -f smtp_dialog); smtp_dialog \"\$@\"" smtp_dialog "$@"
}

# wait_banner SECONDS: waits at most SECONDS in all for the 220 greeting and
# prints it.  master accepts connections even while smtpd is throttled, so
# each probe gets only the time that is left, not a fixed timeout.
wait_banner() {
	local end=$((SECONDS + $1)) left b
	while left=$((end - SECONDS)) && [ "$left" -gt 0 ]; do
		if b=$(timeout "$left" bash -c "$(declare -f smtp_dialog); smtp_dialog \"\$@\"" \
			smtp_dialog "$PORT" banner 2>/dev/null); then
			echo "$b"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# ------------------------------------------------------------------ diagnostics

explain_failure() {
	warn "---- last lines of $MAILLOG:"
	tail -n 25 "$MAILLOG" >&2 2>/dev/null || warn "(no maillog)"
	warn "---- postfix -c $ETC check (under a pty, so that it speaks):"
	script -qec "postfix -c $ETC check" /dev/null >&2 </dev/null || true
	warn "----"
}

# ------------------------------------------------------------------ commands

cmd_up() {
	local arg_dir=$1 want_port=${2:-} fresh=1 created start_off newlog banner mpid attempt tries lockfd

	case $want_port in
	'' ) ;;
	*[!0-9]*) die "bad PORT '$want_port'" ;;
	*) if [ "$want_port" -lt 1 ] || [ "$want_port" -gt 65535 ]; then die "bad PORT '$want_port'"; fi ;;
	esac
	[ "$(id -u)" = 0 ] || die "must run as root (Postfix instances need root)"
	id postfix >/dev/null 2>&1 || die "no user postfix: is Postfix installed?"
	command -v postfix >/dev/null || die "postfix not found"

	if [ -n "$want_port" ] && ! port_free "$want_port"; then
		die "port $want_port on 127.0.0.1 is in use"
	fi
	created=0
	if [ ! -e "$arg_dir" ]; then
		mkdir -p -- "$arg_dir"
		created=1
	fi
	set_dir "$arg_dir"
	if [ -f "$DIR/.pfsandbox" ]; then
		if [ -f "$ETC/main.cf" ] && [ -s "$DIR/port" ]; then
			fresh=0
			port_of
			if [ -n "$want_port" ] && [ "$want_port" != "$PORT" ]; then
				die "$DIR is a sandbox on port $PORT; refusing to move it to $want_port"
			fi
			if our_master >/dev/null; then
				die "$DIR: sandbox already running on port $PORT (see: $PROG env $DIR)"
			fi
		fi
	elif [ -n "$(ls -A "$DIR")" ]; then
		die "$DIR is not empty and is not a sandbox; refusing"
	fi

	chmod 755 "$DIR"
	if ! (check_searchable "$DIR"); then
		[ "$created" = 0 ] || rmdir -- "$DIR" 2>/dev/null || true
		exit 1
	fi

	if [ "$fresh" = 1 ]; then
		printf 'pfagent test sandbox, made by sandbox.sh on %s\n' "$(date -u +%FT%TZ)" \
			>"$DIR/.pfsandbox"
		mkdir -p "$ETC" "$SPOOL" "$DATA" "$LOGDIR" "$TLS"
		chmod 755 "$ETC" "$SPOOL" "$LOGDIR" "$TLS"
		chown postfix:postfix "$DATA"
		chmod 700 "$DATA"
		: >"$MAILLOG"
		make_tls
		write_main_cf
	fi

	# Pick the port, start and see the listener, all under one lock so that
	# parallel "up"s never pick the same port.  A port chosen here can still
	# be taken by a foreign process in between: then try another one.
	tries=1
	[ -n "$want_port" ] || [ "$fresh" = 0 ] || tries=3
	exec {lockfd}>"$PORT_LOCK"
	flock -w 60 "$lockfd" || die "could not lock $PORT_LOCK"
	for attempt in $(seq 1 "$tries"); do
		if [ "$fresh" = 1 ]; then
			if [ -n "$want_port" ]; then
				PORT=$want_port
				port_free "$PORT" || die "port $PORT on 127.0.0.1 is in use"
			else
				PORT=$(pick_port) || die "no free port found"
			fi
			echo "$PORT" >"$DIR/port"
			write_master_cf
		else
			port_free "$PORT" || die "port $PORT on 127.0.0.1 is in use"
		fi

		# The first check creates the queue directories (post-install).
		if ! postfix -c "$ETC" check </dev/null >"$LOGDIR/postfix.out" 2>&1; then
			cat "$LOGDIR/postfix.out" >&2
			explain_failure
			die "postfix -c $ETC check failed"
		fi

		start_off=$(stat -c %s "$MAILLOG" 2>/dev/null || echo 0)
		# The lock fd must not leak into master, or the lock is held forever;
		# stdio must not either, or "$(sandbox.sh up)" never returns.
		if postfix -c "$ETC" start </dev/null >"$LOGDIR/postfix.out" 2>&1 {lockfd}>&-; then
			break
		fi
		newlog=$(tail -c +"$((start_off + 1))" "$MAILLOG" 2>/dev/null || true)
		if [ "$attempt" -lt "$tries" ] && printf '%s\n' "$newlog" | grep -q 'Address already in use'; then
			warn "port $PORT was taken meanwhile; trying another one"
			continue
		fi
		cat "$LOGDIR/postfix.out" >&2
		explain_failure
		die "postfix -c $ETC start failed"
	done
	exec {lockfd}>&-
	rm -f "$LOGDIR/postfix.out"

	# Health probe: "start" exits 0 even when a daemon crash-loops, so look
	# for the greeting, a running qmgr, and no fatal/panic in the new log lines.
	if ! banner=$(wait_banner 10); then
		explain_failure
		cmd_stop_quietly
		die "no SMTP greeting on 127.0.0.1:$PORT within 10 s"
	fi
	case $banner in
	220*) ;;
	*) explain_failure; cmd_stop_quietly; die "unexpected greeting: $banner" ;;
	esac
	mpid=$(our_master) || { explain_failure; cmd_stop_quietly; die "no master process of $ETC"; }
	for attempt in $(seq 1 100); do
		pgrep -g "$mpid" -x qmgr >/dev/null && break
		sleep 0.1
	done
	pgrep -g "$mpid" -x qmgr >/dev/null || { explain_failure; cmd_stop_quietly; die "qmgr is not running"; }
	newlog=$(tail -c +"$((start_off + 1))" "$MAILLOG")
	if printf '%s\n' "$newlog" | grep -E '(fatal|panic):' >&2; then
		explain_failure
		cmd_stop_quietly
		die "Postfix logged fatal/panic errors on start"
	fi
	print_env
}

# Stops an instance that failed its health probe, so no process is left.
cmd_stop_quietly() {
	stop_instance "$(our_master || true)" || true
}

# stop_instance MASTERPID: postfix stop, then make sure nothing is left.
stop_instance() {
	local mpid=$1
	if [ -f "$ETC/main.cf" ]; then
		postfix -c "$ETC" stop </dev/null >/dev/null 2>&1 || true
	fi
	# "postfix stop" fails without a word when a test left main.cf broken
	# (e.g. a bad number); then stop master as postfix-script does: SIGTERM.
	if [ -n "$mpid" ] && our_master >/dev/null; then
		kill -TERM "$mpid" 2>/dev/null || true
	fi
	reap_instance "$mpid"
}

# Waits for the instance's processes to go away; kill -9 what is left after
# the wait.  0 if none is left.
reap_instance() {
	local mpid=$1 end left pid
	end=$((SECONDS + 10))
	while left=$(instance_pids "$mpid") && [ -n "$left" ]; do
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	[ -n "$left" ] || return 0
	warn "processes of $ETC still running after 10 s: ${left//$'\n'/ }; sending SIGKILL"
	for pid in $left; do
		kill -9 "$pid" 2>/dev/null || true
	done
	end=$((SECONDS + 3))
	while left=$(instance_pids "$mpid") && [ -n "$left" ]; do
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	[ -n "$left" ] || return 0
	warn "processes of $ETC survived SIGKILL: ${left//$'\n'/ }"
	return 1
}

cmd_down() {
	local arg_dir=$1 mpid rc=0 i
	if [ ! -e "$arg_dir" ]; then
		warn "$arg_dir: no such directory; nothing to do"
		return 0
	fi
	require_sandbox "$arg_dir"
	mpid=$(our_master || true)
	stop_instance "$mpid" || rc=1
	if [ -s "$DIR/port" ]; then
		port_of
		for i in $(seq 1 20); do
			listening "$PORT" || break
			sleep 0.1
		done
		if listening "$PORT"; then
			warn "something still listens on port $PORT"
			ss -Hltnp "sport = :$PORT" >&2 || true
			rc=1
		fi
	fi
	rm -rf -- "$DIR"
	return "$rc"
}

# Looks at the process, not "postfix status", which fails when main.cf no
# longer parses although master still runs.
cmd_status() {
	require_sandbox "$1"
	our_master >/dev/null
}

cmd_env() {
	require_sandbox "$1"
	port_of
	print_env
}

cmd_banner() {
	require_sandbox "$1"
	port_of
	smtp 10 "$PORT" banner
}

cmd_send() {
	require_sandbox "$1"
	port_of
	smtp 60 "$PORT" send "$2" "$3"
}

# ------------------------------------------------------------------ inject

# Messages in the queues that showq lists (regular files, any subdirectory).
queue_files() {
	find "$SPOOL/maildrop" "$SPOOL/incoming" "$SPOOL/active" "$SPOOL/deferred" \
		"$SPOOL/hold" -type f 2>/dev/null | wc -l
}

queue_files_in() {
	find "$SPOOL/$1" -type f 2>/dev/null | wc -l
}

# settle TARGET SECONDS [any]: until incoming and active are empty, the
# queues hold at least TARGET messages and (unless "any") no deferred
# message is due (a deferred file's mtime is its next retry: one in the
# past is still to be retried; under libfaketime every one looks due).
settle() {
	local target=$1 end=$((SECONDS + $2)) due
	while :; do
		if [ "$(queue_files_in incoming)" = 0 ] && [ "$(queue_files_in active)" = 0 ] &&
			[ "$(queue_files)" -ge "$target" ]; then
			[ "${3:-}" != any ] || return 0
			due=$(find "$SPOOL/deferred" -type f ! -newermt "@$(date +%s)" 2>/dev/null | head -n 1)
			[ -n "$due" ] || return 0
		fi
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

faketime_lib() {
	local f
	for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# restart_instance [ENV...]: postfix stop, then start with ENV added to
# import_environment (under libfaketime that is), in a private mount
# namespace with its own /dev/shm: libfaketime leaves a shared-memory file
# behind for every daemon a signal kills, and those vanish with the tmpfs.
restart_instance() {
	local mpid
	mpid=$(our_master || true)
	# stop in real time: postfix(1) hands import_environment to its script
	postconf -c "$ETC" -X import_environment
	stop_instance "$mpid" || die "could not stop $ETC"
	[ $# -eq 0 ] || postconf -c "$ETC" -e \
		"import_environment = $(postconf -c "$ETC" -dh import_environment) $*"
	unshare -m --propagation private sh -c \
		'mount -t tmpfs -o mode=1777 tmpfs /dev/shm && exec postfix -c "$1" start' \
		sh "$ETC" </dev/null >/dev/null 2>&1 || { explain_failure; die "postfix -c $ETC start failed"; }
	wait_banner 10 >/dev/null || { explain_failure; die "no SMTP greeting after restart"; }
}

cmd_inject() {
	local n=$2 target lib wait_s out
	require_sandbox "$1"
	port_of
	case $n in
	'' | *[!0-9]*) die "bad message count '$n'" ;;
	esac
	command -v smtp-source >/dev/null || die "smtp-source not found (package postfix)"
	our_master >/dev/null || die "$DIR: sandbox not running"
	target=$(($(queue_files) + n))
	wait_s=$((60 + n / 100))
	if [ -n "${SANDBOX_AGE:-}" ]; then
		case $SANDBOX_AGE in
		*[!0-9smhdw]* | [!0-9]*) die "bad SANDBOX_AGE '$SANDBOX_AGE' (e.g. 10d)" ;;
		esac
		lib=$(faketime_lib) || die "libfaketime not found (package libfaketime)"
		restart_instance "LD_PRELOAD=$lib" "FAKETIME=-$SANDBOX_AGE"
	fi
	out=$DIR/log/smtp-source.out
	if ! smtp-source -4 -s 10 -m "$n" -r "${SANDBOX_RCPTS:-1}" -l 512 \
		-M sandbox-client.invalid -f "${SANDBOX_FROM:-sender@example.test}" \
		-t "${SANDBOX_TO:-rcpt@example.test}" -S "sandbox message" \
		"127.0.0.1:$PORT" </dev/null >"$out" 2>&1; then
		cat "$out" >&2
		die "smtp-source failed"
	fi
	rm -f "$out"
	settle "$target" "$wait_s" ${SANDBOX_AGE:+any} || die "the queue did not settle at $target messages within ${wait_s} s"
	if [ -n "${SANDBOX_AGE:-}" ]; then
		# back to real time; qmgr retries the back-dated messages once
		# (their next retry is in the past) and they are deferred again
		restart_instance
		settle "$target" "$wait_s" || die "back-dated messages were not retried within ${wait_s} s"
	fi
}

[ $# -ge 2 ] || usage
action=$1
shift
case $action in
up) [ $# -le 2 ] || usage; cmd_up "$@" ;;
down) [ $# -eq 1 ] || usage; cmd_down "$1" ;;
status) [ $# -eq 1 ] || usage; cmd_status "$1" ;;
env) [ $# -eq 1 ] || usage; cmd_env "$1" ;;
banner) [ $# -eq 1 ] || usage; cmd_banner "$1" ;;
send) [ $# -eq 3 ] || usage; cmd_send "$@" ;;
inject) [ $# -eq 2 ] || usage; cmd_inject "$@" ;;
*) usage ;;
esac
