/*
 * host/scndefault.S - the default scenario (host/scenarios/default.yaml),
 * built into the executable: NtpsDefaultScenario (NUL-terminated) and
 * NtpsDefaultScenarioSize (without the NUL).
 */
    .section .rodata
    .global NtpsDefaultScenario
    .hidden NtpsDefaultScenario
    .type NtpsDefaultScenario, @object
NtpsDefaultScenario:
    .incbin "host/scenarios/default.yaml"     /* found through -Wa,-I<source dir> (host/scenario.cmake) */
NtpsDefaultScenarioEnd:
    .byte 0
    .size NtpsDefaultScenario, . - NtpsDefaultScenario
    .balign 4
    .global NtpsDefaultScenarioSize
    .hidden NtpsDefaultScenarioSize
    .type NtpsDefaultScenarioSize, @object
NtpsDefaultScenarioSize:
    .long NtpsDefaultScenarioEnd - NtpsDefaultScenario
    .size NtpsDefaultScenarioSize, 4
    .section .note.GNU-stack, "", @progbits
