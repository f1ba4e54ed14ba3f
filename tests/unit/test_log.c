/*
 * The daemon's logger (netd/util/log.h): "netd: " lines on a plain stderr, "<N>" priority
 * prefixes only when stderr is the very socket JOURNAL_STREAM names (so `journalctl -p err`
 * finds errors), and --log-level's names. No root: stderr is redirected to a socketpair.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/util/log.h"

/* In a child (the logger caches its look at stderr): stderr on one end of a socketpair,
 * JOURNAL_STREAM set to env (NULL: that end's own dev:ino), one error and one debug line
 * logged; what reached the other end into out. */
static void log_in_child(const char *env, char *out, size_t len)
{
	int sv[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct stat st;
		char val[64];

		close(sv[0]);
		if (dup2(sv[1], 2) < 0 || fstat(2, &st) < 0)
			_exit(1);
		snprintf(val, sizeof(val), "%llu:%llu", (unsigned long long)st.st_dev,
		         (unsigned long long)st.st_ino);
		setenv("JOURNAL_STREAM", env ? env : val, 1);
		netd_log(LOG_ERR, "bridge %s is gone", "virbr0");
		netd_log(LOG_DEBUG, "not shown at info");
		_exit(0);
	}
	close(sv[1]);
	while ((n = read(sv[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(sv[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void journal_stream_gets_priority_prefixes(void **state)
{
	char out[256];

	log_in_child(NULL, out, sizeof(out));
	assert_string_equal(out, "<3>bridge virbr0 is gone\n");
}

static void other_stderr_keeps_the_ident(void **state)
{
	char out[256];

	/* Inherited from a unit, but stderr redirected elsewhere: not the journal. */
	log_in_child("1:1", out, sizeof(out));
	assert_string_equal(out, "netd: bridge virbr0 is gone\n");
}

static void level_names(void **state)
{
	assert_int_equal(netd_log_level_parse("err"), LOG_ERR);
	assert_int_equal(netd_log_level_parse("WARNING"), LOG_WARNING);
	assert_int_equal(netd_log_level_parse("debug"), LOG_DEBUG);
	assert_int_equal(netd_log_level_parse("6"), LOG_INFO);
	assert_int_equal(netd_log_level_parse("8"), -1);
	assert_int_equal(netd_log_level_parse("loud"), -1);
	assert_int_equal(netd_log_level_parse(""), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(journal_stream_gets_priority_prefixes),
	    cmocka_unit_test(other_stderr_keeps_the_ident),
	    cmocka_unit_test(level_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
