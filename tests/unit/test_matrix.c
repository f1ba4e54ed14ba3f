/* Each mode's defaults are the documents' table, as tests/data/matrix.tsv writes it down. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "netd/mode.h"

static void defaults_equal_the_documents_table(void **state)
{
	FILE *f = fopen(NETD_TEST_DATA "/matrix.tsv", "r");
	int col_mode[8], n_cols = 0, rows = 0;
	char line[256];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok;
		int col = 0, cell = -1;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		tok = strtok_r(line, "\t", &save);
		if (strcmp(tok, "cell") == 0) {
			while ((tok = strtok_r(NULL, "\t", &save))) {
				col_mode[n_cols] = netd_mode_from_string(tok);
				assert_true(col_mode[n_cols++] >= 0);
			}
			continue;
		}
		cell = netd_cell_from_string(tok);
		assert_true(cell >= 0);
		while ((tok = strtok_r(NULL, "\t", &save))) {
			const struct netd_mode_ops *ops = netd_mode_ops(col_mode[col++]);

			if ((int)ops->defaults[cell] != netd_policy_from_string(tok))
				fail_msg("%s: %s should be %s", ops->name,
				         netd_cell_to_string(cell), tok);
		}
		assert_int_equal(col, NETD_MODE_MAX);
		rows++;
	}
	fclose(f);
	assert_int_equal(n_cols, NETD_MODE_MAX);
	assert_int_equal(rows, NETD_CELL_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_equal_the_documents_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
