/* log: stderr lines tagged with the process role. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static char log_tag[64] = "punchlab";
static int log_verbose;
static int (*log_gate)(void);

void log_init(const char *tag, int verbose)
{
	snprintf(log_tag, sizeof(log_tag), "%s", tag);
	log_verbose = verbose;
}

void log_set_gate(int (*gate)(void))
{
	log_gate = gate;
}

static void log_vline(const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];

	if (log_gate && !log_gate())
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (suffix)
		fprintf(stderr, "[%s] %s: %s\n", log_tag, msg, suffix);
	else
		fprintf(stderr, "[%s] %s\n", log_tag, msg);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vline(fmt, ap, NULL);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap, NULL);
	va_end(ap);
}
