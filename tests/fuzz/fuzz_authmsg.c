/*
 * fuzz_authmsg.c — authmsg_parse() on arbitrary program names and messages.
 *
 * The input's first line is the program name, the rest the message; each is
 * copied to a buffer of exactly its size so that a read past either end is
 * caught. The message is also tried under every program the dispatcher
 * knows, so each daemon's parser sees every input. A recognised message
 * must leave a well-formed auth event: kind EK_AUTH, a note exactly when
 * the outcome is unknown, values inside the message or static.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "read/authmsg.h"

static const char *const programs[] = {
    "",          "sshd",       "sudo",       "su",   "login",         "vsftpd", "proftpd",
    "pure-ftpd", "dovecot",    "imap-login", "auth", "postfix/smtpd", "exim",   "courierpop3login",
    "imapd",     "cyrus/imap", "cockpit",
};

static void one(const char *prog, size_t plen, const char *msg, size_t mlen)
{
	struct event ev;
	event_clear(&ev);
	struct authmsg am;
	if (!authmsg_parse(slice_make(prog, plen), slice_make(msg, mlen), &ev, &am))
		return;
	if (ev.kind != EK_AUTH)
		abort();
	if ((am.note != NULL) != (ev.outcome == OUTCOME_UNKNOWN))
		abort();
	if (!am.note && am.attempts == 0)
		abort();
	/* every value must be readable (inside msg or static): ASan checks */
	volatile unsigned sum = 0;
	for (int k = 0; k < ES_COUNT; k++)
		for (size_t i = 0; i < ev.str[k].len; i++)
			sum += (unsigned char)ev.str[k].ptr[i];
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : 0;
	size_t moff = nl ? plen + 1 : 0;
	size_t mlen = size - moff;
	char *prog = malloc(plen ? plen : 1);
	char *msg = malloc(mlen ? mlen : 1);
	if (!prog || !msg)
		abort();
	memcpy(prog, data, plen);
	memcpy(msg, data + moff, mlen);
	one(prog, plen, msg, mlen);
	for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
		one(programs[i], strlen(programs[i]), msg, mlen);
	free(prog);
	free(msg);
	return 0;
}
