/* What an ESP backend can do beyond a domain with its DNS records (which
 * every backend does): the wizard offers an option or an action only when
 * the backend has its capability (esp.h's esp_ops.caps; the wizard keeps
 * the missing ones in wizard_config.esp_lacks). */
#ifndef BEHALF_CORE_CAPS_H
#define BEHALF_CORE_CAPS_H

enum esp_cap {
	ESP_CAP_SIGNATURES = 1u << 0,	 /* sender signatures: option 2 */
	ESP_CAP_SERVERS = 1u << 1,	 /* a server (account) of each customer's own */
	ESP_CAP_SEND = 1u << 2,		 /* sends email: the export dialog's Send */
	ESP_CAP_DKIM_ROTATION = 1u << 3, /* a new DKIM key waits, pending, beside the active one */
	ESP_CAP_ALL = (1u << 4) - 1,
};

#endif
