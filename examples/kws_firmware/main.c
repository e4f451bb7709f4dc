/* Classify one synthetic 49x10 MFCC-like feature map with the generated `kws` library and
 * print the scores and the top class over semihosting. */
#include <stdint.h>

#include "kws.h"

void semihost_puts(const char *s);

static const char *const labels[12] = {
    "silence", "unknown", "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go",
};

static int8_t features[KWS_INPUT0_BYTES];
static int8_t scores[KWS_OUTPUT0_BYTES];

static char *put_uint(char *p, uint32_t v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    while (n > 0) {
        *p++ = digits[--n];
    }
    return p;
}

static char *put_str(char *p, const char *s)
{
    while (*s != '\0') {
        *p++ = *s++;
    }
    return p;
}

int main(void)
{
    const void *inputs[KWS_NUM_INPUTS] = {features};
    void *outputs[KWS_NUM_OUTPUTS] = {scores};
    char line[64];
    char *p;
    int i, best = 0;

    /* A smooth synthetic pattern in place of real audio features. */
    for (i = 0; i < KWS_INPUT0_BYTES; i++) {
        features[i] = (int8_t)(((i * 37) % 200) - 100);
    }
    if (kws_invoke(inputs, outputs) != 0) {
        semihost_puts("kws_invoke failed\n");
        return 1;
    }
    for (i = 0; i < KWS_OUTPUT0_BYTES; i++) {
        /* probability in percent: (q - zero point) * scale, scale = 1/256 */
        uint32_t pct = (uint32_t)((scores[i] - KWS_OUTPUT0_ZERO_POINT) * 100) / 256u;
        p = put_str(line, "  ");
        p = put_str(p, labels[i]);
        p = put_str(p, ": ");
        p = put_uint(p, pct);
        p = put_str(p, "%\n");
        *p = '\0';
        semihost_puts(line);
        if (scores[i] > scores[best]) {
            best = i;
        }
    }
    p = put_str(line, "top class: ");
    p = put_str(p, labels[best]);
    p = put_str(p, "\n");
    *p = '\0';
    semihost_puts(line);
    return 0;
}
