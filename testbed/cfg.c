/* cfg: INI files through libinih. Our own line reader counts lines (the
 * Debian build has no INI_HANDLER_LINENO), refuses lines inih would split,
 * reports section headers and catches keys given twice. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "cfg.h"

/* inih copies section names into a 50-byte buffer and silently cuts them. */
#define CFG_SECTION_MAX 49

struct cfg_seen {
	char *section;
	char *key;
	int line;
};

struct cfg_ctx {
	FILE *f;
	const char *path;
	cfg_handler h;
	void *user;
	int line;   /* line last handed to inih */
	int failed; /* *err holds the first error; stop reading */
	struct cfg_error *err;
	struct cfg_seen *seen;
	size_t nseen, capseen;
};

int cfg_fail(struct cfg_error *err, const char *file, int line, const char *key,
	     const char *fmt, ...)
{
	va_list ap;

	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	snprintf(err->key, sizeof(err->key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

const char *cfg_error_str(const struct cfg_error *err, char *buf, size_t cap)
{
	size_t n = 0;
	int r;

#define CFG_PUT(...)                                                           \
	do {                                                                   \
		r = snprintf(buf + n, cap - n, __VA_ARGS__);                   \
		if (r < 0 || (size_t)r >= cap - n)                             \
			return buf;                                            \
		n += (size_t)r;                                                \
	} while (0)

	if (!cap)
		return buf;
	buf[0] = '\0';
	if (err->file[0])
		CFG_PUT("%s:", err->file);
	if (err->file[0] && err->line > 0)
		CFG_PUT("%d:", err->line);
	if (n)
		CFG_PUT(" ");
	if (err->key[0] == '[')
		CFG_PUT("%s: ", err->key);
	else if (err->key[0])
		CFG_PUT("key '%s': ", err->key);
	CFG_PUT("%s", err->msg);
#undef CFG_PUT
	return buf;
}

/* Completes what a handler left empty: the file, line and key cfg knows. */
static void cfg_fill(struct cfg_ctx *c, const char *section, const char *key)
{
	struct cfg_error *err = c->err;

	if (!err->file[0])
		snprintf(err->file, sizeof(err->file), "%s", c->path);
	if (!err->line)
		err->line = c->line;
	if (!err->key[0]) {
		if (key)
			snprintf(err->key, sizeof(err->key), "%s", key);
		else
			snprintf(err->key, sizeof(err->key), "[%s]", section);
	}
	if (!err->msg[0])
		snprintf(err->msg, sizeof(err->msg), "invalid");
	c->failed = 1;
}

static void cfg_call(struct cfg_ctx *c, const char *section, const char *key,
		     const char *value)
{
	memset(c->err, 0, sizeof(*c->err));
	if (c->h(c->user, section, key, value, c->line, c->err) < 0)
		cfg_fill(c, section, key);
}

/* A key given twice would silently override the first; refuse it. */
static int cfg_check_dup(struct cfg_ctx *c, const char *section,
			 const char *key)
{
	struct cfg_seen *s;
	size_t i;

	for (i = 0; i < c->nseen; i++) {
		s = &c->seen[i];
		if (!strcmp(s->section, section) && !strcmp(s->key, key)) {
			cfg_fail(c->err, c->path, c->line, key,
				 "given twice in [%s] (first at line %d); "
				 "keep one",
				 section, s->line);
			c->failed = 1;
			return -1;
		}
	}
	if (c->nseen == c->capseen) {
		size_t ncap = c->capseen ? 2 * c->capseen : 32;

		s = realloc(c->seen, ncap * sizeof(*s));
		if (!s)
			goto err_nomem;
		c->seen = s;
		c->capseen = ncap;
	}
	s = &c->seen[c->nseen];
	s->section = strdup(section);
	s->key = strdup(key);
	if (!s->section || !s->key) {
		free(s->section);
		free(s->key);
		goto err_nomem;
	}
	s->line = c->line;
	c->nseen++;
	return 0;

err_nomem:
	cfg_fail(c->err, c->path, c->line, key, "out of memory");
	c->failed = 1;
	return -1;
}

static int cfg_ini_handler(void *user, const char *section, const char *name,
			   const char *value)
{
	struct cfg_ctx *c = user;

	if (c->failed)
		return 1;
	if (cfg_check_dup(c, section, name) == 0)
		cfg_call(c, section, name, value);
	/* Our own errors live in c->err; inih's return is kept for syntax. */
	return 1;
}

/* Mirrors inih's reading of "[name]" (an inline ';' after whitespace ends
 * the line) so the handler hears of every section, empty ones included,
 * with the header's line. */
static void cfg_section_line(struct cfg_ctx *c, const char *line)
{
	char name[CFG_SECTION_MAX + 2];
	const char *p = line + 1, *end;
	int was_space = 0;

	for (end = p; *end && *end != ']'; end++) {
		if (was_space && *end == ';')
			return; /* no ']': inih reports the syntax error */
		was_space = isspace((unsigned char)*end);
	}
	if (*end != ']')
		return;
	if ((size_t)(end - p) > CFG_SECTION_MAX) {
		cfg_fail(c->err, c->path, c->line, "",
			 "section name longer than %d characters",
			 CFG_SECTION_MAX);
		c->failed = 1;
		return;
	}
	memcpy(name, p, (size_t)(end - p));
	name[end - p] = '\0';
	cfg_call(c, name, NULL, NULL);
}

/* fgets for inih: counts lines, refuses a line that does not fit in num
 * (inih would read its tail as a line of its own), and strips leading
 * blanks so an indented line is never taken as a multi-line value. */
static char *cfg_reader(char *str, int num, void *stream)
{
	struct cfg_ctx *c = stream;
	size_t len;
	char *p;
	int ch;

	if (c->failed || !fgets(str, num, c->f))
		return NULL;
	c->line++;
	len = strlen(str);
	if (len && str[len - 1] != '\n' && len == (size_t)num - 1) {
		ch = getc(c->f);
		if (ch != EOF && ch != '\n') {
			cfg_fail(c->err, c->path, c->line, "",
				 "line longer than %d characters; shorten it",
				 num - 1);
			c->failed = 1;
			return NULL;
		}
	}
	p = str;
	if (c->line == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3; /* UTF-8 BOM, which inih would skip too */
	for (; *p == ' ' || *p == '\t'; p++)
		;
	if (p != str)
		memmove(str, p, strlen(p) + 1);
	if (str[0] == '[')
		cfg_section_line(c, str);
	return c->failed ? NULL : str;
}

int cfg_parse_file(const char *path, cfg_handler h, void *user,
		   struct cfg_error *err)
{
	struct cfg_ctx c = {.path = path, .h = h, .user = user, .err = err};
	int r, ret = -1;
	size_t i;

	memset(err, 0, sizeof(*err));
	c.f = fopen(path, "r");
	if (!c.f)
		return cfg_fail(err, path, 0, "", "cannot open: %s",
				strerror(errno));
	r = ini_parse_stream(cfg_reader, &c, cfg_ini_handler, &c);
	if (ferror(c.f)) {
		cfg_fail(err, path, c.line, "", "read error: %s",
			 strerror(errno));
		goto out;
	}
	if (r > 0 && (!c.failed || r < err->line)) {
		cfg_fail(err, path, r, "",
			 "syntax error (expected [section], key = value or "
			 "a ; or # comment)");
		goto out;
	}
	if (c.failed)
		goto out;
	if (r < 0) {
		cfg_fail(err, path, 0, "", "inih failed (%d)", r);
		goto out;
	}
	ret = 0;
out:
	for (i = 0; i < c.nseen; i++) {
		free(c.seen[i].section);
		free(c.seen[i].key);
	}
	free(c.seen);
	fclose(c.f);
	return ret;
}

int cfg_int(const char *value, long min, long max, long *out,
	    struct cfg_error *err)
{
	char *end;
	long v;

	if (!value[0] || isspace((unsigned char)value[0]))
		goto err_syntax;
	errno = 0;
	v = strtol(value, &end, 10);
	if (*end)
		goto err_syntax;
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s' is out of range %ld..%ld", value, min, max);
		return -1;
	}
	*out = v;
	return 0;

err_syntax:
	snprintf(err->msg, sizeof(err->msg),
		 "'%s' is not a whole number (%ld..%ld)", value, min, max);
	return -1;
}

int cfg_u64(const char *value, uint64_t *out, struct cfg_error *err)
{
	unsigned long long v;
	char *end;

	/* strtoull would accept "-1" and wrap it. */
	if (!isdigit((unsigned char)value[0]))
		goto err_syntax;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (*end)
		goto err_syntax;
	if (errno == ERANGE) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s' does not fit in 64 bits", value);
		return -1;
	}
	*out = v;
	return 0;

err_syntax:
	snprintf(err->msg, sizeof(err->msg),
		 "'%s' is not an unsigned whole number", value);
	return -1;
}

int cfg_bool(const char *value, int *out, struct cfg_error *err)
{
	static const char *const yes[] = {"on", "yes", "true", "1", NULL};
	static const char *const no[] = {"off", "no", "false", "0", NULL};
	int i;

	for (i = 0; yes[i]; i++) {
		if (!strcasecmp(value, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(value, no[i])) {
			*out = 0;
			return 0;
		}
	}
	snprintf(err->msg, sizeof(err->msg),
		 "'%s' is not a boolean (on/off, yes/no, true/false, 1/0)",
		 value);
	return -1;
}

int cfg_enum(const char *value, const char *const *names, struct cfg_error *err)
{
	size_t n;
	int i, r;

	for (i = 0; names[i]; i++)
		if (!strcmp(value, names[i]))
			return i;
	r = snprintf(err->msg, sizeof(err->msg), "'%s' is not one of: ", value);
	n = r > 0 ? (size_t)r : 0;
	for (i = 0; names[i] && n < sizeof(err->msg); i++) {
		r = snprintf(err->msg + n, sizeof(err->msg) - n, "%s%s",
			     i ? ", " : "", names[i]);
		if (r < 0)
			break;
		n += (size_t)r;
	}
	return -1;
}
