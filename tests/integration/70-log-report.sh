#!/bin/bash
# 70-log-report.sh - log-report against a real Postfix: mail sent on
# loopback that is delivered (discard:), deferred (the smtp transport is
# deferred in the sandbox), bounced (local(8): unknown user) and rejected
# (an access rule) shows up from the sandbox's maillog_file with the
# right counts, the same totals as pflogsumm's on the same log, per
# address; the text report has its bar chart; one summary line goes to
# syslog; report_to gets the report through sendmail; a second run
# reports nothing new; a third only what came after.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
pfa_require_pfagent
command -v pflogsumm >/dev/null || tap_bail "pflogsumm not found: ./autogen.sh --deps"

sandbox_up
syslog_up
echo "local     unix  -       n       n       -       -       local" >>"$PFSB_ETC/master.cf"
printf 'discard.invalid discard:\n' >"$PFSB_ETC/transport"
printf 'reject.invalid REJECT test reject\n' >"$PFSB_ETC/rcpt_access"
postconf -c "$PFSB_ETC" -e "mydestination = local.invalid" \
	"transport_maps = texthash:$PFSB_ETC/transport" \
	"smtpd_recipient_restrictions = check_recipient_access texthash:$PFSB_ETC/rcpt_access, permit"
tap_require "the sandbox reloads with a discard transport, local delivery and an access rule" \
	postfix -c "$PFSB_ETC" reload
sleep 1
NAME=$(postconf -c "$PFSB_ETC" -h syslog_name)

# waits until the sandbox's log has N lines matching REGEX
wait_log() {
	local i
	for i in $(seq 1 100); do
		[ "$(grep -cE -- "$1" "$PFSB_LOG")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

sandbox_send alice@sender.invalid bob@discard.invalid >/dev/null
sandbox_send alice@sender.invalid carol@example.org >/dev/null
sandbox_send alice@sender.invalid dave@example.org >/dev/null
sandbox_send bert@sender.invalid nosuchuser@local.invalid >/dev/null
sandbox_send alice@sender.invalid eve@reject.invalid >/dev/null || true
tap_require "Postfix logged the deliveries" wait_log 'status=(sent|bounced|deferred)' 5

pfa_conf log-report="report_to = \"postmaster@example.org\";"
cp "$PFSB_LOG" "$PFA_WORK/maillog.before"
syslog_run "$PFAGENT" -c "$PFA_CONF" --json run log-report >"$PFA_WORK/out" 2>"$PFA_WORK/err"
PFA_RC=$?
PFA_OUT=$PFA_WORK/out
tap_is "$PFA_RC" 0 "the first run exits 0"
m() { jq -r ".tasks[] | select(.name == \"log-report\") | .metrics[] | select(.name == \"$1\") | .value" "$PFA_OUT"; }
d() { jq -r ".tasks[] | select(.name == \"log-report\") | .details | $1" "$PFA_OUT"; }
tap_is "$(m received)" 4 "received: the four accepted messages"
tap_is "$(m delivered)" 1 "delivered: the one to discard:"
tap_is "$(m deferred)" 3 "deferred: two to the smtp transport and the bounce notification"
tap_is "$(m bounced)" 1 "bounced: the unknown local user"
tap_is "$(m rejected)" 1 "rejected: the access rule"
tap_is "$(m expired)/$(m held)/$(m discarded)" "0/0/0" "nothing expired, held or discarded"
tap_is "$(d '.recipients[] | select(.address == "carol@example.org") | "\(.delivered) \(.deferred) \(.bounced)"')" "0 1 0" "carol@example.org: one deferred message"
tap_is "$(d '.recipients[] | select(.address == "nosuchuser@local.invalid") | .bounced')" 1 "nosuchuser@local.invalid: bounced"
tap_is "$(d '.recipient_domains[] | select(.domain == "example.org") | .deferred')" 2 "example.org: two deferred"
tap_is "$(d '.senders[] | select(.address == "alice@sender.invalid") | .messages')" 3 "alice sent three accepted messages"
tap_is "$(d '.rejects.by_stage[0].stage')" RCPT "the reject was at RCPT"
tap_is "$(d '.inputs[0].input')" "$PFSB_LOG" "it read the sandbox's maillog_file (found through postconf)"
tap_is "$(d '.lines.not_understood')" 0 "every line of the sandbox's log was understood"

# pflogsumm on the same file
pfls=$(pflogsumm --detail 0 --syslog-name="$NAME" "$PFA_WORK/maillog.before" 2>/dev/null |
	awk '/^ *[0-9]+[km]? +(received|delivered|deferred|bounced|rejected)/ && !x[$2]++ {printf "%s=%s ", $2, $1}')
ours="received=$(m received) delivered=$(m delivered) deferred=$(m deferred) bounced=$(m bounced) rejected=$(m rejected) "
tap_is "$ours" "$pfls" "the totals equal pflogsumm's on the same log"

syslog_wait 'task=log-report event=summary received=4 delivered=1 deferred=3' 10 >/dev/null
tap_ok "one summary line went to syslog" grep -qE 'pfagent\[[0-9]+\].*task=log-report event=summary received=4 delivered=1 deferred=3 deferrals=3 bounced=1' "$SYSLOG_MESSAGES"
tap_ok "the report was mailed to report_to through sendmail" wait_log 'to=<postmaster@example.org>' 1
tap_ok "and that was logged" grep -q 'task=log-report event=mailed to=postmaster@example.org' "$SYSLOG_MESSAGES"

# the second run: nothing new but the report's own mail
pfa_conf log-report
pfa_run --json run log-report
tap_is "$PFA_RC" 0 "the second run exits 0"
tap_is "$(m received)/$(m delivered)/$(m bounced)/$(m rejected)" "1/0/0/0" "the second run counts only the mailed report (picked up)"
pfa_run --json run log-report
tap_is "$(m received)/$(m deferred)/$(m lines)" "0/0/0" "a third run reports nothing new"

# what came after: counted once
sandbox_send alice@sender.invalid frank@discard.invalid >/dev/null
tap_require "the new delivery is logged" wait_log 'frank@discard.invalid.*status=sent' 1
pfa_run --json run log-report
tap_is "$(m received)/$(m delivered)" "1/1" "the next run reports exactly the new message"
pfa_run -q run log-report
tap_is "$(cat "$PFA_OUT")" "" "with -q (cron's) an OK run prints nothing: cron mails nothing"
pfa_run run log-report
tap_like "$(cat "$PFA_OUT")" '^log-report +ok: 0 received' "without -q the summary is printed"
tap_like "$(cat "$PFA_OUT")" '^Per hour' "and the report under it"

# the text report and the by-hand command (which never moves the position)
pfa_run log-report --all --top 10
tap_is "$PFA_RC" 0 "pfagent log-report --all exits 0"
out=$(cat "$PFA_OUT")
tap_like "$out" '^Totals \(pflogsumm' "the text report has the totals"
tap_like "$out" '^  [0-9]{2} [rd]+ ' "and a per-hour bar chart"
tap_like "$out" 'carol@example.org' "and the recipients"
pfa_run --json log-report --all --mask-addresses
tap_unlike "$(jq -r '.task.details.recipients[].address' "$PFA_OUT")" '^(carol|dave|bob)@' "--mask-addresses hashes the local parts"
tap_like "$(jq -r '.task.details.recipients[].address' "$PFA_OUT")" '^h-[0-9a-f]{10}@example\.org$' "and keeps the domains"
pfa_run --json run log-report
tap_is "$(m received)/$(m lines)" "0/0" "the by-hand runs did not move the saved position"

tap_done
