/*
 * sd_notify(3)'s protocol as netd speaks it (netd/util/sd_notify.h): a datagram to a socket
 * path or an abstract name, nothing without $NOTIFY_SOCKET, and the watchdog interval only
 * when it is this process's. No root.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/util/sd_notify.h"

/* A datagram socket bound to name (a path, or "@..." abstract); its fd. */
static int listener(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sa.sun_path, name, strlen(name));
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

static void got(int fd, const char *want)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void to_a_path_and_an_abstract_name(void **state)
{
	char dir[] = "/tmp/netd-notify.XXXXXX", path[64], abstract[64];
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(netd_sd_notify("READY=1\nSTATUS=%d networks", 3), 0);
	got(fd, "READY=1\nSTATUS=3 networks");
	close(fd);
	unlink(path);
	rmdir(dir);

	snprintf(abstract, sizeof(abstract), "@netd-notify-test-%d", (int)getpid());
	fd = listener(abstract);
	setenv("NOTIFY_SOCKET", abstract, 1);
	assert_int_equal(netd_sd_notify("WATCHDOG=1"), 0);
	got(fd, "WATCHDOG=1");
	close(fd);
}

static void nothing_without_a_manager(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(netd_sd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(netd_sd_notify("READY=1"), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
}

static void watchdog_interval_is_for_this_process_only(void **state)
{
	char pid[16];

	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(netd_sd_watchdog_ms(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(netd_sd_watchdog_ms(), 30000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(netd_sd_watchdog_ms(), 30000);
	setenv("WATCHDOG_PID", "1", 1); /* a parent's, inherited */
	assert_int_equal(netd_sd_watchdog_ms(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "soon", 1);
	assert_int_equal(netd_sd_watchdog_ms(), 0);
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(to_a_path_and_an_abstract_name),
	    cmocka_unit_test(nothing_without_a_manager),
	    cmocka_unit_test(watchdog_interval_is_for_this_process_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
