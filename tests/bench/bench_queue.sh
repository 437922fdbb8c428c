#!/bin/bash
# bench_queue.sh BUILDDIR - time pfagent's check-queue against the tools an
# administrator would otherwise run, side by side, on a real sandbox
# Postfix (tests/sandbox/sandbox.sh) holding SIZES deferred messages.
#
# For each size (default "2000 20000": the queue is filled to the first,
# measured, then filled to the next), N times (default 7), interleaved and
# with the order rotated every run:
#   postqueue  `postqueue -c ETC -j > /dev/null`, the listing alone
#   report     `pfagent -c CONF --json run check-queue`: the full report
#              (postqueue -j streamed, tallied, reasons grouped, defer
#              logs sampled, findings, state saved)
#   nagios     `pfagent -c CONF run check-queue --nagios`: the count-only
#              path (the queue directories read directly)
#   qshape     `qshape -c ETC deferred`
#   check_mailq `check_mailq -M postfix -w 100 -c 1000 -d ETC`
#   mailq      `postqueue -c ETC -p > /dev/null`
# then once more each of postqueue, report and nagios under GNU time for
# the peak resident memory.  Every run's counts are checked: the report's
# and the count-only path's total must equal postqueue -j's lines and
# check_mailq's count.  Prints medians (min, max) and the ratios the issue
# asks for.  It never asserts a timing: the exit status is 1 only if a
# tool failed or a count differed.
#
# Environment: N (runs, default 7), SIZES (default "2000 20000", rising).
# Runs as root (the sandbox does).  Filling 20,000 messages takes 25-55 s.

# Under "sh script" (make's $(SHELL) is /bin/sh), switch to bash first.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022

builddir=${1:?usage: bench_queue.sh BUILDDIR}
builddir=$(cd "$builddir" && pwd -P) || exit 1
srcdir=$(cd "$(dirname "$0")/../.." && pwd -P) || exit 1
pfagent=$builddir/pfagent
sandbox=$srcdir/tests/sandbox/sandbox.sh
check_mailq=/usr/lib/nagios/plugins/check_mailq
N=${N:-7}
SIZES=${SIZES:-2000 20000}

die() {
	echo "bench_queue.sh: $*" >&2
	exit 1
}

[ -x "$pfagent" ] || die "$pfagent not built (make pfagent)"
[ -x "$check_mailq" ] || die "check_mailq not found (apt-get install monitoring-plugins-standard)"
command -v qshape >/dev/null || die "qshape not found (install postfix)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[ "$N" -ge 1 ] 2>/dev/null || die "N must be a positive number"

tmp=$(mktemp -d /tmp/bench_queue.XXXXXX) && chmod 0755 "$tmp" || exit 1
sb=$tmp/sb
mkdir "$sb" || exit 1
cleanup() {
	if [ -e "$sb/.pfsandbox" ]; then
		bash "$sandbox" down "$sb" >/dev/null 2>&1 ||
		    echo "bench_queue.sh: sandbox down failed for $sb" >&2
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
status=0

env_lines=$(bash "$sandbox" up "$sb") || die "sandbox up failed"
eval "$env_lines"
etc=$PFSB_ETC
mkdir -m 0700 "$tmp/state" || exit 1
conf=$tmp/pfagent.conf
{
	echo "postfix = { config_directory = \"$etc\"; log_file = \"$PFSB_LOG\"; };"
	echo "state_directory = \"$tmp/state\";"
	echo "tasks = {"
	"$pfagent" --help | sed -n 's/^Tasks: *//p' | tr ' ' '\n' | grep -v '^$' |
	    grep -vx check-queue | sed 's/.*/  & = { enabled = false; };/'
	echo "  check-queue = { };"
	echo "};"
} >"$conf"
chmod 0600 "$conf"

now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "$t"
}

# timed NAME CMD...: runs CMD (stdout to $tmp/NAME.out), appends its wall
# time in milliseconds to $tmp/NAME.ms.  Returns CMD's exit status.
timed() {
	local name=$1 t0 t1 rc
	shift
	t0=$(now_us)
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	t1=$(now_us)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1000 }' \
	    >>"$tmp/$name.ms"
	return "$rc"
}

stats() {
	sort -n "$1" | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "- - -"; exit }
			h = int(NR / 2)
			m = NR % 2 ? v[h + 1] : (v[h] + v[h + 1]) / 2
			printf "%.1f %.1f %.1f\n", m, v[1], v[NR]
		}'
}

median() {
	stats "$1" | cut -d' ' -f1
}

failed() {
	echo "  FAILED: $1" >&2
	sed 's/^/    /' "$tmp/$2.err" 2>/dev/null | tail -n 5 >&2
	status=1
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

# the tools, one function each; each checks what it printed
run_postqueue() {
	timed postqueue postqueue -c "$etc" -j || failed postqueue postqueue
}
run_report() {
	timed report "$pfagent" -c "$conf" --json run check-queue
	[ $? -le 2 ] || failed "pfagent run check-queue" report
	local got
	got=$(jq -r '.tasks[] | select(.name == "check-queue") | .metrics[] |
	    select(.name == "total") | .value' "$tmp/report.out")
	[ "$got" = "$want" ] || { echo "  FAILED: the report counted $got, not $want" >&2; status=1; }
}
run_nagios() {
	timed nagios "$pfagent" -c "$conf" run check-queue --nagios
	[ $? -le 2 ] || failed "pfagent --nagios" nagios
	local got
	got=$(head -n 1 "$tmp/nagios.out" | tr ' ' '\n' | sed -n 's/^total=\([0-9]*\).*/\1/p')
	[ "$got" = "$want" ] || { echo "  FAILED: --nagios counted $got, not $want" >&2; status=1; }
}
run_qshape() {
	timed qshape qshape -c "$etc" deferred || failed qshape qshape
}
run_check_mailq() {
	timed check_mailq "$check_mailq" -M postfix -w 100 -c 1000 -d "$etc"
	[ $? -le 2 ] || failed check_mailq check_mailq
	local got
	got=$(sed -n 's/.*unsent=\([0-9]*\).*/\1/p' "$tmp/check_mailq.out")
	[ "$got" = "$want" ] || { echo "  FAILED: check_mailq counted $got, not $want" >&2; status=1; }
}
run_mailq() {
	timed mailq postqueue -c "$etc" -p || failed "postqueue -p" mailq
}
tools="postqueue report nagios qshape check_mailq mailq"

# peak NAME CMD...: the peak resident set size of CMD, in kB
peak() {
	/usr/bin/time -f '%M' -o "$tmp/peak" "$@" >/dev/null 2>&1
	tail -n 1 "$tmp/peak"
}

echo "check-queue: $N runs per size, $(getconf _NPROCESSORS_ONLN) CPUs," \
    "$(postconf -d -h mail_version 2>/dev/null | sed 's/^/Postfix /')"
have=0
summary=
for size in $SIZES; do
	echo "filling the queue to $size deferred messages"
	bash "$sandbox" inject "$sb" $((size - have)) || die "inject failed"
	have=$size
	want=$(postqueue -c "$etc" -j | wc -l)
	[ "$want" = "$size" ] || die "postqueue -j lists $want messages, not $size"
	"$pfagent" -c "$conf" run check-queue >/dev/null 2>&1	# warm
	for t in $tools; do : >"$tmp/$t.ms"; done
	set -- $tools
	for i in $(seq 1 "$N"); do
		printf '  run %d:' "$i"
		for t in "$@"; do
			"run_$t"
			printf ' %s %sms' "$t" "$(tail -n 1 "$tmp/$t.ms")"
		done
		echo
		set -- "${@:2}" "$1"	# rotate the order
	done
	echo "  $size messages: median (min, max) in ms"
	for t in $tools; do
		read -r m lo hi < <(stats "$tmp/$t.ms")
		printf '    %-12s %8s (%s, %s)\n' "$t" "$m" "$lo" "$hi"
	done
	pq=$(median "$tmp/postqueue.ms")
	rep=$(median "$tmp/report.ms")
	nag=$(median "$tmp/nagios.ms")
	qs=$(median "$tmp/qshape.ms")
	cm=$(median "$tmp/check_mailq.ms")
	mq=$(median "$tmp/mailq.ms")
	m_pq=$(peak postqueue -c "$etc" -j)
	m_rep=$(peak "$pfagent" -c "$conf" --json run check-queue)
	m_nag=$(peak "$pfagent" -c "$conf" run check-queue --nagios)
	line=$(printf '%6d messages: report/postqueue -j %s; postqueue -j/nagios %s; qshape/nagios %s; qshape/report %s; check_mailq/nagios %s; postqueue -p/nagios %s; peak RSS kB: report %s, nagios %s, postqueue %s' \
	    "$size" "$(ratio "$rep" "$pq")" "$(ratio "$pq" "$nag")" \
	    "$(ratio "$qs" "$nag")" "$(ratio "$qs" "$rep")" \
	    "$(ratio "$cm" "$nag")" "$(ratio "$mq" "$nag")" \
	    "$m_rep" "$m_nag" "$m_pq")
	echo "  $line"
	summary="$summary$line
"
done
echo "summary:"
printf '%s' "$summary"
exit "$status"
