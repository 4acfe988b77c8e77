/**
 * The third layer: the forms injections take, as patterns with a weight each. They run on the
 * normalised text (lower-cased here), so each is written once, in plain ASCII.
 */

export interface Heuristic {
  /** The reason a verdict names. */
  reason: string;
  pattern: RegExp;
  /** How much a match alone says, 0..1. */
  weight: number;
}

const instructions =
  '(?:instructions?|prompts?|rules|directions|directives|guidelines|guidance|context|commands?|programming|restrictions|constraints|polic(?:y|ies))';

export const heuristics: readonly Heuristic[] = [
  {
    reason: 'instruction override',
    pattern: new RegExp(
      `\\b(?:ignore|disregard|forget|override|bypass|skip|drop|abandon|neglect)\\b[^.!?\\n]{0,40}\\b(?:previous|prior|above|earlier|preceding|original|initial|all|any|your|the|these|those|system)\\b[^.!?\\n]{0,25}\\b${instructions}\\b`,
    ),
    weight: 0.9,
  },
  {
    reason: 'new instructions',
    pattern:
      /\b(?:new|updated|real|actual|true|secret|hidden)\s+(?:instructions?|task|rules|system prompt|directive)\b|\bfrom now on\b|\bstarting now\b,? you\b/,
    weight: 0.6,
  },
  {
    reason: 'role change',
    pattern:
      /\byou (?:are|will be|will act as|shall be|must act as) now\b|\byou are no longer\b|\b(?:act|behave|respond) as (?:if you were |an? )?(?:unfiltered|uncensored|unrestricted|evil|jailbroken|different)\b|\bpretend (?:to be|you are|that you)\b|\broleplay as\b|\bsimulate (?:a|an) (?:ai|chatbot|model)\b/,
    weight: 0.6,
  },
  {
    reason: 'jailbreak persona',
    pattern:
      /\b(?:dan|stan|dude|aim|developer mode|jailbreak(?:ed)?|do anything now|god mode|no restrictions|without (?:any )?(?:restrictions|limitations|filters|censorship)|unfiltered|uncensored|ethical guidelines|content polic(?:y|ies)|openai polic(?:y|ies))\b/,
    weight: 0.55,
  },
  {
    reason: 'prompt extraction',
    pattern: new RegExp(
      `\\b(?:reveal|show|print|repeat|output|display|leak|tell me|give me|write out|spell out)\\b[^.!?\\n]{0,30}\\b(?:system prompt|initial prompt|hidden prompt|your ${instructions}|the ${instructions} (?:above|you were given)|everything above)\\b`,
    ),
    weight: 0.8,
  },
  {
    reason: 'role or delimiter smuggling',
    pattern:
      /<<\s*\/?\s*sys\s*>>|\[\/?inst\]|<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|<\/?\s*(?:system|instructions?|assistant|untrusted)\b[^>]*>|^\s*#{2,}\s*(?:system|instruction|new task)\b|^\s*(?:system|assistant)\s*:/m,
    weight: 0.8,
  },
  {
    reason: 'addresses the assistant',
    pattern:
      /\b(?:ai|assistant|chatbot|language model|llm|gpt|claude|chatgpt)\b[^.!?\n]{0,40}\b(?:must|should|needs? to|have to|will|are required to|is instructed to)\b[^.!?\n]{0,40}\b(?:ignore|reply|respond|answer|say|tell|send|include|output|write)\b/,
    weight: 0.5,
  },
  {
    reason: 'exfiltration',
    pattern:
      /!\[[^\]]*\]\(\s*https?:\/\/[^)\s]*[?&][^)\s]*=|\b(?:send|forward|post|upload|email|leak)\b[^.!?\n]{0,40}\b(?:conversation|chat history|system prompt|api key|password|credentials|personal data|this data)\b[^.!?\n]{0,30}\b(?:to|at)\b/,
    weight: 0.7,
  },
];

/** The heuristics that match `text` (already normalised). */
export function matchHeuristics(text: string): Heuristic[] {
  const lower = text.toLowerCase();
  return heuristics.filter((heuristic) => heuristic.pattern.test(lower));
}
