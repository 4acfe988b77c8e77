import Sentiment from 'sentiment';
import type { MessageAssessment, Priority } from '../../common/customer-service.js';

const analyzer = new Sentiment();
/** Words that make a message urgent whatever its mood: the service is down, or money is at stake now. */
const urgentWords =
  /\b(urgent|asap|immediately|emergency|outage|no internet|(?:is|are|went) down|charged twice|fraud)\b/i;
const humanWords =
  /\b(human|real person|a person|someone real|agent|manager|supervisor|representative|speak to|talk to)\b/i;

/**
 * A message's assessment without a model: the AFINN-165 lexicon's score (the `sentiment`
 * package, English words and emoji, with negation) squashed to -1..1, priority from urgent words
 * and the mood, the product whose words the message names first, and whether it asks for a
 * person. The turn's fallback when the model cannot assess: cruder (a word list knows nothing of
 * sarcasm, nor of any language but English), and said to be so by `source`. Pure and
 * deterministic.
 */
export function assessByLexicon(
  text: string,
  products: Readonly<Record<string, readonly string[]>>,
  fallbackReason: string,
): MessageAssessment {
  const { score } = analyzer.analyze(text);
  // tanh(score / 4): one strong word (-3) gives -0.64, two give -0.9.
  const sentiment = Math.round(Math.tanh(score / 4) * 100) / 100;
  const priority: Priority = urgentWords.test(text) ? 'urgent' : sentiment <= -0.5 ? 'high' : 'normal';
  return {
    sentiment,
    priority,
    product: productNamed(text, products),
    wantsHuman: humanWords.test(text) && /\b(talk|speak|want|need|get|give)\b/i.test(text),
    translation: null,
    source: 'lexicon',
    fallbackReason,
  };
}

/** The product whose words appear earliest in the text, if any. */
export function productNamed(
  text: string,
  products: Readonly<Record<string, readonly string[]>>,
): string | null {
  let best: { product: string; at: number } | undefined;
  for (const [product, words] of Object.entries(products))
    for (const word of words) {
      const match = new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').exec(text);
      if (match && (!best || match.index < best.at)) best = { product, at: match.index };
    }
  return best?.product ?? null;
}
