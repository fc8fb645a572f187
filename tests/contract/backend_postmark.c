/* Postmark (src/esp/postmark.c) as a backend under the contract, against
 * the local simulator (tests/postmark_sim/postmark_sim.py) on a free
 * loopback port.  The simulator checks DNS itself (--dns-server) by asking
 * a small DNS responder run here on 127.0.0.1, which serves the records
 * publish_dns puts in it.  Faults are the simulator's (/__control/faults). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contract.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "esp/postmark.h"

#define ACCOUNT_TOKEN "sim-account-token"
#define SERVER_TOKEN  "sim-server-token"
#define BAD_TOKEN     "wrong-token-0123456789abcdef"
#define PM_TRIES      3
#define DNS_RECORDS   16

static pid_t sim_pid;
static char sim_url[64];
static char sim_dir[] = "/tmp/behalf-contract-pm-XXXXXX";

/* ---- the DNS the simulator asks ---- */

struct dns_entry {
	int type; /* RECORD_TYPE_TXT or RECORD_TYPE_CNAME */
	char name[RECORD_NAME_MAX];
	char value[RECORD_VALUE_MAX];
};

static struct {
	pthread_mutex_t lock;
	struct dns_entry entries[DNS_RECORDS];
	size_t n;
	int fd;
	int port;
	pthread_t thread;
	atomic_bool stopping; /* set, then a datagram wakes the thread */
} dns = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

/* Appends name in wire form; false when it does not fit. */
static bool dns_put_name(unsigned char *out, size_t cap, size_t *len, const char *name)
{
	const char *p = name, *dot;
	size_t l;

	while (*p) {
		dot = strchr(p, '.');
		l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || *len + 1 + l >= cap)
			return false;
		out[(*len)++] = (unsigned char)l;
		memcpy(out + *len, p, l);
		*len += l;
		p += l + (dot ? 1 : 0);
	}
	if (*len + 1 > cap)
		return false;
	out[(*len)++] = 0;
	return true;
}

/* Answers one query from the table (NXDOMAIN-free: an empty answer). */
static size_t dns_answer(const unsigned char *q, size_t qlen, unsigned char *out, size_t cap)
{
	char name[RECORD_NAME_MAX];
	size_t off = 12, nlen = 0, len, i, rdstart;
	int qtype;
	uint16_t an = 0;

	if (qlen < 12 || cap < 512)
		return 0;
	while (off < qlen && q[off]) {
		size_t l = q[off];
		if (l > 63 || off + 1 + l > qlen || nlen + l + 1 >= sizeof name)
			return 0;
		if (nlen)
			name[nlen++] = '.';
		for (i = 0; i < l; i++)
			name[nlen++] = (char)tolower(q[off + 1 + i]);
		off += 1 + l;
	}
	name[nlen] = '\0';
	if (off + 5 > qlen)
		return 0;
	qtype = q[off + 1] << 8 | q[off + 2];
	off += 5;
	memcpy(out, q, off);	       /* id, flags, counts, the question */
	out[2] = 0x84 | (q[2] & 0x01); /* QR, AA, RD as asked */
	out[3] = 0;
	memset(out + 6, 0, 6);
	len = off;
	pthread_mutex_lock(&dns.lock);
	for (i = 0; i < dns.n; i++) {
		const struct dns_entry *e = &dns.entries[i];
		size_t v, vl = strlen(e->value);
		if (e->type != qtype || strcasecmp(e->name, name) != 0 || len + 12 + vl + 16 > cap)
			continue;
		out[len++] = 0xc0; /* the question's name */
		out[len++] = 12;
		out[len++] = 0;
		out[len++] = (unsigned char)qtype;
		out[len++] = 0;
		out[len++] = 1;			      /* IN */
		memcpy(out + len, "\0\0\x01\x2c", 4); /* TTL 300 */
		len += 4;
		rdstart = len;
		len += 2;
		if (qtype == RECORD_TYPE_TXT) {
			for (v = 0; v < vl; v += 255) {
				size_t part = vl - v < 255 ? vl - v : 255;
				out[len++] = (unsigned char)part;
				memcpy(out + len, e->value + v, part);
				len += part;
			}
		} else if (!dns_put_name(out, cap, &len, e->value)) {
			len = rdstart - 10; /* that answer left out */
			continue;
		}
		out[rdstart] = (unsigned char)((len - rdstart - 2) >> 8);
		out[rdstart + 1] = (unsigned char)(len - rdstart - 2);
		an++;
	}
	pthread_mutex_unlock(&dns.lock);
	out[6] = (unsigned char)(an >> 8);
	out[7] = (unsigned char)an;
	return len;
}

static void *dns_serve(void *arg)
{
	unsigned char q[512], a[4096];
	struct sockaddr_in from;
	socklen_t fl;
	ssize_t n;
	size_t len;

	(void)arg;
	for (;;) { /* until dns_stop */
		fl = sizeof from;
		n = recvfrom(dns.fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
		if (dns.stopping)
			return NULL;
		if (n <= 0)
			continue;
		len = dns_answer(q, (size_t)n, a, sizeof a);
		if (len)
			sendto(dns.fd, a, len, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static int dns_start(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof sa;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dns.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dns.fd < 0 || bind(dns.fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(dns.fd, (struct sockaddr *)&sa, &sl) != 0)
		return -1;
	dns.port = ntohs(sa.sin_port);
	return pthread_create(&dns.thread, NULL, dns_serve, NULL) == 0 ? 0 : -1;
}

static void dns_stop(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd;

	if (dns.fd < 0)
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)dns.port);
	dns.stopping = true;
	if (fd >= 0) {
		sendto(fd, "", 1, 0, (struct sockaddr *)&sa, sizeof sa);
		close(fd);
	}
	pthread_join(dns.thread, NULL);
	close(dns.fd);
	dns.fd = -1;
}

/* ---- the simulator ---- */

static const char *source_dir(void)
{
	const char *s = getenv("BEHALF_SOURCE_DIR");
	return s && *s ? s : BEHALF_SOURCE_DIR;
}

static int pm_setup(void)
{
	char port_file[128], script[1024], line[32], dns_arg[32];
	int64_t end;
	FILE *f;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!mkdtemp(sim_dir) || dns_start() != 0)
		return -1;
	snprintf(port_file, sizeof port_file, "%s/port", sim_dir);
	snprintf(script, sizeof script, "%s/tests/postmark_sim/postmark_sim.py", source_dir());
	snprintf(dns_arg, sizeof dns_arg, "127.0.0.1:%d", dns.port);
	sim_pid = fork();
	if (sim_pid < 0)
		return -1;
	if (sim_pid == 0) {
		/* It must not outlive a test that crashed or was killed. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1)
			_exit(127);
		execlp("python3", "python3", script, "--port", "0", "--port-file", port_file,
		       "--account-token", ACCOUNT_TOKEN, "--server-token", SERVER_TOKEN,
		       "--dns-server", dns_arg, (char *)NULL);
		_exit(127);
	}
	end = clock_now_ms() + 15000;
	while (clock_now_ms() < end) {
		f = fopen(port_file, "r");
		if (f) {
			if (fgets(line, sizeof line, f)) {
				fclose(f);
				snprintf(sim_url, sizeof sim_url, "http://127.0.0.1:%ld",
					 strtol(line, NULL, 10));
				return 0;
			}
			fclose(f);
		}
		usleep(20000);
	}
	fprintf(stderr, "the Postmark simulator did not start\n");
	return -1;
}

static void pm_teardown(void)
{
	char path[128];

	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, NULL, 0);
	}
	dns_stop();
	snprintf(path, sizeof path, "%s/port", sim_dir);
	unlink(path);
	rmdir(sim_dir);
	curl_global_cleanup();
}

static size_t ctl_write(char *data, size_t size, size_t nmemb, void *userp)
{
	return buf_append(userp, data, size * nmemb) == BH_OK ? size * nmemb : 0;
}

/* A control request to the simulator (blocking); its JSON answer. */
static json_t *ctl(const char *method, const char *path, const char *body)
{
	CURL *c = curl_easy_init();
	struct buf out = {.limit = 8u * 1024 * 1024}, url = {0};
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	long status = 0;
	json_t *root;

	assert_non_null(c);
	buf_printf(&url, "%s%s", sim_url, path);
	curl_easy_setopt(c, CURLOPT_URL, url.data);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ctl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	assert_int_equal(status, 200);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	buf_free(&url);
	root = json_loadb(out.data ? out.data : "", out.len, 0, NULL);
	buf_free(&out);
	assert_non_null(root);
	return root;
}

static void ctl_do(const char *method, const char *path, const char *body)
{
	json_decref(ctl(method, path, body));
}

static void pm_reset(void)
{
	ctl_do("POST", "/__control/reset", NULL);
	pthread_mutex_lock(&dns.lock);
	dns.n = 0;
	pthread_mutex_unlock(&dns.lock);
}

static struct esp *pm_client(const char *token)
{
	struct postmark_config c = {
	    .api_url = sim_url,
	    .account_token = token,
	    .server_token = SERVER_TOKEN,
	    .timeout_ms = 2000,
	    .connect_timeout_ms = 1000,
	    .max_tries = PM_TRIES,
	    .retry_base_ms = 10,
	    .retry_max_ms = 50,
	};
	char msg[256];
	struct esp *esp = postmark_create(&c, msg, sizeof msg);

	if (!esp)
		fprintf(stderr, "postmark_create: %s\n", msg);
	assert_non_null(esp);
	return esp;
}

static struct esp *pm_create(void)
{
	return pm_client(ACCOUNT_TOKEN);
}

static struct esp *pm_create_bad(void)
{
	return pm_client(BAD_TOKEN);
}

/* Puts the domain's records into the DNS (or takes them out). */
static void pm_publish_dns(struct esp *esp, const struct esp_reply *domain, bool published)
{
	struct expected_record rec;
	bool verified;
	size_t i, j;

	(void)esp;
	pthread_mutex_lock(&dns.lock);
	for (i = 0; i < contract_domain_record_count(domain); i++) {
		contract_domain_record(domain, i, &rec, &verified);
		for (j = 0; j < dns.n; j++)
			if (dns.entries[j].type == (int)rec.type &&
			    strcasecmp(dns.entries[j].name, rec.name) == 0)
				break;
		if (!published) {
			if (j < dns.n)
				dns.entries[j] = dns.entries[--dns.n];
			continue;
		}
		if (j == dns.n) {
			assert_true(dns.n < DNS_RECORDS);
			dns.n++;
		}
		dns.entries[j].type = (int)rec.type;
		str_copy(dns.entries[j].name, sizeof dns.entries[j].name, rec.name);
		str_copy(dns.entries[j].value, sizeof dns.entries[j].value, rec.value);
	}
	pthread_mutex_unlock(&dns.lock);
}

static void pm_confirm(struct esp *esp, const char *id)
{
	char body[64];

	(void)esp;
	snprintf(body, sizeof body, "{\"ID\":%s}", id);
	ctl_do("POST", "/__control/confirm", body);
}

static size_t pm_count(enum contract_kind kind)
{
	static const char *const lists[] = {"Domains", "SenderSignatures", "Emails"};
	json_t *st = ctl("GET", "/__control/state", NULL);
	size_t n = json_array_size(json_object_get(st, lists[kind]));

	json_decref(st);
	return n;
}

static bool pm_inject(enum contract_fault fault, enum contract_step step, int count,
		      const char *name)
{
	static const char *const paths[] = {
	    [STEP_DOMAIN_LOOKUP] = "\"Method\":\"GET\",\"Path\":\"^/domains$\"",
	    [STEP_DOMAIN_CREATE] = "\"Method\":\"POST\",\"Path\":\"^/domains$\"",
	    [STEP_DOMAIN_VERIFY] = "\"Method\":\"PUT\",\"Path\":\"/verifydkim$\"",
	    [STEP_SIGNATURE_CREATE] = "\"Method\":\"POST\",\"Path\":\"^/senders$\"",
	    [STEP_EMAIL_SEND] = "\"Method\":\"POST\",\"Path\":\"^/email$\"",
	};
	const char *kind;
	char body[512];
	json_t *made;

	switch (fault) {
	case FAULT_NOT_FOUND_404:
		ctl_do("POST", "/__control/options", "{\"NotFound\":404}");
		return true;
	case FAULT_HIDDEN:
		if (step != STEP_DOMAIN_LOOKUP || !name)
			return false;
		snprintf(body, sizeof body, "{\"Name\":\"%s\"}", name);
		made = ctl("POST", "/__control/domains", body);
		json_decref(made);
		snprintf(body, sizeof body,
			 "{\"Kind\":\"reply\",\"Count\":%d,%s,"
			 "\"Body\":{\"TotalCount\":0,\"Domains\":[]}}",
			 count, paths[step]);
		ctl_do("POST", "/__control/faults", body);
		return true;
	case FAULT_RATE_LIMITED:
		kind = "\"Kind\":\"429\"";
		break;
	case FAULT_SERVER_ERROR:
		kind = "\"Kind\":\"500\"";
		break;
	case FAULT_UNAVAILABLE:
		kind = "\"Kind\":\"503\"";
		break;
	case FAULT_ERROR_AFTER:
		kind = "\"Kind\":\"500\",\"After\":true";
		break;
	case FAULT_LOST_REPLY:
		kind = "\"Kind\":\"reset\",\"After\":true";
		break;
	case FAULT_MALFORMED:
		kind = "\"Kind\":\"malformed\"";
		break;
	default:
		return false;
	}
	if (count <= 0)
		return true; /* none: the first try succeeds */
	snprintf(body, sizeof body, "{%s,\"Count\":%d,%s}", kind, count, paths[step]);
	ctl_do("POST", "/__control/faults", body);
	return true;
}

const char *contract_postmark_url(void)
{
	return sim_url;
}

const struct contract_backend contract_postmark = {
    .name = "postmark",
    .setup = pm_setup,
    .teardown = pm_teardown,
    .reset = pm_reset,
    .create = pm_create,
    .create_bad_credentials = pm_create_bad,
    .publish_dns = pm_publish_dns,
    .confirm_signature = pm_confirm,
    .count = pm_count,
    .inject = pm_inject,
    .not_applicable = {NULL},
    .tries = PM_TRIES,
    .code_domain_not_found = 510,
    .code_signature_not_found = 501,
    .refusals =
	{
	    [REFUSE_DOMAIN_INVALID] = {516, NULL},
	    [REFUSE_SIGNATURE_FREEMAIL] = {503, NULL},
	    [REFUSE_SIGNATURE_BAD_EMAIL] = {522, NULL},
	    [REFUSE_RESEND_CONFIRMED] = {506, NULL},
	    [REFUSE_EMAIL_UNKNOWN_SENDER] = {400, NULL},
	    [REFUSE_EMAIL_UNCONFIRMED] = {401, NULL},
	},
};
