#!/bin/sh
# deps.sh - autogen.sh --deps installs what the tests need and leaves a
# configured mail server's debconf alone (TAP; run by make check):
#   every program the tests, the demo, the fuzz targets and the benchmarks
#   run is installed and comes from a package autogen.sh --deps installs
#   or from one every Debian has (Essential or Priority required: a
#   minimal Debian 12 has only those);
#   debconf is preseeded only when the postfix package was never installed
#   (dpkg-query is replaced by a stub on PATH for the cases this machine is
#   not in).  tests/minimal-debian.sh runs the README's commands in a real
#   minimal Debian 12.
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

# The programs tests/ runs that are not part of pfagent or the shell.
programs="ss pgrep ps flock setsid unshare setpriv logger timeout sha256sum
	base64 awk sed cmp diff find stat jq openssl syslog-ng postconf postmap
	postalias postfix postqueue postsuper postlog clang perl pflogsumm gzip"

plan=$(sh "$src/autogen.sh" --deps -n)
listed=$(printf '%s\n' "$plan" | sed -n 's/^packages: //p')
ok "$([ -n "$listed" ] && echo 0 || echo 1)" "autogen.sh --deps -n lists its packages" "$plan"

# The package that owns a program (dpkg records /bin or /usr/bin).
owner() {
	p=$(command -v "$1") || return 1
	p=$(readlink -f "$p")
	dpkg -S "$p" 2>/dev/null || dpkg -S "${p#/usr}" 2>/dev/null
}
# What a listed package pulls in directly counts as listed (clang is clang-14).
deps=$(for p in $listed; do dpkg-query -W -f='${Depends}\n' "$p" 2>/dev/null; done |
	tr ',|' '\n\n' | sed 's/^ *//; s/[ :].*//' | sort -u)
for prog in $programs; do
	pkg=$(owner "$prog" | sed -n '1s/:.*//p')
	if [ -z "$pkg" ]; then
		ok 1 "$prog is installed" "$prog: not found, or no package owns it"
		continue
	fi
	# debootstrap --variant=minbase installs the Essential and the
	# Priority required packages, nothing else.
	base=$(dpkg-query -W -f='${Essential} ${Priority}' "$pkg" 2>/dev/null)
	if printf '%s\n' $listed $deps | grep -qx "$pkg"; then
		ok 0 "$prog comes from $pkg, which autogen.sh --deps installs"
	elif [ "$base" = "yes required" ] || [ "${base#* }" = required ]; then
		ok 0 "$prog comes from $pkg (in every Debian: $base)"
	else
		ok 1 "$prog comes from $pkg, which autogen.sh --deps installs" \
			"$pkg is neither installed by autogen.sh --deps nor part of a minimal Debian"
	fi
done

# debconf: the real answer on this machine, then stubbed package states.
stub=$(mktemp -d)
trap 'rm -rf "$stub"' EXIT
plan_with() {	# postfix's dpkg status (empty: unknown to dpkg)
	cat >"$stub/dpkg-query" <<EOF
#!/bin/sh
# stub: every package installed, postfix as the test says
for a; do pkg=\$a; done
if [ "\$pkg" = postfix ]; then
	[ -n "$1" ] || { echo "dpkg-query: no packages found matching postfix" >&2; exit 1; }
	printf '%s' "$1"
else
	printf 'install ok installed'
fi
EOF
	chmod +x "$stub/dpkg-query"
	PATH="$stub:$PATH" sh "$src/autogen.sh" --deps -n | sed -n 's/^debconf: //p'
}
case $(plan_with 'install ok installed') in
untouched*) ok 0 "postfix installed: debconf untouched" ;;
*) ok 1 "postfix installed: debconf untouched" "$(plan_with 'install ok installed')" ;;
esac
case $(plan_with 'deinstall ok config-files') in
untouched*) ok 0 "postfix removed, configuration kept: debconf untouched" ;;
*) ok 1 "postfix removed, configuration kept: debconf untouched" ;;
esac
case $(plan_with '') in
*preseeded*) ok 0 "postfix never installed: debconf preseeded (no system-wide mail server)" ;;
*) ok 1 "postfix never installed: debconf preseeded (no system-wide mail server)" ;;
esac
case $(plan_with 'unknown ok not-installed') in
*preseeded*) ok 0 "postfix purged: debconf preseeded" ;;
*) ok 1 "postfix purged: debconf preseeded" ;;
esac
grep -q -- '--no-remove' "$src/autogen.sh"
ok $? "apt-get never removes a package (another MTA stays)"

echo "1..$n"
[ "$failed" = 0 ]
