#!/bin/bash
# 60-queue-report.sh - check-queue against a real sandbox Postfix with
# deferred mail injected on loopback: its counts per queue equal
# postqueue -j's and check_mailq's, the --nagios count-only path gives the
# same counts, bytes and age with perfdata and thresholds as exit codes,
# reasons are grouped with the DSN from the defer logs (after a real
# flush), a flood from one sender is flagged and its remedy holds exactly
# that mail, corrupt files are reported, and a second run reports what is
# still deferred and nothing new.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
. "$PFA_SRCDIR/tests/integration/queue.sh"
pfa_require_pfagent

sandbox_up
inject 4
inject 10 SANDBOX_FROM=flood@example.org SANDBOX_TO=user@example.net
inject 3 SANDBOX_FROM=list@example.com SANDBOX_TO=member@example.com SANDBOX_RCPTS=2
tap_require "17 messages are deferred" test "$(pq_count '.queue_name == "deferred"')" = 17

# ------------------------------------------------------------ counts
pfa_work
pfa_conf check-queue="deferred_warn = 20; deferred_crit = 100; sender_min = 1000;"
pfa_run --json run check-queue
tap_is "$PFA_RC" 0 "17 deferred, below deferred_warn = 20: exit 0"
tap_is "$(q_metric total)" 17 "total equals postqueue -j's 17 messages"
tap_is "$(q_metric deferred)" 17 "deferred: 17"
for q in maildrop incoming active hold corrupt; do
	tap_is "$(q_metric $q)" 0 "$q: 0"
done
tap_is "$(q_metric total)" "$(mailq_unsent)" "total equals check_mailq's unsent count"
tap_is "$(q_metric bytes)" "$(pq_jq '[.[].message_size] | add')" "bytes equal the sum of postqueue's message_size"
tap_is "$(q_metric recipients)" 20 "20 recipients (3 messages have 2)"
tap_is "$(q_metric malformed_lines)" 0 "no malformed line"
age=$(q_metric oldest_age_s)
pq_age=$(( $(date +%s) - $(pq_jq '[.[].arrival_time] | min') ))
tap_ok "oldest_age_s ($age) is the oldest arrival's age ($pq_age)" test "$age" -ge 0 -a "$age" -le "$((pq_age + 2))"
tap_is "$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-003")][0].subject')" example.net "the top recipient domain is example.net"
tap_is "$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-004")][0].subject')" flood@example.org "the top sender is flood@example.org"
tap_like "$(q_jq '.findings[] | select(.id == "PFA-QUEUE-002") | .subject')" '^4\.3\.2 deferred transport$' \
	"the sandbox's reason, with its DSN from the defer log"
tap_like "$(q_jq '.findings[] | select(.id == "PFA-QUEUE-001") | .message')" '^17 messages, 20 recipients, .* by age: <5m 17,' \
	"the deferred queue's age distribution (qshape's buckets)"

# ------------------------------------------------------------ --nagios
pfa_run run check-queue --nagios
tap_is "$PFA_RC" 0 "--nagios: exit 0"
tap_like "$(head -n 1 "$PFA_OUT")" '^PFAGENT CHECK-QUEUE OK - 17 messages \(deferred 17\)' "one status line"
tap_is "$(perf deferred)" "17;20;100;0" "perfdata deferred=17;20;100;0"
tap_is "$(perf total)" "17;;;0" "perfdata total, the same count"
tap_is "$(perf bytes)" "$(pq_jq '[.[].message_size] | add')B" "the count-only path's bytes equal postqueue's"
nage=$(perf oldest_age_s | cut -d';' -f1 | tr -d s)
tap_ok "the count-only path's oldest age ($nage s) is the listing's ($age s)" test "$nage" -ge "$age" -a "$nage" -le "$((age + 10))"
pfa_conf check-queue="deferred_warn = 10; deferred_crit = 100; sender_min = 1000;"
pfa_run run check-queue --nagios
tap_is "$PFA_RC" 1 "17 deferred above deferred_warn = 10: exit 1 (WARNING)"
tap_like "$(cat "$PFA_OUT")" '^warning PFA-QUEUE-010 deferred: 17 messages deferred, above the warning threshold 10' "the threshold is named"
pfa_conf check-queue="deferred_warn = 10; deferred_crit = 16; sender_min = 1000;"
pfa_run run check-queue --nagios
tap_is "$PFA_RC" 2 "above deferred_crit = 16: exit 2 (CRITICAL)"
"$CHECK_MAILQ" -M postfix -w 17 -c 100 -d "$PFSB_ETC" >/dev/null
tap_is "$?" 1 "check_mailq -w 17 warns at 17 (its >=), where deferred_warn = 16 would"
pfa_conf check-queue="deferred_crit = -1; deferred_warn = -1; total_warn = 5; age_warn = \"0\"; age_crit = \"0\";"
pfa_run run check-queue --nagios
tap_is "$PFA_RC" 1 "total_warn = 5: exit 1"
tap_is "$(perf deferred)" "17;;;0" "deferred thresholds switched off"

# ------------------------------------------------------------ reasons
pfa_conf check-queue="sender_min = 5; sender_share = 50;"
pfa_run queue flush
tap_is "$PFA_RC" 0 "pfagent queue flush exits 0"
tap_like "$(cat "$PFA_OUT")" "flushed the queue" "and says so"
tap_ok "the flushed mail is deferred again by a refused connection" \
	wait_queue '.queue_name == "deferred" and (.recipients | all(.delay_reason | test("connect to 127.0.0.1")))' 30
pfa_run --json run check-queue
tap_is "$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-002")] | length')" 1 \
	"\"connect to\" and \"delivery temporarily suspended: connect to\" are one reason"
tap_is "$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-002")][0].subject')" \
	"4.4.1 127.0.0.1: connect to 127.0.0.1[...]:N: Connection refused" \
	"grouped by DSN (from the defer logs), server and normalised text"
tap_like "$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-002")][0].message')" '^17 messages, 20 recipients' "counting every message once"

# ------------------------------------------------------------ a flood
tap_is "$PFA_RC" 1 "a flood from one sender: exit 1"
tap_is "$(q_sev PFA-QUEUE-020)" warning "flagged as PFA-QUEUE-020"
tap_is "$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-020")][0].subject')" flood@example.org "naming the sender"
remedy=$(q_jq '[.findings[] | select(.id == "PFA-QUEUE-020")][0].remedy')
tap_is "$remedy" "pfagent -c $PFA_CONF queue hold --sender flood@example.org" "the remedy holds its mail"
flood_ids=$(pq_jq '.[] | select(.sender == "flood@example.org") | .queue_id' | sort)
# shellcheck disable=SC2086 # the remedy is a command line
tap_ok "the remedy runs" "$PFAGENT" -c "$PFA_CONF" queue hold --sender flood@example.org
tap_is "$(pq_jq '.[] | select(.queue_name == "hold") | .queue_id' | sort)" "$flood_ids" "exactly the flood's 10 messages are on hold"
pfa_run --json run check-queue
tap_is "$PFA_RC" 0 "the next run: exit 0"
tap_is "$(q_sev PFA-QUEUE-020)" none "no flood any more"
tap_is "$(q_sev PFA-QUEUE-025)" info "mail on hold is a note"
tap_is "$(q_metric hold)" 10 "hold: 10"
tap_is "$(q_metric deferred)" 7 "deferred: 7"
tap_is "$(q_metric total)" "$(mailq_unsent)" "still equal to check_mailq"

# ------------------------------------------------------------ corrupt
printf 'damaged' >"$PFSB_SPOOL/corrupt/ABCDEF12345"
pfa_run --json run check-queue
tap_is "$(q_metric corrupt)" 1 "a file in corrupt is counted"
tap_is "$(q_sev PFA-QUEUE-026)" warning "and reported"
pfa_run run check-queue --nagios
tap_is "$(perf corrupt)" 1 "the count-only path counts it too"
rm -f "$PFSB_SPOOL/corrupt/ABCDEF12345"

# ------------------------------------------------------------ again
pfa_run --json run check-queue
tap_is "$PFA_RC" 0 "running again: exit 0"
tap_like "$(q_jq '.findings[] | select(.id == "PFA-QUEUE-005") | .message')" \
	'^7 deferred messages were already queued at the last run .* deferred \+0 since then' \
	"the trend: the same 7 messages still deferred, no growth"
tap_is "$(q_jq '[.findings[] | select(.severity != "info")] | length')" 0 "nothing else to report"
tap_is "$(pq_count)" 17 "the runs changed nothing in the queue"

tap_done
