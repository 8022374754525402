/* limitopts: the coordinator's options against a flood (docs/
 * adversaries.md, section 5): --max-clients, --per-addr-limit,
 * --key-owner, --log-rate. Kept out of main.c so its getopt table only
 * gains one macro and one case line. */
#ifndef PUNCHLAB_COORD_LIMITOPTS_H
#define PUNCHLAB_COORD_LIMITOPTS_H

#include <getopt.h>
#include <stdio.h>

#include "opts.h"

/* getopt values above any character, so they clash with no short one. */
enum {
	LIMITOPTS_MAX_CLIENTS = 0x4c00,
	LIMITOPTS_PER_ADDR,
	LIMITOPTS_KEY_OWNER,
	LIMITOPTS_LOG_RATE,
};

#define LIMITOPTS_LONGOPTS                                                     \
	{"max-clients", required_argument, NULL, LIMITOPTS_MAX_CLIENTS},       \
	{"per-addr-limit", required_argument, NULL, LIMITOPTS_PER_ADDR},       \
	{"key-owner", no_argument, NULL, LIMITOPTS_KEY_OWNER},                 \
	{"log-rate", required_argument, NULL, LIMITOPTS_LOG_RATE}

/* 1 when opt is one of ours; then *err is 0 or -EINVAL (message
 * printed). 0 when opt is not ours. */
int limitopts_parse(int opt, const char *arg, struct opts *o, int *err);
/* The options' lines for --help. */
void limitopts_usage(FILE *f);
/* After parsing: the options agree with each other (message printed).
 * 0 or -EINVAL. */
int limitopts_check(const struct opts *o);
/* Before the daemon opens: the log rate, and RLIMIT_NOFILE raised (to
 * its hard limit at most) so --max-clients sockets fit. */
void limitopts_apply(const struct opts *o);

#endif
