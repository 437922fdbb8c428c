/*
 * logreport.h - log-report's own interface between its files: the
 * settings, one report's run (inputs, the ledger, what was read), the
 * input reader with its saved positions (lrinput.c) and the rendering
 * (lrrender.c).  Nothing here is seen outside this folder.
 */
#ifndef LOGREPORT_H
#define LOGREPORT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "ledger.h"
#include "task.h"

struct lr_conf {
	char **log_files;	/* NULL: found automatically */
	int journal;		/* -1 automatic, 0 never, 1 always */
	char *journal_dir;	/* NULL: the system's journal */
	char **syslog_names;	/* NULL: from Postfix's configuration */
	long top;
	bool mask;
	char *report_to;	/* NULL: not mailed */
	long max_keys;
	long sasl_warn;
	long provider_warn;
};

/* One input read. */
struct lr_input {
	char *what;		/* a path, or "journal" */
	int64_t from, to;	/* (decompressed) offsets read */
	uint64_t lines;
};

struct lr_run {
	const struct lr_conf *c;
	struct pfa_lognames names;
	struct pfa_ledger lg;
	struct lr_input *in;
	size_t nin;
	uint64_t oversized, binary;
	uint64_t suppressed, suppress_events;
	bool by_hand;		/* --since/--until/--all: no saved state */
	bool first_run;		/* no saved position: all the inputs hold */
	bool masked;		/* --mask-addresses */
	long top;
	int64_t since, until;
};

/*
 * Reads every input into R's ledger: from the saved positions in STATE
 * (a json-c object the core persists; updated to where this run stopped)
 * or, with STATE NULL, everything the inputs hold within R->since..until.
 * Gaps (a file truncated or replaced, a vacuumed cursor, journald
 * suppression) and unreadable inputs become findings in RES.  0, or -1
 * when no input could be read at all (finding added).
 */
int pfa_lr_read_inputs(struct pfa_ctx *ctx, struct lr_run *r, json_object *state,
    struct pfa_result *res);

/* Metrics, summary, findings from the counts; the text report and the
 * JSON details into RES. */
void pfa_lr_render(struct lr_run *r, struct pfa_result *res);

/* Mails RES->text to R->c->report_to through COMMAND_DIRECTORY/sendmail
 * (argv, no shell).  0, or -1 (finding added). */
int pfa_lr_mail(struct pfa_ctx *ctx, struct lr_run *r, struct pfa_result *res);

/* ADDR (LEN bytes) as the report shows it: with --mask-addresses its
 * local part is replaced by a hash.  Caller frees. */
char *pfa_lr_show_address(const struct lr_run *r, const char *addr, size_t len);

#endif
