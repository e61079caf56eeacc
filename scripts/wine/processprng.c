/* bcryptprimitives.dll for Wine 8, used only by scripts/windows-check.
 *
 * Rust's std (since 1.78) draws its random numbers (HashMap keys...) from ProcessPrng, which it
 * imports from bcryptprimitives.dll. Windows 10 and later have it; Debian 12's Wine 8 has no such
 * DLL, so every Rust program exits with code 53 before main, printing nothing. This DLL exports
 * ProcessPrng over RtlGenRandom (advapi32's SystemFunction036), which Wine has; the check copies it
 * into its temporary prefix's system32. Never shipped: real terminals have the real DLL.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll processprng.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

/* Rust calls it as BOOL ProcessPrng(PBYTE, SIZE_T) and expects it never to fail. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
