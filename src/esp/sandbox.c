/* The sandbox ESP (see sandbox.h): Postmark's domain and sender-signature
 * operations against a pretend account in a JSON file, answered after a
 * simulated latency from the loop's dispatch.
 *
 * The account file uses Postmark's field names (ID, Name, DKIMPendingHost,
 * EmailAddress, Confirmed, ...) so that it reads like the API's replies. */
#include "esp/sandbox.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/assets.h"
#include "core/clock.h"
#include "core/fileio.h"
#include "core/state.h"
#include "core/validate.h"

#define ACCOUNT_FILE	   "sandbox-account.json"
#define ACCOUNT_LOCK	   "sandbox-account.lock"
#define ACCOUNT_LIMIT	   (1024u * 1024u)
#define KEYS_ASSET	   "demo/dkim-keys.txt"
#define RETURN_PATH_TARGET "pm.mtasv.net"
#define RETURN_PATH_LABEL  "pm-bounces"
#define SENDGRID_USER	   "u4000123"
#define DNS_REPORTS	   16
#define LATENCY_MAX_MS	   60000
#define OUTBOX_KEEP	   5 /* emails kept in the account's Outbox */
#define SANDBOX_ARGS	   6

enum sandbox_op {
	OP_NONE,
	OP_DOMAIN_ENSURE,
	OP_DOMAIN_VERIFY,
	OP_DOMAIN_DELETE,
	OP_SIGNATURE_ENSURE,
	OP_SIGNATURE_GET,
	OP_SIGNATURE_RESEND,
	OP_SIGNATURE_DELETE,
	OP_SIGNATURE_UPDATE,
	OP_EMAIL_SEND,
};

/* One record the application's last DNS check verified. */
struct dns_seen {
	enum record_type type;
	char name[RECORD_NAME_MAX];
};

/* What the application's last DNS check found for one domain: the records
 * it verified, by type and name. */
struct dns_report {
	char id[RESOURCE_ID_MAX];
	size_t n;
	struct dns_seen verified[RESOURCE_RECORDS_MAX];
};

/* The request under way: kind, arguments and who to tell. */
struct pending {
	enum sandbox_op op;	  /* OP_NONE when idle */
	int64_t due_ms;		  /* monotonic ms at which it completes */
	char *args[SANDBOX_ARGS]; /* malloced copies of the string arguments ("" for NULL) */
	esp_done_fn done;
	void *arg;
};

struct sandbox {
	struct esp base;    /* first: a struct esp * is a struct sandbox * */
	char *dir;	    /* malloced; the state directory holding the account */
	char *customer;	    /* malloced demo customer whose resources are tagged, or NULL */
	int64_t latency_ms; /* simulated latency of each request */
	struct pending req;
	struct dns_report dns[DNS_REPORTS]; /* most recent last */
	size_t ndns;
	enum sandbox_profile profile; /* the shape of the domains it creates */
};

static const struct esp_ops sandbox_ops;

bool sandbox_is(const struct esp *esp)
{
	return esp && esp->ops == &sandbox_ops;
}

/* ---- the account file ---- */

/* obj[key] as a string, "" when absent or not a string. */
static const char *get_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* The lock that keeps two demo sessions from interleaving a
 * read-modify-write of the account; -1 when it cannot be had (the demo
 * then goes on unlocked). */
static int account_lock(const struct sandbox *sb)
{
	struct buf path = {0};
	int fd;

	buf_printf(&path, "%s/%s", sb->dir, ACCOUNT_LOCK);
	fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	buf_free(&path);
	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void account_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* True when every entry of root[key] is an object with an integer ID. */
static bool account_list_ok(json_t *root, const char *key)
{
	json_t *a = json_object_get(root, key), *e;
	size_t i;

	if (!a)
		return json_object_set_new(root, key, json_array()) == 0;
	if (!json_is_array(a))
		return false;
	json_array_foreach(a, i, e)
	{
		if (!json_is_object(e) || !json_is_integer(json_object_get(e, "ID")))
			return false;
	}
	return true;
}

/* Reads the account (an empty one when the file does not exist yet); the
 * caller owns *out. */
static enum bh_err account_load(const struct sandbox *sb, json_t **out, char *msg, size_t cap)
{
	struct buf path = {0}, text = {0};
	json_error_t jerr;
	json_t *root = NULL, *next;
	enum bh_err err;

	*out = NULL;
	buf_printf(&path, "%s/%s", sb->dir, ACCOUNT_FILE);
	err = state_read_file(path.data, ACCOUNT_LIMIT, &text);
	if (err == BH_ERR_NOT_FOUND) {
		root = json_pack("{s:i, s:[], s:[]}", "NextID", 1, "Domains", "SenderSignatures");
		err = BH_OK;
	} else if (err) {
		err = bh_errorf(err == BH_ERR_TOO_LARGE ? BH_ERR_PARSE : BH_ERR_IO, msg, cap,
				"cannot read the demo account %s: %s", path.data,
				err == BH_ERR_TOO_LARGE ? "too large" : strerror(errno));
	} else {
		root = json_loadb(text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!root)
			err = bh_errorf(BH_ERR_PARSE, msg, cap,
					"the demo account %s is corrupt: line %d: %s", path.data,
					jerr.line, jerr.text);
	}
	if (root) {
		next = json_object_get(root, "NextID");
		if (!json_is_object(root) || !json_is_integer(next) ||
		    json_integer_value(next) < 1 || !account_list_ok(root, "Domains") ||
		    !account_list_ok(root, "SenderSignatures")) {
			err = bh_errorf(BH_ERR_PARSE, msg, cap,
					"the demo account %s is corrupt: not the expected shape",
					path.data);
			json_decref(root);
			root = NULL;
		}
	}
	buf_free(&path);
	buf_free(&text);
	*out = root;
	return err;
}

/* Writes the account atomically. */
static enum bh_err account_save(const struct sandbox *sb, json_t *root, char *msg, size_t cap)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	enum bh_err err;

	if (!text)
		return bh_errorf(BH_ERR_NOMEM, msg, cap, "cannot encode the demo account");
	err = file_replace(sb->dir, ACCOUNT_FILE, text, strlen(text), 0600, msg, cap);
	free(text);
	return err;
}

/* Takes the account's next id. */
static json_int_t account_next_id(json_t *root)
{
	json_int_t id = json_integer_value(json_object_get(root, "NextID"));
	json_object_set_new(root, "NextID", json_integer(id + 1));
	return id;
}

/* The entry of root[list] whose ID is the decimal id, and its index. */
static json_t *find_by_id(json_t *root, const char *list, const char *id, size_t *index)
{
	json_t *a = json_object_get(root, list), *e;
	char *end;
	long long want;
	size_t i;

	errno = 0;
	want = strtoll(id, &end, 10);
	if (!*id || *end || errno)
		return NULL;
	json_array_foreach(a, i, e)
	{
		if (json_integer_value(json_object_get(e, "ID")) == want) {
			if (index)
				*index = i;
			return e;
		}
	}
	return NULL;
}

/* The entry of root[list] whose key equals value, ignoring case. */
static json_t *find_by_name(json_t *root, const char *list, const char *key, const char *value)
{
	json_t *a = json_object_get(root, list), *e;
	size_t i;

	json_array_foreach(a, i, e)
	{
		if (strcasecmp(get_str(e, key), value) == 0)
			return e;
	}
	return NULL;
}

/* ---- domains ---- */

/* A real 1024-bit RSA public key (base64 SubjectPublicKeyInfo) from the
 * demo pool, the same for the same domain on every run; false when the pool
 * is missing. */
static bool pick_key(const char *domain, char *out, size_t cap)
{
	const struct asset *a = asset_find(KEYS_ASSET);
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t nkeys = 0, want, i, start;
	const char *p, *end;

	if (!a)
		return false;
	for (p = domain; *p; p++) {
		h ^= (uint32_t)(unsigned char)tolower((unsigned char)*p);
		h *= 16777619u;
	}
	/* Count, then find, the key lines (not blank, not comments). */
	for (i = 0; i < a->size; i = (size_t)(end - (const char *)a->data) + 1) {
		p = (const char *)a->data + i;
		end = memchr(p, '\n', a->size - i);
		if (!end)
			end = (const char *)a->data + a->size;
		if (end > p && *p != '#')
			nkeys++;
	}
	if (!nkeys)
		return false;
	want = h % nkeys;
	for (i = 0; i < a->size; i = (size_t)(end - (const char *)a->data) + 1) {
		p = (const char *)a->data + i;
		end = memchr(p, '\n', a->size - i);
		if (!end)
			end = (const char *)a->data + a->size;
		if (end == p || *p == '#')
			continue;
		if (want-- == 0) {
			start = (size_t)(end - p);
			if (start >= cap)
				return false;
			memcpy(out, p, start);
			out[start] = '\0';
			return true;
		}
	}
	return false;
}

/* Copies s lower-cased into a malloced string. */
static char *lower_dup(const char *s)
{
	char *d = xstrdup(s);
	char *p;
	for (p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* The record type a word of the account file names ("TXT", "CNAME",
 * "MX"), or 0. */
static enum record_type type_from_word(const char *word)
{
	static const enum record_type types[] = {RECORD_TYPE_TXT, RECORD_TYPE_CNAME,
						 RECORD_TYPE_MX};
	size_t i;
	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(word, record_type_word(types[i])) == 0)
			return types[i];
	return (enum record_type)0;
}

/* The record purpose a word of the account file names, or PURPOSE__COUNT. */
static enum record_purpose purpose_from_word(const char *word)
{
	int p;
	for (p = 0; p < PURPOSE__COUNT; p++)
		if (strcmp(word, record_purpose_word((enum record_purpose)p)) == 0)
			return (enum record_purpose)p;
	return PURPOSE__COUNT;
}

/* The reply's view of a domain entry.  A Postmark-shaped entry gives its
 * pending key when there is one, else the active one (what the customer
 * must publish), and its Return-Path; an entry of another profile lists
 * its "Records" as they are. */
static void fill_domain(const json_t *d, struct wizard_domain_res *res)
{
	const char *pending = get_str(d, "DKIMPendingHost");
	json_t *records = json_object_get(d, "Records"), *r;
	size_t i;

	memset(res, 0, sizeof *res);
	res->exists = true;
	snprintf(res->id, sizeof res->id, "%lld",
		 (long long)json_integer_value(json_object_get(d, "ID")));
	str_copy(res->name, sizeof res->name, get_str(d, "Name"));
	if (json_is_array(records)) {
		json_array_foreach(records, i, r)
		{
			enum record_type type = type_from_word(get_str(r, "Type"));
			enum record_purpose purpose = purpose_from_word(get_str(r, "Purpose"));
			if (!type || purpose == PURPOSE__COUNT)
				continue;
			resource_add_record(res, purpose, type, get_str(r, "Name"),
					    get_str(r, "Value"),
					    json_is_true(json_object_get(r, "Required")),
					    json_is_true(json_object_get(r, "Verified")));
		}
		return;
	}
	if (*pending)
		resource_add_record(res, PURPOSE_DKIM, RECORD_TYPE_TXT, pending,
				    get_str(d, "DKIMPendingTextValue"), true,
				    json_is_true(json_object_get(d, "DKIMVerified")));
	else if (*get_str(d, "DKIMHost"))
		resource_add_record(res, PURPOSE_DKIM, RECORD_TYPE_TXT, get_str(d, "DKIMHost"),
				    get_str(d, "DKIMTextValue"), true,
				    json_is_true(json_object_get(d, "DKIMVerified")));
	if (*get_str(d, "ReturnPathDomain"))
		resource_add_record(res, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME,
				    get_str(d, "ReturnPathDomain"),
				    get_str(d, "ReturnPathDomainCNAMEValue"), true,
				    json_is_true(json_object_get(d, "ReturnPathDomainVerified")));
}

/* Appends one record of a neutral entry to the array a. */
static bool records_add(json_t *a, enum record_purpose purpose, enum record_type type,
			const char *name, const char *value)
{
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "Purpose",
			      record_purpose_word(purpose), "Type", record_type_word(type), "Name",
			      name, "Value", value, "Required", 1, "Verified", 0);
	return r && json_array_append_new(a, r) == 0;
}

/* A new domain entry shaped like SendGrid's domain authentication: three
 * CNAMEs, a return-path one and two DKIM keys (s1 and s2) that SendGrid
 * rotates itself. */
static enum bh_err domain_new_sendgrid(json_t *root, const char *name, json_t **out)
{
	json_int_t id = account_next_id(root);
	struct buf n = {0}, v = {0};
	json_t *records = json_array(), *d;
	bool ok = records != NULL;
	int s;

	buf_printf(&n, "em%lld.%s", (long long)(1000 + id), name);
	buf_printf(&v, "%s.wl%lld.sendgrid.net", SENDGRID_USER, (long long)id);
	ok = ok && records_add(records, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME, n.data, v.data);
	for (s = 1; s <= 2 && ok; s++) {
		buf_free(&n);
		buf_free(&v);
		buf_printf(&n, "s%d._domainkey.%s", s, name);
		buf_printf(&v, "s%d.domainkey.%s.wl%lld.sendgrid.net", s, SENDGRID_USER,
			   (long long)id);
		ok = records_add(records, PURPOSE_DKIM, RECORD_TYPE_CNAME, n.data, v.data);
	}
	buf_free(&n);
	buf_free(&v);
	d = ok ? json_pack("{s:I, s:s, s:o}", "ID", id, "Name", name, "Records", records) : NULL;
	if (!d) {
		if (!ok)
			json_decref(records);
		return BH_ERR_NOMEM;
	}
	if (json_array_append_new(json_object_get(root, "Domains"), d) != 0)
		return BH_ERR_NOMEM;
	*out = d;
	return BH_OK;
}

/* A new domain entry, Postmark-shaped, with its pending DKIM key. */
static enum bh_err domain_new(json_t *root, const char *name, const char *return_path, json_t **out,
			      struct esp_reply *reply)
{
	char stamp[32], key[1024];
	struct buf host = {0}, value = {0};
	time_t t = (time_t)(clock_wall_ms() / 1000);
	struct tm tm;
	json_t *d;

	if (!gmtime_r(&t, &tm) || strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm) == 0)
		return BH_ERR_INVALID;
	if (!pick_key(name, key, sizeof key)) {
		str_copy(reply->message, sizeof reply->message,
			 "The demo's DKIM keys (assets/" KEYS_ASSET ") are missing.");
		return BH_ERR_NOT_FOUND;
	}
	buf_printf(&host, "%spm._domainkey.%s", stamp, name);
	buf_printf(&value, "k=rsa; p=%s", key);
	d = json_pack("{s:I, s:s, s:b, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "ID",
		      account_next_id(root), "Name", name, "SPFVerified", 0, "DKIMVerified", 0,
		      "DKIMHost", "", "DKIMTextValue", "", "DKIMPendingHost", host.data,
		      "DKIMPendingTextValue", value.data, "DKIMUpdateStatus", "Pending",
		      "ReturnPathDomain", return_path, "ReturnPathDomainCNAMEValue",
		      RETURN_PATH_TARGET, "ReturnPathDomainVerified", 0);
	buf_free(&host);
	buf_free(&value);
	if (!d || json_array_append_new(json_object_get(root, "Domains"), d) != 0)
		return BH_ERR_NOMEM;
	*out = d;
	return BH_OK;
}

/* Postmark refuses these before looking anything up. */
static enum bh_err domain_name_check(const char *name, struct esp_reply *reply)
{
	if (!*name) {
		reply->esp_code = 514;
		str_copy(reply->message, sizeof reply->message, "Domain Name is required.");
		return BH_ERR_REMOTE;
	}
	if (strlen(name) > 255) {
		reply->esp_code = 515;
		str_copy(reply->message, sizeof reply->message,
			 "Domain Name must be 255 characters or less.");
		return BH_ERR_REMOTE;
	}
	if (!strchr(name, '.') ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-.") != strlen(name)) {
		reply->esp_code = 516;
		str_copy(reply->message, sizeof reply->message, "Domain Name is not valid.");
		return BH_ERR_REMOTE;
	}
	return BH_OK;
}

static enum bh_err run_domain_ensure(struct sandbox *sb, json_t *root, char *const *args,
				     struct esp_reply *reply, bool *changed)
{
	char *name = lower_dup(args[0]);
	enum bh_err err = domain_name_check(name, reply);
	struct buf rp = {0};
	json_t *d = NULL;

	buf_printf(&rp, "%s.%s", RETURN_PATH_LABEL, name);
	if (err == BH_OK) {
		d = find_by_name(root, "Domains", "Name", name);
		if (d && !json_object_get(d, "Records") &&
		    strcmp(get_str(d, "ReturnPathDomain"), rp.data) != 0) {
			/* "ensure" also means the Return-Path asked for. */
			json_object_set_new(d, "ReturnPathDomain", json_string(rp.data));
			json_object_set_new(d, "ReturnPathDomainVerified", json_false());
			*changed = true;
		} else if (!d) {
			if (sb->profile == SANDBOX_PROFILE_SENDGRID)
				err = domain_new_sendgrid(root, name, &d);
			else
				err = domain_new(root, name, rp.data, &d, reply);
			*changed = err == BH_OK;
			if (err == BH_OK && sb->customer)
				json_object_set_new(d, "Customer", json_string(sb->customer));
		}
	}
	if (err == BH_OK)
		fill_domain(d, &reply->domain);
	free(name);
	buf_free(&rp);
	return err;
}

/* The DNS report for a domain id, or NULL. */
static const struct dns_report *dns_report_find(const struct sandbox *sb, const char *id)
{
	size_t i;
	for (i = sb->ndns; i-- > 0;)
		if (strcmp(sb->dns[i].id, id) == 0)
			return &sb->dns[i];
	return NULL;
}

static enum bh_err domain_not_found(struct esp_reply *reply)
{
	reply->esp_code = 510;
	str_copy(reply->message, sizeof reply->message, "This domain was not found.");
	return BH_ERR_NOT_FOUND;
}

/* True when the DNS report has the record of that type and name verified. */
static bool dns_has(const struct dns_report *dns, enum record_type type, const char *name)
{
	size_t i;
	for (i = 0; dns && i < dns->n; i++)
		if (dns->verified[i].type == type && strcasecmp(dns->verified[i].name, name) == 0)
			return true;
	return false;
}

/* A neutral entry: each record's verdict follows the DNS report. */
static void verify_records(json_t *records, const struct dns_report *dns, bool *changed)
{
	json_t *r;
	size_t i;
	json_array_foreach(records, i, r)
	{
		bool ok = dns_has(dns, type_from_word(get_str(r, "Type")), get_str(r, "Name"));
		if (dns && json_is_true(json_object_get(r, "Verified")) != ok) {
			json_object_set_new(r, "Verified", json_boolean(ok));
			*changed = true;
		}
	}
}

/* Verifies what the application's last DNS check saw.  Postmark-shaped:
 * DKIM stays verified once it was (as at Postmark); the Return-Path
 * follows the DNS.  Other profiles: every record follows the DNS. */
static enum bh_err run_domain_verify(struct sandbox *sb, json_t *root, char *const *args,
				     struct esp_reply *reply, bool *changed)
{
	json_t *d = find_by_id(root, "Domains", args[0], NULL), *records;
	const struct dns_report *dns = dns_report_find(sb, args[0]);
	const char *key;
	bool dkim, return_path;

	if (!d)
		return domain_not_found(reply);
	records = json_object_get(d, "Records");
	if (json_is_array(records)) {
		verify_records(records, dns, changed);
		fill_domain(d, &reply->domain);
		return BH_OK;
	}
	key =
	    *get_str(d, "DKIMPendingHost") ? get_str(d, "DKIMPendingHost") : get_str(d, "DKIMHost");
	dkim = *key && dns_has(dns, RECORD_TYPE_TXT, key);
	return_path = dns_has(dns, RECORD_TYPE_CNAME, get_str(d, "ReturnPathDomain"));
	if (dkim && !json_is_true(json_object_get(d, "DKIMVerified"))) {
		json_object_set_new(d, "DKIMVerified", json_true());
		*changed = true;
	}
	if (dkim && *get_str(d, "DKIMPendingHost")) {
		/* The pending key is in the DNS: it becomes the active key. */
		json_object_set_new(d, "DKIMHost", json_string(get_str(d, "DKIMPendingHost")));
		json_object_set_new(d, "DKIMTextValue",
				    json_string(get_str(d, "DKIMPendingTextValue")));
		json_object_set_new(d, "DKIMPendingHost", json_string(""));
		json_object_set_new(d, "DKIMPendingTextValue", json_string(""));
		json_object_set_new(d, "DKIMUpdateStatus", json_string("Verified"));
		*changed = true;
	}
	if (dns && *get_str(d, "ReturnPathDomain") &&
	    json_is_true(json_object_get(d, "ReturnPathDomainVerified")) != return_path) {
		json_object_set_new(d, "ReturnPathDomainVerified", json_boolean(return_path));
		*changed = true;
	}
	fill_domain(d, &reply->domain);
	return BH_OK;
}

static enum bh_err run_domain_delete(struct sandbox *sb, json_t *root, char *const *args,
				     struct esp_reply *reply, bool *changed)
{
	size_t index = 0;
	json_t *d = find_by_id(root, "Domains", args[0], &index);

	(void)sb;
	if (!d)
		return domain_not_found(reply);
	fill_domain(d, &reply->domain);
	reply->domain.exists = false;
	snprintf(reply->message, sizeof reply->message, "Domain %.200s removed.",
		 reply->domain.name);
	json_array_remove(json_object_get(root, "Domains"), index);
	*changed = true;
	return BH_OK;
}

/* ---- sender signatures ---- */

static void fill_signature(const json_t *s, struct wizard_signature_res *res)
{
	memset(res, 0, sizeof *res);
	res->exists = true;
	snprintf(res->id, sizeof res->id, "%lld",
		 (long long)json_integer_value(json_object_get(s, "ID")));
	str_copy(res->email, sizeof res->email, get_str(s, "EmailAddress"));
	str_copy(res->name, sizeof res->name, get_str(s, "Name"));
	res->confirmed = json_is_true(json_object_get(s, "Confirmed"));
	res->created_ms = (int64_t)json_integer_value(json_object_get(s, "CreatedAt"));
	res->resent_ms = (int64_t)json_integer_value(json_object_get(s, "ResentAt"));
}

/* Postmark's checks of a new signature's fields (codes 520, 521, 522, 503). */
static enum bh_err signature_check(const char *email, const char *name, struct esp_reply *reply)
{
	const char *at = strchr(email, '@');
	char *domain;
	bool freemail;

	if (!*email || !*name) {
		reply->esp_code = 520;
		str_copy(reply->message, sizeof reply->message,
			 "The 'Name' and 'FromEmail' fields are required.");
		return BH_ERR_REMOTE;
	}
	if (strlen(name) > 255 || strlen(email) > 255) {
		reply->esp_code = 521;
		str_copy(reply->message, sizeof reply->message,
			 "The 'Name' or 'FromEmail' field is too long.");
		return BH_ERR_REMOTE;
	}
	if (!at || at == email || strchr(at + 1, '@') || !strchr(at + 1, '.')) {
		reply->esp_code = 522;
		str_copy(reply->message, sizeof reply->message,
			 "Invalid 'FromEmail' address: it must be a valid email address.");
		return BH_ERR_REMOTE;
	}
	domain = lower_dup(at + 1);
	freemail = validate_is_freemail(domain);
	free(domain);
	if (freemail) {
		reply->esp_code = 503;
		str_copy(reply->message, sizeof reply->message,
			 "You cannot use a public domain like Gmail or Yahoo for a Sender "
			 "Signature. Please use an address on a domain you own.");
		return BH_ERR_REMOTE;
	}
	return BH_OK;
}

static enum bh_err run_signature_ensure(struct sandbox *sb, json_t *root, char *const *args,
					struct esp_reply *reply, bool *changed)
{
	const char *email = args[0], *name = args[1];
	enum bh_err err = signature_check(email, name, reply);
	json_t *s;

	if (err)
		return err;
	s = find_by_name(root, "SenderSignatures", "EmailAddress", email);
	if (!s) {
		const char *at = strchr(email, '@');
		char *domain = lower_dup(at + 1);
		json_error_t jerr;
		s = json_pack_ex(&jerr, 0, "{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I}", "ID",
				 account_next_id(root), "Domain", domain, "EmailAddress", email,
				 "ReplyToEmailAddress", args[2], "Name", name,
				 "ConfirmationPersonalNote", args[3], "Confirmed", 0, "CreatedAt",
				 (json_int_t)clock_wall_ms(), "ResentAt", (json_int_t)0);
		free(domain);
		/* jansson refuses what is not UTF-8: say so, it is no lack of memory. */
		if (!s)
			return bh_errorf(BH_ERR_INVALID, reply->message, sizeof reply->message,
					 "Invalid sender signature: %.120s", jerr.text);
		if (json_array_append_new(json_object_get(root, "SenderSignatures"), s) != 0)
			return BH_ERR_NOMEM;
		if (sb->customer)
			json_object_set_new(s, "Customer", json_string(sb->customer));
		*changed = true;
	}
	fill_signature(s, &reply->signature);
	return BH_OK;
}

static enum bh_err signature_not_found(struct esp_reply *reply)
{
	reply->esp_code = 501;
	str_copy(reply->message, sizeof reply->message, "This sender signature was not found.");
	return BH_ERR_NOT_FOUND;
}

static enum bh_err run_signature_get(struct sandbox *sb, json_t *root, char *const *args,
				     struct esp_reply *reply, bool *changed)
{
	json_t *s = find_by_id(root, "SenderSignatures", args[0], NULL);

	(void)sb;
	(void)changed;
	if (!s)
		return signature_not_found(reply);
	fill_signature(s, &reply->signature);
	return BH_OK;
}

static enum bh_err run_signature_resend(struct sandbox *sb, json_t *root, char *const *args,
					struct esp_reply *reply, bool *changed)
{
	json_t *s = find_by_id(root, "SenderSignatures", args[0], NULL);

	(void)sb;
	if (!s)
		return signature_not_found(reply);
	if (json_is_true(json_object_get(s, "Confirmed"))) {
		fill_signature(s, &reply->signature);
		reply->esp_code = 506;
		str_copy(reply->message, sizeof reply->message,
			 "This sender signature has already been confirmed.");
		return BH_ERR_REMOTE;
	}
	json_object_set_new(s, "ResentAt", json_integer((json_int_t)clock_wall_ms()));
	*changed = true;
	fill_signature(s, &reply->signature);
	snprintf(reply->message, sizeof reply->message,
		 "Confirmation email for Sender Signature %.160s was re-sent.",
		 reply->signature.email);
	return BH_OK;
}

static enum bh_err run_signature_delete(struct sandbox *sb, json_t *root, char *const *args,
					struct esp_reply *reply, bool *changed)
{
	size_t index = 0;
	json_t *s = find_by_id(root, "SenderSignatures", args[0], &index);

	(void)sb;
	if (!s)
		return signature_not_found(reply);
	fill_signature(s, &reply->signature);
	reply->signature.exists = false;
	snprintf(reply->message, sizeof reply->message, "Signature %.200s removed.",
		 reply->signature.email);
	json_array_remove(json_object_get(root, "SenderSignatures"), index);
	*changed = true;
	return BH_OK;
}

/* Postmark's edit: Name required (520), at most 255 characters (521). */
static enum bh_err run_signature_update(struct sandbox *sb, json_t *root, char *const *args,
					struct esp_reply *reply, bool *changed)
{
	json_t *s = find_by_id(root, "SenderSignatures", args[0], NULL);
	const char *name = args[1];

	(void)sb;
	if (!s)
		return signature_not_found(reply);
	if (!*name) {
		reply->esp_code = 520;
		str_copy(reply->message, sizeof reply->message, "The 'Name' field is required.");
		return BH_ERR_REMOTE;
	}
	if (strlen(name) > 255) {
		reply->esp_code = 521;
		str_copy(reply->message, sizeof reply->message, "The 'Name' field is too long.");
		return BH_ERR_REMOTE;
	}
	json_object_set_new(s, "Name", json_string(name));
	*changed = true;
	fill_signature(s, &reply->signature);
	return BH_OK;
}

/* ---- email ---- */

/* The demo sends nothing: the email is kept in the account's Outbox (the
 * latest OUTBOX_KEEP, Postmark's field names) and the reply says where. */
static enum bh_err run_email_send(struct sandbox *sb, json_t *root, char *const *args,
				  struct esp_reply *reply, bool *changed)
{
	json_t *outbox = json_object_get(root, "Outbox"), *e;
	json_error_t jerr;
	json_int_t id;

	if (!*args[0] || !*args[1]) {
		reply->esp_code = 300;
		str_copy(reply->message, sizeof reply->message,
			 "Invalid email request: 'From' and 'To' are required.");
		return BH_ERR_REMOTE;
	}
	if (!json_is_array(outbox)) {
		outbox = json_array();
		if (!outbox || json_object_set_new(root, "Outbox", outbox) != 0)
			return BH_ERR_NOMEM;
	}
	id = account_next_id(root);
	e = json_pack_ex(&jerr, 0, "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "ID", id, "From",
			 args[0], "To", args[1], "ReplyTo", args[5], "Subject", args[2], "TextBody",
			 args[3], "HtmlBody", args[4], "SubmittedAt", (json_int_t)clock_wall_ms());
	if (!e)
		return bh_errorf(BH_ERR_INVALID, reply->message, sizeof reply->message,
				 "Invalid email request: %.120s", jerr.text);
	if (json_array_append_new(outbox, e) != 0)
		return BH_ERR_NOMEM;
	while (json_array_size(outbox) > OUTBOX_KEEP)
		json_array_remove(outbox, 0);
	*changed = true;
	snprintf(reply->message, sizeof reply->message, "demo-%lld in %.200s/" ACCOUNT_FILE,
		 (long long)id, sb->dir);
	return BH_OK;
}

/* ---- the request cycle ---- */

typedef enum bh_err (*run_fn)(struct sandbox *sb, json_t *root, char *const *args,
			      struct esp_reply *reply, bool *changed);

/* The function that does op. */
static run_fn sandbox_runner(enum sandbox_op op)
{
	switch (op) {
	case OP_DOMAIN_ENSURE:
		return run_domain_ensure;
	case OP_DOMAIN_VERIFY:
		return run_domain_verify;
	case OP_DOMAIN_DELETE:
		return run_domain_delete;
	case OP_SIGNATURE_ENSURE:
		return run_signature_ensure;
	case OP_SIGNATURE_GET:
		return run_signature_get;
	case OP_SIGNATURE_RESEND:
		return run_signature_resend;
	case OP_SIGNATURE_DELETE:
		return run_signature_delete;
	case OP_SIGNATURE_UPDATE:
		return run_signature_update;
	case OP_EMAIL_SEND:
		return run_email_send;
	case OP_NONE:
		break;
	}
	return NULL;
}

/* Does one request against the account: lock, load, change, save. */
static enum bh_err sandbox_run(struct sandbox *sb, enum sandbox_op op, char *const *args,
			       struct esp_reply *reply)
{
	int lock = account_lock(sb);
	json_t *root;
	bool changed = false;
	enum bh_err err = account_load(sb, &root, reply->message, sizeof reply->message);

	if (err == BH_OK) {
		err = sandbox_runner(op)(sb, root, args, reply, &changed);
		if (changed) {
			enum bh_err serr =
			    account_save(sb, root, reply->message, sizeof reply->message);
			if (serr)
				err = serr;
		}
		json_decref(root);
	}
	account_unlock(lock);
	return err;
}

/* Queues a request with its SANDBOX_ARGS arguments (NULL ones become ""):
 * it completes at the next dispatch after the latency. */
static enum bh_err sandbox_start_args(struct esp *esp, enum sandbox_op op, const char *const *args,
				      esp_done_fn done, void *arg)
{
	struct sandbox *sb = (struct sandbox *)esp;
	int64_t now = clock_now_ms();
	size_t i;

	if (sb->req.op != OP_NONE)
		return BH_ERR_BUSY;
	if (!done)
		return BH_ERR_INVALID;
	for (i = 0; i < SANDBOX_ARGS; i++)
		sb->req.args[i] = xstrdup(args[i] ? args[i] : "");
	sb->req.op = op;
	sb->req.due_ms = now + sb->latency_ms > 0 ? now + sb->latency_ms : 1;
	sb->req.done = done;
	sb->req.arg = arg;
	return BH_OK;
}

/* sandbox_start_args for up to four arguments. */
static enum bh_err sandbox_start(struct esp *esp, enum sandbox_op op, const char *a0,
				 const char *a1, const char *a2, const char *a3, esp_done_fn done,
				 void *arg)
{
	const char *args[SANDBOX_ARGS] = {a0, a1, a2, a3, NULL, NULL};
	return sandbox_start_args(esp, op, args, done, arg);
}

static int sandbox_fill(void *self, struct pollfd *fds, int cap)
{
	(void)self;
	(void)fds;
	(void)cap;
	return 0;
}

static int64_t sandbox_deadline(void *self)
{
	struct sandbox *sb = self;
	return sb->req.op != OP_NONE ? sb->req.due_ms : 0;
}

/* Completes the request when its time has come.  The request slot is freed
 * before the callback, which may start the next request. */
static void sandbox_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	struct sandbox *sb = self;
	struct pending req = sb->req;
	struct esp_reply *reply;
	enum bh_err err;
	size_t i;

	(void)fds;
	(void)n;
	if (req.op == OP_NONE || now_ms < req.due_ms)
		return;
	memset(&sb->req, 0, sizeof sb->req);
	reply = xcalloc(1, sizeof *reply);
	err = sandbox_run(sb, req.op, req.args, reply);
	req.done(req.arg, err, reply);
	free(reply);
	for (i = 0; i < SANDBOX_ARGS; i++)
		free(req.args[i]);
}

static void sandbox_destroy(struct esp *esp)
{
	struct sandbox *sb = (struct sandbox *)esp;
	size_t i;

	if (!sb)
		return;
	for (i = 0; i < SANDBOX_ARGS; i++)
		free(sb->req.args[i]);
	free(sb->dir);
	free(sb->customer);
	free(sb);
}

static enum bh_err sandbox_domain_ensure(struct esp *esp, const char *domain, esp_done_fn done,
					 void *arg)
{
	return sandbox_start(esp, OP_DOMAIN_ENSURE, domain, NULL, NULL, NULL, done, arg);
}

static enum bh_err sandbox_domain_verify(struct esp *esp, const char *id, esp_done_fn done,
					 void *arg)
{
	return sandbox_start(esp, OP_DOMAIN_VERIFY, id, NULL, NULL, NULL, done, arg);
}

static enum bh_err sandbox_domain_delete(struct esp *esp, const char *id, esp_done_fn done,
					 void *arg)
{
	return sandbox_start(esp, OP_DOMAIN_DELETE, id, NULL, NULL, NULL, done, arg);
}

static enum bh_err sandbox_signature_ensure(struct esp *esp, const char *email, const char *name,
					    const char *reply_to, const char *note,
					    esp_done_fn done, void *arg)
{
	return sandbox_start(esp, OP_SIGNATURE_ENSURE, email, name, reply_to, note, done, arg);
}

static enum bh_err sandbox_signature_get(struct esp *esp, const char *id, esp_done_fn done,
					 void *arg)
{
	return sandbox_start(esp, OP_SIGNATURE_GET, id, NULL, NULL, NULL, done, arg);
}

static enum bh_err sandbox_signature_resend(struct esp *esp, const char *id, esp_done_fn done,
					    void *arg)
{
	return sandbox_start(esp, OP_SIGNATURE_RESEND, id, NULL, NULL, NULL, done, arg);
}

static enum bh_err sandbox_signature_delete(struct esp *esp, const char *id, esp_done_fn done,
					    void *arg)
{
	return sandbox_start(esp, OP_SIGNATURE_DELETE, id, NULL, NULL, NULL, done, arg);
}

static enum bh_err sandbox_signature_update(struct esp *esp, const char *id, const char *name,
					    esp_done_fn done, void *arg)
{
	return sandbox_start(esp, OP_SIGNATURE_UPDATE, id, name, NULL, NULL, done, arg);
}

static enum bh_err sandbox_email_send(struct esp *esp, const struct esp_email *e, esp_done_fn done,
				      void *arg)
{
	const char *args[SANDBOX_ARGS];

	if (!e || !e->from || !e->to || !e->subject || !e->text_body)
		return BH_ERR_INVALID;
	args[0] = e->from;
	args[1] = e->to;
	args[2] = e->subject;
	args[3] = e->text_body;
	args[4] = e->html_body;
	args[5] = e->reply_to;
	return sandbox_start_args(esp, OP_EMAIL_SEND, args, done, arg);
}

/* The sandbox answers with Postmark's codes: the same refusals are
 * trouble, not objections (no ErrorCode, 429, 100). */
static enum bh_err sandbox_error_kind(enum bh_err err, const struct esp_reply *reply)
{
	if (err == BH_ERR_REMOTE &&
	    (reply->esp_code == 0 || reply->esp_code == 429 || reply->esp_code == 100))
		return BH_ERR_NETWORK;
	return err;
}

/* The demo has no servers: every customer sends through the vendor's. */
static const struct esp_ops sandbox_ops = {
    .name = "Postmark (demo)",
    .caps = ESP_CAP_SIGNATURES | ESP_CAP_SEND | ESP_CAP_DKIM_ROTATION,
    .destroy = sandbox_destroy,
    .domain_ensure = sandbox_domain_ensure,
    .domain_verify = sandbox_domain_verify,
    .domain_delete = sandbox_domain_delete,
    .signature_ensure = sandbox_signature_ensure,
    .signature_get = sandbox_signature_get,
    .signature_resend = sandbox_signature_resend,
    .signature_delete = sandbox_signature_delete,
    .signature_update = sandbox_signature_update,
    .email_send = sandbox_email_send,
    .error_kind = sandbox_error_kind,
    .dns_observed = sandbox_set_dns_verified,
    .pretend_click = sandbox_click,
    .forget_observed = sandbox_forget_reports,
    .source = {sandbox_fill, sandbox_deadline, sandbox_dispatch},
};

/* BEHALF_DEMO_ESP_MS when it is a number of ms in range, else the default. */
static int64_t latency_from_env(void)
{
	const char *s = getenv("BEHALF_DEMO_ESP_MS");
	char *end;
	long v;

	if (!s || !*s)
		return SANDBOX_LATENCY_MS;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > LATENCY_MAX_MS)
		return SANDBOX_LATENCY_MS;
	return v;
}

struct esp *sandbox_create(const char *state_dir, char *msg, size_t cap)
{
	struct sandbox *sb;
	json_t *root;
	enum bh_err err = state_make_dir(state_dir, msg, cap);

	if (err)
		return NULL;
	sb = xcalloc(1, sizeof *sb);
	sb->base.ops = &sandbox_ops;
	sb->dir = xstrdup(state_dir);
	sb->latency_ms = latency_from_env();
	/* A corrupt account is reported now rather than at the first request. */
	err = account_load(sb, &root, msg, cap);
	if (err) {
		sandbox_destroy(&sb->base);
		return NULL;
	}
	json_decref(root);
	return &sb->base;
}

void sandbox_set_dns_verified(struct esp *esp, const char *domain_id,
			      const struct expected_record *records,
			      const struct record_result *results, size_t n)
{
	struct sandbox *sb = (struct sandbox *)esp;
	struct dns_report *r = NULL;
	size_t i;

	if (!sandbox_is(esp) || !domain_id)
		return;
	for (i = 0; i < sb->ndns; i++)
		if (strcmp(sb->dns[i].id, domain_id) == 0)
			r = &sb->dns[i];
	if (!r) {
		if (sb->ndns == DNS_REPORTS) {
			memmove(&sb->dns[0], &sb->dns[1], sizeof sb->dns[0] * (DNS_REPORTS - 1));
			sb->ndns--;
		}
		r = &sb->dns[sb->ndns++];
		str_copy(r->id, sizeof r->id, domain_id);
	}
	r->n = 0;
	for (i = 0; i < n && r->n < RESOURCE_RECORDS_MAX; i++) {
		if (results[i].status != STATUS_VERIFIED)
			continue;
		r->verified[r->n].type = records[i].type;
		str_copy(r->verified[r->n].name, sizeof r->verified[r->n].name, records[i].name);
		r->n++;
	}
}

void sandbox_set_profile(struct esp *esp, enum sandbox_profile profile)
{
	if (sandbox_is(esp))
		((struct sandbox *)esp)->profile = profile;
}

bool sandbox_profile_parse(const char *word, enum sandbox_profile *profile)
{
	if (!word || !*word || strcasecmp(word, "postmark") == 0)
		*profile = SANDBOX_PROFILE_POSTMARK;
	else if (strcasecmp(word, "sendgrid") == 0)
		*profile = SANDBOX_PROFILE_SENDGRID;
	else
		return false;
	return true;
}

enum bh_err sandbox_click(struct esp *esp, const char *signature_id)
{
	struct sandbox *sb = (struct sandbox *)esp;
	struct esp_reply *reply;
	json_t *root, *s;
	enum bh_err err;
	int lock;

	if (!sandbox_is(esp) || !signature_id)
		return BH_ERR_INVALID;
	reply = xcalloc(1, sizeof *reply);
	lock = account_lock(sb);
	err = account_load(sb, &root, reply->message, sizeof reply->message);
	if (err == BH_OK) {
		s = find_by_id(root, "SenderSignatures", signature_id, NULL);
		if (!s) {
			err = BH_ERR_NOT_FOUND;
		} else if (!json_is_true(json_object_get(s, "Confirmed"))) {
			json_object_set_new(s, "Confirmed", json_true());
			err = account_save(sb, root, reply->message, sizeof reply->message);
		}
		json_decref(root);
	}
	account_unlock(lock);
	free(reply);
	return err;
}

/* The account's "Demos" object (customer -> {"Scenario"}), made when
 * missing; NULL when the account holds something else there. */
static json_t *account_demos(json_t *root)
{
	json_t *d = json_object_get(root, "Demos");
	if (!d) {
		d = json_object();
		if (json_object_set_new(root, "Demos", d) != 0)
			return NULL;
	}
	return json_is_object(d) ? d : NULL;
}

bool sandbox_customer_scenario(struct esp *esp, const char *customer, char *out, size_t cap)
{
	struct sandbox *sb = (struct sandbox *)esp;
	json_t *root, *demos, *c;
	char msg[256];
	bool found = false;
	int lock;

	if (cap)
		out[0] = '\0';
	if (!sandbox_is(esp) || !customer)
		return false;
	lock = account_lock(sb);
	if (account_load(sb, &root, msg, sizeof msg) == BH_OK) {
		demos = account_demos(root);
		c = demos ? json_object_get(demos, customer) : NULL;
		if (json_is_object(c)) {
			found = true;
			str_copy(out, cap, get_str(c, "Scenario"));
		}
		json_decref(root);
	}
	account_unlock(lock);
	return found;
}

enum bh_err sandbox_customer_set(struct esp *esp, const char *customer, const char *scenario,
				 char *msg, size_t cap)
{
	struct sandbox *sb = (struct sandbox *)esp;
	json_t *root, *demos;
	enum bh_err err;
	int lock;

	if (!sandbox_is(esp) || !customer || !scenario)
		return BH_ERR_INVALID;
	free(sb->customer);
	sb->customer = xstrdup(customer);
	lock = account_lock(sb);
	err = account_load(sb, &root, msg, cap);
	if (err == BH_OK) {
		demos = account_demos(root);
		if (!demos || json_object_set_new(demos, customer,
						  json_pack("{s:s}", "Scenario", scenario)) != 0)
			err = bh_errorf(BH_ERR_PARSE, msg, cap,
					"the demo account in %s is corrupt: not the expected shape",
					sb->dir);
		else
			err = account_save(sb, root, msg, cap);
		json_decref(root);
	}
	account_unlock(lock);
	return err;
}

/* Removes the entries of root[list] tagged with customer. */
static void account_drop_customer(json_t *root, const char *list, const char *customer)
{
	json_t *a = json_object_get(root, list);
	size_t i = json_array_size(a);
	while (i-- > 0)
		if (strcmp(get_str(json_array_get(a, i), "Customer"), customer) == 0)
			json_array_remove(a, i);
}

enum bh_err sandbox_forget(const char *state_dir, const char *customer, char *scenario, size_t scap,
			   char *msg, size_t cap)
{
	struct sandbox sb;
	struct buf path = {0};
	json_t *root, *demos;
	enum bh_err err;
	int lock;

	if (scap)
		scenario[0] = '\0';
	memset(&sb, 0, sizeof sb);
	sb.dir = (char *)state_dir;
	buf_printf(&path, "%s/%s", state_dir, ACCOUNT_FILE);
	if (access(path.data, F_OK) != 0) {
		buf_free(&path);
		return BH_ERR_NOT_FOUND;
	}
	lock = account_lock(&sb);
	err = account_load(&sb, &root, msg, cap);
	if (err == BH_OK) {
		demos = account_demos(root);
		if (!demos || !json_is_object(json_object_get(demos, customer))) {
			err = BH_ERR_NOT_FOUND;
		} else {
			str_copy(scenario, scap,
				 get_str(json_object_get(demos, customer), "Scenario"));
			json_object_del(demos, customer);
			account_drop_customer(root, "Domains", customer);
			account_drop_customer(root, "SenderSignatures", customer);
			/* The last demo customer gone: the pretend account goes too. */
			if (json_object_size(demos) == 0 && unlink(path.data) == 0)
				err = BH_OK;
			else
				err = account_save(&sb, root, msg, cap);
		}
		json_decref(root);
	}
	account_unlock(lock);
	buf_free(&path);
	return err;
}

void sandbox_forget_reports(struct esp *esp)
{
	struct sandbox *sb = (struct sandbox *)esp;
	if (sandbox_is(esp))
		sb->ndns = 0;
}

void sandbox_longest_label(char *out, size_t cap)
{
	/* "<yyyyMMddHHmmss>pm._domainkey" is longer than the Return-Path
	 * label and than SendGrid's names. */
	str_copy(out, cap, "20250817055129pm._domainkey");
}
