/* cfg: INI files through libinih. The whole file is read and checked
 * (regular, at most CFG_FILE_MAX bytes, UTF-8 text without NUL or control
 * bytes) before inih sees it; our own line reader counts lines (the
 * Debian build has no INI_HANDLER_LINENO), refuses lines inih would split,
 * reports section headers and catches keys given twice. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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
	const char *buf; /* the whole file, checked by cfg_check_text */
	size_t len, pos;
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

/* fgets for inih over the file in memory: counts lines, refuses a line
 * that does not fit in num (inih would read its tail as a line of its
 * own), and strips leading blanks so an indented line is never taken as a
 * multi-line value. */
static char *cfg_reader(char *str, int num, void *stream)
{
	struct cfg_ctx *c = stream;
	const char *start = c->buf + c->pos, *nl;
	size_t left = c->len - c->pos, len, take;
	char *p;

	if (c->failed || !left || num < 2)
		return NULL;
	c->line++;
	nl = memchr(start, '\n', left);
	len = nl ? (size_t)(nl - start) + 1 : left; /* with its '\n' */
	take = len;
	if (take > (size_t)num - 1) {
		/* Exactly num - 1 characters before the '\n' still fit. */
		if (!nl || len - 1 > (size_t)num - 1) {
			cfg_fail(c->err, c->path, c->line, "",
				 "line longer than %d characters; shorten it",
				 num - 1);
			c->failed = 1;
			return NULL;
		}
		take = len - 1;
	}
	memcpy(str, start, take);
	str[take] = '\0';
	c->pos += len;
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

/* Length of the UTF-8 sequence at p (at most n bytes), or 0 when it is
 * not one: overlong forms, surrogates and code points past U+10FFFF are
 * refused as RFC 3629 says. */
static size_t cfg_utf8_len(const unsigned char *p, size_t n)
{
	unsigned cp;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

/* Text is UTF-8 with no NUL (C strings would silently end there), no
 * control byte but tab and a CR before LF (they reach logs, terminals and
 * JSON). Errors name the line. */
static int cfg_check_text(const char *path, const char *buf, size_t len,
			  struct cfg_error *err)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, col = 1, n;
	int line = 1;

	while (i < len) {
		if (p[i] == '\n') {
			line++;
			col = 1;
			i++;
			continue;
		}
		if (p[i] == '\0')
			return cfg_fail(err, path, line, "",
					"NUL byte at column %zu; this is not a "
					"text file, or it was damaged",
					col);
		if ((p[i] < 0x20 && p[i] != '\t' &&
		     !(p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')) ||
		    p[i] == 0x7F)
			return cfg_fail(err, path, line, "",
					"control byte 0x%02X at column %zu; "
					"remove it",
					p[i], col);
		n = cfg_utf8_len(p + i, len - i);
		if (!n)
			return cfg_fail(err, path, line, "",
					"byte 0x%02X at column %zu is not "
					"UTF-8; save the file as UTF-8",
					p[i], col);
		i += n;
		col++;
	}
	return 0;
}

static const char *cfg_file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "a special file";
}

/* The whole file into *buf (caller frees), refused before a byte is
 * parsed when it is not a regular file or exceeds CFG_FILE_MAX. O_NONBLOCK
 * so that opening a FIFO without a writer returns instead of waiting. */
static int cfg_read_all(const char *path, char **buf, size_t *len,
			struct cfg_error *err)
{
	struct stat st;
	size_t n = 0;
	ssize_t r;
	char *b = NULL;
	int fd, ret = -1;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return cfg_fail(err, path, 0, "", "cannot open: %s",
				strerror(errno));
	if (fstat(fd, &st) < 0) {
		cfg_fail(err, path, 0, "", "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_fail(err, path, 0, "",
			 "%s, not a regular file; give the path of an .ini "
			 "file",
			 cfg_file_kind(st.st_mode));
		goto out;
	}
	if (st.st_size > CFG_FILE_MAX)
		goto err_big;
	/* One byte more than allowed: a file that grew is caught too. */
	b = malloc(CFG_FILE_MAX + 2);
	if (!b) {
		cfg_fail(err, path, 0, "", "out of memory");
		goto out;
	}
	while (n < CFG_FILE_MAX + 1) {
		r = read(fd, b + n, CFG_FILE_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cfg_fail(err, path, 0, "", "read error: %s",
				 strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > CFG_FILE_MAX)
		goto err_big;
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
	ret = 0;
	goto out;

err_big:
	cfg_fail(err, path, 0, "",
		 "larger than %d bytes; this is not a config file",
		 CFG_FILE_MAX);
out:
	free(b);
	close(fd);
	return ret;
}

int cfg_parse_file(const char *path, cfg_handler h, void *user,
		   struct cfg_error *err)
{
	struct cfg_ctx c = {.path = path, .h = h, .user = user, .err = err};
	char *buf;
	int r, ret = -1;
	size_t i;

	memset(err, 0, sizeof(*err));
	if (cfg_read_all(path, &buf, &c.len, err) < 0)
		return -1;
	c.buf = buf;
	if (cfg_check_text(path, buf, c.len, err) < 0)
		goto out;
	r = ini_parse_stream(cfg_reader, &c, cfg_ini_handler, &c);
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
	free(buf);
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

int cfg_port_range(const char *v, uint16_t *lo, uint16_t *hi,
		   struct cfg_error *err)
{
	char low[8], high[8];
	const char *dash = strchr(v, '-');
	long l, h;

	if (!dash || (size_t)(dash - v) >= sizeof(low) ||
	    strlen(dash + 1) >= sizeof(high))
		goto err_syntax;
	memcpy(low, v, (size_t)(dash - v));
	low[dash - v] = '\0';
	strcpy(high, dash + 1);
	if (cfg_int(low, 1, 65535, &l, err) < 0 ||
	    cfg_int(high, 1, 65535, &h, err) < 0)
		goto err_syntax;
	if (l > h) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s': the low port is above the high port", v);
		return -1;
	}
	*lo = (uint16_t)l;
	*hi = (uint16_t)h;
	return 0;

err_syntax:
	snprintf(err->msg, sizeof(err->msg),
		 "'%s' is not a port range LOW-HIGH within 1-65535 "
		 "(e.g. 1024-65535)",
		 v);
	return -1;
}
