/* The SSH session's confinement (src/app/confine.c): each restriction is
 * proved by trying what it forbids, in a forked child that confines itself
 * (confinement lasts for the life of a process), and what the session still
 * needs is tried too.  The Landlock parts are skipped, saying so, on a
 * kernel without Landlock (or without the ABI a part needs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <termios.h>
#include <unistd.h>

#include <linux/sched.h>

#include "app/confine.h"
#include "core/alloc.h"
#include "core/fileio.h"

/* What a confined child exits with when every check passed: not 0, so
 * that a child replaced by another program (an exec that worked) or one
 * that returned by mistake does not look like a pass. */
#define CHILD_OK 42

/* In the child: one failed check ends it, saying which. */
#define CHILD_CHECK(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "confined child: line %d: %s (errno %d: %s)\n", __LINE__,  \
				#cond, errno, strerror(errno));                                    \
			_exit(1);                                                                  \
		}                                                                                  \
	} while (0)

/* In the child: call must fail with errno e. */
#define CHILD_FAILS_WITH(call, e)                                                                  \
	do {                                                                                       \
		errno = 0;                                                                         \
		long rc_ = (long)(call);                                                           \
		if (rc_ != -1 || errno != (e)) {                                                   \
			fprintf(stderr,                                                            \
				"confined child: line %d: %s gave %ld, errno %d (%s), "            \
				"not %s\n",                                                        \
				__LINE__, #call, rc_, errno, strerror(errno), #e);                 \
			_exit(1);                                                                  \
		}                                                                                  \
	} while (0)

struct fixture {
	char root[64];	  /* the test's directory */
	char state[96];	  /* <root>/state: the session's state dir (read-write) */
	char ro[96];	  /* <root>/ro: read-only for the session */
	char outside[96]; /* <root>/outside: out of reach, holds secret.conf */
	char secret[128]; /* <outside>/secret.conf, as the vendor's config */
	struct confine_paths paths;
	int listen_ok;	  /* TCP listener on an allowed port */
	int listen_other; /* TCP listener on a port not allowed */
	uint16_t port_ok; /* its port */
	uint16_t port_other;
	int abstract; /* a listening abstract Unix socket of the parent */
	char abstract_name[64];
	int named;	/* a listening Unix socket at <outside>/broker.sock */
	int pty_master; /* a terminal, open before confinement as the session's is */
	int pty;
};

/* A word in the parent's memory that process_vm_readv would read. */
static volatile uint64_t parent_word = 0x5ec2e7;

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[512];
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_true(file_write_all(fd, text, strlen(text)));
	close(fd);
}

/* A TCP listener on 127.0.0.1 and an ephemeral port. */
static int tcp_listener(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* An abstract Unix socket address "\0name". */
static socklen_t abstract_addr(const char *name, struct sockaddr_un *a)
{
	size_t n = strlen(name);
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int setups; /* abstract socket names are not reused */

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct sockaddr_un a;
	socklen_t len;
	str_copy(f->root, sizeof f->root, "/tmp/behalf-confine-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->state, sizeof f->state, "%s/state", f->root);
	snprintf(f->ro, sizeof f->ro, "%s/ro", f->root);
	snprintf(f->outside, sizeof f->outside, "%s/outside", f->root);
	snprintf(f->secret, sizeof f->secret, "%s/secret.conf", f->outside);
	if (mkdir(f->state, 0700) || mkdir(f->ro, 0700) || mkdir(f->outside, 0700))
		return -1;
	write_file(f->secret, "account_token = not-for-customers\n");
	{
		char ro_file[128];
		snprintf(ro_file, sizeof ro_file, "%s/readable.txt", f->ro);
		write_file(ro_file, "readable\n");
	}
	f->paths.write_dirs[0] = f->state;
	f->paths.read_paths[0] = f->ro;
	f->listen_ok = tcp_listener(&f->port_ok);
	f->listen_other = tcp_listener(&f->port_other);
	f->paths.tcp_ports[0] = f->port_ok;
	snprintf(f->abstract_name, sizeof f->abstract_name, "behalf-confine-test-%ld-%d",
		 (long)getpid(), ++setups);
	f->abstract = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	len = abstract_addr(f->abstract_name, &a);
	if (f->abstract < 0 || bind(f->abstract, (struct sockaddr *)&a, len) != 0 ||
	    listen(f->abstract, 4) != 0)
		return -1;
	/* the broker's socket stands outside every allowed directory */
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof a.sun_path, "%s/broker.sock", f->outside);
	f->named = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->named < 0 || bind(f->named, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(f->named, 4) != 0)
		return -1;
	{
		int unlock = 0;
		f->pty_master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (f->pty_master < 0 || ioctl(f->pty_master, TIOCSPTLCK, &unlock) != 0)
			return -1;
		f->pty = ioctl(f->pty_master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (f->pty < 0)
			return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->listen_ok);
	close(f->listen_other);
	close(f->abstract);
	close(f->named);
	close(f->pty);
	close(f->pty_master);
	rm_tree(f->root);
	free(f);
	return 0;
}

/* In the child: confines with p, or ends.  The message is empty exactly
 * when Landlock was applied too. */
static void child_confine(const struct confine_paths *p)
{
	char msg[512];
	enum bh_err err = confine_session(p, msg, sizeof msg);
	if (err) {
		fprintf(stderr, "confined child: confine_session: %s\n", msg);
		_exit(3);
	}
	if ((confine_landlock_abi() == 0) != (msg[0] != '\0')) {
		fprintf(stderr, "confined child: landlock ABI %d but message \"%s\"\n",
			confine_landlock_abi(), msg);
		_exit(4);
	}
}

/* Forks; the child confines itself with p, runs body and exits CHILD_OK;
 * the parent waits and asserts that it did. */
static void run_confined(struct fixture *f, const struct confine_paths *p,
			 void (*body)(struct fixture *f))
{
	int status = 0;
	pid_t pid;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		child_confine(p);
		body(f);
		_exit(CHILD_OK);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the confined child died of signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), CHILD_OK);
}

/* Landlock parts need an ABI; false (and a line saying so) when the kernel
 * has less. */
static int landlock_skipped; /* parts skipped: the program exits 77 (ctest: skipped) */

static bool landlock_at_least(int abi, const char *part)
{
	int have = confine_landlock_abi();
	if (have < abi)
		landlock_skipped++;
	if (have == 0) {
		printf("landlock not available on this kernel: %s skipped\n", part);
		return false;
	}
	if (have < abi) {
		printf("landlock ABI %d on this kernel, %s needs %d: skipped\n", have, part, abi);
		return false;
	}
	return true;
}

static void body_no_exec(struct fixture *f)
{
	char *const argv[] = {"true", NULL};
	char *const envp[] = {NULL};
	(void)f;
	CHILD_FAILS_WITH(execve("/bin/true", argv, envp), EPERM);
	CHILD_FAILS_WITH(syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0), EPERM);
}

/* No program can be started: execve and execveat fail with EPERM. */
static void test_no_exec(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(access("/bin/true", X_OK), 0); /* else the test proves nothing */
	run_confined(f, &f->paths, body_no_exec);
}

static void body_no_ptrace(struct fixture *f)
{
	uint64_t word = 0;
	struct iovec local = {&word, sizeof word};
	struct iovec remote = {(void *)&parent_word, sizeof word};
	(void)f;
	CHILD_FAILS_WITH(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM);
	CHILD_FAILS_WITH(syscall(SYS_process_vm_readv, getppid(), &local, 1UL, &remote, 1UL, 0UL),
			 EPERM);
	CHILD_FAILS_WITH(syscall(SYS_process_vm_writev, getppid(), &local, 1UL, &remote, 1UL, 0UL),
			 EPERM);
	/* its own memory: neither Landlock nor dumpable stops that, only the
	 * filter */
	CHILD_FAILS_WITH(syscall(SYS_process_vm_readv, getpid(), &local, 1UL, &remote, 1UL, 0UL),
			 EPERM);
	CHILD_CHECK(word == 0);
}

/* The session cannot trace or read other processes, its own user's other
 * sessions included. */
static void test_no_ptrace(void **state)
{
	struct fixture *f = *state;
	run_confined(f, &f->paths, body_no_ptrace);
}

static void body_privileges(struct fixture *f)
{
	struct rlimit core;
	(void)f;
	CHILD_CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
	CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	CHILD_CHECK(getrlimit(RLIMIT_CORE, &core) == 0);
	CHILD_CHECK(core.rlim_cur == 0 && core.rlim_max == 0);
}

/* No new privileges, no core files, not dumpable. */
static void test_privileges(void **state)
{
	struct fixture *f = *state;
	run_confined(f, &f->paths, body_privileges);
}

/* Can a process of the same user open /proc/pid/mem and environ?  Runs
 * in a helper process; exits 0 when both were refused. */
static int proc_mem_refused(pid_t pid, uid_t uid)
{
	int status = 0;
	pid_t helper = fork();
	assert_true(helper >= 0);
	if (helper == 0) {
		char path[64];
		int fd_mem, fd_env;
		if (getuid() == 0 && (setgid(uid) != 0 || setuid(uid) != 0))
			_exit(2);
		snprintf(path, sizeof path, "/proc/%ld/mem", (long)pid);
		fd_mem = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof path, "/proc/%ld/environ", (long)pid);
		fd_env = open(path, O_RDONLY | O_CLOEXEC);
		_exit(fd_mem < 0 && fd_env < 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(helper, &status, 0), helper);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Another process of the session's user can read a live session's memory
 * and environment before confine_session, and not after (this is what
 * keeps a token out of reach of the user's other sessions).  As root, both
 * sides become "nobody" first: root reads any process. */
static void test_memory_unreadable_by_same_user(void **state)
{
	uid_t uid = getuid() == 0 ? 65534 : getuid();
	int go[2], ready[2], status = 0, before = -1, after = -1;
	char c = 0;
	pid_t pid;
	(void)state;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct confine_paths none;
		memset(&none, 0, sizeof none);
		close(go[1]);
		close(ready[0]);
		if (getuid() == 0 && (setgid(uid) != 0 || setuid(uid) != 0))
			_exit(2);
		/* dumpable as a program sshd starts is (setuid cleared it) */
		CHILD_CHECK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
		CHILD_CHECK(write(ready[1], "1", 1) == 1); /* not yet confined */
		CHILD_CHECK(read(go[0], &c, 1) == 1);
		child_confine(&none);
		CHILD_CHECK(write(ready[1], "2", 1) == 1);
		CHILD_CHECK(read(go[0], &c, 1) == 0); /* the parent is done */
		_exit(CHILD_OK);
	}
	close(go[0]);
	close(ready[1]);
	/* the child is released (go closed) before any assertion can end
	 * the test, so that it never outlives it */
	if (read(ready[0], &c, 1) == 1)
		before = proc_mem_refused(pid, uid);
	if (write(go[1], "g", 1) == 1 && read(ready[0], &c, 1) == 1)
		after = proc_mem_refused(pid, uid);
	close(go[1]);
	close(ready[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(before, 1); /* readable before: the check can fail */
	assert_int_equal(after, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), CHILD_OK);
}

static void *thread_body(void *arg)
{
	return arg;
}

static void body_kernel_surface(struct fixture *f)
{
	(void)f;
	/* namespaces, directly and through clone */
	CHILD_FAILS_WITH(syscall(SYS_unshare, CLONE_NEWUSER), EPERM);
	CHILD_FAILS_WITH(syscall(SYS_unshare, CLONE_NEWNS), EPERM);
	CHILD_FAILS_WITH(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0), EPERM);
	CHILD_FAILS_WITH(syscall(SYS_clone3, NULL, 0), ENOSYS);
	/* personality changes (a query still answers) */
	CHILD_FAILS_WITH(syscall(SYS_personality, 0x0008 /* PER_LINUX32 */), EPERM);
	CHILD_CHECK(syscall(SYS_personality, 0xffffffffUL) != -1);
	/* raw packets and the rarer socket families */
	CHILD_FAILS_WITH(socket(AF_PACKET, SOCK_RAW, 0), EPERM);
	CHILD_FAILS_WITH(socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0), EPERM);
	/* io_uring (its operations pass no seccomp filter), bpf */
	{
		char params[120];
		memset(params, 0, sizeof params);
		CHILD_FAILS_WITH(syscall(SYS_io_uring_setup, 1, params), EPERM);
	}
	CHILD_FAILS_WITH(syscall(SYS_bpf, 0, NULL, 0), EPERM);
	/* typing into the terminal */
	{
		char ch = 'x';
		CHILD_FAILS_WITH(ioctl(0, TIOCSTI, &ch), EPERM);
	}
}

/* What an attacker in the process would reach for next. */
static void test_kernel_surface(void **state)
{
	struct fixture *f = *state;
	run_confined(f, &f->paths, body_kernel_surface);
}

/* The library dlopen() maps after confinement (an NSS module would be the
 * real one): one this test program has not loaded yet. */
static const char *unloaded_library(void)
{
	static const char *const names[] = {"libdl.so.2", "libutil.so.1", "libanl.so.1",
					    "libBrokenLocale.so.1"};
	size_t i;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		void *h = dlopen(names[i], RTLD_NOW | RTLD_NOLOAD);
		if (h) {
			dlclose(h);
			continue;
		}
		return names[i];
	}
	return NULL;
}

static bool localhost_resolves;
static const char *library_to_load;

static void body_still_works(struct fixture *f)
{
	struct sockaddr_in a;
	pthread_t t;
	void *ret = NULL;
	static int token;
	int fd, other;
	pid_t pid;
	int status;
	/* threads (curl's resolver): clone3 refused, glibc falls back */
	CHILD_CHECK(pthread_create(&t, NULL, thread_body, &token) == 0);
	CHILD_CHECK(pthread_join(t, &ret) == 0 && ret == (void *)&token);
	/* a child process (not an exec) */
	pid = fork();
	CHILD_CHECK(pid >= 0);
	if (pid == 0)
		_exit(7);
	CHILD_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 7);
	/* the resolver's files */
	if (localhost_resolves) {
		struct addrinfo hints, *res = NULL;
		memset(&hints, 0, sizeof hints);
		hints.ai_family = AF_INET;
		CHILD_CHECK(getaddrinfo("localhost", "443", &hints, &res) == 0 && res);
		freeaddrinfo(res);
	}
	/* a shared library mapped late */
	if (library_to_load) {
		void *h = dlopen(library_to_load, RTLD_NOW);
		CHILD_CHECK(h != NULL);
		dlclose(h);
	}
	/* DNS over UDP on loopback: a datagram to ourselves */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	other = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(fd >= 0 && other >= 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHILD_CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
	{
		socklen_t len = sizeof a;
		char buf[8];
		CHILD_CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
		CHILD_CHECK(sendto(other, "dns", 3, 0, (struct sockaddr *)&a, sizeof a) == 3);
		CHILD_CHECK(recv(fd, buf, sizeof buf, 0) == 3 && memcmp(buf, "dns", 3) == 0);
	}
	close(fd);
	close(other);
	/* the broker: a named Unix socket outside the allowed directories */
	{
		struct sockaddr_un u;
		memset(&u, 0, sizeof u);
		u.sun_family = AF_UNIX;
		snprintf(u.sun_path, sizeof u.sun_path, "%s/broker.sock", f->outside);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(connect(fd, (struct sockaddr *)&u, sizeof u) == 0);
		close(fd);
	}
	/* curses on the terminal opened before: modes, size, output */
	{
		struct termios tio;
		struct winsize ws = {24, 80, 0, 0};
		char buf[8];
		CHILD_CHECK(ioctl(f->pty_master, TIOCSWINSZ, &ws) == 0);
		memset(&ws, 0, sizeof ws);
		CHILD_CHECK(ioctl(f->pty, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 24 &&
			    ws.ws_col == 80);
		CHILD_CHECK(tcgetattr(f->pty, &tio) == 0);
		cfmakeraw(&tio);
		CHILD_CHECK(tcsetattr(f->pty, TCSANOW, &tio) == 0);
		CHILD_CHECK(write(f->pty, "ok", 2) == 2);
		CHILD_CHECK(read(f->pty_master, buf, sizeof buf) == 2 && memcmp(buf, "ok", 2) == 0);
	}
}

/* What the session needs after start still works: threads, fork, name
 * resolution from /etc/hosts, dlopen, UDP, the broker's socket, its
 * terminal. */
static void test_still_works(void **state)
{
	struct fixture *f = *state;
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_INET;
	localhost_resolves = getaddrinfo("localhost", "443", &hints, &res) == 0;
	if (res)
		freeaddrinfo(res);
	if (!localhost_resolves)
		printf("localhost does not resolve here: getaddrinfo not tried\n");
	library_to_load = unloaded_library();
	if (!library_to_load)
		printf("no unloaded library found: dlopen not tried\n");
	run_confined(f, &f->paths, body_still_works);
}

static void body_landlock_fs(struct fixture *f)
{
	char path[256], buf[64];
	int fd;
	char moved[256];
	/* inside the state dir: files, atomic replacement, a subdirectory
	 * (access/), a lock */
	snprintf(path, sizeof path, "%s/customer.json", f->state);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(write(fd, "{}", 2) == 2);
	CHILD_CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0);
	close(fd);
	CHILD_CHECK(file_replace(f->state, "customer.json", "{\"a\":1}", 7, 0600, NULL, 0) ==
		    BH_OK);
	snprintf(path, sizeof path, "%s/access", f->state);
	CHILD_CHECK(mkdir(path, 0700) == 0);
	CHILD_CHECK(file_replace(path, "keys.json", "[]", 2, 0600, NULL, 0) == BH_OK);
	snprintf(path, sizeof path, "%s/access/keys.json", f->state);
	CHILD_CHECK(unlink(path) == 0);
	/* outside: no write, no new file, no read of the vendor's config */
	snprintf(path, sizeof path, "%s/new.txt", f->outside);
	CHILD_FAILS_WITH(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600), EACCES);
	CHILD_FAILS_WITH(open(f->secret, O_RDONLY | O_CLOEXEC), EACCES);
	CHILD_FAILS_WITH(open(f->secret, O_WRONLY | O_APPEND | O_CLOEXEC), EACCES);
	CHILD_FAILS_WITH(open("/tmp/behalf-confine-escape", O_WRONLY | O_CREAT | O_CLOEXEC, 0600),
			 EACCES);
	CHILD_FAILS_WITH(open("/etc/passwd", O_RDONLY | O_CLOEXEC), EACCES);
	CHILD_FAILS_WITH(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), EACCES); /* a new tty */
	/* moving a state file out of reach */
	snprintf(path, sizeof path, "%s/customer.json", f->state);
	snprintf(moved, sizeof moved, "%s/moved.json", f->outside);
	CHILD_CHECK(rename(path, moved) == -1 && (errno == EACCES || errno == EXDEV));
	/* read-only paths: read, not written */
	snprintf(path, sizeof path, "%s/readable.txt", f->ro);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(fd >= 0 && read(fd, buf, sizeof buf) == 9);
	close(fd);
	CHILD_FAILS_WITH(open(path, O_WRONLY | O_CLOEXEC), EACCES);
	/* the system's files the libraries read late */
	fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(fd >= 0 || errno == ENOENT);
	if (fd >= 0)
		close(fd);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHILD_CHECK(fd >= 0);
	close(fd);
}

/* Filesystem reach: read-write beneath the state dir, read-only where
 * asked and for the system's files, nothing else. */
static void test_landlock_fs(void **state)
{
	struct fixture *f = *state;
	char path[256];
	int fd;
	if (!landlock_at_least(1, "the filesystem part")) {
		skip();
		return;
	}
	/* what the child must not reach is reachable without confinement */
	fd = open(f->secret, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(access("/etc/passwd", R_OK), 0);
	run_confined(f, &f->paths, body_landlock_fs);
	snprintf(path, sizeof path, "%s/customer.json", f->state);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof path, "%s/new.txt", f->outside);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_not_equal(access("/tmp/behalf-confine-escape", F_OK), 0);
}

/* A TCP connection to 127.0.0.1:port; 0 or errno. */
static int tcp_connect(uint16_t port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;
	if (fd < 0)
		return errno;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : errno;
	close(fd);
	return rc;
}

static void body_landlock_net(struct fixture *f)
{
	struct sockaddr_in a;
	int fd;
	CHILD_CHECK(tcp_connect(f->port_ok) == 0);
	CHILD_CHECK(tcp_connect(f->port_other) == EACCES);
	/* no listening port of its own */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(fd >= 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHILD_FAILS_WITH(bind(fd, (struct sockaddr *)&a, sizeof a), EACCES);
	close(fd);
}

static void body_landlock_net_any(struct fixture *f)
{
	CHILD_CHECK(tcp_connect(f->port_ok) == 0);
	CHILD_CHECK(tcp_connect(f->port_other) == 0);
}

/* TCP: connect only to the listed ports, never listen; tcp_any lifts the
 * port list. */
static void test_landlock_net(void **state)
{
	struct fixture *f = *state;
	struct confine_paths any = f->paths;
	if (!landlock_at_least(4, "the TCP part")) {
		skip();
		return;
	}
	assert_int_equal(tcp_connect(f->port_other), 0);
	run_confined(f, &f->paths, body_landlock_net);
	any.tcp_any = true;
	run_confined(f, &any, body_landlock_net_any);
}

static void body_landlock_scope(struct fixture *f)
{
	struct sockaddr_un a;
	socklen_t len = abstract_addr(f->abstract_name, &a);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(fd >= 0);
	CHILD_FAILS_WITH(connect(fd, (struct sockaddr *)&a, len), EPERM);
	close(fd);
	CHILD_FAILS_WITH(kill(getppid(), 0), EPERM);
}

static void body_keep_signals(struct fixture *f)
{
	(void)f;
	CHILD_CHECK(kill(getppid(), 0) == 0);
}

/* No signals to processes outside the session (the user's other sessions)
 * unless keep_signals, no abstract Unix sockets outside it. */
static void test_landlock_scope(void **state)
{
	struct fixture *f = *state;
	struct confine_paths keep = f->paths;
	if (!landlock_at_least(6, "the signal and abstract socket part")) {
		skip();
		return;
	}
	run_confined(f, &f->paths, body_landlock_scope);
	keep.keep_signals = true;
	run_confined(f, &keep, body_keep_signals);
}

static void body_exit(struct fixture *f)
{
	(void)f;
	exit(CHILD_OK); /* atexit handlers; LeakSanitizer's check in the ASan build */
}

/* A confined session ends normally (in the sanitizer build, LeakSanitizer
 * still runs its exit check, which needs ptrace and /proc). */
static void test_exit_after_confine(void **state)
{
	struct fixture *f = *state;
	run_confined(f, &f->paths, body_exit);
}

static void *thread_wait(void *arg)
{
	char c;
	return read(*(int *)arg, &c, 1) == 1 ? arg : NULL;
}

/* Refused, with nothing given up: a thread already runs, or a directory is
 * missing.  Exits CHILD_OK when both were refused as they should. */
static void child_refusals(void)
{
	struct confine_paths p;
	char msg[256];
	pthread_t t;
	int fds[2];

	memset(&p, 0, sizeof p);
	p.write_dirs[0] = "/nonexistent/behalf-state";
	CHILD_CHECK(confine_session(&p, msg, sizeof msg) == BH_ERR_NOT_FOUND);
	CHILD_CHECK(strstr(msg, "/nonexistent/behalf-state") != NULL);
	CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);

	CHILD_CHECK(pipe(fds) == 0);
	CHILD_CHECK(pthread_create(&t, NULL, thread_wait, &fds[0]) == 0);
	memset(&p, 0, sizeof p);
	CHILD_CHECK(confine_session(&p, msg, sizeof msg) == BH_ERR_INVALID);
	CHILD_CHECK(strstr(msg, "threads") != NULL);
	CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	CHILD_CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1);
	CHILD_CHECK(write(fds[1], "x", 1) == 1);
	CHILD_CHECK(pthread_join(t, NULL) == 0);
	_exit(CHILD_OK);
}

static void test_refusals(void **state)
{
	int status = 0;
	pid_t pid;
	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_refusals();
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), CHILD_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_no_exec, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_ptrace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_privileges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memory_unreadable_by_same_user, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kernel_surface, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_still_works, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_landlock_fs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_landlock_net, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_landlock_scope, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exit_after_confine, setup, teardown),
	    cmocka_unit_test(test_refusals),
	};
	int failed;
	printf("landlock ABI of this kernel: %d\n", confine_landlock_abi());
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	if (!failed && landlock_skipped) {
		printf("landlock parts skipped: reported to ctest as skipped (77)\n");
		return 77;
	}
	return failed;
}
