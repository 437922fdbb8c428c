#!/bin/bash
# 61-queue-commands.sh - pfagent queue purge|hold|release against a real
# sandbox Postfix: --dry-run (and -n) list what would be touched and
# touch nothing; purge by recipient deletes exactly that recipient's
# messages and leaves every other one (counted before and after, by
# queue id); a message for other recipients too is left alone unless
# --any; hold and release move exactly the selected messages; every
# action is logged with its ids at a real syslog-ng; bad selectors change
# nothing; and running again finds nothing to do.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
. "$PFA_SRCDIR/tests/integration/queue.sh"
pfa_require_pfagent

sandbox_up
syslog_up
inject 6 SANDBOX_FROM=s1@example.test SANDBOX_TO=alice@example.net
inject 4 SANDBOX_FROM=s2@example.test SANDBOX_TO=bob@example.net
inject 3 SANDBOX_FROM=s1@example.test SANDBOX_TO=carol@example.com SANDBOX_RCPTS=2
tap_require "13 messages are deferred" test "$(pq_count)" = 13
pfa_work
pfa_conf check-queue
q() { syslog_run "$PFAGENT" -c "$PFA_CONF" "$@"; }
ids_of() { pq_jq ".[] | select($1) | .queue_id" | sort; }
to() { echo "(.recipients | map(.address) | index(\"$1\")) != null"; }

all_before=$(ids_of true)
alice=$(ids_of "$(to alice@example.net)")
tap_is "$(echo "$alice" | wc -l)" 6 "alice has 6 messages"

# ------------------------------------------------------------ dry run
out=$(q queue purge --recipient alice@example.net --dry-run 2>&1)
tap_is "$?" 0 "purge --dry-run exits 0"
tap_is "$(echo "$out" | grep -c '^  deferred ')" 6 "it lists the 6 messages"
tap_like "$out" "would have deleted 6 messages; dry run: nothing changed" "and says nothing changed"
tap_is "$(ids_of true)" "$all_before" "--dry-run deleted nothing"
out=$(q -n queue purge --recipient ALICE@example.net 2>&1)
tap_is "$?" 0 "-n before the command is a dry run too (case does not matter)"
tap_like "$out" "would have deleted 6 messages" "the same 6"
tap_is "$(pq_count)" 13 "still 13 messages"

# ------------------------------------------------------------ purge
out=$(q queue purge --recipient alice@example.net 2>&1)
tap_is "$?" 0 "purge --recipient exits 0"
tap_like "$out" "^deleted 6 messages:" "reports what Postfix deleted"
tap_is "$(pq_count "$(to alice@example.net)")" 0 "alice's messages are gone"
tap_is "$(ids_of true)" "$(comm -23 <(echo "$all_before") <(echo "$alice"))" \
	"every other message is still there, by queue id"
tap_ok "the purge is logged with the ids it touched" \
	syslog_wait "pfagent\[[0-9]+\] mail\.notice: task=check-queue event=purged count=6 part=1 ids=$(echo "$alice" | paste -sd, -)\$" 10
logged=$(grep -o 'event=purged count=6 part=1 ids=[^ ]*' "$SYSLOG_MESSAGES" | sed 's/.*ids=//' | tr , '\n' | sort)
tap_is "$logged" "$alice" "exactly alice's ids"

# ------------------------------------------------------------ partial
out=$(q queue purge --recipient carol@example.com 2>&1)
tap_is "$?" 0 "purge of one of two recipients exits 0"
tap_like "$out" "0 messages selected; 3 skipped: also for other recipients" "it skips messages for others too"
tap_is "$(pq_count)" 7 "nothing was deleted"
out=$(q queue purge --recipient carol@example.com --any --json 2>&1)
tap_is "$?" 0 "with --any it takes them"
tap_is "$(echo "$out" | jq '.touched | length')" 3 "--json: 3 touched"
tap_is "$(echo "$out" | jq '.selected[0].recipients | length')" 2 "--json lists their recipients"
tap_is "$(pq_count)" 4 "bob's 4 are left"

# ------------------------------------------------------------ hold, release
bob=$(ids_of "$(to bob@example.net)")
inject 2 SANDBOX_FROM=s3@example.test SANDBOX_TO=dave@example.org
out=$(q queue hold --domain example.net 2>&1)
tap_is "$?" 0 "hold --domain exits 0"
tap_is "$(ids_of '.queue_name == "hold"')" "$bob" "exactly bob's 4 messages are on hold"
tap_is "$(pq_count '.queue_name == "deferred"')" 2 "dave's 2 are still deferred"
tap_ok "the hold is logged" syslog_wait "task=check-queue event=held count=4 part=1 ids=" 10
out=$(q queue hold --domain example.net 2>&1)
tap_like "$out" "0 messages selected; 4 already on hold" "holding them again selects none"
out=$(q queue release --sender s2@example.test 2>&1)
tap_is "$?" 0 "release --sender exits 0"
tap_is "$(pq_count '.queue_name == "hold"')" 0 "nothing is on hold"
tap_is "$(ids_of '.queue_name == "deferred"' | grep -cxF "$bob")" 4 "bob's 4 are back in deferred"
tap_ok "the release is logged" syslog_wait "task=check-queue event=released count=4 part=1 ids=" 10

# ------------------------------------------------------------ refusals
before=$(ids_of true)
q queue purge >/dev/null 2>&1
tap_is "$?" 3 "purge without a selector: exit 3"
q queue purge --queue deferred >/dev/null 2>&1
tap_is "$?" 3 "--queue alone is not a selection (--all is needed)"
q queue purge --recipient x@y --all >/dev/null 2>&1
tap_is "$?" 3 "--all with a selector: exit 3"
q queue purge --bogus x >/dev/null 2>&1
tap_is "$?" 3 "an unknown option: exit 3"
q queue release --queue deferred --all >/dev/null 2>&1
tap_is "$?" 3 "release from another queue than hold: exit 3"
q queue flush --recipient x@y >/dev/null 2>&1
tap_is "$?" 3 "flush with a selector: exit 3"
tap_is "$(ids_of true)" "$before" "none of them touched the queue"
tap_like "$("$PFAGENT" --help)" "Task command \(check-queue\): pfagent \[OPTIONS\] queue purge\|hold\|release" "--help lists the command"

# ------------------------------------------------------------ again
out=$(q queue purge --recipient alice@example.net 2>&1)
tap_is "$?" 0 "purging alice again exits 0"
tap_like "$out" "^0 messages selected" "and finds nothing to do"
tap_is "$(ids_of true)" "$before" "the queue is unchanged"
pfa_run --json run check-queue
tap_is "$(q_metric total)" 6 "check-queue counts the 6 left"
tap_is "$(q_metric total)" "$(mailq_unsent)" "as check_mailq does"

tap_done
