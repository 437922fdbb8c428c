#!/bin/bash
# minimal-debian.sh - run the README's two quick-start commands, each on a
# fresh minimal Debian 12 (debootstrap --variant=minbase bookworm: the
# Essential and Priority required packages, nothing else), the way a new
# user's container or VM starts.  Not part of make check: it needs root,
# the Debian mirror and about half an hour.
#
#   tests/minimal-debian.sh [-k] [WORKDIR]      (as root, from a git clone)
#
# WORKDIR (default /var/tmp/pfagent-minimal) keeps the debootstrapped base
# (reused by the next run) and one copy of it per command.  The clone is a
# clean clone of this repository's HEAD (commit first).  Each command runs
# in its own copy of the base, chrooted, with /dev, /proc and /sys bound and
# the root a mount point (so that the tests' unshare -m works), all in a
# private mount namespace that disappears with the script.  /etc/hosts and
# /etc/resolv.conf are copied in, as a container runtime would.  Prints each
# command's exit status and time; the logs are WORKDIR/run-N.log.  -k keeps
# the copies afterwards.  Exit status: 0 when both commands passed.
set -u
keep=
[ "${1:-}" = -k ] && { keep=1; shift; }
work=${1:-/var/tmp/pfagent-minimal}
mirror=${MIRROR:-http://deb.debian.org/debian}
src=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "minimal-debian.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install debootstrap)"
command -v git >/dev/null || die "git not found"
git -C "$src" rev-parse --verify -q HEAD >/dev/null || die "$src is not a git clone"

# The README's commands, read from the README itself so that they cannot
# drift apart: the two indented lines of the quick start that start with
# ./autogen.sh.
mapfile -t cmds < <(sed -n '/^## Quick start/,/^## /s/^    \(\.\/autogen\.sh .*\)/\1/p' "$src/README.md")
[ "${#cmds[@]}" = 2 ] || die "README.md: expected two quick-start commands, found ${#cmds[@]}"

mkdir -p "$work" || die "cannot create $work"
base=$work/base
if [ ! -x "$base/usr/bin/apt-get" ] || [ ! -f "$base/.pfagent-base-done" ]; then
	rm -rf "$base"
	echo "debootstrap --variant=minbase bookworm $base $mirror"
	t0=$(date +%s)
	debootstrap --variant=minbase bookworm "$base" "$mirror" >"$work/debootstrap.log" 2>&1 ||
		die "debootstrap failed (see $work/debootstrap.log)"
	touch "$base/.pfagent-base-done"
	echo "  took $(( $(date +%s) - t0 )) s"
fi

run_one() {	# N COMMAND
	local n=$1 cmd=$2 root=$work/run-$1 log=$work/run-$1.log t0 rc
	rm -rf "$root"
	cp -a "$base" "$root" || return 2
	cp /etc/hosts /etc/resolv.conf "$root/etc/" 2>/dev/null
	git clone -q --no-hardlinks "$src" "$root/root/pfagent" || return 2
	echo "[$n] $(git -C "$root/root/pfagent" log -1 --format='%h %s' | cut -c1-70)"
	echo "[$n] # $cmd"
	t0=$(date +%s)
	unshare -m --propagation private bash -c '
		root=$1 cmd=$2
		mount --bind "$root" "$root" &&
		mount --rbind /dev "$root/dev" &&
		mount -t proc proc "$root/proc" &&
		mount --rbind /sys "$root/sys" || exit 2
		exec env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			chroot "$root" /bin/bash -c "cd /root/pfagent && $cmd"
	' minimal "$root" "$cmd" >"$log" 2>&1
	rc=$?
	# Nothing the command started may outlive it (a test that left a
	# Postfix or syslog-ng behind would show here).
	local left=
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] || continue
		left="$left ${p#/proc/}"
		kill -9 "${p#/proc/}" 2>/dev/null
	done
	[ -z "$left" ] || echo "[$n] processes left behind (killed):$left"
	echo "[$n] exit status $rc after $(( $(date +%s) - t0 )) s (log: $log)"
	tail -3 "$log" | sed "s/^/[$n]   /"
	[ -n "$keep" ] || rm -rf "$root"
	return "$rc"
}

status=0
for i in 0 1; do
	run_one $((i + 1)) "${cmds[$i]}" || status=1
done
if [ "$status" = 0 ]; then
	echo "both quick-start commands passed on a minimal Debian 12"
else
	echo "a quick-start command failed on a minimal Debian 12"
fi
exit "$status"
