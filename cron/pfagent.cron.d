# /etc/cron.d/pfagent - daily pfagent(8) run (install without the ".cron.d"
# suffix: cron ignores files in /etc/cron.d whose names contain a dot).
#
# pfagent runs only the tasks that are due (each has its own interval in
# /etc/pfagent/pfagent.conf), so a daily run does a weekly task once a week
# and a daily check every day.  Output, and so mail from cron, only when
# something needs a person; everything is logged to syslog
# (ident pfagent).
# Use this, /etc/cron.weekly/pfagent or the systemd timer, not several: a
# run that finds another one still working changes nothing, says so on
# stderr (so cron mails it) and exits 3 (UNKNOWN).

SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin

# m  h  dom mon dow user  command
17   4  *   *   *   root  [ -x /usr/sbin/pfagent ] && /usr/sbin/pfagent -q run
