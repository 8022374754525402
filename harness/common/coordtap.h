/* coordtap: the line `punch-coordinator --tap-fd N` writes per pairing,
 * "pair KEY A_IP:A_PORT B_IP:B_PORT START_MONO_NS\n" — both public
 * endpoints as the coordinator saw them and the CLOCK_MONOTONIC instant
 * the punch is scheduled to start (docs/adversaries.md, section 3). The
 * coordinator writes it, punch-adversary's inject role reads it. */
#ifndef PUNCHLAB_COORDTAP_H
#define PUNCHLAB_COORDTAP_H

#include <stddef.h>
#include <stdint.h>

#define COORDTAP_EP_MAX 64   /* "[v6]:port" with its NUL (CONN_NAME_LEN) */
#define COORDTAP_LINE_MAX 176 /* one line, '\n' included */

struct coordtap_pair {
	uint64_t key;
	char a[COORDTAP_EP_MAX], b[COORDTAP_EP_MAX];
	int64_t start_ns;
};

/* p as its line, '\n' included, NUL-terminated. Length without the NUL;
 * -EINVAL for an endpoint with a space or empty, -ENOSPC for a small cap. */
int coordtap_format(char *buf, size_t cap, const struct coordtap_pair *p);
/* One line of len bytes without its '\n'. 0, or -EBADMSG. Endpoints are
 * returned as text, checked only for length (the reader parses them). */
int coordtap_parse(const char *line, size_t len, struct coordtap_pair *p);

#endif
