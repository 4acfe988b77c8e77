import type { ChatMessage } from '../../common/chat.js';
import { cutToolResult } from '../../common/compact-conversation.js';

/** The note the question carries once steps were left out. */
const droppedNote = /\n\n\[(\d+) earlier steps? (?:was|were) left out to fit the context window\]$/;

export interface FittedConversation {
  messages: ChatMessage[];
  /** Input tokens of the fitted messages, as `countMessage` counts them. */
  tokens: number;
  /** Tool results cut to their first characters. */
  cutResults: number;
  /** Whole earlier steps (an assistant turn and its tool results) left out. */
  droppedSteps: number;
}

/**
 * Fits a conversation's messages into `budget` tokens before it is sent, so that a long run never
 * meets the provider's context-length refusal: first the tool results of earlier steps are cut to
 * their first 500 characters, oldest first; then whole earlier steps are left out, oldest first,
 * each an assistant turn with its tool results (a tool call never loses its result), and the
 * first user message says how many; last, the latest step's own results are cut. System
 * messages, the first user message and the latest step are always kept.
 * Returns undefined when even that does not fit: the question itself is over the budget. Pure.
 */
export function fitConversation(
  messages: readonly ChatMessage[],
  budget: number,
  countMessage: (message: ChatMessage) => number,
): FittedConversation | undefined {
  const fitted = [...messages];
  const costs = fitted.map(countMessage);
  let tokens = costs.reduce((sum, cost) => sum + cost, 0);
  const replace = (index: number, message: ChatMessage) => {
    const cost = countMessage(message);
    tokens += cost - costs[index]!;
    fitted[index] = message;
    costs[index] = cost;
  };
  // Steps: each assistant turn with the tool results after it. The latest one is the run's present.
  const firstUser = fitted.findIndex((message) => message.role === 'user');
  const stepStarts = fitted.flatMap((message, index) =>
    message.role === 'assistant' && index > firstUser ? [index] : [],
  );
  const present = stepStarts.at(-1) ?? fitted.length;
  const cutResults = (from: number, to: number) => {
    let cut = 0;
    for (let index = from; index < to && tokens > budget; index += 1) {
      const cutOne = cutToolResult(fitted[index]!);
      if (!cutOne) continue;
      replace(index, cutOne);
      cut += 1;
    }
    return cut;
  };
  let cut = cutResults(0, present);
  let droppedSteps = 0;
  const dropped = new Set<number>();
  for (const start of stepStarts.slice(0, -1)) {
    if (tokens <= budget) break;
    let end = start + 1;
    while (end < fitted.length && fitted[end]!.role === 'tool') end += 1;
    for (let index = start; index < end; index += 1) {
      dropped.add(index);
      tokens -= costs[index]!;
    }
    droppedSteps += 1;
  }
  if (droppedSteps > 0 && firstUser >= 0) {
    // One note, counting the steps left out by every fitting so far.
    const question = fitted[firstUser] as Extract<ChatMessage, { role: 'user' }>;
    const earlier = droppedNote.exec(question.content);
    const total = droppedSteps + (earlier ? Number(earlier[1]) : 0);
    const text = earlier ? question.content.slice(0, earlier.index) : question.content;
    const note = `\n\n[${total} earlier step${total === 1 ? ' was' : 's were'} left out to fit the context window]`;
    replace(firstUser, { ...question, content: `${text}${note}` });
  }
  // Last: the present step's own results.
  cut += cutResults(present, fitted.length);
  if (tokens > budget) return undefined;
  return {
    messages: fitted.filter((_, index) => !dropped.has(index)),
    tokens,
    cutResults: cut,
    droppedSteps,
  };
}
