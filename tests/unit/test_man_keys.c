/*
 * netd.conf(5) names every section and key the parser knows (netd_config_key()), each as the
 * README writes keys (`Key`, bold in the page): a key added to the parser without a line in
 * README.md's tables, and so in the page generated from it, fails here. No root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/config.h"

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static void every_key_of_the_parser_is_in_the_page(void **state)
{
	char *page = read_all(NETD_SOURCE_DIR "/docs/man/netd.conf.5");
	const char *section, *key;
	char want[128];
	size_t i, missing = 0;

	for (i = 0; netd_config_key(i, &section, &key) == 0; i++) {
		/* `Key` in README.md is \fBKey\fR in the page; a bold mention anywhere counts
		 * (keys of one row, `VMToHost` `HostToVM`, are bold each) */
		snprintf(want, sizeof(want), "\\fB%s\\fR", key);
		if (!strstr(page, want)) {
			print_error("netd.conf.5 does not name [%s] %s\n", section, key);
			missing++;
		}
		snprintf(want, sizeof(want), "[%s]", section);
		if (!strstr(page, want)) {
			print_error("netd.conf.5 does not name the section [%s]\n", section);
			missing++;
		}
	}
	assert_true(i > 40); /* the parser's table was read */
	assert_int_equal(missing, 0);
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_key_of_the_parser_is_in_the_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
