#!/bin/sh
# bench_dh.sh BUILDDIR - time `openssl dhparam` against pfagent's DH
# parameter generator (BUILDDIR/tests/bench/dhgen-bench), side by side.
#
# For 1024 bits (N1 runs each, default 20) and 2048 bits (N2, default 11)
# the two tools take turns run by run, the order swapped every run, so
# that machine load falls on both alike.  Every output file is checked
# with `openssl dhparam -check -noout`.  Prints each tool's median, min and
# max wall-clock seconds and the ratio of the medians.  It never asserts a
# timing: the exit status is 1 only if a tool failed or an output file
# failed the check.
set -u

builddir=${1:?usage: bench_dh.sh BUILDDIR}
bench=$builddir/tests/bench/dhgen-bench
N1=${N1:-20}
N2=${N2:-11}
openssl=/usr/bin/openssl
[ -x "$openssl" ] || openssl=$(command -v openssl) || {
	echo "bench_dh.sh: openssl not found" >&2
	exit 1
}
if [ ! -x "$bench" ]; then
	echo "bench_dh.sh: $bench not built (make tests/bench/dhgen-bench)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_dh.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
status=0

now() {
	date +%s.%N
}

# timed NAME BITS FILE CMD...: runs CMD, checks FILE, appends the elapsed
# seconds to $tmp/NAME.BITS and prints them.
timed() {
	name=$1 bits=$2 file=$3
	shift 3
	rm -f "$file"
	t0=$(now)
	"$@" >"$tmp/out" 2>&1
	rc=$?
	t1=$(now)
	secs=$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')
	if [ "$rc" -ne 0 ]; then
		echo "  $name FAILED (exit $rc):" >&2
		sed 's/^/    /' "$tmp/out" >&2
		status=1
		return
	fi
	if ! grep -q '^-----BEGIN DH PARAMETERS-----$' "$file" ||
	    ! "$openssl" dhparam -in "$file" -check -noout \
	    >"$tmp/out" 2>&1; then
		echo "  $name output FAILED the check:" >&2
		sed 's/^/    /' "$tmp/out" >&2
		status=1
		return
	fi
	echo "$secs" >>"$tmp/$name.$bits"
	printf ' %s %ss' "$name" "$secs"
}

# stats FILE: "median MIN MAX" of the numbers in FILE.
stats() {
	sort -n "$1" | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "- - -"; exit }
			h = int(NR / 2)
			m = NR % 2 ? v[h + 1] : (v[h] + v[h + 1]) / 2
			printf "%.3f %.3f %.3f\n", m, v[1], v[NR]
		}'
}

echo "DH parameters: openssl dhparam vs pfagent dhgen-bench," \
    "$(getconf _NPROCESSORS_ONLN) CPUs, $("$openssl" version)"
summary=
for spec in "1024 $N1" "2048 $N2"; do
	set -- $spec
	bits=$1 n=$2
	: >"$tmp/openssl.$bits"
	: >"$tmp/pfagent.$bits"
	i=1
	while [ "$i" -le "$n" ]; do
		printf '%s bits run %s/%s:' "$bits" "$i" "$n"
		if [ $((i % 2)) -eq 1 ]; then
			timed openssl "$bits" "$tmp/o.pem" \
			    "$openssl" dhparam -out "$tmp/o.pem" "$bits"
			timed pfagent "$bits" "$tmp/p.pem" \
			    "$bench" "$bits" "$tmp/p.pem"
		else
			timed pfagent "$bits" "$tmp/p.pem" \
			    "$bench" "$bits" "$tmp/p.pem"
			timed openssl "$bits" "$tmp/o.pem" \
			    "$openssl" dhparam -out "$tmp/o.pem" "$bits"
		fi
		echo
		i=$((i + 1))
	done
	set -- $(stats "$tmp/openssl.$bits") $(stats "$tmp/pfagent.$bits")
	echo "$bits bits, $n runs each (seconds):"
	printf '  %-8s median %8s  min %8s  max %8s\n' openssl "$1" "$2" "$3"
	printf '  %-8s median %8s  min %8s  max %8s\n' pfagent "$4" "$5" "$6"
	ratio=$(echo "$4 $1" | awk '$2 > 0 { printf "%.2f", $1 / $2; next }
	    { print "n/a" }')
	line="$bits bits: pfagent/openssl median ratio = $ratio"
	echo "$line"
	summary="$summary$line
"
done
echo
printf '%s' "$summary"
exit "$status"
