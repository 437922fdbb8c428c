#!/bin/bash
# 09-faults.sh - fault injection: a whole `pfagent run` of each task that
# changes files (rotate-dh, rebuild-maps), against the real sandbox
# Postfix, with its Nth open, read, write, fsync, rename, link, unlink,
# fork or execve failed, for every N in turn, one fault per run.
# tests/fault/failnth.c is the LD_PRELOAD library that counts and fails
# the calls, tests/fault/fault.sh the loop and what is checked after each
# faulted run (the live files old or new and valid, no temporary file,
# Postfix up, the next run converges, a run after it does nothing),
# tests/fault/dh.sh and maps.sh the two scenarios.
#
# What is counted: calls made by pfagent's own process and by the
# children it forks until they exec (its exec service gives the programs
# it runs a fixed environment, without LD_PRELOAD: they are not counted,
# and a second "counts" line would show it); every fork and execve; the
# file calls only on the directories holding the files the task replaces
# (the DH file's, the tables') and on the state directory, only on paths
# that exist (or that an open creates), and not on the files there that
# pfagent only reads (the map sources, the lock file).  A failure on a
# file pfagent only reads (its configuration, the lists, the sources, the
# mail log) can only stop a run before it changes anything, and every N
# costs a run that must then converge (about 2 s with Postfix's own
# checks), so "every call on every file" would take several minutes.
# Two instances of rotate-dh and three of rebuild-maps (FAULT_JOBS sets
# both) run side by side, sharing out the faulted runs: a run mostly
# waits for Postfix's programs.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

pfa_require_pfagent
. "$PFA_SRCDIR/tests/fault/fault.sh"
. "$PFA_SRCDIR/tests/fault/dh.sh"
. "$PFA_SRCDIR/tests/fault/maps.sh"

# instances: about 45 faulted runs of rotate-dh, 120 of rebuild-maps
fault_scenario rotate-dh fdh "${FAULT_JOBS:-2}"
fault_scenario rebuild-maps fmaps "${FAULT_JOBS:-3}"
fault_run_all
tap_done
