/* Minimal start-up code for a Cortex-M4F: vector table, reset handler, and the two
 * semihosting calls the example needs (print a string, exit with a code). */
#include <stdint.h>

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];

int main(void);
void Reset_Handler(void);
void Fault_Handler(void);
void semihost_puts(const char *s);
void semihost_exit(int code);

static int semihost(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihost_puts(const char *s)
{
    (void)semihost(0x04 /* SYS_WRITE0 */, (void *)s);
}

void semihost_exit(int code)
{
    uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
    (void)semihost(0x20 /* SYS_EXIT_EXTENDED */, block);
    for (;;) {
    }
}

void Reset_Handler(void)
{
    const uint32_t *src = __data_load;
    uint32_t *dst;
    for (dst = __data_start; dst < __data_end;) {
        *dst++ = *src++;
    }
    for (dst = __bss_start; dst < __bss_end;) {
        *dst++ = 0u;
    }
    (*(volatile uint32_t *)0xE000ED88u) |= (0xFu << 20); /* enable the FPU (CP10, CP11) */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    semihost_exit(main());
}

void Fault_Handler(void)
{
    semihost_puts("fault\n");
    semihost_exit(99);
}

__attribute__((section(".vectors"), used))
void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top, Reset_Handler,
    Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler,
};
