/* The interactive wizard for one customer (the default command). */
#ifndef BEHALF_APP_SESSION_H
#define BEHALF_APP_SESSION_H

#include "app/config.h"

/* Runs the wizard until the customer quits; returns the exit status.  The
 * configuration's tokens are wiped once the ESP client has them. */
int session_run(struct config *cfg);

#endif
