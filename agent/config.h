/*
 * config.h - pfagent's own configuration (libconfig syntax).
 *
 * Reads /etc/pfagent/pfagent.conf (or -c FILE), or built-in defaults that
 * fit a stock Debian Postfix when the default file is absent.  Every
 * problem is reported at once, each as "FILE:LINE: message" on stderr and
 * in syslog: unknown settings, wrong types, bad durations, values out of
 * range.  A file writable by group or other, or (when running as root) not
 * owned by root, is refused.  Tasks read their own section through the
 * pfa_conf_* helpers so that their errors carry file:line too.
 */
#ifndef PFA_CONFIG_H
#define PFA_CONFIG_H

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

#define PFA_DEFAULT_CONFIG "/etc/pfagent/pfagent.conf"
#define PFA_DEFAULT_STATEDIR "/var/lib/pfagent"

struct pfa_task;

struct pfa_task_conf {
	bool enabled;
	int64_t every;		/* seconds */
	char **ignore;		/* "ID" or "ID SUBJECT": findings left out of
				 * the report, NULL-terminated or NULL */
	void *data;		/* parsed by the task's configure() */
};

struct pfa_config {
	char *path;		/* the file read, NULL for built-in defaults */
	char *config_directory;	/* postfix.config_directory */
	char *command_directory;	/* postfix.command_directory */
	bool reload;		/* postfix.reload */
	int64_t health_wait;	/* postfix.health_wait, seconds */
	char *log_file;		/* postfix.log_file: Postfix's log when
				 * maillog_file is unset */
	int facility;		/* log.facility */
	char *state_directory;
	struct pfa_task_conf *tasks;	/* indexed like pfa_tasks[] */
	config_t cfg;		/* kept alive for settings' file:line */
	bool have_cfg;
};

/*
 * Loads PATH (NULL: the default file, which may be absent).  0 on success;
 * -1 after every error was reported.  explicit_path: -c was given, so a
 * missing file is an error.
 */
int pfa_config_load(struct pfa_config *c, const char *path, bool explicit_path);
void pfa_config_free(struct pfa_config *c);

/* "FILE:LINE: message" on stderr and syslog; counts towards the error total. */
void pfa_conf_error(const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Number of errors reported since the last pfa_config_load. */
int pfa_conf_errors(void);

/*
 * Helpers for a section S (which may be NULL: the default is used).  Each
 * returns 0 (value or default stored) or -1 (error reported with file:line).
 */
int pfa_conf_bool(const config_setting_t *s, const char *name, bool def,
    bool *out);
int pfa_conf_int(const config_setting_t *s, const char *name, long long def,
    long long min, long long max, long long *out);
int pfa_conf_string(const config_setting_t *s, const char *name,
    const char *def, char **out);
int pfa_conf_duration(const config_setting_t *s, const char *name,
    int64_t def, int64_t min, int64_t max, int64_t *out);
/* A list or array of strings; *out is a NULL-terminated vector or NULL. */
int pfa_conf_string_list(const config_setting_t *s, const char *name,
    char ***out);
/* One of CHOICES (NULL-terminated); *out is the index. */
int pfa_conf_enum(const config_setting_t *s, const char *name,
    const char *const choices[], int def, int *out);
/* Reports every member of S not in KNOWN (NULL-terminated). */
int pfa_conf_check_known(const config_setting_t *s, const char *const known[]);
void pfa_conf_free_list(char **list);

/*
 * Ownership and mode check shared by the config file and the state
 * directory: refuses anything writable by group or other, and anything not
 * owned by root when running as root.  0 or -1 (reported, naming PATH).
 */
int pfa_conf_check_owner(const char *path, const char *what);

#endif
