/* scenario_value: reading one scenario key's value. Private to the
 * scenario reader. */
#ifndef PUNCHLAB_SCENARIO_VALUE_H
#define PUNCHLAB_SCENARIO_VALUE_H

#include <stddef.h>

#include "scenario_priv.h"

/* Each returns 0, or -1 with err->msg set.
 *
 * Condition parameter i (cellcond_params) from p[0..len): a plain
 * decimal in the parameter's range. */
int scenario_param_value(int i, const char *p, size_t len, double *out,
			 struct cfg_error *err);
/* Condition parameter i from p[0..len): a plain number as above, or
 * (for a key that takes one) a distribution into *d (conddist.h), its
 * CSV loaded into the scenario, relative to the scenario's folder; *out
 * gets the number or the distribution's median. */
int scenario_param_spec(struct scenario_ctx *c, int i, const char *p,
			size_t len, double *out, struct cond_dist *d,
			struct cfg_error *err);
/* Parses ">= 0.95", "<= 0.1", "== 0", "0.8..1.0" into [min,max].
 * 0 or -1. */
int scenario_parse_expect(const char *text, double *min, double *max);
/* v into dst, refused when it is cap or longer. */
/* One of names (NULL-terminated) into *out, by index. 0 or -1 with
 * err->msg listing the names. */
int scenario_choice(const char *v, const char *const *names, int *out,
		    struct cfg_error *err);
int scenario_copy(char *dst, size_t cap, const char *v,
		  struct cfg_error *err);
/* An `expect` value: its range and, as written, its text. */
int scenario_expect(const char *v, double *min, double *max, char *text,
		    size_t cap, struct cfg_error *err);
/* Profile name from the profile folder and, when it sits behind a
 * carrier, the carrier into *carrier (*has_carrier says so). */
int scenario_profile(struct scenario_ctx *c, const char *name,
		     struct nat_profile *p, struct nat_profile *carrier,
		     int *has_carrier, struct cfg_error *err);
/* 1 for a cell name of letters, digits and ._+- */
int scenario_cell_name_ok(const char *name);
/* The name of a new [what NAME] section, blanks before it skipped: the
 * name, or NULL with err->msg set when it is not 1..cap-1 letters, digits
 * and ._+-. */
const char *scenario_section_name(const char *name, size_t cap,
				  const char *what, struct cfg_error *err);

#endif
