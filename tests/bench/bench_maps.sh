#!/bin/bash
# bench_maps.sh BUILDDIR - time pfagent's rebuild-maps against plain
# postmap on a large table, side by side, against a real sandbox Postfix
# (tests/sandbox/sandbox.sh).
#
# For each of hash and lmdb a LINES-line map source (default 1,000,000
# lines "keyN.example.test valueN OK") is made.  Then, N times (default
# 5), interleaved and with the order swapped every run:
#   postmap   `postmap -c ETC TYPE:COPY` on a copy of the source as it is
#             (its database exists from the run before, as an
#             administrator's does)
#   postmap-new  the same into a database that does not exist yet, which
#             is what any build aside does (for scale)
#   pfagent   `pfagent -c CONF run rebuild-maps` after one line of the
#             source changed: validation, build aside, verification, swap
# and then, with nothing changed:
#   unchanged `pfagent -c CONF run rebuild-maps` (a stat and a hash)
#   query     `postmap -q key1.example.test TYPE:SOURCE`, for scale
# Each type has its own pfagent.conf naming only its table, so the ratio
# per type is clean.  Prints medians (min, max) and the ratio of the
# pfagent and postmap medians.  It never asserts a timing: the exit
# status is 1 only if a tool failed or a rebuilt table gave a wrong answer.
#
# Environment: N (runs, default 5), LINES (default 1000000), TYPES
# (default "hash lmdb").  Runs as root (the sandbox does).

# Under "sh script" (make's $(SHELL) is /bin/sh), switch to bash first.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022

builddir=${1:?usage: bench_maps.sh BUILDDIR}
builddir=$(cd "$builddir" && pwd -P) || exit 1
srcdir=$(cd "$(dirname "$0")/../.." && pwd -P) || exit 1
pfagent=$builddir/pfagent
sandbox=$srcdir/tests/sandbox/sandbox.sh
N=${N:-5}
LINES=${LINES:-1000000}
TYPES=${TYPES:-hash lmdb}
postmap=/usr/sbin/postmap

die() {
	echo "bench_maps.sh: $*" >&2
	exit 1
}

[ -x "$pfagent" ] || die "$pfagent not built (make pfagent)"
[ -x "$postmap" ] || die "$postmap not found (install postfix)"
[ -f "$sandbox" ] || die "$sandbox missing"
[ "$N" -ge 1 ] 2>/dev/null || die "N must be a positive number"

tmp=$(mktemp -d /tmp/bench_maps.XXXXXX) && chmod 0755 "$tmp" || exit 1
sb=$tmp/sb
mkdir "$sb" || exit 1
cleanup() {
	if [ -e "$sb/.pfsandbox" ]; then
		bash "$sandbox" down "$sb" >/dev/null 2>&1 ||
		    echo "bench_maps.sh: sandbox down failed for $sb" >&2
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
status=0

env_lines=$(bash "$sandbox" up "$sb") || die "sandbox up failed"
eval "$env_lines"
etc=$PFSB_ETC
for t in $TYPES; do
	"$postmap" -c "$etc" -q x "$t:/dev/null" >/dev/null 2>&1
	[ $? -le 1 ] || die "postmap has no $t support (install postfix-$t)"
done

# now_us: microseconds since the epoch (bash 5's EPOCHREALTIME).
now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "$t"
}

# timed FILE CMD...: runs CMD (output to $tmp/out), appends its wall time
# in milliseconds to FILE.  Returns CMD's exit status.
timed() {
	local file=$1 t0 t1 rc
	shift
	t0=$(now_us)
	"$@" >"$tmp/out" 2>&1
	rc=$?
	t1=$(now_us)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1000 }' \
	    >>"$file"
	return "$rc"
}

# failed WHAT: reports the last command's output and marks the run failed.
failed() {
	echo "  FAILED: $1" >&2
	sed 's/^/    /' "$tmp/out" | tail -n 20 >&2
	status=1
}

# stats FILE: "median min max" of the numbers in FILE.
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

# expect_value TYPE:MAP KEY VALUE: postmap -q must answer VALUE.
expect_value() {
	local got
	got=$("$postmap" -c "$etc" -q "$2" "$1" 2>&1)
	if [ "$got" != "$3" ]; then
		echo "  FAILED: postmap -q $2 $1 gave \"$got\", want \"$3\"" >&2
		status=1
	fi
}

# ------------------------------------------------------------ set-up

maps=$tmp/maps
mkdir -m 0755 "$maps" || exit 1
echo "generating a $LINES-line map source"
awk -v n="$LINES" 'BEGIN {
	for (i = 1; i <= n; i++)
		printf "key%d.example.test value%d OK\n", i, i
}' >"$tmp/source" || die "cannot write the source"
src_bytes=$(stat -c %s "$tmp/source")

for t in $TYPES; do
	cp "$tmp/source" "$maps/$t-live" || exit 1
	cp "$tmp/source" "$maps/$t-plain" || exit 1
	mkdir -m 0700 "$tmp/state-$t" || exit 1
	cat >"$tmp/pfagent-$t.conf" <<EOF
# bench_maps.sh: rebuild-maps of $t:$maps/$t-live only
postfix = { config_directory = "$etc"; log_file = "$PFSB_LOG"; };
state_directory = "$tmp/state-$t";
tasks = {
  rebuild-maps = {
    discover = false;
    tables = [ "$t:$maps/$t-live" ];
    max_shrink = 100;
  };
};
EOF
	chmod 0600 "$tmp/pfagent-$t.conf"
	# first builds, not timed: pfagent records the source's hash
	"$postmap" -c "$etc" "$t:$maps/$t-plain" >"$tmp/out" 2>&1 ||
	    failed "first postmap $t"
	"$pfagent" -c "$tmp/pfagent-$t.conf" run rebuild-maps \
	    >"$tmp/out" 2>&1 || failed "first pfagent run ($t)"
	expect_value "$t:$maps/$t-live" key1.example.test "value1 OK"
	expect_value "$t:$maps/$t-live" "key$LINES.example.test" \
	    "value$LINES OK"
	: >"$tmp/postmap.$t"
	: >"$tmp/postmapnew.$t"
	: >"$tmp/pfagent.$t"
	: >"$tmp/unchanged.$t"
	: >"$tmp/query.$t"
done
[ "$status" -eq 0 ] || die "set-up failed"

echo "map rebuild: postmap vs pfagent rebuild-maps, $LINES lines" \
    "($src_bytes bytes), $N runs, $(getconf _NPROCESSORS_ONLN) CPUs," \
    "$(postconf -d -h mail_version 2>/dev/null | sed 's/^/Postfix /')"

# run_postmap TYPE: postmap on a fresh copy of the changed source.
run_postmap() {
	cp "$maps/$1-live" "$maps/$1-plain" || exit 1
	if timed "$tmp/postmap.$1" "$postmap" -c "$etc" "$1:$maps/$1-plain"
	then
		printf ' postmap %sms' "$(tail -n 1 "$tmp/postmap.$1")"
	else
		failed "postmap $1:$maps/$1-plain"
	fi
}

# run_postmap_new TYPE: the same into a database that does not exist yet,
# as every build aside is (for scale: lmdb fills a new file more slowly
# than it rewrites an existing one).
run_postmap_new() {
	rm -f "$maps/$1-new" "$maps/$1-new".*
	cp "$maps/$1-live" "$maps/$1-new" || exit 1
	if timed "$tmp/postmapnew.$1" "$postmap" -c "$etc" "$1:$maps/$1-new"
	then
		printf ' postmap-new %sms' "$(tail -n 1 "$tmp/postmapnew.$1")"
	else
		failed "postmap $1:$maps/$1-new"
	fi
}

# run_pfagent TYPE I: pfagent's rebuild of the already changed source.
run_pfagent() {
	if timed "$tmp/pfagent.$1" "$pfagent" -c "$tmp/pfagent-$1.conf" \
	    run rebuild-maps; then
		printf ' pfagent %sms' "$(tail -n 1 "$tmp/pfagent.$1")"
		expect_value "$1:$maps/$1-live" key1.example.test \
		    "changed$2 OK"
	else
		failed "pfagent run rebuild-maps ($1)"
	fi
}

# ---------------------------------------------- (a), (b): changed table

i=1
while [ "$i" -le "$N" ]; do
	for t in $TYPES; do
		# change one line (not timed); postmap gets the same content
		sed -i "1s/.*/key1.example.test changed$i OK/" "$maps/$t-live" ||
		    exit 1
		printf '%s run %s/%s:' "$t" "$i" "$N"
		if [ $((i % 2)) -eq 1 ]; then
			run_postmap "$t"
			run_pfagent "$t" "$i"
			run_postmap_new "$t"
		else
			run_postmap_new "$t"
			run_pfagent "$t" "$i"
			run_postmap "$t"
		fi
		echo
	done
	i=$((i + 1))
done

# ---------------------------------------------- (c): nothing changed

i=1
while [ "$i" -le "$N" ]; do
	for t in $TYPES; do
		db=$(ls "$maps/$t-live".* 2>/dev/null | head -n 1)
		before=$(stat -c '%i %Y' "$db" 2>/dev/null)
		timed "$tmp/unchanged.$t" "$pfagent" -c "$tmp/pfagent-$t.conf" \
		    run rebuild-maps || failed "unchanged pfagent run ($t)"
		if [ "$(stat -c '%i %Y' "$db" 2>/dev/null)" != "$before" ]; then
			echo "  FAILED: $db replaced although nothing changed" >&2
			status=1
		fi
		timed "$tmp/query.$t" "$postmap" -c "$etc" -q \
		    key1.example.test "$t:$maps/$t-live" ||
		    failed "postmap -q ($t)"
	done
	i=$((i + 1))
done

# ------------------------------------------------------------ report

echo
summary=
for t in $TYPES; do
	set -- $(stats "$tmp/postmapnew.$t")
	newmed=$1 newmin=$2 newmax=$3
	set -- $(stats "$tmp/postmap.$t") $(stats "$tmp/pfagent.$t") \
	    $(stats "$tmp/unchanged.$t") $(stats "$tmp/query.$t")
	echo "$t, $N runs each (milliseconds: median, min-max):"
	printf '  %-34s %9s  (%s-%s)\n' "postmap TYPE:FILE" "$1" "$2" "$3"
	printf '  %-34s %9s  (%s-%s)\n' "postmap TYPE:FILE, new database" \
	    "$newmed" "$newmin" "$newmax"
	printf '  %-34s %9s  (%s-%s)\n' "pfagent rebuild-maps, changed" \
	    "$4" "$5" "$6"
	printf '  %-34s %9s  (%s-%s)\n' "pfagent rebuild-maps, unchanged" \
	    "$7" "$8" "$9"
	printf '  %-34s %9s  (%s-%s)\n' "postmap -q KEY TYPE:FILE" \
	    "${10}" "${11}" "${12}"
	ratio=$(echo "$4 $1" | awk '$2 > 0 { printf "%.2f", $1 / $2; next }
	    { print "n/a" }')
	ratio_new=$(echo "$4 $newmed" | awk '$2 > 0 { printf "%.2f", $1 / $2; next }
	    { print "n/a" }')
	line="$t: pfagent/postmap median ratio = $ratio (target 1.10;"
	line="$line $ratio_new against postmap into a new database);"
	line="$line unchanged run = $7 ms (postmap -q = ${10} ms)"
	echo "$line"
	summary="$summary$line
"
done
echo
printf '%s' "$summary"
exit "$status"
