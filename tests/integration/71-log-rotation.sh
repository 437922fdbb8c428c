#!/bin/bash
# 71-log-rotation.sh - log-report resumes exactly where it stopped:
# across `postfix logrotate` of the real sandbox's maillog_file (renamed
# and gzipped between two runs: nothing lost, nothing counted twice);
# over a chain of rotated files (mail.log.2.gz, mail.log.1, mail.log)
# with both timestamp styles, a half-written last line (read once it is
# complete), binary garbage and a 1 MB line (exact counts); and it
# reports the gaps it cannot close: a truncated file (PFA-LOG-002), a
# file replaced or rotated away unseen (PFA-LOG-001).
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
pfa_require_pfagent

m() { jq -r ".tasks[] | select(.name == \"log-report\") | .metrics[] | select(.name == \"$1\") | .value" "$PFA_OUT"; }
ids() { jq -r '[.tasks[] | select(.name == "log-report") | .findings[].id] | join(" ")' "$PFA_OUT"; }

# ------------------------------------------------ the sandbox's logrotate
sandbox_up
printf 'discard.invalid discard:\n' >"$PFSB_ETC/transport"
postconf -c "$PFSB_ETC" -e "transport_maps = texthash:$PFSB_ETC/transport"
postfix -c "$PFSB_ETC" reload
sleep 1
wait_sent() {
	local i
	for i in $(seq 1 100); do
		[ "$(for f in "$PFSB_DIR"/log/maillog*; do zcat -f "$f"; done 2>/dev/null | grep -c 'status=sent')" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
pfa_work
pfa_conf log-report
sandbox_send a@sender.invalid one@discard.invalid >/dev/null
sandbox_send a@sender.invalid two@discard.invalid >/dev/null
tap_require "two deliveries logged" wait_sent 2
pfa_run --json run log-report
tap_is "$(m delivered)" 2 "the first run counts two deliveries"
sandbox_send a@sender.invalid three@discard.invalid >/dev/null
tap_require "a third logged" wait_sent 3
tap_require "postfix logrotate renames and compresses the log" postfix -c "$PFSB_ETC" logrotate
for _ in $(seq 1 50); do
	ls "$PFSB_DIR"/log/maillog.*.gz >/dev/null 2>&1 && break
	sleep 0.1
done
tap_ok "a compressed copy exists" ls "$PFSB_DIR"/log/maillog.*.gz
sandbox_send a@sender.invalid four@discard.invalid >/dev/null
tap_require "a fourth logged, in the new file" wait_sent 4
pfa_run --json run log-report
tap_is "$(m delivered)" 2 "after the rotation: the rest of the old (now compressed) file and the new one, once each"
tap_like "$(jq -r '.tasks[] | select(.name == "log-report") | .details.inputs[].input' "$PFA_OUT")" 'maillog\.[0-9-]+\.gz$' "the compressed copy was read"
tap_unlike "$(ids)" 'PFA-LOG-00[12]' "and no gap is reported"
pfa_run --json run log-report
tap_is "$(m delivered)/$(m received)" "0/0" "the run after that reports nothing"
sandbox_down

# ------------------------------------------------ fixtures: exact counts
pfa_work
D=$PFA_WORK/logs
mkdir "$D"
S=$PFA_SRCDIR/tests/fixtures/logreport
# oldest: RFC 3339, gzipped; then traditional, then the live file
gzip -c "$S/youyo_test-iso8601.log" >"$D/mail.log.2.gz"
cp "$S/youyo_test.log" "$D/mail.log.1"
{
	cat "$S/kumina_postfix_exporter_test_lines.log"
	printf 'binary\0garbage \001\002\377 line\n'
	head -c 1048576 /dev/zero | tr '\0' x
	printf '\n'
	printf 'Mar  3 10:00:01 mx pfagent[9]: task=log-report event=start\n'
	printf 'Mar  3 10:00:02 mx postfix/smtp[4]: ABCDEF0001: to=<half@example.com>, relay=mx[192.0.2.1]:25, delay=1, delays=1/0/0/0, dsn=2.0.0, st'
} >"$D/mail.log"
touch -d '3 days ago' "$D/mail.log.2.gz"
touch -d '2 days ago' "$D/mail.log.1"
pfa_conf log-report="log_file = \"$D/mail.log\"; syslog_names = [ \"postfix\" ];"
pfa_run --json run log-report
tap_is "$PFA_RC" 2 "the chain is read (exit 2: the kumina sample holds a fatal: line)"
tap_like "$(ids)" 'PFA-LOG-005' "the fatal: line is a CRITICAL finding"
tap_is "$(jq -r '[.tasks[] | select(.name == "log-report") | .details.inputs[].input | sub(".*/"; "")] | join(" ")' "$PFA_OUT")" "mail.log.2.gz mail.log.1 mail.log" "oldest first: .2.gz, .1, the live file"
# youyo x2: 3 received, 4 delivered each; kumina: 2 received, 2
# delivered, 1 deferred, 1 bounced
tap_is "$(m received)/$(m delivered)/$(m deferred)/$(m bounced)" "8/10/1/1" "exact totals over the three files"
tap_is "$(jq -r '.tasks[] | select(.name == "log-report") | .details.lines | "\(.binary) \(.oversized) \(.skipped)"' "$PFA_OUT")" "1 1 1" "one binary line, one oversized line, one pfagent line (skipped)"
tap_is "$(jq -r '.tasks[] | select(.name == "log-report") | .details.lines.skipped_by_program[0].program' "$PFA_OUT")" pfagent "skipped lines are counted per program"
tap_like "$(ids)" 'PFA-LOG-010' "what was not understood is a note"
tap_is "$(jq -r '.tasks[] | select(.name == "log-report") | .details.period.first' "$PFA_OUT" | cut -c1-4)" 2020 "RFC 3339 lines keep their year (the period starts in 2020)"
tap_is "$(jq -r '.tasks[] | select(.name == "log-report") | .details.period.last' "$PFA_OUT" | cut -c1-4)" "$(date -d '2 days ago' +%Y)" "lines without a year get their file's (from its mtime), not the year of the file before"
# the half-written line is completed
printf 'atus=sent (250 ok)\n' >>"$D/mail.log"
pfa_run --json run log-report
tap_is "$(m delivered)/$(m lines)" "1/1" "the completed last line is read once, whole"
pfa_run --json run log-report
tap_is "$(m lines)" 0 "then nothing"

# truncation: PFA-LOG-002, the file is read from its start
cp "$S/youyo_test.log" "$D/mail.log"
pfa_run --json run log-report
tap_like "$(ids)" 'PFA-LOG-002' "a file shorter than the saved offset is a truncation gap"
tap_is "$(m delivered)" 4 "and it is read from its start"
# replaced under the same name, different first line, nothing rotated
tail -n 5 "$S/youyo_test.log" >"$D/mail.log.new"
mv "$D/mail.log.new" "$D/mail.log"
rm -f "$D/mail.log.1" "$D/mail.log.2.gz"
pfa_run --json run log-report
tap_like "$(ids)" 'PFA-LOG-001' "a file replaced unseen is a gap"
tap_is "$(m lines)" 5 "and the new file is read whole"
pfa_run --json run log-report
tap_is "$(m lines)/$(ids)" "0/" "the run after that: nothing, no finding"

tap_done
