#!/bin/bash
# 74-health-log.sh - the reload gate's health check reads the log
# through the one mail-log reader (postfix/maillog.c) and counts only
# this instance's own fatal:/panic: - the severity prefix at the start of
# a message from one of its syslog names - never the same words inside a
# message: an SMTP client that sends "MAIL FROM:< fatal: x>" or
# "GET / fatal: y" while Postfix reloads (smtpd quotes both in its log),
# or another instance's fatal line in the same file, does not make a
# healthy reload look unhealthy; nothing is rolled back; the run after
# that does nothing.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
pfa_require_pfagent

sandbox_up
postconf -c "$PFSB_ETC" -e "smtpd_sender_restrictions = reject_non_fqdn_sender"
tap_require "the sandbox reloads" postfix -c "$PFSB_ETC" reload
sleep 1
pfa_setup 'mode = "ffdhe"; bits = 3072;'
before=$(sum_of "$PFSB_DH")
reloads=$(reload_count)

# clients quoting "fatal:" and another instance's fatal line, for the
# whole run (before and after the reload)
noise() {
	local end=$((SECONDS + 6))
	while [ "$SECONDS" -lt "$end" ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$PFSB_PORT" && read -r -t 5 _ <&3 &&
		    printf 'EHLO x\r\nMAIL FROM:< fatal: x>\r\nRCPT TO:<c@example.org>\r\nQUIT\r\n' >&3 &&
		    sleep 0.2 && cat <&3 >/dev/null) 2>/dev/null
		(exec 3<>"/dev/tcp/127.0.0.1/$PFSB_PORT" && read -r -t 5 _ <&3 &&
		    printf 'GET / fatal: y\r\n' >&3 && sleep 0.2 && cat <&3 >/dev/null) 2>/dev/null
		echo "$(date '+%b %d %H:%M:%S') sandbox postfix-other/smtpd[1]: fatal: another instance's problem" >>"$PFSB_LOG"
		sleep 0.2
	done
}
mark=$(stat -c %s "$PFSB_LOG")
noise &
sleep 0.5
pfa_run --json run rotate-dh
wait
after_reload=$(tail -c +"$((mark + 1))" "$PFSB_LOG")
tap_like "$after_reload" 'reload -- version' "Postfix was reloaded while the clients talked"
tap_like "$after_reload" 'pfsb-.*/smtpd\[[0-9]+\]: .*MAIL FROM:< fatal: x>' "smtpd logged the client's \"MAIL FROM:< fatal: x>\""
tap_like "$after_reload" 'pfsb-.*/smtpd\[[0-9]+\]: warning: non-SMTP command .*: GET / fatal: y' "and its \"GET / fatal: y\""
tap_like "$after_reload" 'postfix-other/smtpd\[1\]: fatal: ' "another instance's fatal: line is in the same file"
tap_is "$PFA_RC" 0 "the run exits 0"
tap_is "$(jq_out '.reload.reloaded')" true "JSON: reloaded"
tap_is "$(jq_out '.reload.healthy')" true "JSON: the reload is judged healthy"
tap_is "$(jq_out '.reload.rolled_back')" false "JSON: nothing rolled back"
tap_is "$(jq_out '[.reload.findings[] | select(.id == "PFA-HEALTH-003")] | length')" 0 "no PFA-HEALTH-003 for text that only quotes \"fatal:\""
tap_unlike "$(sum_of "$PFSB_DH")" "^$before\$" "the DH file was replaced (and kept)"
tap_is "$(reload_count)" "$((reloads + 1))" "with exactly one reload"

# the second run: nothing due, nothing happens
after=$(sum_of "$PFSB_DH")
reloads=$(reload_count)
pfa_run --json run
tap_is "$PFA_RC" 0 "the second run exits 0"
tap_is "$(sum_of "$PFSB_DH")/$(reload_count)" "$after/$reloads" "and changes and reloads nothing"

tap_done
