#!/bin/bash
# 62-queue-stopped.sh - check-queue with Postfix stopped: a CRITICAL
# finding says so, the counts (root's postqueue reads the queue itself)
# still equal postqueue -j's, check_mailq's and qshape's, both in the
# listing and in the --nagios count-only path; ages come from the arrival
# time of back-dated messages (not the deferred files' mtimes, which are
# their next retry); a message waiting in maildrop is reported; and once
# Postfix runs again those findings go and the next run is the same.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
. "$PFA_SRCDIR/tests/integration/queue.sh"
pfa_require_pfagent

sandbox_up
inject 3 SANDBOX_AGE=2d SANDBOX_FROM=old@example.org SANDBOX_TO=user@example.net
inject 2
tap_require "5 messages are deferred" test "$(pq_count '.queue_name == "deferred"')" = 5
now=$(date +%s)
oldest=$(pq_jq '[.[].arrival_time] | min')
tap_ok "postqueue says the oldest arrived 2 days ago" test $((now - oldest)) -ge 172000
tap_ok "while its file's mtime is in the future (its next retry)" \
	test "$(find "$PFSB_SPOOL/deferred" -type f -newermt "@$now" | wc -l)" = 5

tap_require "Postfix stops" postfix -c "$PFSB_ETC" stop
printf 'Subject: stuck\n\nin maildrop\n' >"$PFA_TEST_ROOT/msg"
sendmail -C "$PFSB_ETC" -f local@example.test rcpt@example.test <"$PFA_TEST_ROOT/msg" 2>/dev/null
md=$(find "$PFSB_SPOOL/maildrop" -type f)
tap_require "a message waits in maildrop" test -n "$md"
# submitted an hour ago: postdrop wrote its arrival time into the first
# record ("T", length, "SECONDS USECONDS"); rewritten in place (the inode
# names the file), with as many digits
perl -e 'open(my $f, "+<", $ARGV[0]) or die; read($f, my $h, 64);
	$h =~ s/^T(.)(\d+)/"T$1" . ($2 - 3600)/se or die; seek($f, 0, 0);
	print $f $h; close($f) or die' "$md"
tap_ok "it arrived an hour ago" test "$(pq_jq '.[] | select(.queue_name == "maildrop") | .arrival_time')" -le $((now - 3500))

pfa_work
pfa_conf check-queue
pfa_run --json run check-queue
tap_is "$PFA_RC" 2 "Postfix stopped: exit 2"
tap_is "$(q_sev PFA-QUEUE-030)" critical "PFA-QUEUE-030 says Postfix is not running"
tap_is "$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-030")][0].remedy')" "postfix -c $PFSB_ETC start" "with the remedy for this instance"
tap_is "$(q_metric deferred)" "$(pq_count '.queue_name == "deferred"')" "deferred equals postqueue -j's (5), reading the queue directly"
tap_is "$(q_metric maildrop)" 1 "maildrop: 1"
tap_is "$(q_metric total)" "$(pq_count)" "total equals postqueue -j's"
tap_is "$(q_metric total)" "$(mailq_unsent)" "and check_mailq's"
tap_is "$(q_metric bytes)" "$(pq_jq '[.[].message_size] | add')" "bytes equal postqueue's"
age=$(q_metric oldest_age_s)
tap_ok "oldest_age_s ($age) is the back-dated arrival's age" test "$age" -ge $((now - oldest)) -a "$age" -le $((now - oldest + 30))
tap_is "$(q_sev PFA-QUEUE-013)" warning "older than age_warn (1d)"
tap_is "$(q_sev PFA-QUEUE-022)" warning "the message waiting in maildrop is reported"
tap_like "$(q_jq '.findings[] | select(.id == "PFA-QUEUE-022") | .message')" "Postfix is not running" "with the likely cause"
tap_is "$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-001" and .subject == "deferred")][0].message' | sed 's/.*by age: //')" \
	"<5m 2, <10m 0, <20m 0, <40m 0, <80m 0, <160m 0, <320m 0, <640m 0, <1280m 0, 1280m+ 3" "the age distribution from arrival times"
qs=$(qshape -c "$PFSB_ETC" deferred | awk '$1 == "TOTAL" { print $2 }')
tap_is "$qs" "$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-001" and .subject == "deferred")][0].message' | sed 's/^[0-9]* messages, \([0-9]*\) recipients.*/\1/')" \
	"qshape's deferred total equals the deferred recipients"

pfa_run run check-queue --nagios
tap_is "$PFA_RC" 2 "--nagios: exit 2"
tap_like "$(head -n 1 "$PFA_OUT")" "^PFAGENT CHECK-QUEUE CRITICAL - 6 messages \(maildrop 1, deferred 5\)" "the status line"
tap_like "$(cat "$PFA_OUT")" "^critical PFA-QUEUE-030 " "the stopped Postfix is named"
tap_is "$(perf deferred | cut -d';' -f1)" 5 "the count-only path counts 5 deferred"
tap_is "$(perf maildrop)" 1 "and the maildrop file (dated by its mtime)"
tap_is "$(perf bytes)" "$(pq_jq '[.[].message_size] | add')B" "bytes as postqueue's"

# ------------------------------------------------------------ again
bash "$SANDBOX_SH" status "$PFSB_DIR" && tap_bail "the sandbox should be stopped"
tap_require "Postfix starts again" postfix -c "$PFSB_ETC" start
end=$((SECONDS + 30))
while [ -n "$(find "$PFSB_SPOOL/maildrop" -type f)" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
tap_ok "pickup takes the maildrop message in" test -z "$(find "$PFSB_SPOOL/maildrop" -type f)"
pfa_run --json run check-queue
tap_is "$PFA_RC" 1 "running: exit 1 (only the age warning)"
tap_is "$(q_sev PFA-QUEUE-030)" none "no stopped Postfix"
tap_is "$(q_sev PFA-QUEUE-022)" none "nothing in maildrop"
tap_is "$(q_metric maildrop)" 0 "maildrop: 0"
tap_is "$(q_metric total)" "$(pq_count)" "total still equals postqueue -j's"
pfa_run --json run check-queue
tap_is "$PFA_RC" 1 "and again: exit 1"
tap_is "$(q_jq '[.findings[] | select(.severity != "info") | .id] | join(",")')" PFA-QUEUE-013 "nothing but the age warning"

tap_done
