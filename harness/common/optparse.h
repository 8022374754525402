/* optparse: the option values every program takes — whole numbers in a
 * range and ADDRESS:PORT literals — parsed one way everywhere. Each
 * returns 0, -EINVAL (not that kind of value) or -ERANGE (outside the
 * allowed range); the caller prints the message naming its option. */
#ifndef PUNCHLAB_OPTPARSE_H
#define PUNCHLAB_OPTPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A decimal integer ("-12", "300"), nothing before or after it. */
int optparse_ll(const char *s, long long min, long long max, long long *out);
int optparse_int(const char *s, int min, int max, int *out);
/* A non-negative integer, decimal or 0x hex. */
int optparse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

enum {
	OPTPARSE_V4 = 1,    /* a.b.c.d:port */
	OPTPARSE_V6 = 2,    /* [v6]:port */
	OPTPARSE_PORT0 = 4, /* port 0 allowed (pick one) */
};

/* "HOST:PORT" split: HOST as written (no brackets), PORT 1..65535 (or 0
 * with OPTPARSE_PORT0). No name lookup: HOST is returned as text. */
int optparse_split(const char *s, int flags, char *host, size_t cap,
		   uint16_t *port);
/* An address literal and port of the allowed families into ss. */
int optparse_sockaddr(const char *s, int flags, struct sockaddr_storage *ss,
		      socklen_t *len);

#endif
