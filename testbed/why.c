/* why: a parser's reason, formatted. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "why.h"

int why_fail(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (why && cap) {
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}
