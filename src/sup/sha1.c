/*
 * SHA-1 (FIPS 180-4), for supervisord's "{SHA}" password convention and
 * for comparing secrets in constant time.  Not for anything new.
 */
#include <stdint.h>
#include <string.h>

#include "http.h"

#define ROL(x, n)	(((x) << (n)) | ((x) >> (32 - (n))))

/* Mix one 64-byte block into the state. */
static void
sha1_block(struct sha1 *c, const unsigned char *p)
{
	uint32_t	w[80], a, b, d, e, f, k, t, cc;
	int		i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & cc) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ cc ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & cc) | (b & d) | (cc & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ cc ^ d;
			k = 0xca62c1d6;
		}
		t = ROL(a, 5) + f + e + k + w[i];
		e = d;
		d = cc;
		cc = ROL(b, 30);
		b = a;
		a = t;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

/* Start a digest. */
void
sha1_init(struct sha1 *c)
{
	static const uint32_t	h0[5] = {
		0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0
	};

	memcpy(c->h, h0, sizeof h0);
	c->total = 0;
	c->fill = 0;
}

/* Feed len bytes. */
void
sha1_update(struct sha1 *c, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 n;

	c->total += len;
	while (len > 0) {
		n = sizeof c->block - c->fill;
		if (n > len)
			n = len;
		memcpy(c->block + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill == sizeof c->block) {
			sha1_block(c, c->block);
			c->fill = 0;
		}
	}
}

/* Pad, and write the 20-byte digest. */
void
sha1_final(struct sha1 *c, unsigned char out[SHA1_LEN])
{
	uint64_t	bits = c->total * 8;
	unsigned char	pad = 0x80, len[8];
	int		i;

	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(c, &pad, 1);
	pad = 0;
	while (c->fill != 56)
		sha1_update(c, &pad, 1);
	sha1_update(c, len, 8);
	for (i = 0; i < SHA1_LEN; i++)
		out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* The digest of len bytes, in one call. */
void
sha1_digest(const void *data, size_t len, unsigned char out[SHA1_LEN])
{
	struct sha1	c;

	sha1_init(&c);
	sha1_update(&c, data, len);
	sha1_final(&c, out);
}
