#!/bin/bash
# 08-health-listeners.sh - the health check probes the listeners Postfix
# really has (the one listener model, postfix/listener.c): a second smtpd
# listener disabled with master_service_disable is not probed (Postfix
# does not listen there), an enabled one is, a TLS-first (wrapper mode)
# one is left to check-tls; the reload is judged healthy, nothing is
# rolled back, and the second run does nothing.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up

# three more free loopback ports
ports=()
while [ "${#ports[@]}" -lt 3 ]; do
	p=$((20000 + RANDOM % 10000))
	[ -z "$(ss -Hltn "sport = :$p")" ] || continue
	[[ " ${ports[*]} $PFSB_PORT " == *" $p "* ]] && continue
	ports+=("$p")
done
OFF=${ports[0]} ON=${ports[1]} TLS=${ports[2]}
cat >>"$PFSB_ETC/master.cf" <<MASTER
127.0.0.1:$OFF inet n - n - - smtpd
127.0.0.1:$ON inet n - n - - smtpd
127.0.0.1:$TLS inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
MASTER
postconf -c "$PFSB_ETC" -e "master_service_disable = 127.0.0.1:$OFF/inet"
tap_require "the sandbox reloads with the new listeners" postfix -c "$PFSB_ETC" reload
for _ in $(seq 1 50); do
	[ -n "$(ss -Hltn "sport = :$ON")" ] && [ -n "$(ss -Hltn "sport = :$TLS")" ] && break
	sleep 0.1
done
tap_is "$(ss -Hltn "sport = :$OFF" | wc -l)" 0 "Postfix does not listen on the disabled listener's port"
tap_is "$(ss -Hltn "sport = :$ON" | wc -l)" 1 "it listens on the enabled second listener's port"

pfa_setup "bits = 1024; allow_weak = true;"
DH=$PFSB_DH
before=$(sum_of "$DH")
reloads=$(reload_count)
pfa_run -v --json run rotate-dh
tap_is "$PFA_RC" 0 "rotate-dh with a disabled listener exits 0"
tap_is "$(jq_out '.reload.reloaded')" true "Postfix was reloaded"
tap_is "$(jq_out '.reload.healthy')" true "the reload is judged healthy"
tap_is "$(jq_out '.reload.rolled_back')" false "nothing was rolled back"
tap_is "$(jq_out '[.reload.findings[] | select(.id == "PFA-HEALTH-002")] | length')" 0 "no listener is reported silent"
tap_unlike "$(sum_of "$DH")" "^$before\$" "the DH file was replaced"
tap_ok "and holds valid parameters" dh_valid "$DH"
tap_is "$(reload_count)" "$((reloads + 1))" "with exactly one reload"
err=$(cat "$PFA_ERR")
tap_like "$err" "health-banner: service=127\.0\.0\.1:$PFSB_PORT " "the first listener was probed"
tap_like "$err" "health-banner: service=127\.0\.0\.1:$ON " "the enabled second listener was probed"
tap_unlike "$err" "service=127\.0\.0\.1:$OFF " "the disabled listener was not probed"
tap_unlike "$err" "service=127\.0\.0\.1:$TLS " "the wrapper-mode listener was not probed for a plain banner"

# the second run: nothing is due, nothing happens
after=$(sum_of "$DH")
reloads=$(reload_count)
pfa_run --json run
tap_is "$PFA_RC" 0 "the second run exits 0"
tap_is "$(sum_of "$DH")" "$after" "and leaves the DH file alone"
tap_is "$(reload_count)" "$reloads" "and does not reload"
tap_is "$(jq_out '.reload.needed')" false "JSON: no reload was needed"
tap_is "$(jq_out '[.reload.validated, .reload.postfix_running, .reload.healthy] | map(tostring) | join(",")')" "null,null,null" "JSON: what was not checked is null, not false"

tap_done
