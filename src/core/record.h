/* DNS records the customer must publish, what DNS servers answered for them,
 * and the comparison that turns answers into a status and diagnoses.
 *
 * The same code serves the demo's simulated DNS world and the live engine:
 * a DNS source (src/dns/) asks each server the probes of record_probes()
 * and hands the answers to record_evaluate().  Pure C, no I/O. */
#ifndef BEHALF_CORE_RECORD_H
#define BEHALF_CORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECORD_NAME_MAX	     256  /* a domain name in text, with NUL (253 + slack) */
#define RECORD_VALUE_MAX     2048 /* a record value in text, with NUL */
#define RECORD_MAX_SERVERS   8	  /* authoritative servers compared per record */
#define RECORD_MAX_PROBES    8	  /* questions asked per record per server */
#define RECORD_MAX_RRS	     16	  /* answer records kept per question */
#define RECORD_MAX_DIAGNOSES 6

enum record_type {
	RECORD_TYPE_A = 1,
	RECORD_TYPE_CNAME = 5,
	RECORD_TYPE_MX = 15,
	RECORD_TYPE_TXT = 16,
	RECORD_TYPE_AAAA = 28,
};

enum record_purpose {
	PURPOSE_DKIM,
	PURPOSE_RETURN_PATH,
	PURPOSE_DMARC,
	PURPOSE_SPF,
	PURPOSE__COUNT
};

/* Overall status of one record; the words are the stable ones of
 * reference/dns-diagnosis.md (record_status_word). */
enum record_status {
	STATUS_UNKNOWN,	 /* not checked yet */
	STATUS_VERIFIED, /* every authoritative server answered with the right data */
	STATUS_PARTIAL,	 /* some have it: propagation in progress */
	STATUS_MISMATCH, /* a record is there with the wrong content */
	STATUS_MISSING,	 /* nothing there */
	STATUS_ERROR,	 /* servers unreachable, SERVFAIL, ... */
	STATUS__COUNT
};

/* Diagnosis codes: stable identifiers (record_diag_code gives the text). */
enum record_diag {
	DIAG_ZONE_APPENDED,
	DIAG_WRONG_LABEL,
	DIAG_QUOTED_VALUE,
	DIAG_TRUNCATED_VALUE,
	DIAG_VALUE_MISMATCH,
	DIAG_DUPLICATE_RECORDS,
	DIAG_WRONG_TYPE,
	DIAG_CNAME_TARGET_MISMATCH,
	DIAG_CNAME_FLATTENED,
	DIAG_NOT_PROPAGATED,
	DIAG_RESOLVER_STALE,
	DIAG_SERVER_UNREACHABLE,
	DIAG_NOT_AUTHORITATIVE,
	DIAG_DMARC_MISSING,
	DIAG_DMARC_POLICY_BLOCKS,
	DIAG_SPF_MULTIPLE,
	DIAG_SPF_TOO_MANY_LOOKUPS,
	DIAG_VALUE_WHITESPACE, /* line breaks, tabs or runs of spaces inside the DKIM key */
	DIAG__COUNT
};

/* One record the customer must publish. */
struct expected_record {
	enum record_purpose purpose;
	enum record_type type;	      /* TXT, CNAME or MX */
	char name[RECORD_NAME_MAX];   /* absolute, lower-case, no trailing dot */
	char value[RECORD_VALUE_MAX]; /* TXT: joined text; CNAME: target, no dot;
					MX: "<preference> <exchange>" */
	bool required;
};

/* One question asked of every server for a record. */
struct record_probe {
	char name[RECORD_NAME_MAX];
	enum record_type type;
};

/* How a server's reply to one question ended. */
enum answer_rcode {
	ANSWER_NONE,	 /* not asked / no reply yet */
	ANSWER_OK,	 /* NOERROR with data */
	ANSWER_NODATA,	 /* NOERROR, nothing of that type */
	ANSWER_NXDOMAIN, /* the name does not exist */
	ANSWER_SERVFAIL,
	ANSWER_REFUSED,
	ANSWER_TIMEOUT,
};

/* One resource record in an answer, as text. */
struct answer_rr {
	enum record_type type;	     /* may differ from the question (CNAME, A) */
	char owner[RECORD_NAME_MAX]; /* lower-case, no trailing dot */
	char *data;		     /* malloced; TXT: character-strings joined;
					CNAME: target without trailing dot */
	uint32_t ttl;
};

/* One server's reply to one probe. */
struct probe_answer {
	enum answer_rcode rcode;
	bool authoritative; /* AA flag */
	size_t nrrs;
	struct answer_rr rrs[RECORD_MAX_RRS];
	uint32_t negative_ttl; /* min(SOA TTL, SOA MINIMUM) on NXDOMAIN/NODATA */
};

/* What one server answered to every probe of a record. */
struct server_answers {
	char server[RECORD_NAME_MAX]; /* nameserver name, e.g. ns1.host.example */
	char address[64];	      /* address it was asked at, for display */
	size_t nprobes;
	struct probe_answer probes[RECORD_MAX_PROBES];
};

/* One diagnosis: code, then the arguments its sentence and fix need. */
struct record_diagnosis {
	enum record_diag code;
	char arg[RECORD_NAME_MAX];   /* e.g. the label to type, the server that lags */
	char arg2[RECORD_VALUE_MAX]; /* e.g. the value seen */
};

/* The verdict on one record. */
struct record_result {
	enum record_status status;
	enum record_status per_server[RECORD_MAX_SERVERS];
	char seen[RECORD_MAX_SERVERS]
		 [RECORD_VALUE_MAX]; /* what each server has at the name, sanitized */
	char servers[RECORD_MAX_SERVERS][RECORD_NAME_MAX]; /* each server's name, sanitized */
	char addresses[RECORD_MAX_SERVERS][64];		   /* the address each was asked at */
	/* where each server has the record instead of at its name (zone
	 * appended, a wrong label), sanitized; "" when not elsewhere */
	char where[RECORD_MAX_SERVERS][RECORD_NAME_MAX];
	size_t nservers;
	size_t nfailed; /* servers that did not answer: timeout, SERVFAIL, REFUSED */
	size_t ndiagnoses;
	struct record_diagnosis diagnoses[RECORD_MAX_DIAGNOSES];
};

/* Fills probes[] (at most RECORD_MAX_PROBES) with the questions to ask every
 * server for rec in zone (the zone apex, e.g. "customer.example"); the first
 * probe is always (rec->name, rec->type).  Returns how many. */
size_t record_probes(const struct expected_record *rec, const char *zone,
		     struct record_probe *probes);

/* Compares what nservers servers answered to rec's probes (same order as
 * record_probes) and fills out.  Never fails. */
void record_evaluate(const struct expected_record *rec, const char *zone,
		     const struct server_answers *servers, size_t nservers,
		     struct record_result *out);

/* Adds what the recursive resolvers see (what the ESP's verifier will see)
 * to a result of record_evaluate: when every authoritative server has the
 * record but a resolver answers old data, NXDOMAIN or NODATA to the first
 * probe, adds resolver-stale (arg: the seconds until the resolver forgets
 * its answer: the negative TTL, min(SOA TTL, SOA MINIMUM), of its SOA, or
 * the TTL left on the old data; arg2: the resolvers).  resolvers[i] hold
 * the answer to the first probe of record_probes only.  Never fails. */
void record_resolver_view(const struct expected_record *rec, const char *zone,
			  const struct server_answers *resolvers, size_t n,
			  struct record_result *out);

/* Option 2 (a verified From address): what the From domain's DMARC policy
 * does to mail the ESP sends for it, which is never aligned. */
enum record_dmarc_verdict {
	DMARC_VERDICT_NONE,    /* no DMARC record: nothing is blocked */
	DMARC_VERDICT_MONITOR, /* p=none (or pct=0): mail goes through */
	DMARC_VERDICT_BLOCKS,  /* p=quarantine or p=reject: mail is refused or junked */
	DMARC_VERDICT_INVALID, /* several DMARC records: receivers apply none */
};

/* Decides from the TXT values at _dmarc.<domain> (txts[0..n), character-
 * strings joined, other TXT records among them ignored).  subdomain: the
 * address's domain is below the domain that published the record, so sp=
 * applies when present.  policy (pcap bytes, may be NULL) gets the policy
 * applied ("reject", "quarantine", "none", or ""). */
enum record_dmarc_verdict record_dmarc_check(const char *const *txts, size_t n, bool subdomain,
					     char *policy, size_t pcap);

/* The organizational domain of domain (RFC 7489 section 3.2: one label
 * below its public suffix, from the Public Suffix List; an unknown TLD
 * counts as a suffix of one label) into out (cap bytes), lower case.  False
 * when domain is itself a public suffix or the list cannot be read. */
bool record_dmarc_org_domain(const char *domain, char *out, size_t cap);

/* Fills a dmarc-policy-blocks diagnosis (arg: domain, arg2: policy). */
void record_dmarc_diagnosis(const char *domain, const char *policy, struct record_diagnosis *out);

/* The DNS-lookup mechanisms of one SPF record at its top level (include, a,
 * mx, ptr, exists, redirect; what the includes need themselves is not
 * counted).  terms (cap bytes, may be NULL) gets them, ", " separated. */
size_t record_spf_lookups(const char *spf, char *terms, size_t cap);

/* Sets spf-too-many-lookups on a result once the includes were followed:
 * total is every lookup the record needs, nested ones included; terms
 * says what each top-level term costs ("include:x.example (4), mx (1)").
 * Nothing when total is 10 or less. */
void record_spf_set_lookups(struct record_result *out, size_t total, const char *terms);

/* Merges several v=spf1 records into one (out, cap bytes): every mechanism
 * once, in order, the first record's "all" last. */
void record_spf_merge(const char *const *spfs, size_t n, char *out, size_t cap);

/* True when one value seen (one TXT record's text, or a CNAME target) is
 * what rec expects, compared by meaning as record_evaluate does. */
bool record_value_matches(const struct expected_record *rec, const char *value);

/* The separator between the values one server has at a name in
 * record_result.seen (several TXT records). */
#define RECORD_SEEN_SEP " | "

/* Frees the rrs' data of every probe answer of a server (not the struct). */
void record_server_answers_clear(struct server_answers *s);

/* "verified", "partial", "mismatch", "missing", "error" ("unknown" before a check). */
const char *record_status_word(enum record_status status);
/* "zone-appended", ...: the stable code of reference/dns-diagnosis.md. */
const char *record_diag_code(enum record_diag diag);

/* What a diagnosis asks of the customer. */
enum diag_severity {
	DIAG_SEVERITY_FIX,  /* something to change at the DNS host (shown as an error) */
	DIAG_SEVERITY_WAIT, /* nothing to do but wait (shown as a warning) */
	DIAG_SEVERITY__COUNT
};

/* One diagnosis code: one row per enum record_diag (record_diag_def), the
 * one place that says what a diagnosis is. */
struct diag_def {
	const char *code;     /* "zone-appended": state, exports, behalf check's JSON */
	const char *sentence; /* text id of what is wrong ("diag.<code>", records.ini) */
	const char *fix;      /* text id of what to do ("fix.<code>"); a DNS host's own
				 wording is "fix_host.<code>.<host id>" */
	int priority;	      /* 1..DIAG__COUNT, each once: 1 is shown (and fixed) first */
	enum diag_severity severity;
};

/* The row of a diagnosis code, NULL out of range. */
const struct diag_def *record_diag_def(enum record_diag diag);
/* "dkim", "return-path", "dmarc", "spf". */
const char *record_purpose_word(enum record_purpose purpose);
/* "TXT", "CNAME", ... */
const char *record_type_word(enum record_type type);

/* The label to type at a DNS host: name relative to zone ("@" for the apex);
 * a name outside the zone is copied whole. */
void record_relative_label(const char *name, const char *zone, char *out, size_t cap);

/* The plain sentence and the concrete fix for a diagnosis, from
 * assets/text/records.ini: sentence "diag.<code>", fix "fix_host.<code>.<host_id>"
 * when host_id (a dnshost id, may be NULL or "") has its own wording, else
 * "fix.<code>"; {1} and {2} become d->arg and d->arg2.  Always
 * NUL-terminates (sentence or fix may be NULL to skip it). */
void record_diag_text(const struct record_diagnosis *d, const char *host_id, char *sentence,
		      size_t scap, char *fix, size_t fcap);
/* The diagnosis catalog is whole: every row has its code word (unique),
 * a priority of its own in 1..DIAG__COUNT, a severity, and its sentence
 * and fix in records.ini.  False with msg saying what is missing. */
bool record_catalog_complete(char *msg, size_t cap);
/* The display word of a status ("Verified"), from [status] of records.ini. */
const char *record_status_text(enum record_status status);
/* True when a diagnosis of the record says it sits at a wrong name
 * (zone-appended, wrong-label). */
bool record_at_wrong_name(const struct record_result *res);
/* A status in the words the records screen and the sheets share: a missing
 * record found at another name is "Wrong name", a missing optional one
 * "Optional" (*optional set, may be NULL), else record_status_text. */
const char *record_status_label(enum record_status status, bool wrong_name, bool required,
				bool *optional);

#endif
