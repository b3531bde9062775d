/*
 * verify.c — end-to-end case runner (in the manner of suricata-verify).
 *
 * A case is a folder tests/verify/<case>/ with:
 *   args            the aptscope arguments, one per line; paths are relative
 *                   to the case folder ("{db}" is replaced by a fresh
 *                   temporary database path, the same for every command); a
 *                   line "---" starts another command, run after the one
 *                   before into the same output (hunt, then import, then
 *                   list: the steps of a story over one store)
 *   expected.jsonl  one JSON object per line; each must be a SUBSET of at
 *                   least one output line (objects compared key by key,
 *                   arrays element by element, recursively). A line may
 *                   carry "_count": N — then exactly N output lines must
 *                   match it — or "_absent": true — then none may.
 *   exit            (optional) the expected exit status of the last command,
 *                   default 0; the commands before it must exit 0
 *
 * Usage: verify APTSCOPE CASE_DIR. Prints every expectation that failed.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int subset(json_t *want, json_t *have)
{
	if (json_is_object(want)) {
		if (!json_is_object(have))
			return 0;
		const char *k;
		json_t *v;
		json_object_foreach(want, k, v)
		{
			if (k[0] == '_')
				continue;
			json_t *h = json_object_get(have, k);
			if (!h || !subset(v, h))
				return 0;
		}
		return 1;
	}
	if (json_is_array(want)) {
		/* Every wanted element must match some element of have. */
		if (!json_is_array(have))
			return 0;
		size_t i, j;
		json_t *w, *h;
		json_array_foreach(want, i, w)
		{
			int found = 0;
			json_array_foreach(have, j, h) if (subset(w, h))
			{
				found = 1;
				break;
			}
			if (!found)
				return 0;
		}
		return 1;
	}
	if (json_is_number(want) && json_is_number(have))
		return json_number_value(want) == json_number_value(have);
	return json_equal(want, have);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	if (s)
		s[n] = 0;
	fclose(f);
	return s;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: verify APTSCOPE CASE_DIR\n");
		return 2;
	}
	const char *bin = argv[1], *dir = argv[2];
	char path[4096], db[] = "/tmp/aptscope-verify-XXXXXX";
	int dbfd = mkstemp(db);
	if (dbfd < 0)
		return 2;
	close(dbfd);
	unlink(db);
	snprintf(path, sizeof path, "%s/args", dir);
	char *args = slurp(path);
	if (!args) {
		fprintf(stderr, "%s: no args file\n", dir);
		return 2;
	}
	char *av[256];
	int ac = 0, failures = 0, status = 0;
	char outpath[] = "/tmp/aptscope-verify-out-XXXXXX";
	int outfd = mkstemp(outpath);
	snprintf(path, sizeof path, "%s/exit", dir);
	char *want_exit = slurp(path);
	int expected_status = want_exit ? atoi(want_exit) : 0;
	free(want_exit);
	char *line = strtok(args, "\n");
	for (int step = 1; line || step == 1; step++) {
		ac = 0;
		av[ac++] = (char *)bin;
		for (; line && strcmp(line, "---") && ac < 254; line = strtok(NULL, "\n")) {
			if (!*line || line[0] == '#')
				continue;
			av[ac++] = strcmp(line, "{db}") ? line : db;
		}
		av[ac] = NULL;
		bool last = !line;
		if (line)
			line = strtok(NULL, "\n"); /* past "---" */
		pid_t pid = fork();
		if (pid == 0) {
			if (chdir(dir))
				_exit(127);
			dup2(outfd, 1);
			execv(bin, av);
			_exit(127);
		}
		int wst = 0;
		waitpid(pid, &wst, 0);
		status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128;
		int want = last ? expected_status : 0;
		if (status != want) {
			printf("command %d (%s …): exit status %d, expected %d\n", step,
			       ac > 1 ? av[1] : "", status, want);
			failures++;
		}
		if (last)
			break;
	}
	close(outfd);
	/* Output lines. */
	json_t *out = json_array();
	char *text = slurp(outpath);
	for (char *ol = text ? strtok(text, "\n") : NULL; ol; ol = strtok(NULL, "\n")) {
		json_error_t err;
		json_t *j = json_loads(ol, 0, &err);
		if (!j) {
			printf("output line is not JSON: %.120s\n", ol);
			failures++;
			continue;
		}
		json_array_append_new(out, j);
	}
	snprintf(path, sizeof path, "%s/expected.jsonl", dir);
	char *exp = slurp(path);
	if (!exp) {
		printf("no expected.jsonl\n");
		failures++;
	}
	int n = 0;
	for (char *el = exp ? strtok(exp, "\n") : NULL; el; el = strtok(NULL, "\n")) {
		if (!*el || el[0] == '#')
			continue;
		json_error_t err;
		json_t *w = json_loads(el, 0, &err);
		if (!w) {
			printf("expected.jsonl: not JSON: %s\n", el);
			failures++;
			continue;
		}
		n++;
		size_t i, matches = 0;
		json_t *h;
		json_array_foreach(out, i, h) matches += subset(w, h) ? 1 : 0;
		json_t *cnt = json_object_get(w, "_count");
		int absent = json_is_true(json_object_get(w, "_absent"));
		if (absent ? matches != 0
		    : cnt  ? matches != (size_t)json_integer_value(cnt)
			   : matches == 0) {
			printf("FAIL: %s\n      matched %zu output lines\n", el, matches);
			failures++;
		}
		json_decref(w);
	}
	printf("%s: %d expectations, %zu output lines, %d failures\n", dir, n, json_array_size(out),
	       failures);
	json_decref(out);
	free(exp);
	free(text);
	free(args);
	unlink(outpath);
	unlink(db);
	char wal[64];
	snprintf(wal, sizeof wal, "%s-wal", db);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", db);
	unlink(wal);
	return failures ? 1 : 0;
}
