/* diag.c — bad-input reports, see diag.h. */
#include "core/diag.h"

#include <stdarg.h>

#include "core/error.h"

int diag_set(struct diag *d, int code, const char *fmt, ...)
{
	if (!d)
		return code;
	va_list ap;
	va_start(ap, fmt);
	d->code = code;
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	return code;
}

void diag_sink_init(struct diag_sink *s, FILE *out)
{
	s->out = out;
	s->total = 0;
	pthread_mutex_init(&s->lock, NULL);
}

void diag_report(struct diag_sink *s, const char *file, uint64_t record, uint64_t offset,
		 const struct diag *d, uint64_t *printed)
{
	pthread_mutex_lock(&s->lock);
	s->total++;
	uint64_t n = printed ? (*printed)++ : 0;
	if (s->out && n < AS_MAX_DIAG_PER_FILE) {
		const char *msg = d->msg[0] ? d->msg : as_strerror(d->code);
		if (record)
			fprintf(s->out, "aptscope: %s:%llu: %s (byte %llu)\n", file,
				(unsigned long long)record, msg, (unsigned long long)offset);
		else
			fprintf(s->out, "aptscope: %s: %s\n", file, msg);
	} else if (s->out && n == AS_MAX_DIAG_PER_FILE) {
		fprintf(s->out, "aptscope: %s: more bad records; only counting from here\n", file);
	}
	pthread_mutex_unlock(&s->lock);
}

void diag_note(struct diag_sink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&s->lock);
	if (s->out) {
		fputs("aptscope: ", s->out);
		vfprintf(s->out, fmt, ap);
		fputc('\n', s->out);
	}
	pthread_mutex_unlock(&s->lock);
	va_end(ap);
}

void diag_sink_fini(struct diag_sink *s)
{
	if (s)
		pthread_mutex_destroy(&s->lock);
}
