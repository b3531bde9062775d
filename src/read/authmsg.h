/*
 * authmsg.h — is this daemon message a log-in attempt, and how did it end?
 *
 * Shared by the syslog and journald readers (and any reader that carries a
 * program name and a free-text message) so that an SSH brute force, a sudo
 * failure or a POP3 password spray look the same to the detectors whatever
 * log they came from. The messages recognised, and which line of a
 * multi-line attempt carries the attempt, are listed in docs/auth-messages.md.
 *
 * Counting rule: one attempt is exactly one event with outcome success or
 * failure. Lines that repeat or announce an attempt counted on another line
 * (sshd's "Invalid user", the pam_unix line beside sshd's "Failed password")
 * are still EK_AUTH, so the source address and user stay searchable, but
 * with outcome unknown and a note saying why they do not count.
 */
#ifndef AS_READ_AUTHMSG_H
#define AS_READ_AUTHMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/slice.h"
#include "event/event.h"

struct authmsg {
	/* Why an auth event does not count as an attempt (static text), or
	 * NULL when it does (outcome success/failure). */
	const char *note;
	/* Attempts the line stands for: 1 for most lines, N for summaries
	 * such as sudo's "3 incorrect password attempts" (still one event);
	 * 0 for non-counting lines. attempts_text is the number as written
	 * (a slice into the message) when the line names it. */
	uint32_t attempts;
	struct slice attempts_text;
};

/* Recognise a log-in message. program is the syslog tag / journald
 * SYSLOG_IDENTIFIER without "[pid]" ("sshd", "sudo", "postfix/smtpd"; may be
 * empty, then the message alone decides); msg is the message text.
 *
 * Returns true for an authentication message and fills ev: kind EK_AUTH,
 * outcome, user, user_invalid, auth_method, src_ip, src_port (when the
 * message names the client), service (the PAM service for pam_* lines, the
 * daemon otherwise; set only when ev has none or for PAM) and command_line
 * for sudo. Values are slices into msg or static strings; nothing is
 * allocated. Returns false and leaves ev untouched otherwise. *out may be
 * NULL. Never reads outside msg. */
bool authmsg_parse(struct slice program, struct slice msg, struct event *ev, struct authmsg *out);

#endif
