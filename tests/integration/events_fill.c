/* events_fill STATE_DIR CUSTOMERS PER_CUSTOMER [FIRST]: appends record.verified
 * events through the outbox API (app/events.h), round robin over the
 * customers cust-0..cust-(CUSTOMERS-1), each with data {"n": its number for
 * that customer, from FIRST (0)}, so that a receiver can check the order per customer.
 * For the delivery tests and bench/events. */
#include <stdio.h>
#include <stdlib.h>

#include "app/events.h"

int main(int argc, char **argv)
{
	long customers, per, first = 0, n, c;
	char msg[512], name[48], subject[64];
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: events_fill STATE_DIR CUSTOMERS PER_CUSTOMER [FIRST]\n");
		return 2;
	}
	customers = strtol(argv[2], NULL, 10);
	per = strtol(argv[3], NULL, 10);
	if (argc == 5)
		first = strtol(argv[4], NULL, 10);
	for (n = first; n < first + per; n++)
		for (c = 0; c < customers; c++) {
			snprintf(name, sizeof name, "cust-%ld", c);
			snprintf(subject, sizeof subject, "r%ld.customer.example", n);
			if (events_append(argv[1], name, MILESTONE_RECORD_VERIFIED, subject,
					  json_pack("{s:I}", "n", (json_int_t)n), NULL, msg,
					  sizeof msg)) {
				fprintf(stderr, "events_fill: %s\n", msg);
				return 1;
			}
		}
	return 0;
}
