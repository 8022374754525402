/* cfg: INI files read through libinih, with errors that name file, line
 * and key. Shared by NAT profiles and scenarios. */
#ifndef PUNCHLAB_CFG_H
#define PUNCHLAB_CFG_H

#include <stddef.h>
#include <stdint.h>

struct cfg_error {
	char file[512];
	int line;     /* 0 when the error is about the whole file */
	char key[64]; /* "" when not about one key; "[section]" for sections */
	char msg[512];
};

/* Called for every key; line is the key's line number. Also called once
 * per section header with key and value NULL (line = the header's line),
 * so empty and unknown sections are seen too. A key given twice in one
 * section is an error before the handler hears of it. Return 0, or -1
 * after filling err->msg (cfg fills file, line and key: "[section]" for a
 * header; a handler may set them itself, e.g. through cfg_fail). */
typedef int (*cfg_handler)(void *user, const char *section, const char *key,
			   const char *value, int line, struct cfg_error *err);

/* Largest file cfg reads. A scenario of the most cells is ~30 KB; past
 * this it is not a config file (a log, an image, /dev/zero) and is
 * refused before a byte of it is parsed. */
#define CFG_FILE_MAX (1024 * 1024)

/* 0, -1 with *err filled. Refused before parsing, naming the file (and the
 * line where there is one): anything but a regular file (directory,
 * device, FIFO, socket), more than CFG_FILE_MAX bytes, a NUL byte, a
 * control byte other than tab and CR before LF, bytes that are not UTF-8.
 * Then syntax errors and the handler's errors. */
int cfg_parse_file(const char *path, cfg_handler h, void *user,
		   struct cfg_error *err);
/* "file:line: key 'k': msg" (or without the parts that are empty). */
const char *cfg_error_str(const struct cfg_error *err, char *buf, size_t cap);
/* Fills err (file, line, key, printf-style msg) and returns -1. */
int cfg_fail(struct cfg_error *err, const char *file, int line,
	     const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Value parsers: 0 or -1 with err->msg filled (caller's handler returns
 * -1 then). */
int cfg_int(const char *value, long min, long max, long *out,
	    struct cfg_error *err);
int cfg_u64(const char *value, uint64_t *out, struct cfg_error *err);
int cfg_bool(const char *value, int *out, struct cfg_error *err);
/* Index of value in the NULL-terminated names, or -1 with err->msg
 * listing the accepted names. */
int cfg_enum(const char *value, const char *const *names,
	     struct cfg_error *err);
/* "LOW-HIGH" with 1 <= LOW <= HIGH <= 65535 into *lo, *hi. */
int cfg_port_range(const char *value, uint16_t *lo, uint16_t *hi,
		   struct cfg_error *err);

#endif
