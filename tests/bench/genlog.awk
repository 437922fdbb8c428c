# genlog.awk - writes a realistic Postfix mail log (for log-report's
# benchmark and tests): smtpd sessions with TLS, client= lines, cleanup,
# qmgr, deliveries that are sent, deferred (then sent, bounced or
# expired), bounced, content-filter re-injection through 127.0.0.1:10025,
# pickup submissions, NOQUEUE rejects of every class, SASL failures,
# warnings, lines of other programs (pfagent, dovecot) and a few lines
# that are not syslog lines.  Deterministic for a given SEED.
#
#   awk -v LINES=5000000 -v SEED=1 [-v STYLE=rfc3339|traditional] \
#       [-v START=1767225600] [-v NAME=postfix] -f genlog.awk > mail.log
#
# Queue ids are unique (10 hex digits from a counter), so pflogsumm and
# log-report agree on "deferred" (they differ only when a short id is
# reused, which a test makes on purpose).
BEGIN {
	srand(SEED ? SEED : 1)
	if (LINES == "") LINES = 100000
	if (STYLE == "") STYLE = "rfc3339"
	if (NAME == "") NAME = "postfix"
	t = START ? START : 1767225600	# 2026-01-01 00:00:00 UTC
	split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
	split("example.com example.net example.org gmail.com outlook.com yahoo.com web.de mail.example.edu", dom, " ")
	ndom = 8
	n = 0; q = 4096; pid = 1000
	while (n < LINES) message()
}

function ts(   s, y, m, d, hh, mm, ss, days, a, b, c, dd, e, mo) {
	# civil from days (UTC), no strftime: portable awk
	days = int(t / 86400); s = t - days * 86400
	hh = int(s / 3600); mm = int((s % 3600) / 60); ss = s % 60
	z = days + 719468; era = int(z / 146097)
	doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	mo = mp < 10 ? mp + 3 : mp - 9
	if (mo <= 2) y++
	if (STYLE == "traditional")
		return sprintf("%s %2d %02d:%02d:%02d", mon[mo], d, hh, mm, ss)
	return sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", y, mo, d, hh, mm, ss, int(rand() * 1000000))
}

function out(prog, text) {
	print ts() " mx1 " NAME "/" prog "[" pid "]: " text
	n++
}

function qid() {
	q++
	# two halves below 2^20: awk's printf %X takes no more than 31 bits
	return sprintf("%05X%05X", int(q / 1048576), q % 1048576)
}

function user(   r) {
	r = int(rand() * 5000)
	return "user" r "@" dom[1 + int(rand() * ndom)]
}

function ip() {
	return "198.51." int(rand() * 255) "." int(rand() * 255)
}

function deliver(id, to, st, reason, relay) {
	out("smtp", id ": to=<" to ">, relay=" relay ", delay=" sprintf("%.2f", rand() * 5) \
	    ", delays=0.1/0.01/0.2/0.3, dsn=" (st == "sent" ? "2.0.0" : st == "deferred" ? "4.4.1" : "5.1.1") \
	    ", status=" st " (" reason ")")
}

function message(   id, id2, to, from, c, r, k, nr, i, host) {
	t += int(rand() * 2)
	pid = 1000 + int(rand() * 30000)
	r = rand()
	if (r < 0.12) {		# a rejected client
		host = ip()
		out("smtpd", "connect from unknown[" host "]")
		k = int(rand() * 6)
		if (k == 0) out("smtpd", "NOQUEUE: reject: RCPT from unknown[" host "]: 554 5.7.1 <" user() ">: Relay access denied; from=<" user() "> to=<" user() "> proto=ESMTP helo=<spam.example>")
		if (k == 1) out("smtpd", "NOQUEUE: reject: RCPT from unknown[" host "]: 550 5.1.1 <" user() ">: Recipient address rejected: User unknown in virtual mailbox table; from=<" user() "> to=<" user() "> proto=ESMTP helo=<spam.example>")
		if (k == 2) out("smtpd", "NOQUEUE: reject: RCPT from unknown[" host "]: 554 5.7.1 Service unavailable; Client host [" host "] blocked using zen.spamhaus.org; from=<" user() "> to=<" user() "> proto=ESMTP helo=<spam.example>")
		if (k == 3) out("smtpd", "NOQUEUE: reject: RCPT from unknown[" host "]: 504 5.5.2 <spam>: Helo command rejected: need fully-qualified hostname; from=<" user() "> to=<" user() "> proto=ESMTP helo=<spam>")
		if (k == 4) out("smtpd", "NOQUEUE: reject: RCPT from unknown[" host "]: 450 4.1.8 <x@nx.invalid>: Sender address rejected: Domain not found; from=<x@nx.invalid> to=<" user() "> proto=ESMTP helo=<spam.example>")
		if (k == 5) out("smtpd", "warning: unknown[" host "]: SASL LOGIN authentication failed: UGFzc3dvcmQ6")
		out("smtpd", "disconnect from unknown[" host "] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4")
		return
	}
	if (r < 0.14) {
		# another instance's line and other programs: skipped
		print ts() " mx1 postfix-out/smtp[" pid "]: " qid() ": to=<a@b.example>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (x)"
		print ts() " mx1 pfagent[" pid "]: task=log-report event=start"
		print ts() " mx1 dovecot[" pid "]: imap-login: Login: user=<a>"
		print "garbage line without a timestamp"
		n += 4
		return
	}
	id = qid()
	from = user()
	host = ip()
	if (r < 0.20) {		# local submission
		out("pickup", id ": uid=0 from=<root>")
		from = "root@mx1.example"
	} else {
		out("smtpd", "connect from mail.sender.example[" host "]")
		out("smtpd", "Anonymous TLS connection established from mail.sender.example[" host "]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
		out("smtpd", id ": client=mail.sender.example[" host "]")
	}
	out("cleanup", id ": message-id=<" id "." q "@sender.example>")
	nr = 1 + (rand() < 0.2)
	out("qmgr", id ": from=<" from ">, size=" int(2000 + rand() * 50000) ", nrcpt=" nr " (queue active)")
	if (r < 0.30) {		# through a content filter
		id2 = qid()
		to = user()
		out("smtp", id ": to=<" to ">, relay=127.0.0.1[127.0.0.1]:10024, delay=0.5, delays=0.1/0/0.1/0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as " id2 ")")
		out("qmgr", id ": removed")
		out("smtpd", "connect from localhost[127.0.0.1]")
		out("smtpd", id2 ": client=localhost[127.0.0.1]")
		out("cleanup", id2 ": message-id=<" id "." q "@sender.example>")
		out("qmgr", id2 ": from=<" from ">, size=3000, nrcpt=1 (queue active)")
		deliver(id2, to, "sent", "250 2.0.0 OK 1700000000 x12si - gsmtp", "gmail-smtp-in.l.google.com[142.250.1.27]:25")
		out("qmgr", id2 ": removed")
		out("smtpd", "disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
		return
	}
	for (i = 0; i < nr; i++) {
		to = user()
		c = rand()
		if (c < 0.85) {
			out("smtp", id ": Trusted TLS connection established to mx.dest.example[203.0.113.5]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
			deliver(id, to, "sent", "250 2.0.0 Ok: queued as 4Abc" q, "mx.dest.example[203.0.113.5]:25")
		} else if (c < 0.95) {
			deliver(id, to, "deferred", "host mx.dest.example[203.0.113.5] said: 421 4.7.0 Try again later (in reply to RCPT TO command)", "mx.dest.example[203.0.113.5]:25")
			t += 300
			if (rand() < 0.3)
				deliver(id, to, "deferred", "connect to mx.dest.example[203.0.113.5]:25: Connection timed out", "none")
			if (rand() < 0.7)
				deliver(id, to, "sent", "250 ok", "mx.dest.example[203.0.113.5]:25")
			else if (rand() < 0.5)
				deliver(id, to, "bounced", "host mx.dest.example[203.0.113.5] said: 550 5.7.1 Message rejected due to IP reputation (in reply to end of DATA command)", "mx.dest.example[203.0.113.5]:25")
			else {
				out("qmgr", id ": from=<" from ">, status=expired, returned to sender")
				out("bounce", id ": sender non-delivery notification: " qid())
			}
		} else {
			deliver(id, to, "bounced", "host mx.dest.example[203.0.113.5] said: 550 5.1.1 <" to ">: Recipient address rejected: User unknown (in reply to RCPT TO command)", "mx.dest.example[203.0.113.5]:25")
			out("bounce", id ": sender non-delivery notification: " qid())
		}
	}
	out("qmgr", id ": removed")
	if (r >= 0.20)
		out("smtpd", "disconnect from mail.sender.example[" host "] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
	if (rand() < 0.002)
		out("smtpd", "warning: hostname mail.sender.example does not resolve to address " host)
}
