/* cmdtmpl: an outside puncher's command template — `{name}` placeholders
 * for the endpoints, role, nonce and start time, checked when the scenario
 * is read and filled in by the agent once it knows them. */
#ifndef PUNCHLAB_CMDTMPL_H
#define PUNCHLAB_CMDTMPL_H

#include <stddef.h>

enum cmdtmpl_key {
	CMDTMPL_LOCAL_PORT,
	CMDTMPL_PUBLIC_IP,
	CMDTMPL_PUBLIC_PORT,
	CMDTMPL_PEER_IP,
	CMDTMPL_PEER_PORT,
	CMDTMPL_ROLE,
	CMDTMPL_NONCE,
	CMDTMPL_START_UNIX_MS,
	CMDTMPL_START_MONO_NS,
	CMDTMPL_N
};

#define CMDTMPL_MAX_ARGS 64
#define CMDTMPL_MAX_LEN 1024 /* a template, and its expansion */

/* "local_port", ...: as written between the braces. */
extern const char *const cmdtmpl_names[CMDTMPL_N];

/* The environment variable of key k ("PUNCH_LOCAL_PORT") into buf. */
void cmdtmpl_env_name(enum cmdtmpl_key k, char *buf, size_t cap);

/* 0, or -EINVAL with why filled: an unknown or unclosed placeholder, an
 * unclosed quote, no program, too long or too many words. */
int cmdtmpl_check(const char *tmpl, char *why, size_t cap);

/* Splits tmpl into words (blanks separate them, '...' and "..." group
 * them, no other shell syntax), then fills each word's placeholders from
 * vals (indexed by cmdtmpl_key; "{{" and "}}" are literal braces). Words
 * go into buf, pointers into argv (NULL-terminated, at most max_args - 1
 * words). Returns argc, or -EINVAL (see cmdtmpl_check) / -E2BIG. A value
 * never splits a word: it is filled in after the split. */
int cmdtmpl_expand(const char *tmpl, const char *const vals[CMDTMPL_N],
		   char *buf, size_t cap, char **argv, int max_args);

#endif
