/* lib/interp/families.h: every opcode of lib/ir/opcodes.def and its family.
 * interp.c builds its table from opcodes.def with FAM_##id for each row:
 * an opcode added to opcodes.def without a line here does not compile. */
#ifndef CLIFRUN_INTERP_FAMILIES_H
#define CLIFRUN_INTERP_FAMILIES_H

/* name, decoder (NULL: handled by interp.c's own decoder for the family) */
#define INTERP_FAMILIES(F)                                                      \
    F(UNSUPPORTED, NULL) F(LEGACY, NULL) F(NOP, NULL) F(BRANCH, NULL)           \
    F(TRAP, NULL) F(RETURN, NULL) F(CALL, NULL) F(PINNED, NULL) F(SP, NULL)                 \
    F(FUNC_ADDR, interp_dec_func_addr) F(CONST, interp_dec_const)               \
    F(INT_BINARY, interp_dec_int_binary) F(INT_UNARY, interp_dec_int_unary)     \
    F(ICMP, interp_dec_icmp) F(OVERFLOW, interp_dec_overflow)                   \
    F(SELECT, interp_dec_select) F(INT_CONVERT, interp_dec_int_convert)         \
    F(FLOAT_BINARY, interp_dec_float_binary) F(FLOAT_UNARY, interp_dec_float_unary) \
    F(FMA, interp_dec_fma) F(FCMP, interp_dec_fcmp)                             \
    F(FLOAT_CONVERT, interp_dec_float_convert) F(FCVT_TO_INT, interp_dec_fcvt_to_int) \
    F(FCVT_FROM_INT, interp_dec_fcvt_from_int) F(BITCAST, interp_dec_bitcast)   \
    F(LOAD, interp_dec_load) F(STORE, interp_dec_store)                         \
    F(STACK_ADDR, interp_dec_stack_addr) F(GLOBAL, interp_dec_global)           \
    F(ATOMIC, interp_dec_atomic) F(LANES, interp_dec_lanes)                     \
    F(SHUFFLE, interp_dec_shuffle) F(VREDUCE, interp_dec_vreduce)               \
    F(NARROW, interp_dec_narrow) F(WIDEN, interp_dec_widen)                     \
    F(PAIRWISE, interp_dec_pairwise) F(QMUL, interp_dec_qmul)

#define FAM_ENUM_(name, dec) FAM_##name,
enum { INTERP_FAMILIES(FAM_ENUM_) FAM_COUNT };
#undef FAM_ENUM_

/* ---- control ---- */
#define FAM_jump FAM_BRANCH
#define FAM_brif FAM_BRANCH
#define FAM_br_table FAM_BRANCH
#define FAM_debugtrap FAM_TRAP
#define FAM_trap FAM_TRAP
#define FAM_trapz FAM_TRAP
#define FAM_trapnz FAM_TRAP
#define FAM_resumable_trap FAM_TRAP
#define FAM_resumable_trapnz FAM_TRAP
#define FAM_return_ FAM_RETURN
#define FAM_call FAM_CALL
#define FAM_call_indirect FAM_CALL
#define FAM_return_call FAM_CALL
#define FAM_return_call_indirect FAM_CALL
#define FAM_try_call FAM_CALL
#define FAM_try_call_indirect FAM_CALL
#define FAM_func_addr FAM_FUNC_ADDR
#define FAM_nop FAM_NOP
#define FAM_fence FAM_NOP
#define FAM_sequence_point FAM_NOP
#define FAM_get_pinned_reg FAM_PINNED
#define FAM_set_pinned_reg FAM_PINNED
#define FAM_get_stack_pointer FAM_SP
/* no meaning without a machine stack, or dynamic vectors */
#define FAM_stack_switch FAM_UNSUPPORTED
#define FAM_get_frame_pointer FAM_UNSUPPORTED
#define FAM_get_return_address FAM_UNSUPPORTED
#define FAM_get_exception_handler_address FAM_UNSUPPORTED
#define FAM_dynamic_stack_addr FAM_UNSUPPORTED
#define FAM_extract_vector FAM_UNSUPPORTED
#define FAM_table_addr FAM_UNSUPPORTED
/* ---- constants ---- */
#define FAM_iconst FAM_CONST
#define FAM_f16const FAM_CONST
#define FAM_f32const FAM_CONST
#define FAM_f64const FAM_CONST
#define FAM_f128const FAM_CONST
#define FAM_vconst FAM_CONST
/* ---- integers ---- */
#define FAM_iadd FAM_INT_BINARY
#define FAM_isub FAM_INT_BINARY
#define FAM_imul FAM_INT_BINARY
#define FAM_umulhi FAM_INT_BINARY
#define FAM_smulhi FAM_INT_BINARY
#define FAM_udiv FAM_INT_BINARY
#define FAM_sdiv FAM_INT_BINARY
#define FAM_urem FAM_INT_BINARY
#define FAM_srem FAM_INT_BINARY
#define FAM_band FAM_INT_BINARY
#define FAM_bor FAM_INT_BINARY
#define FAM_bxor FAM_INT_BINARY
#define FAM_smin FAM_INT_BINARY
#define FAM_umin FAM_INT_BINARY
#define FAM_smax FAM_INT_BINARY
#define FAM_umax FAM_INT_BINARY
#define FAM_avg_round FAM_INT_BINARY
#define FAM_uadd_sat FAM_INT_BINARY
#define FAM_sadd_sat FAM_INT_BINARY
#define FAM_usub_sat FAM_INT_BINARY
#define FAM_ssub_sat FAM_INT_BINARY
#define FAM_rotl FAM_INT_BINARY
#define FAM_rotr FAM_INT_BINARY
#define FAM_ishl FAM_INT_BINARY
#define FAM_ushr FAM_INT_BINARY
#define FAM_sshr FAM_INT_BINARY
#define FAM_ineg FAM_INT_UNARY
#define FAM_iabs FAM_INT_UNARY
#define FAM_bnot FAM_INT_UNARY
#define FAM_bitrev FAM_INT_UNARY
#define FAM_clz FAM_INT_UNARY
#define FAM_cls FAM_INT_UNARY
#define FAM_ctz FAM_INT_UNARY
#define FAM_bswap FAM_INT_UNARY
#define FAM_popcnt FAM_INT_UNARY
#define FAM_icmp FAM_ICMP
#define FAM_sadd_overflow_cin FAM_OVERFLOW
#define FAM_uadd_overflow_cin FAM_OVERFLOW
#define FAM_uadd_overflow FAM_OVERFLOW
#define FAM_sadd_overflow FAM_OVERFLOW
#define FAM_usub_overflow FAM_OVERFLOW
#define FAM_ssub_overflow FAM_OVERFLOW
#define FAM_umul_overflow FAM_OVERFLOW
#define FAM_smul_overflow FAM_OVERFLOW
#define FAM_uadd_overflow_trap FAM_OVERFLOW
#define FAM_ssub_overflow_bin FAM_OVERFLOW
#define FAM_usub_overflow_bin FAM_OVERFLOW
#define FAM_select FAM_SELECT
#define FAM_select_spectre_guard FAM_SELECT
#define FAM_bitselect FAM_SELECT
#define FAM_blendv FAM_SELECT
#define FAM_uextend FAM_INT_CONVERT
#define FAM_sextend FAM_INT_CONVERT
#define FAM_ireduce FAM_INT_CONVERT
#define FAM_bmask FAM_INT_CONVERT
#define FAM_iconcat FAM_INT_CONVERT
#define FAM_isplit FAM_INT_CONVERT
/* ---- floats ---- */
#define FAM_fadd FAM_FLOAT_BINARY
#define FAM_fsub FAM_FLOAT_BINARY
#define FAM_fmul FAM_FLOAT_BINARY
#define FAM_fdiv FAM_FLOAT_BINARY
#define FAM_fmin FAM_FLOAT_BINARY
#define FAM_fmax FAM_FLOAT_BINARY
#define FAM_fcopysign FAM_FLOAT_BINARY
#define FAM_sqrt FAM_FLOAT_UNARY
#define FAM_fneg FAM_FLOAT_UNARY
#define FAM_fabs FAM_FLOAT_UNARY
#define FAM_ceil FAM_FLOAT_UNARY
#define FAM_floor FAM_FLOAT_UNARY
#define FAM_trunc FAM_FLOAT_UNARY
#define FAM_nearest FAM_FLOAT_UNARY
#define FAM_fma FAM_FMA
#define FAM_fcmp FAM_FCMP
#define FAM_fpromote FAM_FLOAT_CONVERT
#define FAM_fdemote FAM_FLOAT_CONVERT
#define FAM_fvdemote FAM_FLOAT_CONVERT
#define FAM_fvpromote_low FAM_FLOAT_CONVERT
#define FAM_fcvt_to_uint FAM_FCVT_TO_INT
#define FAM_fcvt_to_sint FAM_FCVT_TO_INT
#define FAM_fcvt_to_uint_sat FAM_FCVT_TO_INT
#define FAM_fcvt_to_sint_sat FAM_FCVT_TO_INT
#define FAM_x86_cvtt2dq FAM_FCVT_TO_INT
#define FAM_fcvt_from_uint FAM_FCVT_FROM_INT
#define FAM_fcvt_from_sint FAM_FCVT_FROM_INT
#define FAM_bitcast FAM_BITCAST
/* ---- memory ---- */
#define FAM_load FAM_LOAD
#define FAM_uload8 FAM_LOAD
#define FAM_sload8 FAM_LOAD
#define FAM_uload16 FAM_LOAD
#define FAM_sload16 FAM_LOAD
#define FAM_uload32 FAM_LOAD
#define FAM_sload32 FAM_LOAD
#define FAM_uload8x8 FAM_LOAD
#define FAM_sload8x8 FAM_LOAD
#define FAM_uload16x4 FAM_LOAD
#define FAM_sload16x4 FAM_LOAD
#define FAM_uload32x2 FAM_LOAD
#define FAM_sload32x2 FAM_LOAD
#define FAM_store FAM_STORE
#define FAM_istore8 FAM_STORE
#define FAM_istore16 FAM_STORE
#define FAM_istore32 FAM_STORE
#define FAM_stack_addr FAM_STACK_ADDR
#define FAM_symbol_value FAM_GLOBAL
#define FAM_tls_value FAM_GLOBAL
#define FAM_global_value FAM_GLOBAL
#define FAM_atomic_rmw FAM_ATOMIC
#define FAM_atomic_cas FAM_ATOMIC
#define FAM_atomic_load FAM_ATOMIC
#define FAM_atomic_store FAM_ATOMIC
/* ---- vectors ---- */
#define FAM_splat FAM_LANES
#define FAM_insertlane FAM_LANES
#define FAM_extractlane FAM_LANES
#define FAM_scalar_to_vector FAM_LANES
#define FAM_swizzle FAM_SHUFFLE
#define FAM_x86_pshufb FAM_SHUFFLE
#define FAM_shuffle FAM_SHUFFLE
#define FAM_vany_true FAM_VREDUCE
#define FAM_vall_true FAM_VREDUCE
#define FAM_vhigh_bits FAM_VREDUCE
#define FAM_snarrow FAM_NARROW
#define FAM_unarrow FAM_NARROW
#define FAM_uunarrow FAM_NARROW
#define FAM_swiden_low FAM_WIDEN
#define FAM_swiden_high FAM_WIDEN
#define FAM_uwiden_low FAM_WIDEN
#define FAM_uwiden_high FAM_WIDEN
#define FAM_iadd_pairwise FAM_PAIRWISE
#define FAM_x86_pmaddubsw FAM_PAIRWISE
#define FAM_sqmul_round_sat FAM_QMUL
#define FAM_x86_pmulhrsw FAM_QMUL
/* ---- removed from Cranelift: ir_legacy_rewrite turns them into today's ---- */
#define FAM_iadd_imm FAM_LEGACY
#define FAM_imul_imm FAM_LEGACY
#define FAM_sdiv_imm FAM_LEGACY
#define FAM_srem_imm FAM_LEGACY
#define FAM_irsub_imm FAM_LEGACY
#define FAM_udiv_imm FAM_LEGACY
#define FAM_urem_imm FAM_LEGACY
#define FAM_band_imm FAM_LEGACY
#define FAM_bor_imm FAM_LEGACY
#define FAM_bxor_imm FAM_LEGACY
#define FAM_rotl_imm FAM_LEGACY
#define FAM_rotr_imm FAM_LEGACY
#define FAM_ishl_imm FAM_LEGACY
#define FAM_ushr_imm FAM_LEGACY
#define FAM_sshr_imm FAM_LEGACY
#define FAM_icmp_imm FAM_LEGACY
#define FAM_band_not FAM_LEGACY
#define FAM_bor_not FAM_LEGACY
#define FAM_bxor_not FAM_LEGACY
#define FAM_iadd_cin FAM_LEGACY
#define FAM_iadd_cout FAM_LEGACY
#define FAM_iadd_carry FAM_LEGACY
#define FAM_isub_bin FAM_LEGACY
#define FAM_isub_bout FAM_LEGACY
#define FAM_isub_borrow FAM_LEGACY
#define FAM_stack_load FAM_LEGACY
#define FAM_stack_store FAM_LEGACY
#define FAM_dynamic_stack_load FAM_LEGACY
#define FAM_dynamic_stack_store FAM_LEGACY
#define FAM_fmin_pseudo FAM_LEGACY
#define FAM_fmax_pseudo FAM_LEGACY
#define FAM_vselect FAM_LEGACY
#define FAM_widening_pairwise_dot_product_s FAM_LEGACY
#define FAM_fcvt_low_from_sint FAM_LEGACY
#define FAM_null FAM_LEGACY
#define FAM_is_null FAM_LEGACY
#define FAM_is_invalid FAM_LEGACY
#define FAM_x86_blendv FAM_LEGACY
#define FAM_patchable_call FAM_LEGACY

#endif
