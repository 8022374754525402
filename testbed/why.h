/* why: the one-line reason a parser hands back beside its -EINVAL, into
 * the caller's buffer (which may be NULL). */
#ifndef PUNCHLAB_WHY_H
#define PUNCHLAB_WHY_H

#include <stddef.h>

/* Formats into why[0..cap) and returns -EINVAL. */
int why_fail(char *why, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
