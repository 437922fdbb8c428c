/*
 * qjson.c - one line of `postqueue -j` into a pfa_qmsg.
 *
 * Postfix's stable interface (postqueue(1), "JSON OBJECT FORMAT"): one
 * object per line with queue_name, queue_id, arrival_time, message_size,
 * forced_expire, sender and recipients[] of {address, delay_reason};
 * newer versions add members (orig_address, bounce_reason, other_reason),
 * and programs are to ignore what they do not know.  Parsed with json-c,
 * nesting bounded, the whole line or nothing: a line that is not one
 * object, or whose members have the wrong types, is rejected with a short
 * phrase saying why.  The strings handed back point into the parsed
 * object; nothing is copied, nothing logged.
 */
#include <stdlib.h>
#include <string.h>

#include "queue.h"

#define MAX_DEPTH 8

struct pfa_qjson {
	json_tokener *tok;
	json_object *obj;	/* the last line's, freed at the next */
	struct pfa_qrcpt *rcpts;
	size_t cap;
};

struct pfa_qjson *
pfa_qjson_new(void)
{
	struct pfa_qjson *p = pfa_xcalloc(1, sizeof(*p));
	p->tok = json_tokener_new_ex(MAX_DEPTH);
	if (p->tok == NULL)
		abort();	/* out of memory, as pfa_xmalloc does */
	return p;
}

void
pfa_qjson_free(struct pfa_qjson *p)
{
	if (p == NULL)
		return;
	json_object_put(p->obj);
	json_tokener_free(p->tok);
	free(p->rcpts);
	free(p);
}

/* Member NAME of O of TYPE: 1 found, 0 absent (or null), -1 wrong type. */
static int
member(json_object *o, const char *name, json_type type, json_object **out)
{
	*out = NULL;
	if (!json_object_object_get_ex(o, name, out) || *out == NULL)
		return 0;
	return json_object_is_type(*out, type) ? 1 : -1;
}

static int
fail(const char **why, const char *what)
{
	*why = what;
	return -1;
}

/* The recipients array into P->rcpts. */
static int
recipients(struct pfa_qjson *p, json_object *arr, struct pfa_qmsg *m,
    const char **why)
{
	size_t n = json_object_array_length(arr);
	if (n > p->cap) {
		p->rcpts = pfa_xrealloc(p->rcpts, n * sizeof(*p->rcpts));
		p->cap = n;
	}
	static const char *const reasons[] = { "delay_reason",
		"bounce_reason", "other_reason", NULL };
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(arr, i), *v;
		if (r == NULL || !json_object_is_type(r, json_type_object))
			return fail(why, "a recipient is not an object");
		if (member(r, "address", json_type_string, &v) <= 0)
			return fail(why, "a recipient's address is missing or "
			    "not a string");
		p->rcpts[i].address = json_object_get_string(v);
		p->rcpts[i].reason = NULL;
		for (size_t k = 0; reasons[k] && !p->rcpts[i].reason; k++) {
			int got = member(r, reasons[k], json_type_string, &v);
			if (got < 0)
				return fail(why, "a recipient's reason is not "
				    "a string");
			if (got > 0)
				p->rcpts[i].reason = json_object_get_string(v);
		}
	}
	m->rcpts = p->rcpts;
	m->nrcpts = n;
	return 0;
}

/* An integer member >= 0, or -1 with *WHY. */
static int
count_member(json_object *o, const char *name, long long *out,
    const char **why, const char *missing, const char *bad)
{
	json_object *v;
	int got = member(o, name, json_type_int, &v);
	if (got == 0)
		return fail(why, missing);
	if (got < 0)
		return fail(why, bad);
	int64_t x = json_object_get_int64(v);
	if (x < 0)
		return fail(why, bad);
	*out = (long long)x;
	return 0;
}

int
pfa_qjson_parse(struct pfa_qjson *p, const char *line, size_t len,
    struct pfa_qmsg *m, const char **why)
{
	memset(m, 0, sizeof(*m));
	json_object_put(p->obj);
	p->obj = NULL;
	if (len == 0)
		return fail(why, "an empty line");
	if (len > 0x7fffffff)
		return fail(why, "too long");
	json_tokener_reset(p->tok);
	json_object *o = json_tokener_parse_ex(p->tok, line, (int)len);
	enum json_tokener_error e = json_tokener_get_error(p->tok);
	if (o == NULL || e != json_tokener_success) {
		json_object_put(o);
		return fail(why, e == json_tokener_continue ? "truncated" :
		    e == json_tokener_error_depth ? "nested too deeply" :
		    "not JSON");
	}
	p->obj = o;
	for (size_t i = (size_t)p->tok->char_offset; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return fail(why, "more after the object");
	if (!json_object_is_type(o, json_type_object))
		return fail(why, "not an object");

	json_object *v;
	int got = member(o, "queue_name", json_type_string, &v);
	if (got <= 0)
		return fail(why, got == 0 ? "queue_name is missing" :
		    "queue_name is not a string");
	m->queue = pfa_qname_parse(json_object_get_string(v));
	if (m->queue < 0 || m->queue == PFA_Q_CORRUPT)
		return fail(why, "queue_name is not a queue");
	got = member(o, "queue_id", json_type_string, &v);
	if (got <= 0)
		return fail(why, got == 0 ? "queue_id is missing" :
		    "queue_id is not a string");
	m->id = json_object_get_string(v);
	if (!pfa_qid_ok(m->id))
		return fail(why, "queue_id is not a queue id");
	if (count_member(o, "arrival_time", &m->arrival, why,
	    "arrival_time is missing", "arrival_time is not a time") < 0)
		return -1;
	m->size = 0;
	if (json_object_object_get_ex(o, "message_size", &v) &&
	    count_member(o, "message_size", &m->size, why, "",
	    "message_size is not a size") < 0)
		return -1;
	got = member(o, "forced_expire", json_type_boolean, &v);
	if (got < 0)
		return fail(why, "forced_expire is not true or false");
	m->forced_expire = got > 0 && json_object_get_boolean(v);
	got = member(o, "sender", json_type_string, &v);
	if (got < 0)
		return fail(why, "sender is not a string");
	m->sender = got > 0 ? json_object_get_string(v) : "";
	got = member(o, "recipients", json_type_array, &v);
	if (got < 0)
		return fail(why, "recipients is not an array");
	if (got > 0)
		return recipients(p, v, m, why);
	m->rcpts = p->rcpts;
	return 0;
}
