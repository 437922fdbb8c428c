# queue.sh - check-queue helpers for the scenarios 60-69 (sourced after
# lib.sh and pfa.sh).
#   inject N [VAR=value...]   sandbox.sh inject with SANDBOX_* settings
#   pq_jq FILTER              jq -s FILTER over postqueue -j of the sandbox
#   pq_count [SELECT]         messages postqueue -j lists (jq condition)
#   q_jq FILTER               jq on the check-queue task of $PFA_OUT (--json)
#   q_metric NAME             a metric of the last --json run
#   q_sev ID                  the first finding ID's severity, or "none"
#   perf NAME                 a perfdata field of the last --nagios run
#   mailq_unsent              check_mailq's count of the sandbox's queue
#   wait_queue JQ-COND SECS   until postqueue -j satisfies JQ-COND

CHECK_MAILQ=/usr/lib/nagios/plugins/check_mailq
[ -x "$CHECK_MAILQ" ] || tap_bail "check_mailq not found (apt-get install monitoring-plugins-standard)"
command -v qshape >/dev/null || tap_bail "qshape not found (package postfix)"

inject() {
	local n=$1
	shift
	env "$@" bash "$PFA_SRCDIR/tests/sandbox/sandbox.sh" inject "$PFSB_DIR" "$n" >/dev/null ||
		tap_bail "sandbox.sh inject $n $* failed"
}

pq_jq() {
	postqueue -c "$PFSB_ETC" -j 2>/dev/null | jq -s -r "$1"
}

pq_count() {
	pq_jq "[.[] | select(${1:-true})] | length"
}

q_jq() {
	jq -r ".tasks[] | select(.name == \"check-queue\") | $1" "$PFA_OUT"
}

q_metric() {
	q_jq ".metrics[] | select(.name == \"$1\") | .value"
}

q_sev() {
	local s
	s=$(q_jq "[.findings[] | select(.id == \"$1\")][0].severity // \"none\"")
	echo "${s:-none}"
}

perf() {
	head -n 1 "$PFA_OUT" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

mailq_unsent() {
	"$CHECK_MAILQ" -M postfix -w 1000000 -c 2000000 -d "$PFSB_ETC" |
		sed -n 's/.*unsent=\([0-9]*\).*/\1/p'
}

wait_queue() {
	local end=$((SECONDS + $2))
	while [ "$(pq_jq "[.[] | select($1)] | length > 0")" != true ] ||
		[ "$(pq_jq "all(.[]; $1)")" != true ]; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.3
	done
}
