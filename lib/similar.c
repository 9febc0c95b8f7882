/* similar.c: string and field similarity for near-match scoring. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "similar.h"
#include "norm.h"
#include "customer.h"
#include "banned.h"

#define MAXCP 255

/* Code points of s, at most MAXCP; an invalid byte counts as one unit so
 * that garbage still compares (as itself).  Decoded by hand: this runs
 * for every candidate pair of a million-record run. */
static size_t
decode(const char *s, int32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	int32_t c;
	int k, i;

	if (s == NULL)
		return 0;
	while (*p && n < MAXCP) {
		if (*p < 0x80) {
			cp[n++] = *p++;
			continue;
		}
		if ((*p & 0xE0) == 0xC0) {
			k = 1;
			c = *p & 0x1F;
		} else if ((*p & 0xF0) == 0xE0) {
			k = 2;
			c = *p & 0x0F;
		} else if ((*p & 0xF8) == 0xF0) {
			k = 3;
			c = *p & 0x07;
		} else
			k = -1, c = 0;
		for (i = 1; k > 0 && i <= k; i++) {
			if ((p[i] & 0xC0) != 0x80) {
				k = -1;
				break;
			}
			c = (c << 6) | (p[i] & 0x3F);
		}
		if (k < 0) {
			cp[n++] = 0x110000 + *p++;
			continue;
		}
		cp[n++] = c;
		p += k + 1;
	}
	return n;
}

static double
lev_cp(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
	unsigned row[MAXCP + 1];
	unsigned diag, up, best;
	size_t i, j;

	if (na == 0 && nb == 0)
		return 1.0;
	for (j = 0; j <= nb; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= na; i++) {
		diag = row[0];
		row[0] = (unsigned)i;
		for (j = 1; j <= nb; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return 1.0 - (double)row[nb] / (double)(na > nb ? na : nb);
}

double
crm_sim_levenshtein(const char *a, const char *b)
{
	int32_t ca[MAXCP], cb[MAXCP];
	size_t na = decode(a, ca), nb = decode(b, cb);

	return lev_cp(ca, na, cb, nb);
}

double
crm_sim_jaro_winkler(const char *a, const char *b)
{
	int32_t ca[MAXCP], cb[MAXCP];
	char ma[MAXCP], mb[MAXCP];
	size_t na = decode(a, ca), nb = decode(b, cb), i, j, k, lo, hi, win;
	double m = 0, t = 0, jaro;
	size_t prefix;

	if (na == 0 && nb == 0)
		return 1.0;
	if (na == 0 || nb == 0)
		return 0.0;
	memset(ma, 0, na);
	memset(mb, 0, nb);
	win = (na > nb ? na : nb) / 2;
	win = win > 0 ? win - 1 : 0;
	for (i = 0; i < na; i++) {
		lo = i > win ? i - win : 0;
		hi = i + win + 1 < nb ? i + win + 1 : nb;
		for (j = lo; j < hi; j++) {
			if (mb[j] || ca[i] != cb[j])
				continue;
			ma[i] = mb[j] = 1;
			m++;
			break;
		}
	}
	if (m == 0)
		return 0.0;
	for (i = 0, k = 0; i < na; i++) {
		if (!ma[i])
			continue;
		while (!mb[k])
			k++;
		if (ca[i] != cb[k])
			t++;
		k++;
	}
	t /= 2;
	jaro = (m / (double)na + m / (double)nb + (m - t) / m) / 3.0;
	for (prefix = 0; prefix < 4 && prefix < na && prefix < nb &&
	    ca[prefix] == cb[prefix]; prefix++)
		;
	return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

double
crm_sim_text(const char *a, const char *b)
{
	char *fa = crm_norm_fold(a ? a : ""), *fb = crm_norm_fold(b ? b : "");
	double s = crm_sim_levenshtein(fa, fb);

	free(fa);
	free(fb);
	return s;
}

double
crm_sim_phone(const char *a, const char *b)
{
	size_t la, lb;

	if (crm_empty(a) || crm_empty(b))
		return 0.0;
	if (strcmp(a, b) == 0)
		return 1.0;
	la = strlen(a);
	lb = strlen(b);
	if (la >= 8 && lb >= 8 && strcmp(a + la - 8, b + lb - 8) == 0)
		return 0.8;
	return 0.0;
}

double
crm_sim_email(const char *a, const char *b)
{
	const char *at_a, *at_b;
	size_t la, lb;

	if (crm_empty(a) || crm_empty(b))
		return 0.0;
	if (strcmp(a, b) == 0)
		return 1.0;
	/* Two different addresses say nothing: u1001@ and u1002@ are as
	 * alike as strings as a father's and a son's.  Only the same local
	 * part at another domain (a provider change) counts. */
	at_a = strrchr(a, '@');
	at_b = strrchr(b, '@');
	la = at_a ? (size_t)(at_a - a) : strlen(a);
	lb = at_b ? (size_t)(at_b - b) : strlen(b);
	if (la > 0 && la == lb && strncmp(a, b, la) == 0)
		return 0.8;
	return 0.0;
}

double
crm_sim_birthday(const char *a, const char *b)
{
	size_t i, n, diff = 0;

	if (crm_empty(a) || crm_empty(b))
		return 0.0;
	if (strcmp(a, b) == 0)
		return 1.0;
	n = strlen(a);
	if (n != strlen(b))
		return 0.0;
	for (i = 0; i < n; i++)
		diff += a[i] != b[i];
	if (diff == 1)
		return 0.5;
	/* 1980-03-04 vs 1980-04-03: day and month swapped on entry. */
	if (n == 10 && strncmp(a, b, 5) == 0 && strncmp(a + 5, b + 8, 2) == 0 &&
	    strncmp(a + 8, b + 5, 2) == 0)
		return 0.5;
	return 0.0;
}

double
crm_sim_address(const char *addr_a, const char *pc_a, const char *addr_b,
    const char *pc_b)
{
	int have_pc = !crm_empty(pc_a) && !crm_empty(pc_b);
	int same_pc = have_pc && strcmp(pc_a, pc_b) == 0;
	double s;

	if (!crm_empty(addr_a) && !crm_empty(addr_b)) {
		/* The same address written differently stays close after
		 * normalisation; a neighbour's differs in the house number,
		 * which is no evidence at all. */
		int32_t ca[MAXCP], cb[MAXCP];
		size_t na = decode(addr_a, ca), nb = decode(addr_b, cb);
		size_t mx = na > nb ? na : nb, d = na > nb ? na - nb : nb - na;

		/* Lengths that differ by more than 15% cannot reach 0.85. */
		s = (double)d > 0.15 * (double)mx ? 0.0 : lev_cp(ca, na, cb, nb);
		if (s < 0.85)
			return same_pc ? 0.4 : 0.0;
		if (same_pc)
			s = s + (1.0 - s) * 0.3;
		else if (have_pc)
			s *= 0.8;
		return s;
	}
	if (have_pc)
		return same_pc ? 0.6 : 0.0;
	return -1.0;
}

static void
reason(struct crm_buf *r, const char *what, double s)
{
	if (r == NULL)
		return;
	if (r->len)
		crm_buf_adds(r, "; ");
	if (s >= 0.9995)
		crm_buf_addf(r, "same %s", what);
	else
		crm_buf_addf(r, "%s %.2f", what, s);
}

static const char *
real_email(const char *e)
{
	return crm_empty(e) || crm_email_is_relay(e) ? NULL : e;
}

double
crm_sim_score(const struct crm_sim_rec *a, const struct crm_sim_rec *b,
    struct crm_buf *reasons)
{
	double ev = 0, nev = 0, s, person = -1, sn = -1, sk = -1, score;
	const char *ea, *eb;
	int bday_differs = 0, gated;

	/* The person first: when the names gate the score, the evidence
	 * cannot lift it, and a caller that wants no reasons is spared the
	 * address comparison (most candidate pairs of a postcode block). */
	if (!crm_empty(a->name) && !crm_empty(b->name))
		sn = crm_sim_levenshtein(a->name, b->name);
	if (!crm_empty(a->kana) && !crm_empty(b->kana))
		sk = crm_sim_levenshtein(a->kana, b->kana);
	if (sn >= 0 && sk >= 0)
		person = (sn + sk) / 2;
	else if (sn >= 0)
		person = sn;
	else if (sk >= 0)
		person = sk;
	/* A shared surname at a shared landline is a family, not a typo:
	 * keep it well under any sensible threshold.  Without kana to tell
	 * 京子 from 洋子, one character in four is a family too. */
	gated = person >= 0 && (person < 0.75 - 1e-9 || (sk < 0 && person < 0.76));
	if (!crm_empty(a->birthday) && !crm_empty(b->birthday))
		bday_differs = crm_sim_birthday(a->birthday, b->birthday) < 0.25;
	if (gated && reasons == NULL)
		return 0.5 * person * (bday_differs ? 0.5 : 1);

	ea = real_email(a->email);
	eb = real_email(b->email);
	if (!crm_empty(a->phone) && !crm_empty(b->phone)) {
		s = crm_sim_phone(a->phone, b->phone);
		ev += s;
		nev++;
		reason(reasons, "phone", s);
	}
	if (ea != NULL && eb != NULL) {
		s = crm_sim_email(ea, eb);
		ev += s;
		nev++;
		reason(reasons, "email", s);
	}
	s = crm_sim_address(a->address, a->postcode, b->address, b->postcode);
	if (s >= 0) {
		ev += s;
		nev++;
		reason(reasons, crm_empty(a->address) || crm_empty(b->address) ?
		    "postcode" : "address", s);
	}
	if (!crm_empty(a->birthday) && !crm_empty(b->birthday)) {
		s = crm_sim_birthday(a->birthday, b->birthday);
		ev += s;
		nev++;
		reason(reasons, "birthday", s);
	}
	if (sn >= 0 && reasons != NULL)
		crm_buf_addf(reasons, "%sname %.2f", reasons->len ? "; " : "", sn);
	if (sk >= 0 && reasons != NULL)
		crm_buf_addf(reasons, "%skana %.2f", reasons->len ? "; " : "", sk);

	if (person < 0)
		score = 0.5 * (nev > 0 ? ev / nev : 0);
	else if (gated)
		score = 0.5 * person;
	else
		score = 0.5 * person + 0.5 * (nev > 0 ? ev / nev : 0);
	if (bday_differs)
		score *= 0.5;
	if (score < 0)
		score = 0;
	if (score > 1)
		score = 1;
	return score;
}
