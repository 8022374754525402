/* probe_report: table and JSON forms of a probe report. */
#include <errno.h>
#include <jansson.h>

#include "probe_report.h"
#include "probe_verdict.h"

void probe_report_table(FILE *f, const struct probe_report *r)
{
	fprintf(f, "punchlab probe %s%s%s (run %s, %.1f s)\n", r->profile,
		r->behind[0] ? " behind " : "", r->behind, r->rid,
		r->duration_ms / 1000.0);
	fprintf(f, "  %-20s %-30s %-30s %s\n", "axis", "declared", "measured",
		"verdict");
	for (int i = 0; i < r->nrows; i++) {
		const struct probe_row *row = &r->rows[i];

		fprintf(f, "  %-20s %-30s %-30s %s\n", row->axis, row->declared,
			row->measured, probe_verdict_str(row->verdict));
		if (row->detail[0])
			fprintf(f, "  %20s %s\n", "", row->detail);
	}
	fprintf(f, "%s\n",
		probe_verdict_exit(r) ? "DIFF: the router does not behave as "
					"its profile declares"
				      : "PASS: the router behaves as its "
					"profile declares");
	fflush(f);
}

int probe_report_json(FILE *f, const struct probe_report *r)
{
	json_t *root, *axes = json_array();
	int e = 0;

	for (int i = 0; i < r->nrows; i++) {
		const struct probe_row *row = &r->rows[i];

		json_array_append_new(
			axes,
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "axis",
				  row->axis, "proto", row->udp ? "udp" : "tcp",
				  "declared", row->declared, "measured",
				  row->measured, "verdict",
				  probe_verdict_str(row->verdict), "detail",
				  row->detail));
	}
	root = json_pack("{s:s, s:o, s:s, s:I, s:s, s:o}", "profile",
			 r->profile, "behind",
			 r->behind[0] ? json_string(r->behind) : json_null(),
			 "run_id", r->rid, "duration_ms",
			 (json_int_t)r->duration_ms, "verdict",
			 probe_verdict_exit(r) ? "diff" : "pass", "axes", axes);
	if (!root || json_dumpf(root, f, JSON_INDENT(2)) < 0 ||
	    fputc('\n', f) == EOF || fflush(f) == EOF)
		e = -EIO;
	json_decref(root);
	return e;
}
