/* <state>/<network>.up, the record of the networks that are up: written, read back, told
 * apart from another boot's record and from anything else, removed. No root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine_priv.h"
#include "netd/util/fsutil.h"

static char dir[] = "/tmp/netd-up-record-XXXXXX";

static void put(const char *text)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/default.up", dir);
	assert_int_equal(netd_file_write_atomic(path, text, 0644, false), 0);
}

static void test_written_read_and_forgotten(void **state)
{
	char path[128], *text = NULL, *boot = NULL;

	assert_int_equal(netd_up_record_load(dir, "default"), -ENOENT);
	assert_int_equal(netd_up_record_save(dir, "default"), 0);
	assert_int_equal(netd_up_record_load(dir, "default"), 0);
	assert_int_equal(netd_up_record_load(dir, "other"), -ENOENT);

	/* What it says: the network and this boot. */
	snprintf(path, sizeof(path), "%s/default.up", dir);
	assert_int_equal(netd_file_read(path, 4096, &text), 0);
	assert_int_equal(netd_file_read("/proc/sys/kernel/random/boot_id", 64, &boot), 0);
	assert_non_null(strstr(text, "network=default\n"));
	assert_non_null(strstr(text, boot));
	free(text);
	free(boot);

	assert_int_equal(netd_up_record_forget(dir, "default"), 0);
	assert_int_equal(netd_up_record_load(dir, "default"), -ENOENT);
	assert_int_equal(netd_up_record_forget(dir, "default"), 0); /* none: fine */
}

/* The boot's id as the kernel gives it (a file whose stat() says 0 bytes, like all of /proc). */
static void this_boot(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, (int)len, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void test_names_this_boot(void **state)
{
	char path[128], want[128], boot[64], *text = NULL;

	this_boot(boot, sizeof(boot));
	assert_int_equal(strlen(boot), 36); /* a UUID: never an empty boot= line */
	assert_int_equal(netd_up_record_save(dir, "default"), 0);
	snprintf(path, sizeof(path), "%s/default.up", dir);
	snprintf(want, sizeof(want), "network=default\nboot=%s\n", boot);
	assert_int_equal(netd_file_read(path, 4096, &text), 0);
	/* The body, after the state file's header line. */
	assert_true(strlen(text) > strlen(want));
	assert_string_equal(text + strlen(text) - strlen(want), want);
	assert_int_equal(text[strlen(text) - strlen(want) - 1], '\n');
	free(text);
	/* A record of the same network without this boot's id is another boot's. */
	put("network=default\nboot=\n");
	assert_int_equal(netd_up_record_load(dir, "default"), -ESTALE);
	assert_int_equal(netd_up_record_forget(dir, "default"), 0);
}

static void test_another_boot_or_another_thing(void **state)
{
	/* Written before a reboot: no intent any more (only Autostart= brings it back). */
	put("network=default\nboot=00000000-0000-0000-0000-000000000000\n");
	assert_int_equal(netd_up_record_load(dir, "default"), -ESTALE);
	/* Anything else is not read as "no record": the caller decides. */
	put("");
	assert_int_equal(netd_up_record_load(dir, "default"), -EINVAL);
	put("network=other\nboot=00000000-0000-0000-0000-000000000000\n");
	assert_int_equal(netd_up_record_load(dir, "default"), -EINVAL);
	put("garbage");
	assert_int_equal(netd_up_record_load(dir, "default"), -EINVAL);
	assert_int_equal(netd_up_record_save(dir, "default"), 0); /* rewritten whole */
	assert_int_equal(netd_up_record_load(dir, "default"), 0);
	assert_int_equal(netd_up_record_forget(dir, "default"), 0);
	/* A name that is no network's never becomes a path. */
	assert_int_equal(netd_up_record_save(dir, "../x"), -ENAMETOOLONG);
	assert_int_equal(netd_up_record_load(dir, "../x"), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_written_read_and_forgotten),
	    cmocka_unit_test(test_names_this_boot),
	    cmocka_unit_test(test_another_boot_or_another_thing),
	};
	int ret;

	if (!mkdtemp(dir))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return ret;
}
