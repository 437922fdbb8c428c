#!/bin/sh
# run.sh SRCDIR OUTDIR SECONDS - runs every fuzz target built by build.sh
# for SECONDS seconds on a copy of its committed corpus
# (tests/fuzz/corpus/TARGET), so the tree is never written.  Prints one
# line per target with the number of inputs it ran; exits 1 if any target
# crashed, leaked, or tripped a sanitizer (the reproducer stays in
# OUTDIR/TARGET.crash/).
set -u
src=$1
out=$2
secs=${3:-60}
rc=0
for t in "$out"/fuzz_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	name=$(basename "$t")
	work=$out/$name.corpus
	rm -rf "$work" "$out/$name.crash"
	mkdir -p "$work" "$out/$name.crash"
	[ -d "$src/tests/fuzz/corpus/$name" ] &&
	    cp -R "$src/tests/fuzz/corpus/$name/." "$work/"
	if "$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix="$out/$name.crash/" \
	    "$work" >"$out/$name.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    "$out/$name.log" | tail -1)
		echo "fuzz $name: ok, ${runs:-?} inputs in ${secs}s"
	else
		echo "fuzz $name: FAILED (see $out/$name.log)"
		tail -30 "$out/$name.log"
		rc=1
	fi
done
exit "$rc"
