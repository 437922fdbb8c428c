#!/bin/bash
# 72-log-journal.sh - log-report reads the journal through sd-journal:
# journal files made offline from export-format text with
# systemd-journal-remote (no running systemd needed), read by Postfix's
# syslog facility (not by unit: pickup and postsuper log from other
# units than postfix@-.service), pfagent's own entries skipped and
# counted, other facilities not read, journald's "Suppressed N messages"
# reported as a gap (PFA-LOG-004); a second run from the saved cursor
# reports nothing new, a third only what was added; a cursor that was
# vacuumed away is a gap (PFA-LOG-003).
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
pfa_require_pfagent
JR=/lib/systemd/systemd-journal-remote
[ -x "$JR" ] || tap_bail "$JR not found: ./autogen.sh --deps (systemd-journal-remote)"

m() { jq -r ".tasks[] | select(.name == \"log-report\") | .metrics[] | select(.name == \"$1\") | .value" "$PFA_OUT"; }
d() { jq -r ".tasks[] | select(.name == \"log-report\") | .details | $1" "$PFA_OUT"; }
ids() { jq -r '[.tasks[] | select(.name == "log-report") | .findings[].id] | join(" ")' "$PFA_OUT"; }

BOOT=0123456789abcdef0123456789abcdef
# entry SECONDS IDENTIFIER FACILITY MESSAGE...: one export-format entry
entry() {
	local t=$1 id=$2 fac=$3
	shift 3
	printf '__REALTIME_TIMESTAMP=%s000000\n__MONOTONIC_TIMESTAMP=%s000\n_BOOT_ID=%s\n_HOSTNAME=mx\n_PID=4242\nSYSLOG_FACILITY=%s\nSYSLOG_IDENTIFIER=%s\nMESSAGE=%s\n\n' \
		"$t" "$t" "$BOOT" "$fac" "$id" "$*"
}
T=1772532000	# 2026-03-03 10:00:00 UTC
pfa_work
J=$PFA_WORK/journal
mkdir "$J"
{
	entry $((T + 1)) postfix/smtpd 2 "connect from a.example[192.0.2.1]"
	entry $((T + 2)) postfix/smtpd 2 "AAAA000001: client=a.example[192.0.2.1]"
	entry $((T + 3)) postfix/qmgr 2 "AAAA000001: from=<a@a.example>, size=10, nrcpt=2 (queue active)"
	entry $((T + 4)) postfix/smtp 2 "AAAA000001: to=<b@example.com>, relay=mx.example.com[198.51.100.1]:25, delay=2, delays=1/0/0/1, dsn=2.0.0, status=sent (250 ok)"
	entry $((T + 5)) postfix/smtp 2 "AAAA000001: to=<c@example.com>, relay=mx.example.com[198.51.100.1]:25, delay=3, delays=1/0/0/2, dsn=4.4.1, status=deferred (connect to mx.example.com[198.51.100.1]:25: Connection timed out)"
	entry $((T + 6)) postfix/pickup 2 "BBBB000001: uid=0 from=<root>"
	entry $((T + 7)) postfix/submission/smtpd 2 "NOQUEUE: reject: RCPT from x[192.0.2.9]: 554 5.7.1 <u@v.example>: Relay access denied; from=<a@b> to=<u@v.example> proto=ESMTP helo=<x>"
	entry $((T + 8)) pfagent 2 "task=log-report event=start"
	entry $((T + 9)) CRON 9 "(root) CMD (true)"
	printf '__REALTIME_TIMESTAMP=%s000000\n__MONOTONIC_TIMESTAMP=%s000\n_BOOT_ID=%s\n_HOSTNAME=mx\nSYSLOG_FACILITY=3\nSYSLOG_IDENTIFIER=systemd-journald\nMESSAGE_ID=a596d6fe7bfa4994828e72309e95d61e\nMESSAGE=Suppressed 1234 messages from /system.slice/system-postfix.slice/postfix@-.service\n\n' \
		$((T + 10)) $((T + 10)) "$BOOT"
} >"$PFA_WORK/e1.txt"
tap_require "systemd-journal-remote makes a journal file offline" "$JR" -o "$J/x.journal" "$PFA_WORK/e1.txt"

pfa_conf -d /nonexistent log-report="journal = true; journal_directory = \"$J\"; syslog_names = [ \"postfix\" ];"
pfa_run --json run log-report
tap_is "$PFA_RC" 1 "the first run exits 1 (journald dropped messages: a warning)"
tap_is "$(m received)/$(m delivered)/$(m deferred)/$(m rejected)" "2/1/1/1" "counts from the journal (nested postfix/submission/smtpd included)"
tap_is "$(d '.lines.skipped')/$(d '.lines.skipped_by_program[0].program')" "1/pfagent" "pfagent's own entry is skipped and counted"
tap_is "$(d '.lines.read')" 8 "the other facility's entry is not read; the journald note is not a line"
tap_like "$(ids)" 'PFA-LOG-004' "journald's suppression is reported"
tap_like "$(jq -r '.tasks[] | select(.name == "log-report") | .findings[] | select(.id == "PFA-LOG-004") | .message' "$PFA_OUT")" 'dropped 1234 messages' "with the number it dropped"
tap_is "$(d '.recipients[] | select(.address == "c@example.com") | .deferred')" 1 "per recipient from the journal"
tap_is "$(d '.inputs[0].input')" journal "the input is the journal"

pfa_run --json run log-report
tap_is "$PFA_RC" 0 "the second run exits 0"
tap_is "$(m lines)/$(m received)/$(ids)" "0/0/" "from the saved cursor: nothing new, no finding"

{
	entry $((T + 100)) postfix/smtp 2 "AAAA000001: to=<c@example.com>, relay=mx.example.com[198.51.100.1]:25, delay=100, delays=1/0/0/99, dsn=2.0.0, status=sent (250 ok)"
	entry $((T + 101)) postfix/qmgr 2 "AAAA000001: removed"
} >"$PFA_WORK/e2.txt"
tap_require "entries are added to the journal" "$JR" -o "$J/x.journal" "$PFA_WORK/e2.txt"
pfa_run --json run log-report
tap_is "$(m lines)/$(m delivered)/$(m deferred)" "2/1/0" "the third run reads only the added entries"
pfa_run --json run log-report
tap_is "$(m lines)" 0 "and the fourth nothing"

# vacuumed: the journal now holds only later entries
rm -f "$J"/*.journal
entry $((T + 200)) postfix/smtp 2 "CCCC000001: to=<d@example.com>, relay=mx.example.com[198.51.100.1]:25, delay=1, delays=1/0/0/0, dsn=2.0.0, status=sent (250 ok)" >"$PFA_WORK/e3.txt"
tap_require "a new journal file replaces the vacuumed one" "$JR" -o "$J/y.journal" "$PFA_WORK/e3.txt"
pfa_run --json run log-report
tap_like "$(ids)" 'PFA-LOG-003' "a cursor that was vacuumed away is a gap"
tap_is "$(m delivered)/$(m lines)" "1/1" "and what the journal holds now is read"
pfa_run --json run log-report
tap_is "$(m lines)/$(ids)" "0/" "then nothing, no finding"

# by hand: everything the journal holds, the saved cursor untouched
pfa_run --json log-report --all
tap_is "$(jq -r '.task.details.totals.delivered' "$PFA_OUT")" 1 "pfagent log-report --all reads the whole journal"
pfa_run --json log-report --since "@$((T + 300))"
tap_is "$(jq -r '.task.details.lines.read' "$PFA_OUT")" 0 "--since after the last entry reads nothing"
pfa_run --json run log-report
tap_is "$(m lines)" 0 "the by-hand runs did not move the cursor"

tap_done
