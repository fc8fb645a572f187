#include "esp/gate.h"

#include <string.h>

void esp_gate_init(struct esp_gate *g, long rate, long burst, long base_ms, long max_ms)
{
	memset(g, 0, sizeof *g);
	g->rate = rate > 0 ? rate : ESP_GATE_RATE;
	g->burst = burst > 0 ? burst : ESP_GATE_BURST;
	g->tokens = (double)g->burst;
	g->base_ms = base_ms > 0 ? base_ms : 1000;
	g->max_ms = max_ms >= g->base_ms ? max_ms : 60000;
	if (g->max_ms < g->base_ms)
		g->max_ms = g->base_ms;
}

static int64_t gate_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int64_t esp_gate_admit(struct esp_gate *g, int64_t now_ms)
{
	double need;

	if (g->streak > 0) {
		if (now_ms < g->paused_until)
			return g->paused_until;
		if (g->probe_until > now_ms)
			return gate_min(g->probe_until, now_ms + g->base_ms);
	}
	if (g->refilled_ms && now_ms > g->refilled_ms)
		g->tokens += (double)(now_ms - g->refilled_ms) * (double)g->rate / 1000.0;
	if (g->tokens > (double)g->burst)
		g->tokens = (double)g->burst;
	g->refilled_ms = now_ms;
	if (g->tokens < 1.0) {
		need = (1.0 - g->tokens) * 1000.0 / (double)g->rate;
		return now_ms + (int64_t)need + 1;
	}
	g->tokens -= 1.0;
	if (g->streak > 0)
		g->probe_until = now_ms + ESP_GATE_PROBE_MS;
	g->admitted++;
	return 0;
}

void esp_gate_answered(struct esp_gate *g, long status, int64_t now_ms)
{
	int64_t d;
	int i;

	if (status == 429) {
		g->answered_429++;
		if (now_ms < g->paused_until)
			return; /* the same round */
		g->streak++;
		g->rounds++;
		d = g->base_ms;
		for (i = 1; i < g->streak && d < g->max_ms; i++)
			d *= 2;
		g->paused_until = now_ms + gate_min(d, g->max_ms);
		g->probe_until = 0;
		return;
	}
	g->probe_until = 0;
	if (status != 0) {
		g->streak = 0;
		g->paused_until = 0;
	}
}
