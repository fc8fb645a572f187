/* The host's rate limit (src/esp/gate.c): a token bucket, a pause for
 * everyone after a 429, one probe at a time until another answer, and 429s
 * arriving together counted as one round. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esp/gate.h"

/* The bucket lets burst requests go at once, then one per 1000/rate ms. */
static void test_bucket(void **state)
{
	struct esp_gate g;
	int64_t now = 1000, at;
	int i;

	(void)state;
	esp_gate_init(&g, 10, 3, 100, 1000);
	for (i = 0; i < 3; i++)
		assert_int_equal(esp_gate_admit(&g, now), 0);
	at = esp_gate_admit(&g, now);
	assert_true(at > now && at <= now + 101);
	assert_int_equal(esp_gate_admit(&g, now + 100), 0);
	assert_true(esp_gate_admit(&g, now + 100) > now + 100);
	assert_int_equal(g.admitted, 4);
}

/* After a 429 nobody goes until the pause ends; then one probe, the others
 * wait for its answer; a success opens the gate. */
static void test_pause_and_probe(void **state)
{
	struct esp_gate g;
	int64_t now = 1000;

	(void)state;
	esp_gate_init(&g, 1000, 100, 100, 1000);
	assert_int_equal(esp_gate_admit(&g, now), 0);
	assert_int_equal(esp_gate_admit(&g, now), 0);
	esp_gate_answered(&g, 429, now + 5);
	assert_int_equal(g.rounds, 1);
	esp_gate_answered(&g, 429, now + 6); /* the other one: the same round */
	assert_int_equal(g.rounds, 1);
	assert_int_equal(esp_gate_admit(&g, now + 50), now + 105);
	assert_int_equal(esp_gate_admit(&g, now + 105), 0); /* the probe */
	assert_true(esp_gate_admit(&g, now + 106) > now + 106);
	esp_gate_answered(&g, 429, now + 110); /* a new round: a longer pause */
	assert_int_equal(g.rounds, 2);
	assert_int_equal(esp_gate_admit(&g, now + 200), now + 310);
	assert_int_equal(esp_gate_admit(&g, now + 310), 0);
	esp_gate_answered(&g, 200, now + 320);
	assert_int_equal(g.streak, 0);
	assert_int_equal(esp_gate_admit(&g, now + 320), 0);
	assert_int_equal(esp_gate_admit(&g, now + 320), 0);
}

/* A probe that never answers (its session went away) lets another go. */
static void test_lost_probe(void **state)
{
	struct esp_gate g;
	int64_t now = 1000;

	(void)state;
	esp_gate_init(&g, 1000, 100, 100, 1000);
	assert_int_equal(esp_gate_admit(&g, now), 0);
	esp_gate_answered(&g, 429, now);
	assert_int_equal(esp_gate_admit(&g, now + 100), 0);
	assert_true(esp_gate_admit(&g, now + 200) > now + 200);
	assert_int_equal(esp_gate_admit(&g, now + 100 + ESP_GATE_PROBE_MS), 0);
	/* a transport failure of the probe lets the next one go at once */
	esp_gate_answered(&g, 0, now + 100 + ESP_GATE_PROBE_MS);
	assert_int_equal(esp_gate_admit(&g, now + 101 + ESP_GATE_PROBE_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bucket),
	    cmocka_unit_test(test_pause_and_probe),
	    cmocka_unit_test(test_lost_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
