/* One rate limit for every ESP client of a host (the broker's): a token
 * bucket for requests, and when the ESP answers 429 every client's requests
 * wait together, then one request at a time probes until the ESP answers
 * something else.  A client asks esp_gate_admit before each request and
 * tells esp_gate_answered every answer (postmark_config.gate).
 *
 * Rounds: a 429 that comes while the gate is already paused belongs to the
 * same round (many requests were under way together).  A request that
 * waited through a round counts it as one of its own tries: 200 sessions
 * waiting on one rate-limited account end after the ESP's few probes, not
 * after 200 x tries requests. */
#ifndef BEHALF_ESP_GATE_H
#define BEHALF_ESP_GATE_H

#include <stdint.h>

#define ESP_GATE_RATE	  10	/* default requests a second */
#define ESP_GATE_BURST	  20	/* default requests at once */
#define ESP_GATE_PROBE_MS 30000 /* a probe without an answer lets another go after this */

struct esp_gate {
	long rate, burst;
	double tokens;
	int64_t refilled_ms;
	long base_ms, max_ms; /* the pause after a 429: base doubling up to max */
	int streak;	      /* rounds of 429 since another answer */
	unsigned long rounds; /* rounds of 429, ever */
	int64_t paused_until; /* monotonic ms; 0: not paused */
	int64_t probe_until;  /* a probe under way until then; 0: none */
	unsigned long admitted, answered_429;
};

/* rate, burst, base_ms, max_ms: 0 takes the defaults (base 1000, max 60000). */
void esp_gate_init(struct esp_gate *g, long rate, long burst, long base_ms, long max_ms);

/* 0 when a request may go now (it takes a token; after a pause it is the
 * probe), else the monotonic ms at which to ask again. */
int64_t esp_gate_admit(struct esp_gate *g, int64_t now_ms);

/* The HTTP status of an answer (0: no answer, a transport failure). */
void esp_gate_answered(struct esp_gate *g, long status, int64_t now_ms);

#endif
