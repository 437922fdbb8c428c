# /etc/cron.d/pfagent - hourly pfagent(8) run (install without the ".cron.d"
# suffix: cron ignores files in /etc/cron.d whose names contain a dot).
#
# pfagent decides what is due (each task has its own interval in
# /etc/pfagent/pfagent.conf), so an hourly start rebuilds changed tables
# within the hour, validates the configuration daily and rotates DH
# parameters weekly; a start with nothing due costs a few milliseconds.
# Output, and so mail from cron, only when something needs a person;
# everything is logged to syslog (ident pfagent).
# Use this, /etc/cron.weekly/pfagent or the systemd timer, not several: a
# run that finds another one still working changes nothing, says so on
# stderr (so cron mails it) and exits 3 (UNKNOWN).

SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin

# m  h  dom mon dow user  command
17   *  *   *   *   root  [ -x /usr/sbin/pfagent ] && /usr/sbin/pfagent -q run
