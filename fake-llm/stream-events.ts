/**
 * A reply in the streamed form of each protocol, built from the body the server would send whole,
 * so a streamed answer and a whole one always say the same thing. Text and tool arguments go out a
 * word at a time, as real models send them in small pieces.
 */
import { streamPieces } from '../activities/llm/scripted/stream-pieces.js';

/** One server-sent event: its `event:` name (Anthropic names them, OpenAI does not) and its data. */
export interface StreamEvent {
  readonly event?: string;
  /** JSON-encoded into the `data:` line; a string is sent as it is (OpenAI's `[DONE]`). */
  readonly data: unknown;
}

interface OpenAiCompletion {
  id: string;
  created: number;
  model: string;
  choices: {
    message: {
      content: string | null;
      tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
    };
    finish_reason: string;
  }[];
  usage: unknown;
  system_fingerprint: string;
}

/**
 * OpenAI's `chat.completion.chunk` events for a completion: the role, the content in pieces, each
 * tool call (its id and name, then its arguments in pieces), the finish reason, the usage when the
 * request asked for it (`stream_options.include_usage`), and `[DONE]`.
 */
export function openAiStreamEvents(body: unknown, options: { includeUsage: boolean }): StreamEvent[] {
  const completion = body as OpenAiCompletion;
  const choice = completion.choices[0]!;
  const chunk = (delta: object, finishReason: string | null = null): StreamEvent => ({
    data: {
      id: completion.id,
      object: 'chat.completion.chunk',
      created: completion.created,
      model: completion.model,
      system_fingerprint: completion.system_fingerprint,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    },
  });
  const events = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const piece of streamPieces(choice.message.content ?? '')) events.push(chunk({ content: piece }));
  (choice.message.tool_calls ?? []).forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      }),
    );
    for (const piece of streamPieces(call.function.arguments))
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  events.push(chunk({}, choice.finish_reason));
  if (options.includeUsage)
    events.push({
      data: {
        id: completion.id,
        object: 'chat.completion.chunk',
        created: completion.created,
        model: completion.model,
        choices: [],
        usage: completion.usage,
      },
    });
  events.push({ data: '[DONE]' });
  return events;
}

interface AnthropicMessage {
  content: (
    { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown }
  )[];
  stop_reason: string;
  stop_sequence: null;
  usage: { output_tokens: number };
}

/**
 * Anthropic's events for a message: `message_start` (the message without content, input usage),
 * for each block a start, its deltas (text, or the tool input's JSON in pieces) and a stop, then
 * `message_delta` with the stop reason and output usage, and `message_stop`.
 */
export function anthropicStreamEvents(body: unknown): StreamEvent[] {
  const message = body as AnthropicMessage;
  const named = (type: string, data: object): StreamEvent => ({ event: type, data: { type, ...data } });
  const events = [
    named('message_start', {
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...message.usage, output_tokens: 1 },
      },
    }),
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(named('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const text of streamPieces(block.text))
        events.push(named('content_block_delta', { index, delta: { type: 'text_delta', text } }));
    } else {
      events.push(named('content_block_start', { index, content_block: { ...block, input: {} } }));
      for (const partial_json of streamPieces(JSON.stringify(block.input)))
        events.push(
          named('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }),
        );
    }
    events.push(named('content_block_stop', { index }));
  });
  events.push(
    named('message_delta', {
      delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
      usage: { output_tokens: message.usage.output_tokens },
    }),
    named('message_stop', {}),
  );
  return events;
}
