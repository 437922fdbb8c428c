#!/bin/sh
# layout.sh - the layout DESIGN.md and the README describe, checked on the
# source tree (TAP; run by make check):
#   tasks/ has no .c or .h files of its own, only one folder per task;
#   every source file in agent/, postfix/ and tasks/ starts with a comment
#   and has at most 600 lines;
#   no source includes a header by a relative path ("../"), which would
#   get past the per-folder include paths the build enforces;
#   only agent/gate.c includes postfix/reload.h (only the gate reloads);
#   every folder of agent/, postfix/ and tasks/*/ is built (a local.mk).
src=${PFA_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}

own=$(find "$src/tasks" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \))
ok "$([ -z "$own" ] && echo 0 || echo 1)" "tasks/ holds only task folders" "$own"

for d in "$src/agent" "$src/postfix" "$src"/tasks/*/; do
	d=${d%/}
	rel=${d#"$src"/}
	ok "$([ -f "$d/local.mk" ] && echo 0 || echo 1)" "$rel has a local.mk"
	long=
	nocomment=
	relative=
	for f in "$d"/*.c "$d"/*.h; do
		[ -f "$f" ] || continue
		lines=$(wc -l <"$f")
		[ "$lines" -le 600 ] || long="$long ${f#"$src"/}($lines)"
		head -c 2 "$f" | grep -q '/\*' || nocomment="$nocomment ${f#"$src"/}"
		grep -q '^#include "\.\./' "$f" && relative="$relative ${f#"$src"/}"
	done
	ok "$([ -z "$long" ] && echo 0 || echo 1)" "$rel: no file over 600 lines" "$long"
	ok "$([ -z "$nocomment" ] && echo 0 || echo 1)" "$rel: every file starts with its comment" "$nocomment"
	ok "$([ -z "$relative" ] && echo 0 || echo 1)" "$rel: no include by a relative path" "$relative"
done

reloaders=$(grep -l '#include "reload.h"' "$src"/agent/*.c "$src"/postfix/*.c \
    "$src"/tasks/*/*.c 2>/dev/null | sed "s|^$src/||" | grep -v '^agent/gate.c$' |
    grep -v '^postfix/postfix.c$')
ok "$([ -z "$reloaders" ] && echo 0 || echo 1)" "only the gate includes reload.h" "$reloaders"

echo "1..$n"
[ "$failed" = 0 ]
