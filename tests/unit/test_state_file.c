/*
 * The state files' envelope (netd/state_envelope.h, pure) and the files themselves
 * (netd/util/state_file.h): round trips, every kind of damage named, the previous good copy,
 * the format before the envelope, and what lies under the name when it is not a file. No root.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/state_envelope.h"
#include "netd/util/fsutil.h"
#include "netd/util/state_file.h"

static const char body[] = "{\n  \"name\": \"eth0\"\n}\n";

static enum netd_state_fault unwrap(const char *text, size_t len, const char *kind,
                                    struct netd_state_body *b, char *why)
{
	return netd_state_unwrap(text, len, kind, b, why, 256);
}

static void crc32_is_zlibs(void **state)
{
	/* The check value of CRC-32/ISO-HDLC, what zlib's crc32() gives. */
	assert_int_equal(netd_state_crc32("123456789", 9), 0xcbf43926u);
	assert_int_equal(netd_state_crc32("", 0), 0);
}

static void wrap_then_unwrap_gives_the_body_back(void **state)
{
	struct netd_state_body b;
	char *text = NULL, why[256];

	assert_int_equal(netd_state_wrap("uplink", body, &text), 0);
	assert_memory_equal(text, "netd-state 1 uplink 21 crc32:", 29);
	assert_int_equal(unwrap(text, strlen(text), "uplink", &b, why), NETD_STATE_SOUND);
	assert_false(b.legacy);
	assert_int_equal(b.len, strlen(body));
	assert_memory_equal(text + b.off, body, b.len);
	assert_string_equal(why, "loads");
	free(text);

	/* An empty body is a body too. */
	assert_int_equal(netd_state_wrap("taps", "", &text), 0);
	assert_int_equal(unwrap(text, strlen(text), "taps", &b, why), NETD_STATE_SOUND);
	assert_int_equal(b.len, 0);
	free(text);

	assert_int_equal(netd_state_wrap("Bad kind", body, &text), -EINVAL);
	assert_int_equal(netd_state_wrap("", body, &text), -EINVAL);
}

/* Each kind of damage is told apart, with a sentence that follows the file's name. */
static void every_damage_is_named(void **state)
{
	struct netd_state_body b;
	char *good = NULL, buf[512], why[256];
	size_t len;

	assert_int_equal(netd_state_wrap("uplink", body, &good), 0);
	len = strlen(good);

	assert_int_equal(unwrap("", 0, "uplink", &b, why), NETD_STATE_EMPTY);
	assert_string_equal(why, "is empty");

	/* Cut anywhere: in the magic, in the header line, in the body. */
	assert_int_equal(unwrap(good, 5, "uplink", &b, why), NETD_STATE_TRUNCATED);
	assert_string_equal(why, "is truncated (in its header line)");
	assert_int_equal(unwrap(good, 20, "uplink", &b, why), NETD_STATE_TRUNCATED);
	assert_string_equal(why, "is truncated (in its header line)");
	assert_int_equal(unwrap(good, len - 3, "uplink", &b, why), NETD_STATE_TRUNCATED);
	assert_string_equal(why, "is truncated (the body has 18 of 21 bytes)");

	snprintf(buf, sizeof(buf), "%sxyz", good);
	assert_int_equal(unwrap(buf, strlen(buf), "uplink", &b, why), NETD_STATE_TRAILING);
	assert_string_equal(why, "has 3 bytes after the end of its record");

	snprintf(buf, sizeof(buf), "%s", good);
	buf[len - 4] ^= 0x20; /* one bit of the body */
	assert_int_equal(unwrap(buf, len, "uplink", &b, why), NETD_STATE_BAD_CHECKSUM);
	assert_memory_equal(why, "has a bad checksum (crc32 ", 26);

	snprintf(buf, sizeof(buf), "%s", good);
	buf[len - 30] = '\0'; /* a torn write leaves zeros */
	assert_int_equal(unwrap(buf, len, "uplink", &b, why), NETD_STATE_NUL);
	assert_string_equal(why, "holds NUL bytes (a write that did not complete)");

	assert_int_equal(unwrap(good, len, "bond", &b, why), NETD_STATE_WRONG_KIND);
	assert_string_equal(why, "holds a uplink record, not a bond record");

	snprintf(buf, sizeof(buf), "netd-state 2 uplink 21 whatever\n%s", body);
	assert_int_equal(unwrap(buf, strlen(buf), "uplink", &b, why), NETD_STATE_UNKNOWN_VERSION);
	assert_string_equal(why, "is format version 2; this netd reads version 1");

	snprintf(buf, sizeof(buf), "netd-state x uplink 21 crc32:00000000\n%s", body);
	assert_int_equal(unwrap(buf, strlen(buf), "uplink", &b, why), NETD_STATE_BAD_HEADER);
	snprintf(buf, sizeof(buf), "netd-state 1 uplink 21 crc32:0000000g\n%s", body);
	assert_int_equal(unwrap(buf, strlen(buf), "uplink", &b, why), NETD_STATE_BAD_HEADER);
	snprintf(buf, sizeof(buf), "netd-state 1 uplink 21 md5:00000000\n%s", body);
	assert_int_equal(unwrap(buf, strlen(buf), "uplink", &b, why), NETD_STATE_BAD_HEADER);
	assert_string_equal(netd_state_fault_name(NETD_STATE_BAD_CHECKSUM), "bad checksum");
	free(good);
}

/* No envelope: the previous format, handed back whole for the reader's parser to judge. */
static void a_file_without_the_envelope_is_the_old_format(void **state)
{
	struct netd_state_body b;
	char why[256];

	assert_int_equal(unwrap(body, strlen(body), "uplink", &b, why), NETD_STATE_SOUND);
	assert_true(b.legacy);
	assert_int_equal(b.off, 0);
	assert_int_equal(b.len, strlen(body));
	assert_int_equal(unwrap("0\n", 2, "ip_forward", &b, why), NETD_STATE_SOUND);
	assert_true(b.legacy);
}

/* ---- the files ---- */

static char dir[64], path[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_state_file.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/net.uplink", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *p, const char *text)
{
	assert_int_equal(netd_file_write_atomic(p, text, 0644, false), 0);
}

static char *slurp(const char *p)
{
	char *text = NULL;

	assert_int_equal(netd_file_read(p, 1 << 20, &text), 0);
	return text;
}

static void write_then_load(void **state)
{
	struct netd_state_info info;
	char *text = NULL, *raw, prev[160];
	struct stat st;

	assert_int_equal(netd_state_path(prev, sizeof(prev), dir, "net", "uplink"), 0);
	assert_string_equal(prev, path);
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_CURRENT, &text, &info),
	                 -ENOENT);
	assert_string_equal(info.reason, "is missing");
	assert_string_equal(info.path, path);

	assert_int_equal(netd_state_write(path, "uplink", body), 0);
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_CURRENT, &text, &info), 0);
	assert_string_equal(text, body);
	assert_false(info.legacy);
	assert_string_equal(info.reason, "");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* The first write leaves a good copy beside it: the same content. */
	snprintf(prev, sizeof(prev), "%s.prev", path);
	raw = slurp(prev);
	assert_memory_equal(raw, "netd-state 1 uplink", 19);
	free(raw);
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_PREV, &text, &info), 0);
	assert_string_equal(text, body);
	assert_string_equal(info.path, prev);
	free(text);
}

static void each_good_write_rotates_the_previous_one(void **state)
{
	struct netd_state_info info;
	char *text = NULL;

	assert_int_equal(netd_state_write(path, "taps", "{\"n\":1}"), 0);
	assert_int_equal(netd_state_write(path, "taps", "{\"n\":2}"), 0);
	assert_int_equal(netd_state_write(path, "taps", "{\"n\":3}"), 0);
	assert_int_equal(netd_state_load(path, "taps", NETD_STATE_CURRENT, &text, &info), 0);
	assert_string_equal(text, "{\"n\":3}");
	free(text);
	assert_int_equal(netd_state_load(path, "taps", NETD_STATE_PREV, &text, &info), 0);
	assert_string_equal(text, "{\"n\":2}");
	free(text);

	/* A damaged current file is not rotated: the last good copy stays the .prev. */
	put(path, "");
	assert_int_equal(netd_state_write(path, "taps", "{\"n\":4}"), 0);
	assert_int_equal(netd_state_load(path, "taps", NETD_STATE_PREV, &text, &info), 0);
	assert_string_equal(text, "{\"n\":2}");
	free(text);
	assert_int_equal(netd_state_write(path, "taps", "{\"n\":5}"), 0);
	assert_int_equal(netd_state_load(path, "taps", NETD_STATE_PREV, &text, &info), 0);
	assert_string_equal(text, "{\"n\":4}");
	free(text);
}

/* Truncated, emptied, garbled: -EINVAL, the reason, and the file named. */
static void a_damaged_file_says_why(void **state)
{
	struct netd_state_info info;
	char *text = NULL, *raw;

	assert_int_equal(netd_state_write(path, "uplink", body), 0);
	raw = slurp(path);
	raw[strlen(raw) - 5] = '\0';
	put(path, raw);
	free(raw);
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_CURRENT, &text, &info),
	                 -EINVAL);
	assert_null(text);
	assert_string_equal(info.path, path);
	assert_string_equal(info.reason, "is truncated (the body has 16 of 21 bytes)");

	put(path, "");
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_CURRENT, &text, &info),
	                 -EINVAL);
	assert_string_equal(info.reason, "is empty");

	assert_int_equal(netd_state_write(path, "uplink", body), 0);
	raw = slurp(path);
	raw[strlen(raw) - 8] = '#';
	put(path, raw);
	free(raw);
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_CURRENT, &text, &info),
	                 -EINVAL);
	assert_memory_equal(info.reason, "has a bad checksum", 18);

	/* The .prev is still good. */
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_PREV, &text, &info), 0);
	free(text);

	/* The reader's parser refusing a sound body (or an old file) says so. */
	assert_int_equal(netd_state_refuse(&info, "uplink", "no name"), -EINVAL);
	assert_string_equal(info.reason, "holds a uplink record that is not valid (no name)");
	info.legacy = true;
	assert_int_equal(netd_state_refuse(&info, "uplink", "no name"), -EINVAL);
	assert_string_equal(info.reason, "is not a netd state file, nor a uplink record of the "
	                                 "format before it (no name)");
}

/* Whatever lies under the name, netd neither hangs nor follows it. */
static void not_a_regular_file(void **state)
{
	struct netd_state_info info;
	struct netd_diag d = {{0}};
	char *text = NULL, other[160];

	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_CURRENT, &text, &info),
	                 -EINVAL);
	assert_string_equal(info.reason, "is a directory, not a regular file");
	/* A write cannot replace it, and remove leaves it. */
	assert_true(netd_state_write(path, "uplink", body) < 0);
	assert_int_equal(netd_state_remove(path, &d), -EISDIR);
	assert_non_null(strstr(d.msg, "is a directory, not a regular file: netd leaves it"));
	snprintf(other, sizeof(other), "%s.prev", path);
	assert_int_equal(access(other, F_OK), -1); /* no copy of what was never written */
	assert_int_equal(rmdir(path), 0);

	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_CURRENT, &text, &info),
	                 -EINVAL);
	assert_string_equal(info.reason, "is a FIFO, not a regular file");
	assert_int_equal(unlink(path), 0);

	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	put(other, body);
	assert_int_equal(symlink(other, path), 0);
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_CURRENT, &text, &info),
	                 -EINVAL);
	assert_string_equal(info.reason, "is a symbolic link, not a regular file");
	assert_int_equal(unlink(path), 0);
}

static void the_old_format_loads_and_is_rewritten(void **state)
{
	struct netd_state_info info;
	char *text = NULL, *raw;

	put(path, body);
	assert_int_equal(netd_state_load(path, "uplink", NETD_STATE_CURRENT, &text, &info), 0);
	assert_true(info.legacy);
	assert_string_equal(text, body);
	free(text);
	assert_int_equal(netd_state_write(path, "uplink", body), 0);
	raw = slurp(path);
	assert_memory_equal(raw, "netd-state 1 uplink 21 ", 23);
	free(raw);
}

static void remove_takes_both_copies(void **state)
{
	char prev[160];
	struct netd_diag d = {{0}};

	snprintf(prev, sizeof(prev), "%s.prev", path);
	assert_int_equal(netd_state_remove(path, &d), 0); /* nothing there: no error */
	assert_int_equal(netd_state_write(path, "bond", body), 0);
	assert_int_equal(access(prev, F_OK), 0);
	assert_int_equal(netd_state_remove(path, &d), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(prev, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(crc32_is_zlibs),
	    cmocka_unit_test(wrap_then_unwrap_gives_the_body_back),
	    cmocka_unit_test(every_damage_is_named),
	    cmocka_unit_test(a_file_without_the_envelope_is_the_old_format),
	    cmocka_unit_test_setup_teardown(write_then_load, setup, teardown),
	    cmocka_unit_test_setup_teardown(each_good_write_rotates_the_previous_one, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(a_damaged_file_says_why, setup, teardown),
	    cmocka_unit_test_setup_teardown(not_a_regular_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_old_format_loads_and_is_rewritten, setup, teardown),
	    cmocka_unit_test_setup_teardown(remove_takes_both_copies, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
