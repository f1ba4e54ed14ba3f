/*
 * Real dnsmasq processes on bridges of a network namespace of this process's own: start,
 * observe, stop, failures, a DHCP lease taken by busybox udhcpc from a "guest" namespace,
 * a hosts-file reload, and the time a start takes.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "netd/kernel/dnsmasq.h"
#include "netd/mode.h"
#include "netd/kernel/netlink.h"
#include "netd/util/wait.h"
#include "dnsmasq_fixture.h"
#include "kernel_util.h"

/* The process's real id of a /proc/PID/status line ("Uid:" or "Gid:"), the same as its
 * effective one. */
static int id_of(pid_t pid, const char *which)
{
	char path[64], line[256], fmt[32];
	int rid = -1, eid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	snprintf(fmt, sizeof(fmt), "%s %%d %%d", which);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &rid, &eid) == 2)
			break;
	fclose(f);
	assert_int_equal(rid, eid);
	return eid;
}

static int uid_of(pid_t pid)
{
	return id_of(pid, "Uid:");
}

/* Whether pid's command line has the argument arg. */
static bool has_arg(pid_t pid, const char *arg)
{
	char path[64], buf[8192];
	bool found = false;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t off = 0; off < n && !found; off += strlen(buf + off) + 1)
		found = strcmp(buf + off, arg) == 0;
	return found;
}

static int start(const struct netd_network *n, struct started *s, struct netd_diag *diag)
{
	char *opts = NULL, *records = NULL;

	memset(s, 0, sizeof(*s));
	assert_int_equal(netd_dnsmasq_paths_init(&s->p, dir, dir, n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &s->p, &s->conf), 0);
	assert_int_equal(netd_dnsmasq_render_hosts(n, &s->hosts), 0);
	/* The files dnsmasq rereads on SIGHUP, written first as the engine does (apply.c). */
	assert_int_equal(netd_dnsmasq_render_opts(n, &opts), 0);
	assert_int_equal(netd_dnsmasq_render_records(n, &records), 0);
	assert_int_equal(netd_dnsmasq_reread_write(&s->p, opts, records), 0);
	free(opts);
	free(records);
	return netd_dnsmasq_start(&s->p, s->conf, s->hosts, NULL, &s->pid, diag);
}

static void test_start_observe_stop(void **state)
{
	struct netd_network *n =
	    net("alpha", NETD_MODE_NAT, "dbr0", "10.31.0.1/24", "10.31.0.10", "10.31.0.200");
	struct netd_diag diag = {{0}};
	struct started s;
	pid_t pid = 0, again;

	bridge_for(n, true);
	assert_int_equal(start(n, &s, &diag), 0);
	assert_true(s.pid > 1);
	assert_true(alive(s.pid));
	assert_int_equal(netd_dnsmasq_running(&s.p, &pid), 1);
	assert_int_equal(pid, s.pid);
	/* Serving as soon as start returns: DNS on the host address, DHCP on port 67. */
	assert_true(udp_bound("10.31.0.1", 53));
	assert_true(udp_bound("0.0.0.0", 67));
	assert_int_equal(access(s.p.leases, F_OK), 0);
	assert_int_equal(uid_of(s.pid), 65534); /* dropped to nobody after binding */
	/* and to nobody's own group, named on the command line as this system names it
	 * (nogroup on Debian, nobody elsewhere): no group name is compiled in */
	{
		struct passwd *pw = getpwnam("nobody");
		struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;
		char want[64];

		assert_non_null(gr);
		snprintf(want, sizeof(want), "--group=%s", gr->gr_name);
		assert_true(has_arg(s.pid, want));
		assert_int_equal(id_of(s.pid, "Gid:"), (int)pw->pw_gid);
	}

	assert_int_equal(netd_dnsmasq_conf_matches(&s.p, s.conf, s.hosts), 1);
	assert_int_equal(netd_dnsmasq_conf_matches(&s.p, "# other\n", s.hosts), 0);
	assert_int_equal(netd_dnsmasq_conf_matches(&s.p, s.conf, "52:54:00:00:00:01,x\n"), 0);

	assert_int_equal(netd_dnsmasq_start(&s.p, s.conf, s.hosts, NULL, &again, &diag), -EALREADY);
	assert_true(alive(s.pid)); /* the refused second start left the first alone */

	assert_int_equal(netd_dnsmasq_stop(&s.p), 0);
	wait_gone(s.pid);
	assert_int_equal(netd_dnsmasq_running(&s.p, &pid), 0);
	assert_int_equal(access(s.p.conf, F_OK), -1);
	assert_int_equal(access(s.p.hosts, F_OK), -1);
	assert_int_equal(access(s.p.pid, F_OK), -1);
	assert_int_equal(access(s.p.leases, F_OK), 0); /* leases survive a stop */
	assert_false(udp_bound("10.31.0.1", 53));
	assert_int_equal(netd_dnsmasq_conf_matches(&s.p, s.conf, s.hosts), 0);
	assert_int_equal(netd_dnsmasq_stop(&s.p), 0); /* not running: fine */
	started_free(&s);
	netd_network_free(n);
}

static void test_two_networks_side_by_side(void **state)
{
	struct netd_network *a =
	    net("beta", NETD_MODE_NAT, "dbr1", "10.32.0.1/24", "10.32.0.10", "10.32.0.20");
	struct netd_network *b =
	    net("gamma", NETD_MODE_HOSTONLY, "dbr2", "10.33.0.1/24", "10.33.0.10", "10.33.0.20");
	struct netd_diag diag = {{0}};
	struct started sa, sb;

	/* A stub resolver holds port 53 elsewhere, as systemd-resolved does on 127.0.0.53. */
	struct sockaddr_in stub = {.sin_family = AF_INET, .sin_port = htons(53)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_int_equal(inet_pton(AF_INET, "127.0.0.53", &stub.sin_addr), 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&stub, sizeof(stub)), 0);
	bridge_for(a, true);
	bridge_for(b, true);
	assert_int_equal(start(a, &sa, &diag), 0);
	assert_int_equal(start(b, &sb, &diag), 0);
	assert_true(alive(sa.pid) && alive(sb.pid));
	assert_true(udp_bound("10.32.0.1", 53));
	assert_true(udp_bound("10.33.0.1", 53));
	assert_int_equal(netd_dnsmasq_stop(&sa.p), 0);
	wait_gone(sa.pid);
	assert_true(alive(sb.pid)); /* stopping one leaves the other */
	assert_int_equal(netd_dnsmasq_stop(&sb.p), 0);
	wait_gone(sb.pid);
	close(fd);
	started_free(&sa);
	started_free(&sb);
	netd_network_free(a);
	netd_network_free(b);
}

static void test_failed_start_leaves_nothing(void **state)
{
	/* The bridge exists but lacks the address dnsmasq is told to listen on. */
	struct netd_network *n =
	    net("delta", NETD_MODE_NAT, "dbr3", "10.34.0.1/24", "10.34.0.10", "10.34.0.20");
	struct netd_diag diag = {{0}};
	struct started s;
	pid_t pid;

	bridge_for(n, false);
	assert_int_equal(start(n, &s, &diag), -EIO);
	assert_non_null(strstr(diag.msg, "dnsmasq for delta failed: "));
	assert_non_null(strstr(diag.msg, "10.34.0.1"));
	assert_null(strchr(diag.msg, '\n'));
	assert_int_equal(netd_dnsmasq_running(&s.p, &pid), 0);
	assert_int_equal(access(s.p.pid, F_OK), -1);
	assert_int_equal(procs_with_conf(s.p.conf), 0);
	printf("# failed start said: %s\n", diag.msg);

	/* A bad option: dnsmasq names it, and again nothing stays behind. */
	assert_int_equal(netd_dnsmasq_start(&s.p, "no-such-option=1\n", "", NULL, &pid, &diag),
	                 -EIO);
	assert_non_null(strstr(diag.msg, "dnsmasq for delta failed: bad option at line 1"));
	assert_int_equal(access(s.p.pid, F_OK), -1);
	assert_int_equal(access(s.p.conf, F_OK), -1);
	assert_int_equal(procs_with_conf(s.p.conf), 0);
	printf("# bad option said: %s\n", diag.msg);

	/* No binary at all. */
	assert_int_equal(
	    netd_dnsmasq_start(&s.p, s.conf, s.hosts, "/nonexistent/dnsmasq", &pid, &diag), -EIO);
	assert_string_equal(diag.msg, "dnsmasq for delta failed: cannot execute "
	                              "/nonexistent/dnsmasq: No such file or directory");
	started_free(&s);
	netd_network_free(n);
}

static void test_stale_pid_file_is_not_signalled(void **state)
{
	struct netd_dnsmasq_paths p;
	pid_t victim, pid;
	FILE *f;
	int status;

	/* A live process that is not our dnsmasq sits at the pid the file names. */
	victim = fork();
	assert_true(victim >= 0);
	if (victim == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(netd_dnsmasq_paths_init(&p, dir, dir, "stale"), 0);
	f = fopen(p.pid, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", (int)victim);
	fclose(f);
	assert_int_equal(netd_dnsmasq_running(&p, &pid), 0);
	assert_int_equal(netd_dnsmasq_reload_hosts(&p, ""), -ESRCH);
	assert_int_equal(netd_dnsmasq_stop(&p), 0);
	usleep(50000);
	assert_int_equal(waitpid(victim, &status, WNOHANG), 0); /* still running */
	assert_int_equal(access(p.pid, F_OK), -1);
	kill(victim, SIGKILL);
	waitpid(victim, &status, 0);
	unlink(p.hosts);
}

/* The dnsmasq of test_stop_that_cannot_signal: if the test fails with it still running and its
 * pid file gone (the bug it tests), main ends it by pid. */
static pid_t unsignalled;
static char unsignalled_conf[NETD_PATH_MAX];

/* Whether pid still runs with conf on its command line (a pid is not killed blind). */
static bool runs_conf(pid_t pid, const char *conf)
{
	char path[64], buf[4096], want[NETD_PATH_MAX + 16];
	bool found = false;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	snprintf(want, sizeof(want), "--conf-file=%s", conf);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t off = 0; off < n; off += strlen(buf + off) + 1)
		found = found || strcmp(buf + off, want) == 0;
	return found && alive(pid);
}

/* This process (a forked child) loses CAP_KILL; it stays uid 0. */
static int drop_cap_kill(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c) < 0)
		return -errno;
	c[CAP_TO_INDEX(CAP_KILL)].effective &= ~CAP_TO_MASK(CAP_KILL);
	c[CAP_TO_INDEX(CAP_KILL)].permitted &= ~CAP_TO_MASK(CAP_KILL);
	c[CAP_TO_INDEX(CAP_KILL)].inheritable &= ~CAP_TO_MASK(CAP_KILL);
	return syscall(SYS_capset, &h, c) < 0 ? -errno : 0;
}

/*
 * A stop whose signal cannot be sent: dnsmasq dropped to nobody, and a root process without
 * CAP_KILL may not signal it (EPERM). stop must say so, and claim nothing: dnsmasq still
 * runs, and its pid file, conf and hosts stay (the pid file is how it is found again).
 */
static void test_stop_that_cannot_signal(void **state)
{
	struct netd_network *n =
	    net("theta", NETD_MODE_NAT, "dbr6", "10.37.0.1/24", "10.37.0.10", "10.37.0.20");
	struct netd_diag diag = {{0}};
	struct started s;
	int fds[2], got[3] = {1, 1, 1}, status;
	pid_t child, pid = 0;

	bridge_for(n, true);
	assert_int_equal(start(n, &s, &diag), 0);
	unsignalled = s.pid;
	snprintf(unsignalled_conf, sizeof(unsignalled_conf), "%s", s.p.conf);
	assert_int_equal(uid_of(s.pid), 65534);
	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* got: capset's result, kill(pid, 0)'s errno (the setup is real), stop's. */
		got[0] = drop_cap_kill();
		got[1] = kill(s.pid, 0) < 0 ? errno : 0;
		got[2] = netd_dnsmasq_stop(&s.p);
		_exit(write(fds[1], got, sizeof(got)) == sizeof(got) ? 0 : 1);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], got, sizeof(got)), sizeof(got));
	close(fds[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], EPERM);
	assert_int_equal(got[2], -EPERM);
	assert_true(alive(s.pid));
	assert_int_equal(netd_dnsmasq_running(&s.p, &pid), 1);
	assert_int_equal(pid, s.pid);
	assert_int_equal(access(s.p.pid, F_OK), 0);
	assert_int_equal(access(s.p.conf, F_OK), 0);
	assert_true(udp_bound("10.37.0.1", 53));

	/* With CAP_KILL the same stop works; by pid if it did not. */
	if (netd_dnsmasq_stop(&s.p) != 0)
		kill(s.pid, SIGKILL);
	wait_gone(s.pid);
	unsignalled = 0;
	assert_int_equal(access(s.p.pid, F_OK), -1);
	started_free(&s);
	netd_network_free(n);
}

/* A guest in a namespace of its own runs udhcpc on the far end of a veth. */
static void dhcp_guest(const char *veth, const uint8_t mac[6], const char *result)
{
	struct netd_diag diag;
	char script[256], cmd[1024];
	int ready[2], go[2], status;
	pid_t pid;
	char c;
	FILE *f;

	assert_int_equal(netd_nl_link_set_mac(nl, veth, mac, &diag), 0);
	/* The -s script applies the lease inside the guest only, and reports it. */
	snprintf(script, sizeof(script), "%s/udhcpc.sh", dir);
	f = fopen(script, "w");
	assert_non_null(f);
	fprintf(f,
	        "#!/bin/sh\ncase \"$1\" in bound|renew)\n"
	        "  busybox ip addr add \"$ip/$mask\" dev \"$interface\"\n"
	        "  echo \"$ip router=[$router] dns=[$dns]\" > %s\n;;\nesac\nexit 0\n",
	        result);
	fclose(f);
	chmod(script, 0755);
	unlink(result);

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		if (unshare(CLONE_NEWNET) < 0 || write(ready[1], "r", 1) != 1 ||
		    read(go[0], &c, 1) != 0)
			_exit(100);
		snprintf(cmd, sizeof(cmd),
		         "busybox ip link set lo up && busybox ip link set %s up && "
		         "exec busybox udhcpc -f -q -n -t 10 -T 1 -i %s -s %s >/dev/null 2>&1",
		         veth, veth, script);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(101);
	}
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	sh("ip link set %s netns %d", veth, (int)pid);
	close(go[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, (int)len, f));
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static const struct netd_lease *lease_for(const struct netd_lease *v, size_t n,
                                          const uint8_t mac[6])
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(v[i].mac, mac, 6) == 0)
			return &v[i];
	return NULL;
}

static void test_real_lease_and_hosts_reload(void **state)
{
	struct netd_network *n =
	    net("eps", NETD_MODE_HOSTONLY, "dbr4", "10.35.0.1/24", "10.35.0.100", "10.35.0.150");
	const uint8_t mac1[6] = {0x52, 0x54, 0x00, 0x35, 0x00, 0x01};
	const uint8_t mac2[6] = {0x52, 0x54, 0x00, 0x35, 0x00, 0x02};
	struct netd_diag diag = {{0}};
	struct netd_lease *v = NULL;
	const struct netd_lease *l;
	char result[256], got[256], addr[INET_ADDRSTRLEN];
	struct started s;
	size_t count = 0;
	pid_t pid;

	/* mac1 is a [Host] with a fixed address outside the dynamic range. */
	n->hosts = calloc(1, sizeof(*n->hosts));
	n->n_hosts = 1;
	memcpy(n->hosts[0].mac, mac1, 6);
	assert_int_equal(netd_ipv4_parse("10.35.0.7", &n->hosts[0].addr), 0);
	strcpy(n->hosts[0].name, "fixed");
	bridge_for(n, true);
	sh("ip link add dg1 type veth peer name dg1g && ip link set dg1 master dbr4 && "
	   "ip link set dg1 up");
	sh("ip link add dg2 type veth peer name dg2g && ip link set dg2 master dbr4 && "
	   "ip link set dg2 up");
	assert_int_equal(start(n, &s, &diag), 0);

	snprintf(result, sizeof(result), "%s/lease1", dir);
	dhcp_guest("dg1g", mac1, result);
	read_line(result, got, sizeof(got));
	/* hostonly: no router offered (the empty option 3), the host as DNS server. */
	assert_string_equal(got, "10.35.0.7 router=[] dns=[10.35.0.1]");

	/* dnsmasq, now running as nobody, wrote the lease through the file it opened as root. */
	for (int i = 0; i < 100; i++) {
		free(v);
		v = NULL;
		assert_int_equal(netd_dnsmasq_leases_read(&s.p, &v, &count), 0);
		if (lease_for(v, count, mac1))
			break;
		usleep(20000);
	}
	l = lease_for(v, count, mac1);
	assert_non_null(l);
	assert_string_equal(inet_ntop(AF_INET, &l->addr, addr, sizeof(addr)), "10.35.0.7");
	assert_true(l->expiry > time(NULL) + 3000 && l->expiry <= time(NULL) + 3600);
	free(v);
	v = NULL;

	/* A new [Host] takes effect on SIGHUP, without a restart. */
	free(s.hosts);
	s.hosts = strdup("52:54:00:35:00:01,10.35.0.7,fixed\n52:54:00:35:00:02,10.35.0.8,late\n");
	assert_int_equal(netd_dnsmasq_reload_hosts(&s.p, s.hosts), 0);
	assert_int_equal(netd_dnsmasq_running(&s.p, &pid), 1);
	assert_int_equal(pid, s.pid);
	usleep(100000); /* dnsmasq handles the signal in its main loop */
	snprintf(result, sizeof(result), "%s/lease2", dir);
	dhcp_guest("dg2g", mac2, result);
	read_line(result, got, sizeof(got));
	assert_string_equal(got, "10.35.0.8 router=[] dns=[10.35.0.1]");
	assert_int_equal(netd_dnsmasq_conf_matches(&s.p, s.conf, s.hosts), 1);

	assert_int_equal(netd_dnsmasq_stop(&s.p), 0);
	wait_gone(s.pid);
	assert_int_equal(netd_dnsmasq_leases_read(&s.p, &v, &count), 0);
	assert_non_null(lease_for(v, count, mac2)); /* kept across the stop */
	free(v);
	started_free(&s);
	netd_network_free(n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Not a pass/fail timing: the number goes in the log. */
static void test_measure_start(void **state)
{
	struct netd_network *n =
	    net("zeta", NETD_MODE_NAT, "dbr5", "10.36.0.1/24", "10.36.0.10", "10.36.0.200");
	struct netd_diag diag = {{0}};
	double start_ms[20], stop_ms[20];
	struct started s;

	bridge_for(n, true);
	for (int i = 0; i < 20; i++) {
		double t0 = now_ms();

		assert_int_equal(start(n, &s, &diag), 0);
		start_ms[i] = now_ms() - t0;
		assert_true(udp_bound("10.36.0.1", 53));
		t0 = now_ms();
		assert_int_equal(netd_dnsmasq_stop(&s.p), 0);
		stop_ms[i] = now_ms() - t0;
		wait_gone(s.pid);
		started_free(&s);
	}
	qsort(start_ms, 20, sizeof(double), cmp_double);
	qsort(stop_ms, 20, sizeof(double), cmp_double);
	printf("# dnsmasq start until serving: median %.2f ms (min %.2f, max %.2f); "
	       "stop: median %.2f ms\n",
	       (start_ms[9] + start_ms[10]) / 2, start_ms[0], start_ms[19],
	       (stop_ms[9] + stop_ms[10]) / 2);
	netd_network_free(n);
}

/* The op's process ended: wait for it as an event loop would. A start also wakes before that,
 * for dnsmasq's socket() call that netd answers (dnsmasq_quiet.c): run then, as the loop would,
 * until our child, the foreground process, has exited (not reaped: WNOWAIT). A stop waits for
 * the daemon, no child of ours: its one wake-up is the exit. */
static void wait_op(struct netd_dnsmasq_op *op)
{
	struct netd_diag diag = {{0}};
	struct netd_wait w;
	siginfo_t si;

	for (;;) {
		netd_dnsmasq_op_wait(op, &w);
		assert_true(w.fd >= 0);
		netd_wait_block(&w);
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid)
			return;
		assert_int_equal(netd_dnsmasq_op_resume(op, NULL, &diag), -EINPROGRESS);
	}
}

/*
 * The start and stop as an event loop drives them: begin returns at once even when dnsmasq
 * takes a second to get ready (a wrapper sleeps before exec), resume answers -EINPROGRESS
 * until it is; the daemon's reaper may take the foreground process's exit first (waitpid(-1)
 * on SIGCHLD), and the verdict still comes through netd_dnsmasq_reaped().
 */
static void test_start_and_stop_as_events(void **state)
{
	struct netd_network *n =
	    net("iota", NETD_MODE_NAT, "dbr8", "10.39.0.1/24", "10.39.0.10", "10.39.0.20");
	struct netd_diag diag = {{0}};
	struct netd_dnsmasq_op *op;
	char wrapper[128];
	struct started s;
	long long t0;
	pid_t pid = 0, reaped;
	int status;

	bridge_for(n, true);
	snprintf(wrapper, sizeof(wrapper), "%s/slow-dnsmasq", dir);
	sh("printf '#!/bin/sh\\nsleep 1\\nexec /usr/sbin/dnsmasq \"$@\"\\n' >%s && chmod 755 %s",
	   wrapper, wrapper);
	memset(&s, 0, sizeof(s));
	assert_int_equal(netd_dnsmasq_paths_init(&s.p, dir, dir, n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &s.p, &s.conf), 0);
	assert_int_equal(netd_dnsmasq_render_hosts(n, &s.hosts), 0);
	t0 = netd_now_ms();
	assert_int_equal(netd_dnsmasq_start_begin(&s.p, s.conf, s.hosts, wrapper, &op, &diag),
	                 -EINPROGRESS);
	assert_true(netd_now_ms() - t0 < 500);
	assert_int_equal(netd_dnsmasq_op_resume(op, &pid, &diag), -EINPROGRESS);
	wait_op(op);
	assert_true(netd_now_ms() - t0 >= 1000);
	reaped = waitpid(-1, &status, 0); /* the daemon's reaper, first */
	assert_true(reaped > 0);
	netd_dnsmasq_reaped(reaped, status);
	assert_int_equal(netd_dnsmasq_op_resume(op, &pid, &diag), 0);
	netd_dnsmasq_op_free(op);
	assert_true(alive(pid));
	assert_true(udp_bound("10.39.0.1", 53));

	assert_int_equal(netd_dnsmasq_stop_begin(&s.p, &op), -EINPROGRESS);
	wait_op(op);
	assert_int_equal(netd_dnsmasq_op_resume(op, NULL, &diag), 0);
	netd_dnsmasq_op_free(op);
	wait_gone(pid);
	assert_int_equal(access(s.p.pid, F_OK), -1);

	/* A start that fails, reaped by someone else: dnsmasq's own words all the same. */
	assert_int_equal(netd_dnsmasq_start_begin(&s.p, "no-such-option=1\n", "", NULL, &op, &diag),
	                 -EINPROGRESS);
	wait_op(op);
	reaped = waitpid(-1, &status, 0);
	assert_true(reaped > 0);
	netd_dnsmasq_reaped(reaped, status);
	assert_int_equal(netd_dnsmasq_op_resume(op, &pid, &diag), -EIO);
	netd_dnsmasq_op_free(op);
	assert_non_null(strstr(diag.msg, "dnsmasq for iota failed: bad option at line 1"));
	assert_int_equal(access(s.p.conf, F_OK), -1);
	started_free(&s);
	netd_network_free(n);
}

int main(void)
{
	static const char *const names[] = {"alpha", "beta", "gamma", "delta",
	                                    "eps",   "zeta", "theta", "iota"};
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_start_observe_stop),
	    cmocka_unit_test(test_two_networks_side_by_side),
	    cmocka_unit_test(test_failed_start_leaves_nothing),
	    cmocka_unit_test(test_stale_pid_file_is_not_signalled),
	    cmocka_unit_test(test_stop_that_cannot_signal),
	    cmocka_unit_test(test_real_lease_and_hosts_reload),
	    cmocka_unit_test(test_measure_start),
	    cmocka_unit_test(test_start_and_stop_as_events),
	};
	int ret;

	if (dnsmasq_test_enter("test_dnsmasq_run") < 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	if (unsignalled > 0 && runs_conf(unsignalled, unsignalled_conf))
		kill(unsignalled, SIGKILL);
	dnsmasq_test_leave(names, sizeof(names) / sizeof(names[0]));
	return ret;
}
