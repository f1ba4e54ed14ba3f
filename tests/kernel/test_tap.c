/*
 * Taps against the real kernel, in a network namespace of this process's own, with a sysfs
 * mounted for it (in a private mount namespace) so /sys/class/net shows our links: the tun
 * flags, owner and group, MAC, MTU, master and isolation are read from sysfs and iproute2,
 * not back through netd's own code. Then the engine's attach/detach/[Tap] on an internal
 * network (no dnsmasq: the DHCP side is the integration test's, tests/integration), and a
 * guest's lease when detach or down cannot give it back: a real dnsmasq on a hostonly network
 * whose state dir is a small tmpfs of this mount namespace, filled up or with its lease file
 * made unreadable under netd's feet.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/engine.h"
#include "netd/kernel/dnsmasq.h"
#include "netd/kernel/netlink.h"
#include "netd/control.h"
#include "netd/kernel/tap.h"
#include "tap_sysfs.h"

#define FLAGS_BASE (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_PERSIST)

static struct netd_nl *nl;
static char tmpdir[64];

static void test_create_default_name(void **state)
{
	struct netd_tap_create_opts o = {.owner = 0, .queues = 1};
	struct netd_diag diag = {{0}};
	char a[IFNAMSIZ], b[IFNAMSIZ];

	/* No name: the kernel picks libvirt-style vnetN, and never one that is taken. */
	assert_int_equal(netd_tap_create(&o, a, &diag), 0);
	assert_int_equal(netd_tap_create(&o, b, &diag), 0);
	assert_string_equal(a, "vnet0");
	assert_string_equal(b, "vnet1");
	assert_int_equal(sysfs_num(a, "tun_flags"), FLAGS_BASE);
	assert_string_equal(sysfs(a, "owner"), "0");
	assert_string_equal(sysfs(a, "group"), "-1");
	sh("ip link del vnet0 && ip link del vnet1");
	assert_false(exists("vnet0"));
}

static void test_create_multiqueue_owner_group(void **state)
{
	struct netd_tap_create_opts o = {
	    .name = "mq0", .owner = 65534, .has_group = true, .group = 65533, .queues = 4};
	struct netd_diag diag = {{0}};
	char name[IFNAMSIZ];

	assert_int_equal(netd_tap_create(&o, name, &diag), 0);
	assert_string_equal(name, "mq0");
	assert_int_equal(sysfs_num("mq0", "tun_flags"), FLAGS_BASE | IFF_MULTI_QUEUE);
	assert_string_equal(sysfs("mq0", "owner"), "65534");
	assert_string_equal(sysfs("mq0", "group"), "65533");
	sh("ip link del mq0");
}

static void test_create_name_taken(void **state)
{
	struct netd_tap_create_opts o = {.name = "taken0", .owner = 65534, .queues = 1};
	struct netd_diag diag = {{0}};
	char name[IFNAMSIZ];

	/* Someone's persistent tap: TUNSETIFF alone would attach to it, netd must refuse. */
	sh("ip tuntap add dev taken0 mode tap vnet_hdr");
	assert_int_equal(netd_tap_create(&o, name, &diag), -EEXIST);
	assert_non_null(strstr(diag.msg, "taken0"));
	assert_string_equal(sysfs("taken0", "owner"), "-1"); /* left as it was */
	sh("ip link del taken0");
	/* A link of another kind under the name. */
	sh("ip link add taken0 type bridge");
	assert_int_equal(netd_tap_create(&o, name, &diag), -EEXIST);
	assert_string_equal(sysfs("taken0", "bridge/stp_state"), "0");
	sh("ip link del taken0");
}

static void test_configure(void **state)
{
	struct netd_tap_create_opts o = {.name = "cfg0", .owner = 0, .queues = 1};
	struct netd_tap_settings s = {
	    .alias = "netd:net0", .mtu = 1400, .bridge = "cbr0", .isolated = true};
	struct netd_diag diag = {{0}};
	uint8_t guest[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	char name[IFNAMSIZ];
	bool changed = false;

	assert_int_equal(netd_nl_bridge_create(nl, "cbr0", "netd:net0", false, &diag), 0);
	sh("ip link set cbr0 mtu 1400 up");
	assert_int_equal(netd_tap_create(&o, name, &diag), 0);
	netd_tap_host_mac(guest, s.host_mac);
	assert_int_equal(netd_tap_configure(nl, "cfg0", &s, &changed, &diag), 0);
	assert_true(changed);
	assert_string_equal(sysfs("cfg0", "address"), "fe:54:00:12:34:56");
	assert_string_equal(sysfs("cfg0", "mtu"), "1400");
	assert_string_equal(sysfs("cfg0", "ifalias"), "netd:net0");
	assert_string_equal(master_of("cfg0"), "cbr0");
	assert_string_equal(sysfs("cfg0", "brport/isolated"), "1");
	assert_true(sysfs_num("cfg0", "flags") & 1); /* IFF_UP */
	/* The bridge keeps its own MTU (a port with a smaller one would lower it). */
	assert_string_equal(sysfs("cbr0", "mtu"), "1400");

	/* Already right: nothing written. Drifted: only put back. */
	assert_int_equal(netd_tap_configure(nl, "cfg0", &s, &changed, &diag), 0);
	assert_false(changed);
	sh("ip link set cfg0 nomaster && ip link set cfg0 down");
	assert_int_equal(netd_tap_configure(nl, "cfg0", &s, &changed, &diag), 0);
	assert_true(changed);
	assert_string_equal(master_of("cfg0"), "cbr0");
	assert_string_equal(sysfs("cfg0", "brport/isolated"), "1");
	assert_true(sysfs_num("cfg0", "flags") & 1);
	sh("ip link del cfg0 && ip link del cbr0");
}

/* In a child that is uid/gid 65534 without capabilities: TUNSETIFF by name, as qemu does.
 * The descriptor of /dev/net/tun is opened before dropping root only when the node's mode
 * does not let 65534 open it (0600 in some containers; Debian's is 0666): opening the node is
 * the file system's decision, attaching to the tap is the tap owner's, which is under test. */
static int open_as_nobody(const char *tap, bool multi_queue)
{
	int pre = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		struct ifreq ifr = {0};
		int fd;

		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(100);
		fd = open("/dev/net/tun", O_RDWR);
		if (fd < 0)
			fd = pre;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap);
		ifr.ifr_flags =
		    IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (multi_queue ? IFF_MULTI_QUEUE : 0);
		_exit(ioctl(fd, TUNSETIFF, &ifr) < 0 ? (errno == EPERM ? 1 : 2) : 0);
	}
	close(pre);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_unprivileged_owner_opens(void **state)
{
	struct netd_tap_create_opts mine = {.name = "own0", .owner = 65534, .queues = 1};
	struct netd_tap_create_opts roots = {.name = "root0", .owner = 0, .queues = 1};
	struct netd_tap_create_opts grp = {
	    .name = "grp0", .owner = 0, .has_group = true, .group = 65534, .queues = 2};
	struct netd_diag diag = {{0}};
	char name[IFNAMSIZ];

	assert_int_equal(netd_tap_create(&mine, name, &diag), 0);
	assert_int_equal(netd_tap_create(&roots, name, &diag), 0);
	assert_int_equal(netd_tap_create(&grp, name, &diag), 0);
	assert_int_equal(open_as_nobody("own0", false), 0);
	/* netd's default owner is root: nobody else may take a guest's port. */
	assert_int_equal(open_as_nobody("root0", false), 1);
	/* Owner root and group 65534: both must match, and uid 65534 is not root. */
	assert_int_equal(open_as_nobody("grp0", true), 1);
	sh("ip link del own0 && ip link del root0 && ip link del grp0");
}

/* ---- the engine: [Tap] at up, attach, a restart, detach, down ---- */

static void write_conf(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/conf/lab.conf", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* An engine on <tmpdir>/conf, <tmpdir>/<state> and <tmpdir>/run. */
static struct netd_engine *engine_on(const char *state)
{
	char conf[96], st[96], run[96];
	struct netd_engine_opts o = {.config_dir = conf, .state_dir = st, .runtime_dir = run};
	struct netd_diag diag = {{0}};
	struct netd_engine *e = NULL;

	snprintf(conf, sizeof(conf), "%s/conf", tmpdir);
	snprintf(st, sizeof(st), "%s/%s", tmpdir, state);
	snprintf(run, sizeof(run), "%s/run", tmpdir);
	if (netd_engine_new(&o, &e, &diag) < 0)
		fail_msg("engine: %s", diag.msg);
	return e;
}

static struct netd_engine *engine(void)
{
	return engine_on("state");
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

static void test_engine_taps(void **state)
{
	struct netd_attach_req req = {.queues = 1};
	struct netd_diag diag = {{0}};
	struct netd_engine *e;
	json_object *out = NULL;
	char path[128], vnet[IFNAMSIZ];
	struct stat st;

	write_conf("[Network]\nName=lab\nMode=internal\nBridge=labbr0\n"
	           "[Policy]\nVMToVM=deny\n"
	           "[Tap]\nName=lab-vm1\nOwner=65534\nGroup=65534\nQueues=2\n"
	           "[Tap]\nName=lab-vm2\nMAC=52:54:00:aa:bb:cc\n");
	e = engine();

	/* attach before up: refused, nothing made. */
	assert_int_equal(netd_engine_attach(e, "lab", &req, &out, &diag), -ENETDOWN);
	assert_false(exists("vnet0"));

	if (netd_engine_up(e, "lab", &diag) < 0)
		fail_msg("up: %s", diag.msg);
	/* Declared taps: made at up, on the bridge, isolated (VMToVM=deny), tagged. */
	assert_string_equal(master_of("lab-vm1"), "labbr0");
	assert_string_equal(sysfs("lab-vm1", "brport/isolated"), "1");
	assert_string_equal(sysfs("lab-vm1", "ifalias"), "netd:lab");
	assert_string_equal(sysfs("lab-vm1", "owner"), "65534");
	assert_string_equal(sysfs("lab-vm1", "group"), "65534");
	assert_int_equal(sysfs_num("lab-vm1", "tun_flags"), FLAGS_BASE | IFF_MULTI_QUEUE);
	assert_string_equal(sysfs("lab-vm2", "address"), "fe:54:00:aa:bb:cc");
	assert_string_equal(sysfs("lab-vm2", "owner"), "0");

	/* attach: a vnetN with a random 52:54:00 MAC and its host side fe:... */
	strcpy(req.owner, "65534");
	if (netd_engine_attach(e, "lab", &req, &out, &diag) < 0)
		fail_msg("attach: %s", diag.msg);
	snprintf(vnet, sizeof(vnet), "%s", jstr(out, "tap"));
	assert_string_equal(vnet, "vnet0");
	assert_memory_equal(jstr(out, "mac"), "52:54:00:", 9);
	assert_string_equal(sysfs(vnet, "address") + 2, jstr(out, "mac") + 2);
	assert_memory_equal(sysfs(vnet, "address"), "fe", 2);
	assert_string_equal(master_of(vnet), "labbr0");
	assert_string_equal(sysfs(vnet, "brport/isolated"), "1");
	json_object_put(out);

	/* The name of a declared tap, or one that exists, cannot be attached. */
	strcpy(req.tap, "lab-vm2");
	assert_int_equal(netd_engine_attach(e, "lab", &req, &out, &diag), -EEXIST);
	strcpy(req.tap, "labbr0");
	assert_int_equal(netd_engine_attach(e, "lab", &req, &out, &diag), -EEXIST);
	/* A static address on a network without DHCP: refused, and no tap is left over. */
	req.tap[0] = '\0';
	req.has_addr = true;
	assert_int_equal(netd_ipv4_parse("10.0.0.5", &req.addr), 0);
	assert_int_equal(netd_engine_attach(e, "lab", &req, &out, &diag), -EINVAL);
	assert_false(exists("vnet1"));
	req.has_addr = false;
	/* A declared tap cannot be detached; a foreign link is never removed. */
	assert_int_equal(netd_engine_detach(e, "lab", "lab-vm1", &out, &diag), -EBUSY);
	sh("ip link add foreign0 type veth peer name foreign1");
	assert_int_equal(netd_engine_detach(e, "lab", "foreign0", &out, &diag), -EPERM);
	assert_true(exists("foreign0"));

	/* netd restarts: the taps stay, a reconcile keeps them, the record knows them. */
	netd_engine_free(e);
	e = engine();
	assert_int_equal(netd_engine_reconcile(e), 0);
	assert_true(exists(vnet));
	assert_true(exists("lab-vm1"));
	/* A declared tap deleted behind netd's back comes back at the next reconcile. */
	sh("ip link del lab-vm2");
	assert_int_equal(netd_engine_reconcile(e), 0);
	assert_string_equal(master_of("lab-vm2"), "labbr0");

	/* detach: the tap goes, and so does its record. */
	if (netd_engine_detach(e, "lab", vnet, &out, &diag) < 0)
		fail_msg("detach: %s", diag.msg);
	json_object_put(out);
	assert_false(exists(vnet));
	assert_int_equal(netd_engine_detach(e, "lab", vnet, &out, &diag), -ENODEV);

	/* A reload that drops a [Tap] removes it; down removes the rest and the record. */
	write_conf("[Network]\nName=lab\nMode=internal\nBridge=labbr0\n"
	           "[Policy]\nVMToVM=deny\n"
	           "[Tap]\nName=lab-vm1\nOwner=65534\nGroup=65534\nQueues=2\n");
	if (netd_engine_reload(e, &diag) < 0)
		fail_msg("reload: %s", diag.msg);
	assert_false(exists("lab-vm2"));
	assert_true(exists("lab-vm1"));
	strcpy(req.owner, "0");
	if (netd_engine_attach(e, "lab", &req, &out, &diag) < 0)
		fail_msg("attach: %s", diag.msg);
	json_object_put(out);
	assert_true(exists("vnet0"));
	if (netd_engine_down(e, "lab", &diag) < 0)
		fail_msg("down: %s", diag.msg);
	assert_false(exists("vnet0"));
	assert_false(exists("lab-vm1"));
	assert_false(exists("labbr0"));
	assert_true(exists("foreign0"));
	snprintf(path, sizeof(path), "%s/state/lab.taps", tmpdir);
	assert_int_equal(stat(path, &st), -1);
	/* up again: the declared tap is back, the attached one is not. */
	if (netd_engine_up(e, "lab", &diag) < 0)
		fail_msg("up: %s", diag.msg);
	assert_true(exists("lab-vm1"));
	assert_false(exists("vnet0"));
	assert_int_equal(netd_engine_down(e, "lab", &diag), 0);
	netd_engine_free(e);
	sh("ip link del foreign0");
}

/* ---- a guest's lease when detach or down cannot give it back ---- */

#define LSTATE "lstate" /* the state dir on its own small tmpfs */
#define GUEST  "52:54:00:77:00:05"
#define OTHER  "52:54:00:77:00:06"

static void lpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/" LSTATE "/%s", tmpdir, name);
}

static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* The lease file as dnsmasq writes it: the guest's lease and another guest's. */
static void write_leases(void)
{
	char path[128];
	FILE *f;

	lpath(path, sizeof(path), "hl.leases");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%ld " GUEST " 10.77.0.50 g1 *\n%ld " OTHER " 10.77.0.51 g2 *\n",
	        (long)time(NULL) + 3600, (long)time(NULL) + 3600);
	assert_int_equal(fclose(f), 0);
}

static char *read_leases(void)
{
	static char buf[512];
	char path[128];
	FILE *f;
	size_t n;

	lpath(path, sizeof(path), "hl.leases");
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Fill the tmpfs to the last block (fill) or make room again (!fill). */
static void fill_lstate(bool fill)
{
	static const char zero[4096];
	char path[128];
	int fd;

	lpath(path, sizeof(path), "filler");
	if (!fill) {
		assert_int_equal(unlink(path), 0);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	while (write(fd, zero, sizeof(zero)) > 0)
		;
	assert_int_equal(errno, ENOSPC);
	close(fd);
}

/* No "hl.leases.XXXXXX" of a write that failed is left in the state dir. */
static bool no_temp_files(void)
{
	char path[128];
	struct dirent *de;
	bool none = true;
	DIR *d;

	lpath(path, sizeof(path), "");
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)))
		none &= strncmp(de->d_name, "hl.leases.", 10) != 0;
	closedir(d);
	return none;
}

static struct netd_engine *lease_network_up(const char *tap)
{
	struct netd_attach_req req = {.queues = 1, .has_mac = true};
	struct netd_diag diag = {{0}};
	struct netd_engine *e;
	json_object *out = NULL;

	write_conf("[Network]\nName=hl\nMode=hostonly\nBridge=hlbr0\nAddress=10.77.0.1/24\n"
	           "[DHCP]\nRange=10.77.0.10 10.77.0.200\n");
	e = engine_on(LSTATE);
	if (netd_engine_up(e, "hl", &diag) < 0)
		fail_msg("up: %s", diag.msg);
	strcpy(req.tap, tap);
	assert_int_equal(netd_mac_parse(GUEST, req.mac), 0);
	if (netd_engine_attach(e, "hl", &req, &out, &diag) < 0)
		fail_msg("attach: %s", diag.msg);
	json_object_put(out);
	return e;
}

/* dnsmasq stopped behind netd's back: the lease file is what the guest's lease is. */
static void stop_dnsmasq(void)
{
	struct netd_dnsmasq_paths p;
	char st[96], run[96];

	snprintf(st, sizeof(st), "%s/" LSTATE, tmpdir);
	snprintf(run, sizeof(run), "%s/run", tmpdir);
	assert_int_equal(netd_dnsmasq_paths_init(&p, run, st, "hl"), 0);
	assert_int_equal(netd_dnsmasq_stop(&p), 0);
	assert_int_equal(netd_dnsmasq_running(&p, NULL), 0);
}

/* The network up with a guest attached on tap, its dnsmasq stopped, the guest's lease in the
 * file, and no room left on the state dir's file system. */
static struct netd_engine *full_with_a_lease(const char *tap)
{
	struct netd_engine *e = lease_network_up(tap);

	stop_dnsmasq();
	write_leases();
	fill_lstate(true);
	return e;
}

/* The lease could not be struck, and that was said; the file is as it was and the failed
 * write left no temporary file and no open descriptor behind. */
static void strike_failed(const struct netd_diag *diag, const char *what, size_t fds)
{
	assert_non_null(strstr(diag->msg, what));
	assert_non_null(strstr(diag->msg, "No space left on device"));
	assert_int_equal(open_fds(), fds);
	assert_true(no_temp_files());
	assert_non_null(strstr(read_leases(), GUEST));
}

static void test_detach_lease_file_full(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_engine *e;
	json_object *out = NULL;
	size_t fds;

	/* detach: the lease cannot be struck from a full file system. The tap and its record
	 * stay, so the same detach works once there is room. */
	e = full_with_a_lease("hl-vm1");
	fds = open_fds();
	assert_int_equal(netd_engine_detach(e, "hl", "hl-vm1", &out, &diag), -ENOSPC);
	strike_failed(&diag, "releasing the guest's lease", fds);
	assert_true(exists("hl-vm1"));
	fill_lstate(false);
	if (netd_engine_detach(e, "hl", "hl-vm1", &out, &diag) < 0)
		fail_msg("detach again: %s", diag.msg);
	assert_string_equal(jstr(out, "released"), "10.77.0.50");
	json_object_put(out);
	assert_false(exists("hl-vm1"));
	assert_null(strstr(read_leases(), GUEST));
	assert_non_null(strstr(read_leases(), OTHER));

	assert_int_equal(netd_engine_down(e, "hl", &diag), 0);
	netd_engine_free(e);
}

static void test_down_lease_file_full(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_engine *e;
	char path[128];
	size_t fds;

	/* down: the attached guests' leases cannot be struck from a full file system: down
	 * says so (it tries every step; the taps and the bridge are gone all the same). */
	e = full_with_a_lease("hl-vm2");
	fds = open_fds();
	assert_int_equal(netd_engine_down(e, "hl", &diag), -ENOSPC);
	strike_failed(&diag, "step 'remove taps' failed", fds);
	assert_false(exists("hl-vm2"));
	assert_false(exists("hlbr0"));
	lpath(path, sizeof(path), "hl.taps");
	assert_int_equal(access(path, F_OK), -1);
	fill_lstate(false);
	netd_engine_free(e);
}

/* In a child: once something has read the lease file (IN_CLOSE_NOWRITE), replace it with a
 * directory, so every later read of it fails (EISDIR). */
static pid_t break_leases_after_first_read(void)
{
	char dir[128], path[128];
	int ready[2];
	pid_t pid;

	lpath(dir, sizeof(dir), "");
	lpath(path, sizeof(path), "hl.leases");
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		int fd = inotify_init1(IN_CLOEXEC);

		if (fd < 0 || inotify_add_watch(fd, dir, IN_CLOSE_NOWRITE) < 0 ||
		    write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			ssize_t n;

			if (poll(&pfd, 1, 10000) != 1) /* the test failed before reading it */
				_exit(4);
			n = read(fd, buf, sizeof(buf));

			for (char *p = buf; n > 0 && p < buf + n;) {
				struct inotify_event *ev = (struct inotify_event *)p;

				if (ev->len && strcmp(ev->name, "hl.leases") == 0)
					_exit(unlink(path) == 0 && mkdir(path, 0755) == 0 ? 0 : 2);
				p += sizeof(*ev) + ev->len;
			}
			if (n <= 0)
				_exit(3);
		}
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], dir, 1), 1);
	close(ready[0]);
	return pid;
}

static void test_lease_read_fails_while_releasing(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_engine *e;
	json_object *out = NULL;
	char path[128];
	int status;
	pid_t pid;

	/* dnsmasq runs, but does not know the lease in the file, so it stays there after the
	 * DHCPRELEASE and netd keeps reading the file, which stops being readable. */
	e = lease_network_up("hl-vm3");
	write_leases();
	pid = break_leases_after_first_read();
	assert_int_equal(netd_engine_detach(e, "hl", "hl-vm3", &out, &diag), -EISDIR);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(strstr(diag.msg, "releasing the guest's lease: reading "));
	assert_non_null(strstr(diag.msg, "Is a directory"));
	assert_true(exists("hl-vm3"));

	/* The lease file back (without the guest): the same detach now works. */
	lpath(path, sizeof(path), "hl.leases");
	assert_int_equal(rmdir(path), 0);
	sh("touch %s", path);
	if (netd_engine_detach(e, "hl", "hl-vm3", &out, &diag) < 0)
		fail_msg("detach again: %s", diag.msg);
	json_object_put(out);
	assert_false(exists("hl-vm3"));
	assert_int_equal(netd_engine_down(e, "hl", &diag), 0);
	assert_false(exists("hlbr0"));
	netd_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_default_name),
	    cmocka_unit_test(test_create_multiqueue_owner_group),
	    cmocka_unit_test(test_create_name_taken),
	    cmocka_unit_test(test_configure),
	    cmocka_unit_test(test_unprivileged_owner_opens),
	    cmocka_unit_test(test_engine_taps),
	    cmocka_unit_test(test_detach_lease_file_full),
	    cmocka_unit_test(test_down_lease_file_full),
	    cmocka_unit_test(test_lease_read_fails_while_releasing),
	};
	struct netd_dnsmasq_paths p;
	struct netd_diag diag;
	char lstate[128], run[128];
	int ret;

	if (own_namespace("test_tap"))
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_tap.XXXXXX");
	if (!mkdtemp(tmpdir) || netd_nl_open(&nl) < 0 ||
	    netd_nl_link_set_up(nl, "lo", true, &diag) < 0) {
		fprintf(stderr, "test_tap: cannot set up the namespace\n");
		return 1;
	}
	/* dnsmasq (user nobody) rereads the hosts file in run/ on SIGHUP. */
	sh("chmod 755 %s && mkdir -p %s/conf %s/state %s/run %s/" LSTATE, tmpdir, tmpdir, tmpdir,
	   tmpdir, tmpdir);
	snprintf(lstate, sizeof(lstate), "%s/" LSTATE, tmpdir);
	snprintf(run, sizeof(run), "%s/run", tmpdir);
	if (mount("tmpfs", lstate, "tmpfs", 0, "size=256k,mode=0755") < 0) {
		fprintf(stderr, "test_tap: mounting a tmpfs on %s: %s\n", lstate, strerror(errno));
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	/* A lease test that failed half way may have left its dnsmasq running: it would keep
	 * this namespace alive. Only ours is stopped (the pid file's, checked by cmdline). */
	if (netd_dnsmasq_paths_init(&p, run, lstate, "hl") == 0)
		netd_dnsmasq_stop(&p);
	umount2(lstate, MNT_DETACH);
	netd_nl_close(nl);
	sh("rm -rf %s", tmpdir);
	return ret;
}
