/* The ESP-neutral description of a customer's resources (see resource.h). */
#include "core/resource.h"

#include <string.h>
#include <strings.h>

#include "core/alloc.h"

bool resource_add_record(struct wizard_domain_res *d, enum record_purpose purpose,
			 enum record_type type, const char *name, const char *value, bool required,
			 bool esp_verified)
{
	struct resource_record *r;
	if (d->nrecords >= RESOURCE_RECORDS_MAX)
		return false;
	r = &d->records[d->nrecords++];
	memset(r, 0, sizeof *r);
	r->rec.purpose = purpose;
	r->rec.type = type;
	str_copy(r->rec.name, sizeof r->rec.name, name ? name : "");
	str_copy(r->rec.value, sizeof r->rec.value, value ? value : "");
	r->rec.required = required;
	r->esp_verified = esp_verified;
	return true;
}

bool resource_esp_verified(const struct wizard_domain_res *d)
{
	size_t i;
	if (!d->nrecords)
		return false;
	for (i = 0; i < d->nrecords && i < RESOURCE_RECORDS_MAX; i++)
		if (d->records[i].rec.required && !d->records[i].esp_verified)
			return false;
	return true;
}

const struct resource_record *resource_find(const struct wizard_domain_res *d,
					    enum record_type type, const char *name)
{
	size_t i;
	for (i = 0; i < d->nrecords && i < RESOURCE_RECORDS_MAX; i++)
		if (d->records[i].rec.type == type && strcasecmp(d->records[i].rec.name, name) == 0)
			return &d->records[i];
	return NULL;
}
