#!/bin/sh
# build.sh SRCDIR OUTDIR - builds every tests/fuzz/fuzz_*.c as a libFuzzer
# target (make fuzz).  The library sources (agent/ but main.c, postfix/,
# tasks/*/) are compiled once with clang's coverage instrumentation,
# AddressSanitizer and UndefinedBehaviorSanitizer into OUTDIR/libfuzz.a;
# each target is linked against it.  Environment: FUZZ_CC (clang),
# FUZZ_CFLAGS (defines and library flags from configure), FUZZ_LIBS.
set -eu
src=$1
out=$2
cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null 2>&1 || {
	echo "build.sh: $cc not found (apt-get install clang)" >&2
	exit 1
}
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
inc="-I$src/agent -I$src/postfix"
for d in "$src"/tasks/*/; do
	inc="$inc -I${d%/}"
done
cflags="-g -O1 -std=c11 -Werror=implicit-function-declaration ${FUZZ_CFLAGS:-} $inc"
mkdir -p "$out/obj"
# an object is rebuilt when its source or any header is newer
newest=$(ls -t "$src"/agent/*.h "$src"/postfix/*.h "$src"/tasks/*/*.h | head -1)
objs=
for f in "$src"/agent/*.c "$src"/postfix/*.c "$src"/tasks/*/*.c; do
	case $f in */agent/main.c) continue ;; esac
	o=$out/obj/$(echo "${f#"$src"/}" | tr / _ | sed 's/\.c$/.o/')
	if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ "$newest" -nt "$o" ]; then
		# shellcheck disable=SC2086
		"$cc" $cflags $san -fsanitize=fuzzer-no-link -c "$f" -o "$o"
	fi
	objs="$objs $o"
done
rm -f "$out/libfuzz.a"
# shellcheck disable=SC2086
ar cr "$out/libfuzz.a" $objs
for t in "$src"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	# shellcheck disable=SC2086
	"$cc" $cflags $san -fsanitize=fuzzer "$t" "$out/libfuzz.a" \
	    ${FUZZ_LIBS:-} -lpthread -lutil -o "$out/$name"
	echo "fuzz target $out/$name"
done
