#!/bin/bash
#
# 00-sandbox.sh - tests the test tools themselves: tests/sandbox/sandbox.sh
# (a real throwaway Postfix) and tests/sandbox/syslogcap.sh (a real syslog-ng).
# If this fails, every other integration test is suspect.
#
# Usage: run by "make check", or by hand as root: tests/integration/00-sandbox.sh
set -eu
. "$(dirname "$0")/lib.sh"

# Live (non-zombie) processes in process group $1, one "pid cmd" per line.
live_in_group() {
	ps -eo pid=,pgid=,stat=,args= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1, $4 }'
}

# Live processes whose command line mentions $1 (pgrep -f), zombies excluded.
live_matching() {
	local pid
	for pid in $(pgrep -f -- "$1" || true); do
		[ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] || ps -o pid=,args= -p "$pid" || true
	done
}

# ---------------------------------------------------------------- up
sandbox_up
tap_ok "sandbox is up: marker and port file" test -f "$PFSB_DIR/.pfsandbox" -a -s "$PFSB_DIR/port"
tap_is "$(cat "$PFSB_DIR/port")" "$PFSB_PORT" "PFSB_PORT matches DIR/port"

tap_ok "sandbox.sh banner" "$SANDBOX_SH" banner "$PFSB_DIR"
tap_like "$TAP_OUTPUT" '^220 sandbox\.invalid ' "the banner is a 220 greeting from sandbox.invalid"

tap_ok "postfix -c \$PFSB_ETC status is 0" postfix -c "$PFSB_ETC" status
tap_ok "sandbox.sh status says running" "$SANDBOX_SH" status "$PFSB_DIR"

tap_ok "postconf -h smtpd_tls_dh1024_param_file" postconf -c "$PFSB_ETC" -h smtpd_tls_dh1024_param_file
tap_is "$TAP_OUTPUT" "$PFSB_DH" "smtpd_tls_dh1024_param_file is the sandbox's dh.pem"
tap_ok "openssl dhparam -check accepts the DH file" openssl dhparam -in "$PFSB_DH" -check -noout
tap_is "$(stat -c %a "$PFSB_DH")" 644 "the DH file has mode 0644"
tap_ok "the DH file is ffdhe2048" sh -c "openssl pkeyparam -in '$PFSB_DH' -noout -text | grep -q 'GROUP: ffdhe2048'"

tap_like "$(cat "$PFSB_LOG")" 'master\[[0-9]+\]: daemon started -- version' "the maillog shows 'daemon started'"
tap_like "$(postconf -c "$PFSB_ETC" -h inet_interfaces)" '^127\.0\.0\.1$' "smtpd only on 127.0.0.1"
tap_like "$(postconf -c "$PFSB_ETC" -M | head -n 1)" "^127\.0\.0\.1:$PFSB_PORT +inet +n +- +n " "first master.cf line is the 127.0.0.1 smtpd, chroot n"
tap_unlike "$(postconf -c "$PFSB_ETC" -M)" '^[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +y ' "no service is chrooted"

# ---------------------------------------------------------------- mail stays here
tap_ok "a message is accepted (sandbox.sh send)" "$SANDBOX_SH" send "$PFSB_DIR" alice@example.test bob@example.net
tap_like "$TAP_OUTPUT" '^250 .*queued as [0-9A-F]+' "the final reply is 250 queued"
qid=$(printf '%s\n' "$TAP_OUTPUT" | sed -n 's/.*queued as \([0-9A-F]*\).*/\1/p')

queue=
for _ in $(seq 1 100); do
	queue=$(postqueue -c "$PFSB_ETC" -j 2>&1 || true)
	case $queue in *'"queue_name": "deferred"'*"$qid"*) break ;; esac
	sleep 0.1
done
tap_like "$queue" "\"queue_name\": \"deferred\", \"queue_id\": \"$qid\"" "the message ends up deferred (postqueue -j)"
tap_like "$queue" '"address": "bob@example.net"' "postqueue -j shows the recipient"
tap_unlike "$(cat "$PFSB_LOG")" 'status=(sent|bounced)|relay=[^n]' "nothing was delivered or bounced"

tap_status 1 "a rejected transaction makes sandbox.sh send exit 1" \
	"$SANDBOX_SH" send "$PFSB_DIR" alice@example.test 'bad address'
tap_like "$TAP_OUTPUT" '^5[0-9][0-9] ' "and it prints the 5xx reply"

# ---------------------------------------------------------------- refusals
junk=$(pfa_tmpdir)
touch "$junk/precious"
tap_status 1 "up refuses a non-empty directory that is not a sandbox" "$SANDBOX_SH" up "$junk"
tap_status 1 "down refuses a directory without .pfsandbox" "$SANDBOX_SH" down "$junk"
tap_ok "and leaves it alone" test -f "$junk/precious"
tap_status 1 "up refuses a port that is in use" "$SANDBOX_SH" up "$(pfa_tmpdir)/x" "$PFSB_PORT"

# ---------------------------------------------------------------- side by side
first_dir=$PFSB_DIR first_etc=$PFSB_ETC first_port=$PFSB_PORT first_log=$PFSB_LOG
sandbox_up
tap_ok "a second sandbox runs beside the first" "$SANDBOX_SH" banner "$PFSB_DIR"
tap_ok "on another port" test "$PFSB_PORT" != "$first_port"
tap_ok "and the first one still runs" postfix -c "$first_etc" status
tap_unlike "$(cat "$first_log")" 'fatal:|panic:' "no fatal or panic in the first sandbox's log"

# ---------------------------------------------------------------- down
master=$(tr -d ' ' <"$first_dir/spool/pid/master.pid")
tap_like "$(live_in_group "$master")" 'qmgr' "before down, master's process group holds qmgr"
tap_ok "sandbox.sh down" "$SANDBOX_SH" down "$first_dir"
tap_is "$(live_in_group "$master")" "" "no live process is left in master's process group"
tap_is "$(live_matching "$first_dir")" "" "pgrep -f DIR finds nothing but zombies"
tap_is "$(ss -Hltn "sport = :$first_port")" "" "nothing listens on the old port"
tap_ok "the directory is gone" test ! -e "$first_dir"
tap_ok "the second sandbox is untouched" postfix -c "$PFSB_ETC" status
tap_ok "down of the second one" "$SANDBOX_SH" down "$PFSB_DIR"
tap_status 1 "status of a stopped, removed sandbox is 1" "$SANDBOX_SH" status "$PFSB_DIR"

# ---------------------------------------------------------------- syslogcap
syslog_up
tap_ok "syslog-ng listens on its socket" test -S "$SYSLOG_DIR/log.sock"
tap_ok "/dev/log exists for bind mounts" test -e /dev/log
tap_ok "logger runs under syslogcap.sh run" \
	syslog_run logger -t pfagent -p mail.warning 'task=test event=x'
tap_ok "syslog-ng received it as pfagent[PID] mail.warning" \
	syslog_wait '^[0-9T:.+-]+ pfagent\[[0-9]*\] mail\.warning: task=test event=x$'
tap_status 3 "syslogcap.sh run passes the exit status through" syslog_run sh -c 'exit 3'
first_syslog=$SYSLOG_DIR first_messages=$SYSLOG_MESSAGES
syslog_up
second=$SYSLOG_DIR
SYSLOG_DIR=$first_syslog SYSLOG_MESSAGES=$first_messages
tap_ok "a second capture runs at the same time" "$SYSLOGCAP_SH" status "$second"
tap_ok "each capture gets its own messages" sh -c \
	"'$SYSLOGCAP_SH' run '$second' logger -t other -p mail.info 'only in second' &&
	 '$SYSLOGCAP_SH' wait '$second' 'other\\[[0-9]*\\] mail\\.info: only in second' 5 &&
	 ! grep -q 'only in second' '$SYSLOG_MESSAGES'"
tap_ok "syslogcap.sh down of the second" "$SYSLOGCAP_SH" down "$second"
tap_ok "the first still runs" "$SYSLOGCAP_SH" status "$SYSLOG_DIR"
tap_ok "its messages file stays for the caller" test -s "$second/messages"
tap_ok "its socket is removed" test ! -e "$second/log.sock"

tap_done
