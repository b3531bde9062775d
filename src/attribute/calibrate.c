/*
 * calibrate.c — turning a score into a confidence that means what it says.
 *
 * Raw scores are log-likelihood ratios of a naive model (it treats the
 * techniques of one intrusion as independent, which they are not), so they
 * are over-confident. Platt scaling maps two features of the top candidate
 * — its lead over the runner-up and its score per observed token — through
 * a logistic curve fitted on labelled held-out cases (bench_attribute:
 * half of the cases fit, the other half test). Newton's method on the
 * log-loss with a small ridge keeps the fit stable when the classes
 * separate.
 */
#include <math.h>
#include <stdlib.h>

#include "attribute/attr_impl.h"
#include "core/error.h"

/* Fitted by bench_attribute on the fit half (groups whose name hashes even)
 * of both report hold-outs, strict and software-kept, and of their cut-down
 * copies (1, 2, 3 or 5 techniques, with or without one tool). */
const struct attr_calib attr_default_calib = {.a = 0.7626, .b = 1.5075, .c = -2.6323};

double attr_calib_apply(const struct attr_calib *c, double lead, double density)
{
	double z = c->a * lead + c->b * density + c->c;
	if (z > 40)
		return 1.0;
	if (z < -40)
		return 0.0;
	return 1.0 / (1.0 + exp(-z));
}

int attr_calib_fit(const double (*x)[2], const int *y, size_t n, struct attr_calib *out)
{
	double w[3] = {0, 0, 0};
	const double ridge = 1e-3;
	if (!n)
		return AS_EINVAL;
	for (int it = 0; it < 100; it++) {
		double g[3] = {0}, h[3][3] = {{0}};
		for (size_t i = 0; i < n; i++) {
			double f[3] = {x[i][0], x[i][1], 1.0};
			double z = w[0] * f[0] + w[1] * f[1] + w[2];
			double p = 1.0 / (1.0 + exp(-z));
			double r = p * (1 - p);
			for (int a = 0; a < 3; a++) {
				g[a] += (p - y[i]) * f[a];
				for (int b = 0; b < 3; b++)
					h[a][b] += r * f[a] * f[b];
			}
		}
		for (int a = 0; a < 3; a++) {
			g[a] += ridge * w[a];
			h[a][a] += ridge;
		}
		/* solve h·d = g (3×3, Cramer's rule) */
		double det = h[0][0] * (h[1][1] * h[2][2] - h[1][2] * h[2][1]) -
			     h[0][1] * (h[1][0] * h[2][2] - h[1][2] * h[2][0]) +
			     h[0][2] * (h[1][0] * h[2][1] - h[1][1] * h[2][0]);
		if (fabs(det) < 1e-300)
			break;
		double d[3];
		for (int c = 0; c < 3; c++) {
			double m[3][3];
			for (int a = 0; a < 3; a++)
				for (int b = 0; b < 3; b++)
					m[a][b] = b == c ? g[a] : h[a][b];
			d[c] = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
				m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
				m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])) /
			       det;
		}
		double step = fabs(d[0]) + fabs(d[1]) + fabs(d[2]);
		for (int a = 0; a < 3; a++)
			w[a] -= d[a];
		if (step < 1e-9)
			break;
	}
	if (!isfinite(w[0]) || !isfinite(w[1]) || !isfinite(w[2]))
		return AS_EINVAL;
	out->a = w[0];
	out->b = w[1];
	out->c = w[2];
	return 0;
}
