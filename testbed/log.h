/* log: one line per message on stderr, tagged with the role ("[coord]").
 * log_warn appends strerror(errno), log_warnx does not (as OpenBSD ntpd). */
#ifndef PUNCHLAB_LOG_H
#define PUNCHLAB_LOG_H

void log_init(const char *tag, int verbose);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
