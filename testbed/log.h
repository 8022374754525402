/* log: one line per message on stderr, tagged with the role ("[coord]").
 * log_warn appends strerror(errno), log_warnx does not (as OpenBSD ntpd). */
#ifndef PUNCHLAB_LOG_H
#define PUNCHLAB_LOG_H

void log_init(const char *tag, int verbose);
/* gate (NULL: none) is asked before each line; 0 drops the line. A
 * daemon's rate limit (the coordinator's --log-rate) sits here. */
void log_set_gate(int (*gate)(void));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
