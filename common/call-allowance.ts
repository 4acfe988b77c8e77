/**
 * What a run's caps leave one model call: the call is fitted into it before it is sent (its output
 * allowance lowered), or refused with `ModelCallOverCaps` when even its input does not fit. A run
 * that grants each call in flight its own part of what is left, and counts those parts as spent
 * until the calls end, never goes past its caps with calls it let start. Plain data: it travels in
 * an activity's input.
 */
export interface CallAllowance {
  /** Input plus output tokens the call may use. */
  totalTokens: number;
  /** US dollars the call may cost (worst case, at the model's catalog price); not checked for an unpriced model. */
  costUsd: number;
  /** The least output worth asking for: a call that could write less is refused instead. */
  minOutputTokens: number;
}

/** What a refused call needs at the least (its input and least output): the details of `ModelCallOverCaps`. */
export interface CallNeed {
  totalTokens: number;
  costUsd: number;
}
