#!/bin/bash
# 73-log-pflogsumm.sh - log-report's totals equal pflogsumm's
# (`pflogsumm --detail 0`) on the same input for received, delivered,
# deferred, bounced and rejected: on every real log in
# tests/fixtures/logreport and on generated ones (tests/bench/genlog.awk,
# both timestamp styles, several seeds).  Where the ledger differs on
# purpose, the test says why: a content filter's re-injection (pflogsumm
# counts the message twice, the ledger's "messages" once) and a reused
# short queue id (pflogsumm keys "deferred" on the id alone).
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
pfa_require_pfagent
command -v pflogsumm >/dev/null || tap_bail "pflogsumm not found: ./autogen.sh --deps"

pfa_work
L=$PFA_WORK/mail.log
pfa_conf -d /nonexistent log-report="log_file = \"$L\"; syslog_names = [ \"postfix\" ];"

totals_pflogsumm() {
	pflogsumm --detail 0 "$1" 2>/dev/null |
	    awk '/^ *[0-9]+[km]? +(received|delivered|deferred|bounced|rejected)/ && !x[$2]++ {printf "%s=%s ", $2, $1}'
}
totals_ours() {
	pfa_run --json log-report --all
	jq -r '.task.details.totals | "received=\(.received) delivered=\(.delivered) deferred=\(.deferred) bounced=\(.bounced) rejected=\(.rejected) "' "$PFA_OUT"
}

for f in "$PFA_SRCDIR"/tests/fixtures/logreport/*.log; do
	cp "$f" "$L"
	tap_is "$(totals_ours)" "$(totals_pflogsumm "$L")" "$(basename "$f"): the totals equal pflogsumm's"
done

for style in rfc3339 traditional; do
	for seed in 1 2; do
		awk -v LINES=20000 -v SEED="$seed" -v STYLE="$style" \
		    -f "$PFA_SRCDIR/tests/bench/genlog.awk" >"$L"
		tap_is "$(totals_ours)" "$(totals_pflogsumm "$L")" "generated ($style, seed $seed): the totals equal pflogsumm's"
		r=$(jq -r '.task.details.totals | "\(.messages) \(.received - .reinjected) \(.reinjected > 0)"' "$PFA_WORK/out")
		tap_is "$r" "$(echo "$r" | awk '{print $2, $2, "true"}')" "on purpose: messages = received - re-injected (pflogsumm counts a filtered message twice)"
	done
done

# the grok corpus (postfix-grok-patterns' test messages, given a syslog
# header with their pattern's daemon): every line parses, and only the
# shapes listed below are not understood
awk -F'\t' '$2 != "" && $2 !~ /tls_features|command_counter_data/ {
	d = $2; if (d == "trivial_rewrite") d = "trivial-rewrite"; if (d == "script") d = "postfix-script"
	m = $3; gsub(/\\n/, " ", m); gsub(/\\r/, "", m)
	printf "Mar  3 10:00:01 mx postfix/%s[1]: %s\n", d, m }' \
	"$PFA_SRCDIR/tests/fixtures/logreport/whyscream_grok_test_messages.tsv" >"$L"
pfa_run --json log-report --all --top 0
tap_is "$(jq -r '.task.details.lines | "\(.read) \(.malformed)"' "$PFA_OUT")" "180 0" "grok corpus: 180 lines, every one parses"
# local's "to=user@..." without angle brackets (pflogsumm skips it too),
# and two fragments the grok tests match on their own (delays, relay)
tap_is "$(jq -r '[.task.details.lines.not_understood_by_daemon[] | "\(.daemon)=\(.count)"] | sort | join(" ")' "$PFA_OUT")" "delays=1 local=2 relay=1" "grok corpus: only four lines of known odd shapes are not understood"

# a reused short queue id: two messages, one id
cat >"$L" <<'LOG'
Mar  3 10:00:01 mx postfix/smtpd[1]: F00000: client=a.example[192.0.2.1]
Mar  3 10:00:01 mx postfix/smtp[4]: F00000: to=<a@b.example>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (connect to b.example[192.0.2.7]:25: Connection refused)
Mar  3 10:00:02 mx postfix/smtp[4]: F00000: to=<a@b.example>, relay=none, delay=1, delays=1/0/0/0, dsn=5.4.7, status=bounced (delivery temporarily suspended)
Mar  3 10:00:02 mx postfix/qmgr[3]: F00000: removed
Mar  3 10:00:09 mx postfix/smtpd[1]: F00000: client=c.example[192.0.2.2]
Mar  3 10:00:09 mx postfix/smtp[4]: F00000: to=<d@e.example>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (connect to e.example[192.0.2.8]:25: Connection refused)
LOG
ours=$(totals_ours)
tap_is "$(totals_pflogsumm "$L")" "received=2 delivered=0 deferred=1 bounced=1 rejected=0 " "pflogsumm: one deferred (it keys on the queue id alone)"
tap_is "$ours" "received=2 delivered=0 deferred=2 bounced=1 rejected=0 " "on purpose: the ledger counts two deferred messages (the id was reused after \"removed\")"

tap_done
