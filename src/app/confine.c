/* Defence in depth for the SSH session (confine.h): prctl, rlimits,
 * Landlock through its raw system calls (Debian has no liblandlock) and a
 * seccomp filter through libseccomp.
 *
 * The seccomp filter allows by default and denies a list: a default-deny
 * list of what curses, libcurl, OpenSSL, ldns, glibc's resolver and the
 * sanitizers call would break on the next library update in ways only a
 * customer would see; the deny list takes away what an attacker in the
 * process wants (exec, tracing, namespaces, mounts, kernel attack surface)
 * and cannot break the wizard.  Denied calls fail with EPERM rather than
 * killing the process: the session can still save the step and say
 * goodbye, a sanitizer report still prints, and an attacker gains nothing
 * from the error that a kill would have taken away. */
#define _GNU_SOURCE /* O_PATH, CLONE_NEW*: this file is Linux only */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/landlock.h>
#include <seccomp.h>

#include "app/confine.h"

/* The sanitizers' own needs (see confine_seccomp and confine_read_system):
 * LeakSanitizer's exit check stops the world with ptrace from a helper
 * task and reads /proc/self. */
#if defined(__SANITIZE_ADDRESS__)
#define CONFINE_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define CONFINE_SANITIZER 1
#endif
#endif
#ifndef CONFINE_SANITIZER
#define CONFINE_SANITIZER 0
#endif

/* Landlock ABI pieces newer than Debian 12's <linux/landlock.h> (ABI 2);
 * the kernel's values are fixed once released. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1) /* ABI 6 */
#endif
#define CONFINE_RULE_PATH_BENEATH 1 /* enum landlock_rule_type */
#define CONFINE_RULE_NET_PORT	  2 /* ABI 4 */

/* struct landlock_ruleset_attr as of ABI 6; the kernel is given the size
 * its ABI knows. */
struct confine_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

/* struct landlock_net_port_attr (ABI 4). */
struct confine_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE                                                                                   \
	(FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                 \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |                            \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)
/* The rights that make sense on a file (not a directory). */
#define FS_FILE_RIGHTS                                                                             \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                              \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                              \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* What glibc, libcurl, OpenSSL and ncurses may open after start, read
 * only: shared libraries (NSS modules, OpenSSL providers are dlopen()ed
 * late; mapping them needs only READ_FILE), terminfo and time zones
 * (/usr/share), the resolver's files (curl's getaddrinfo re-reads
 * resolv.conf when it changes), CA certificates (read at each TLS
 * connection), the CPU count (malloc arenas).  Missing ones are skipped.
 * Not /etc as a whole: /etc/behalf holds the vendor's tokens. */
static const char *const confine_system_reads[] = {
    "/usr",
    "/lib",
    "/lib64",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/services",
    "/etc/protocols",
    "/etc/ssl",
    "/etc/terminfo",
    "/dev/urandom",
    "/dev/random",
    "/sys/devices/system/cpu",
#if CONFINE_SANITIZER
    "/proc", /* LeakSanitizer: /proc/self/maps, /proc/self/task */
#endif
};

int confine_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	return v > 0 ? (int)v : 0;
}

/* How many threads the process has (1 when /proc cannot tell). */
static long confine_threads(void)
{
	char line[256];
	long n = 1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return 1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "Threads:", 8) == 0) {
			n = strtol(line + 8, NULL, 10);
			break;
		}
	fclose(f);
	return n;
}

/* Everything the caller named exists: checked before anything is given up,
 * so that a wrong path fails cleanly. */
static enum bh_err confine_check(const struct confine_paths *p, char *msg, size_t cap)
{
	struct stat st;
	size_t i;
	long threads = confine_threads();
	if (threads > 1)
		return bh_errorf(BH_ERR_INVALID, msg, cap,
				 "confine: %ld threads already run (Landlock would bind only one)",
				 threads);
	for (i = 0; i < CONFINE_MAX_PATHS && p->write_dirs[i]; i++)
		if (stat(p->write_dirs[i], &st) != 0 || !S_ISDIR(st.st_mode))
			return bh_errorf(BH_ERR_NOT_FOUND, msg, cap,
					 "confine: %.200s is not a directory", p->write_dirs[i]);
	for (i = 0; i < CONFINE_MAX_PATHS && p->read_paths[i]; i++)
		if (stat(p->read_paths[i], &st) != 0)
			return bh_errorf(BH_ERR_NOT_FOUND, msg, cap, "confine: %.200s: %s",
					 p->read_paths[i], strerror(errno));
	return BH_OK;
}

/* No new privileges (setuid binaries, file capabilities; also what lets an
 * unprivileged process install Landlock and seccomp), no core files, and
 * not dumpable: other processes of the same user can no longer ptrace it
 * or read /proc/PID/mem and /proc/PID/environ. */
static enum bh_err confine_privileges(char *msg, size_t cap)
{
	struct rlimit none = {0, 0};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return bh_errorf(BH_ERR_IO, msg, cap, "confine: no_new_privs: %s", strerror(errno));
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return bh_errorf(BH_ERR_IO, msg, cap, "confine: RLIMIT_CORE: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return bh_errorf(BH_ERR_IO, msg, cap, "confine: dumpable: %s", strerror(errno));
	return BH_OK;
}

/* Adds a rule for path: rights (masked to what the ruleset handles, and to
 * the file rights when path is not a directory).  Missing optional paths
 * are skipped. */
static enum bh_err confine_landlock_path(int ruleset, const char *path, uint64_t rights,
					 uint64_t handled, bool optional, char *msg, size_t cap)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (optional)
			return BH_OK;
		return bh_errorf(BH_ERR_NOT_FOUND, msg, cap, "confine: %.200s: %s", path,
				 strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		return bh_errorf(BH_ERR_IO, msg, cap, "confine: %.200s: %s", path, strerror(errno));
	}
	memset(&pb, 0, sizeof pb);
	pb.parent_fd = fd;
	pb.allowed_access = rights & handled;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= FS_FILE_RIGHTS;
	if (pb.allowed_access &&
	    syscall(SYS_landlock_add_rule, ruleset, CONFINE_RULE_PATH_BENEATH, &pb, 0) != 0) {
		int e = errno;
		close(fd);
		return bh_errorf(BH_ERR_IO, msg, cap, "confine: landlock rule for %.200s: %s", path,
				 strerror(e));
	}
	close(fd);
	return BH_OK;
}

/* The filesystem rules: read-write beneath the write dirs and /dev/null,
 * read-only for the system's files and the caller's, nothing else. */
static enum bh_err confine_landlock_fs(int ruleset, const struct confine_paths *p, uint64_t handled,
				       char *msg, size_t cap)
{
	const uint64_t dev_rw = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
				LANDLOCK_ACCESS_FS_TRUNCATE;
	enum bh_err err = BH_OK;
	size_t i;
	for (i = 0; !err && i < CONFINE_MAX_PATHS && p->write_dirs[i]; i++)
		err = confine_landlock_path(ruleset, p->write_dirs[i], FS_WRITE, handled, false,
					    msg, cap);
	for (i = 0; !err && i < CONFINE_MAX_PATHS && p->read_paths[i]; i++)
		err = confine_landlock_path(ruleset, p->read_paths[i], FS_READ, handled, false, msg,
					    cap);
	for (i = 0; !err && i < sizeof confine_system_reads / sizeof confine_system_reads[0]; i++)
		err = confine_landlock_path(ruleset, confine_system_reads[i], FS_READ, handled,
					    true, msg, cap);
	if (!err)
		err = confine_landlock_path(ruleset, "/dev/null", dev_rw, handled, true, msg, cap);
	return err;
}

/* TCP: no bind() at all, connect() only to the listed ports (ABI 4). */
static enum bh_err confine_landlock_net(int ruleset, const struct confine_paths *p, char *msg,
					size_t cap)
{
	size_t i;
	if (p->tcp_any)
		return BH_OK;
	for (i = 0; i < CONFINE_MAX_PORTS && p->tcp_ports[i]; i++) {
		struct confine_net_port_attr np = {LANDLOCK_ACCESS_NET_CONNECT_TCP,
						   p->tcp_ports[i]};
		if (syscall(SYS_landlock_add_rule, ruleset, CONFINE_RULE_NET_PORT, &np, 0) != 0)
			return bh_errorf(BH_ERR_IO, msg, cap, "confine: landlock port %u: %s",
					 (unsigned)p->tcp_ports[i], strerror(errno));
	}
	return BH_OK;
}

/* Landlock, as far as this kernel's ABI goes.  *applied says whether it
 * was (false: the kernel has none, not an error). */
static enum bh_err confine_landlock(const struct confine_paths *p, bool *applied, char *msg,
				    size_t cap)
{
	struct confine_ruleset_attr attr;
	size_t size = sizeof attr.handled_access_fs;
	int abi = confine_landlock_abi(), ruleset;
	enum bh_err err;

	*applied = false;
	if (abi <= 0)
		return BH_OK;
	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (abi >= 4) {
		attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP;
		if (!p->tcp_any)
			attr.handled_access_net |= LANDLOCK_ACCESS_NET_CONNECT_TCP;
		size = offsetof(struct confine_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
		if (!p->keep_signals)
			attr.scoped |= LANDLOCK_SCOPE_SIGNAL;
		size = sizeof attr;
	}
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (ruleset < 0)
		return bh_errorf(BH_ERR_IO, msg, cap, "confine: landlock ruleset (ABI %d): %s", abi,
				 strerror(errno));
	err = confine_landlock_fs(ruleset, p, attr.handled_access_fs, msg, cap);
	if (!err && abi >= 4)
		err = confine_landlock_net(ruleset, p, msg, cap);
	if (!err && syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
		err = bh_errorf(BH_ERR_IO, msg, cap, "confine: landlock_restrict_self: %s",
				strerror(errno));
	close(ruleset);
	*applied = !err;
	return err;
}

/* System calls denied outright (EPERM).  Names libseccomp does not know on
 * this architecture are skipped. */
static const char *const confine_denied[] = {
    /* running another program */
    "execve", "execveat",
    /* reading or writing another process (and the same user's sessions) */
    "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd", "kcmp",
#if !CONFINE_SANITIZER
    "ptrace",
#endif
    /* namespaces, mounts, the root directory */
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "name_to_handle_at",
    "open_by_handle_at",
    /* the kernel and the machine */
    "kexec_load", "kexec_file_load", "reboot", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname", "iopl", "ioperm", "modify_ldt", "quotactl", "quotactl_fd",
    "syslog", "vhangup", "uselib", "lookup_dcookie",
    /* kernel attack surface a wizard never needs; io_uring also runs
     * operations that no seccomp filter sees */
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "fanotify_init"};

/* One rule; a syscall unknown to libseccomp here is skipped. */
static int confine_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
			const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, action, nr, n, cmp);
}

/* Rules that look at arguments: namespaces through clone, personality
 * changes, terminal input injection, the socket families beyond Unix, IP
 * and netlink (glibc's getaddrinfo asks netlink for addresses). */
static int confine_arg_rules(scmp_filter_ctx ctx)
{
	static const unsigned long ns_flags[] = {CLONE_NEWNS,  CLONE_NEWCGROUP, CLONE_NEWUTS,
						 CLONE_NEWIPC, CLONE_NEWUSER,	CLONE_NEWPID,
						 CLONE_NEWNET};
	static const unsigned long ioctls[] = {TIOCSTI, TIOCLINUX};
	static const unsigned long families[] = {AF_UNSPEC, 3,	4,  5,	6,  7, 8,
						 9,	    11, 12, 13, 14, 15};
	const uint32_t deny = SCMP_ACT_ERRNO(EPERM);
	int rc = 0;
	size_t i;
	for (i = 0; !rc && i < sizeof ns_flags / sizeof ns_flags[0]; i++) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]);
		rc = confine_rule(ctx, deny, "clone", 1, &c);
	}
	/* clone3's flags sit in a struct the filter cannot read: ENOSYS, and
	 * glibc (2.34+) falls back to clone for threads. */
	if (!rc)
		rc = confine_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	if (!rc) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_NE, 0xffffffffUL, 0); /* a query */
		rc = confine_rule(ctx, deny, "personality", 1, &c);
	}
	for (i = 0; !rc && i < sizeof ioctls / sizeof ioctls[0]; i++) {
		struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, ioctls[i]);
		rc = confine_rule(ctx, deny, "ioctl", 1, &c);
	}
	for (i = 0; !rc && i < sizeof families / sizeof families[0]; i++) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL, families[i]);
		rc = confine_rule(ctx, deny, "socket", 1, &c);
	}
	if (!rc) {
		struct scmp_arg_cmp c =
		    SCMP_A0(SCMP_CMP_GE, AF_NETLINK + 1, 0); /* AF_PACKET, ... */
		rc = confine_rule(ctx, deny, "socket", 1, &c);
	}
#if CONFINE_SANITIZER
	{
		/* LeakSanitizer attaches to the threads and reads their
		 * registers; nothing may trace us or write another process. */
		static const unsigned long requests[] = {
		    PTRACE_TRACEME, PTRACE_POKETEXT,  PTRACE_POKEDATA,	PTRACE_POKEUSER,
		    PTRACE_SETREGS, PTRACE_SETFPREGS, PTRACE_SETREGSET, PTRACE_SETSIGINFO};
		for (i = 0; !rc && i < sizeof requests / sizeof requests[0]; i++) {
			struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, requests[i], 0);
			rc = confine_rule(ctx, deny, "ptrace", 1, &c);
		}
	}
#endif
	return rc;
}

/* The seccomp filter, for every thread (TSYNC). */
static enum bh_err confine_seccomp(char *msg, size_t cap)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = 0;
	size_t i;
	if (!ctx)
		return bh_errorf(BH_ERR_NOMEM, msg, cap, "confine: seccomp_init failed");
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; !rc && i < sizeof confine_denied / sizeof confine_denied[0]; i++)
		rc = confine_rule(ctx, SCMP_ACT_ERRNO(EPERM), confine_denied[i], 0, NULL);
	if (!rc)
		rc = confine_arg_rules(ctx);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc)
		return bh_errorf(BH_ERR_IO, msg, cap, "confine: seccomp: %s", strerror(-rc));
	return BH_OK;
}

enum bh_err confine_session(const struct confine_paths *p, char *msg, size_t cap)
{
	bool landlock = false;
	enum bh_err err;

	if (cap)
		msg[0] = '\0';
	err = confine_check(p, msg, cap);
	if (!err)
		err = confine_privileges(msg, cap);
	if (!err)
		err = confine_landlock(p, &landlock, msg, cap);
	if (!err)
		err = confine_seccomp(msg, cap);
	if (!err && !landlock)
		bh_errorf(
		    BH_OK, msg, cap,
		    "landlock not available on this kernel: the session's filesystem reach is "
		    "not limited (no exec, no ptrace, no core dumps still hold)");
	return err;
}
