/* Configuration: a config file read with libinih, then the environment,
 * then the command line (each overriding the one before). */
#ifndef BEHALF_APP_CONFIG_H
#define BEHALF_APP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/wizard.h"

/* [monitor] parallel at most: each domain in flight holds a socket */
#define CONFIG_MONITOR_PARALLEL_MAX 512

struct config {
	struct wizard_config wizard; /* vendor, customer, ESP name, demo flag */
	char state_dir[1024];	     /* where customer state files live */
	char config_path[1024];	     /* the file read, or "" */
	char scenario[64];	     /* --demo: scenario id in assets/scenarios */
	bool scenario_given;	     /* --scenario was on the command line */
	bool demo_reset;	     /* --reset: start the demo over */
	char signature_note[1604];   /* option 2: personal note in the confirmation email (400
					characters) */
	char provider[32];	     /* [esp] provider: the ESP (esp_make.c), "postmark" */
	char api_url[512];	     /* Postmark base URL */
	char bounce_label[64];	     /* [postmark] return_path_label: "pm-bounces" */
	bool have_account_token;     /* an account token is configured */
	char per_customer_server[8]; /* "yes", "no" or "ask" (also in wizard.server_mode) */
	long api_timeout_ms;	     /* [postmark] timeout_ms: one HTTP request; 0 default */
	long api_retry_base_ms;	     /* [postmark] retry_base_ms: first backoff; 0 default */
	bool allow_file_export;	     /* [behalf] allow_file_export: write files even over SSH */
	char resolvers[256];	     /* [dns] resolvers: "IP[:PORT], ..." ("" = /etc/resolv.conf) */
	char
	    authoritative[256]; /* [dns] authoritative: "[NAME=]IP[:PORT], ..." (skips discovery) */
	struct config_ssh {	/* [ssh]: serving customers over SSH (docs/ssh.md) */
		char host[256]; /* host: the name customers connect to ("" = this host's) */
		long port;	/* port: 22 */
		char user[33];	/* user: the account customers log in as, "behalf" */
		char keys_user[33]; /* keys_user: AuthorizedKeysCommandUser, "behalf-keys" */
		long idle_minutes;  /* idle_minutes: a session without a key ends, 30 */
		long idle_seconds;  /* idle_seconds: the same in seconds, instead of
				       idle_minutes when set (tests, kiosks); 0: unset */
	} ssh;
	/* The broker (issue 10): [esp] broker, the socket a session reaches
	 * the ESP through (set: no token needed in the session); [broker], the
	 * settings of `behalf broker` itself (cmd_broker.c). */
	char broker_path[108];	     /* [esp] broker: the broker's socket ("" = none) */
	char broker_socket[108];     /* [broker] socket: where the broker listens */
	char broker_state_dir[1024]; /* [broker] state_dir: who owns which resource */
	char broker_allow[256]; /* [broker] allow_users: names or uids of the sessions' users */
	char broker_group[64];	/* [broker] group: the socket's group ("" = the broker's) */
	long broker_rate;	/* [broker] requests_per_second to the ESP, host-wide; 0 default */
	long broker_burst;	/* [broker] burst: requests at once before the rate holds */
	char broker_tickets[1024]; /* [broker] tickets: a hello needs a ticket from there */
	char broker_ticket[40];	   /* BEHALF_BROKER_TICKET: this session's (wiped from the env) */
	long long stuck_after_ms;  /* [status] stuck_after: behalf list --stuck ("24h") */
	/* [hooks]: where `behalf deliver` sends the events (docs/events.md) */
	struct config_hooks {
		char url[1024];		/* url: POSTed to, signed (Standard Webhooks) */
		char secret_file[1024]; /* secret_file: holds whsec_<base64>, mode 600 */
		char command[1024];	/* command: run with the event on stdin instead */
		long timeout_ms;	/* timeout_ms: one delivery, 10000 */
		long retry_first_ms;	/* retry_first_ms: first wait after a failure, 5000 */
		long retry_max_ms;	/* retry_max_ms: longest wait between tries, 3600000 */
		long give_up_s;		/* give_up_after: seconds of failing before dead, 3 days */
		long scan_s;		/* scan_seconds: full rescan and 72 h check, 60 */
		long compact_bytes;	/* compact_bytes: an outbox all delivered and this big
					   is emptied, 1 MiB */
	} hooks;
	/* [monitor]: `behalf monitor` (cmd_monitor.c, docs/events.md) */
	struct config_monitor {
		long long interval_ms; /* interval: between passes, "6h" */
		long parallel;	       /* parallel: domains checked at once, 256 */
	} monitor;
	/* [domainconnect]: the vendor's Domain Connect template and signing key
	 * (cmd_domainconnect.c, docs/domain-connect.md) */
	struct config_dc {
		char provider_id[256];	      /* provider_id: "" = [vendor] domain */
		char service_id[64];	      /* service_id: "postmark" */
		char service_name[128];	      /* service_name: the template's serviceName */
		char private_key_file[1024];  /* private_key_file: PEM, mode 600 */
		char key_host[64];	      /* key_host: the key's TXT label, "_dck1" */
		char sync_pubkey_domain[256]; /* sync_pubkey_domain: "" = provider_id */
		char logo_url[512];	      /* logo_url: the template's logoUrl ("" = none) */
		char description[512];	      /* description: the template's ("" = default) */
		char dmarc[256];	      /* dmarc: a DMARC value to offer ("" = none) */
		bool allow_loopback;	      /* allow_loopback: TEST ONLY, 127/8 may be fetched */
		char ca_file[1024];	      /* ca_file: TEST ONLY, a PEM CA trusted instead */
	} dc;
	/* Secrets: never shown, logged, exported or saved.  Handed to the ESP
	 * client, then wiped with config_wipe_secrets. */
	char account_token[256];
	char server_token[256];
};

/* The vendor's Domain Connect providerId: [domainconnect] provider_id,
 * else the vendor's domain. */
const char *config_dc_provider_id(const struct config *cfg);

/* Overwrites the tokens in memory. */
void config_wipe_secrets(struct config *cfg);

/* Splits a comma-separated list in place into at most max items (blanks
 * trimmed, empty items dropped); returns how many. */
size_t config_split_list(char *list, char **items, size_t max);

/* Fills defaults, reads the config file (path, or the default locations
 * when path is NULL) and the environment.  On error writes a message (with
 * the file and line) to msg and returns false. */
bool config_load(struct config *cfg, const char *path, char *msg, size_t cap);

#endif
