/**
 * A synthetic but realistic traffic trace for the cost and flow control benchmark (routing,
 * exact cache, breakers): 1,000 requests, deterministic for a given seed.
 *
 *   node --import tsx scripts/bench/generate-traffic-trace.ts [--seed 20261129] [--count 1000] [--out scripts/bench/traffic-trace.jsonl]
 *
 * What makes it realistic, and what each part exercises:
 * - a skewed mix: about 70% simple tasks (lookups, classification, formatting, small arithmetic)
 *   that a small model handles, 30% complex ones (multi-step reasoning, long documents to
 *   summarize, tool use) that need a large one: a router's savings depend on that skew;
 * - repeats: about a quarter of requests repeat an earlier one verbatim, with Zipf-like
 *   popularity: a few are asked many times (the exact cache's hits) and most only once;
 * - agent turns: the first call of a tool-using task, where the model chooses its tools (complex),
 *   and later calls that read a short tool result to answer (simple, though the run offers tools);
 * - temperature mostly 0, some 0.7: a correct cache serves only the former by default;
 * - bursty arrivals: calm stretches and bursts (a batch job, a busy minute), which is when a
 *   rate limit or a failing provider hurts and a breaker or a queue earns its keep.
 *
 * Each line: {id, at, kind, messages, needsTools, temperature, expectedComplexity}; `at` is the
 * arrival in milliseconds from the start of the trace, non-decreasing.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ChatMessageSchema } from '../../common/chat.js';

export const TraceKindSchema = z.enum([
  'lookup',
  'classification',
  'formatting',
  'arithmetic',
  'reasoning',
  'summarization',
  'tool_use',
  'tool_followup',
]);
export type TraceKind = z.infer<typeof TraceKindSchema>;

/** One line of the trace; a benchmark reads the file back with this schema. */
export const TraceRequestSchema = z
  .object({
    id: z.string().regex(/^req-\d{4,}$/),
    at: z.number().int().nonnegative(),
    kind: TraceKindSchema,
    messages: z.array(ChatMessageSchema).min(1),
    needsTools: z.boolean(),
    temperature: z.union([z.literal(0), z.literal(0.7)]),
    expectedComplexity: z.enum(['simple', 'complex']),
  })
  .strict();
export type TraceRequest = z.infer<typeof TraceRequestSchema>;

/** Mulberry32: a tiny, fast PRNG with good enough spread for test data; same seed, same trace. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (random: Random, low: number, high: number): number =>
  low + Math.floor(random() * (high - low + 1));

/** A distinct request before it is placed in time; several trace lines may share one. */
type Template = Omit<TraceRequest, 'id' | 'at'>;

const system = {
  assistant: 'You are a helpful assistant. Answer briefly and precisely.',
  classifier: 'You are a classifier. Reply with exactly one label from the list given, and nothing else.',
  formatter: 'You reformat text exactly as asked. Reply with the result only, no commentary.',
  reasoner:
    'You are a careful analyst. Think step by step, check each step, and end with a line "Answer: <answer>".',
  summarizer:
    'You summarize documents for busy readers: a one-sentence gist, then at most five bullet points with the facts that matter (names, dates, amounts, obligations).',
  agent:
    'You are an agent with tools: calculator (arithmetic) and http_get (fetch a URL from the allowed hosts). Use a tool whenever a fact or a number must be exact; end with "Answer: <answer>".',
};

const countries = [
  ['France', 'Paris'],
  ['Japan', 'Tokyo'],
  ['Canada', 'Ottawa'],
  ['Australia', 'Canberra'],
  ['Brazil', 'Brasília'],
  ['Kenya', 'Nairobi'],
  ['Norway', 'Oslo'],
  ['Chile', 'Santiago'],
  ['Vietnam', 'Hanoi'],
  ['Morocco', 'Rabat'],
  ['Poland', 'Warsaw'],
  ['New Zealand', 'Wellington'],
  ['Egypt', 'Cairo'],
  ['Peru', 'Lima'],
  ['Finland', 'Helsinki'],
  ['Thailand', 'Bangkok'],
  ['Ghana', 'Accra'],
  ['Portugal', 'Lisbon'],
  ['Mongolia', 'Ulaanbaatar'],
  ['Argentina', 'Buenos Aires'],
  ['Turkey', 'Ankara'],
  ['Switzerland', 'Bern'],
  ['Nigeria', 'Abuja'],
  ['South Korea', 'Seoul'],
] as const;
const terms = [
  'idempotency',
  'a circuit breaker',
  'exponential backoff',
  'a write-ahead log',
  'eventual consistency',
  'a bloom filter',
  'tail latency',
  'a token bucket',
  'backpressure',
  'a dead-letter queue',
  'sharding',
  'a vector clock',
];
const units = [
  ['12 miles', 'kilometres'],
  ['70 kg', 'pounds'],
  ['350 °F', '°C'],
  ['2.5 litres', 'US cups'],
  ['5 feet 11 inches', 'centimetres'],
  ['90 km/h', 'miles per hour'],
] as const;

const httpStatuses = [200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503, 504];

function lookup(random: Random): Template {
  const variant = between(random, 0, 3);
  let content: string;
  if (variant === 0) content = `What is the capital of ${pick(random, countries)[0]}?`;
  else if (variant === 1) content = `In one sentence, what is ${pick(random, terms)}?`;
  else if (variant === 2) content = `What does HTTP status ${pick(random, httpStatuses)} mean? One line.`;
  else {
    const [amount, unit] = pick(random, units);
    content = `Convert ${amount.replace(/^[\d.]+/, String(between(random, 2, 120)))} to ${unit}. Give the number only.`;
  }
  return simple('lookup', system.assistant, content);
}

const reviewOpenings = [
  'The battery lasts two days and the screen is gorgeous.',
  'Arrived broken, and support ignored three emails.',
  'It works.',
  'Setup took five minutes and the app is intuitive.',
  'The wrong size was delivered, but the refund was quick.',
  'Stopped charging after a week.',
  'My kids love it and it survived a fall down the stairs.',
  'Overpriced for what it does.',
  'Sound quality is excellent for the price.',
  'The instructions were missing and the parts did not fit.',
];
const reviewEndings = [
  'Best purchase this year.',
  'Never again.',
  'Nothing special, nothing wrong.',
  'The fan is louder than I expected, though.',
  'Fair enough.',
  'The cheaper model is just as good.',
  'Would buy again.',
  '',
];
const tickets = [
  'I was charged twice for my March invoice.',
  'The export button does nothing in Firefox.',
  'How do I add a second admin to our workspace?',
  'Please delete my account and all my data.',
  'The API returns 500 when the payload has an emoji.',
  'Can we get an invoice with our VAT number on it?',
  'Login emails take 20 minutes to arrive.',
  'Is there a discount for non-profits?',
  'The dashboard shows yesterday as empty.',
  'We want to move from monthly to yearly billing.',
];
const ticketContexts = ['', 'We are on the Team plan.', 'This is urgent.', 'Thanks!', 'Second time I ask.'];

function classification(random: Random): Template {
  if (random() < 0.5) {
    const review = `${pick(random, reviewOpenings)} ${pick(random, reviewEndings)}`.trim();
    return simple(
      'classification',
      system.classifier,
      `Labels: positive, negative, neutral.\nReview: ${review}`,
    );
  }
  const ticket = `${pick(random, tickets)} ${pick(random, ticketContexts)}`.trim();
  return simple(
    'classification',
    system.classifier,
    `Labels: billing, bug, account, how-to, sales.\nTicket: ${ticket}`,
  );
}

const firstNames = [
  'ada',
  'grace',
  'alan',
  'katherine',
  'edsger',
  'barbara',
  'donald',
  'margaret',
  'john',
  'frances',
];
const lastNames = [
  'lovelace',
  'hopper',
  'turing',
  'johnson',
  'dijkstra',
  'liskov',
  'knuth',
  'hamilton',
  'backus',
  'allen',
];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A name with the kind of mess people type: shouting, lower case, doubled spaces. */
function messyName(random: Random): string {
  const name = `${pick(random, firstNames)}${pick(random, [' ', '  ', '   '])}${pick(random, lastNames)}`;
  return pick(random, [name, name.toUpperCase(), name.replace(/^./, (c) => c.toUpperCase())]);
}

function messyDate(random: Random): string {
  const day = between(random, 1, 28);
  const month = between(random, 1, 12);
  const year = between(random, 2019, 2026);
  return pick(random, [
    `${months[month - 1]} ${day}, ${year}`,
    `${day}/${month}/${String(year).slice(2)}`,
    `${year}.${String(month).padStart(2, '0')}.${String(day).padStart(2, '0')}`,
    `${day} ${months[month - 1]} ${year}`,
    `${String(day).padStart(2, '0')}-${months[month - 1]}-${year}`,
  ]);
}

function formatting(random: Random): Template {
  const variant = between(random, 0, 2);
  const content =
    variant === 0
      ? `Rewrite this name in title case with single spaces: ${messyName(random)}`
      : variant === 1
        ? `Rewrite this date as ISO 8601 (YYYY-MM-DD), reading it as day-first where ambiguous: ${messyDate(random)}`
        : `Turn this into a JSON array of strings: ${Array.from({ length: between(random, 3, 6) }, () =>
            pick(random, ['apples', 'pears', 'plums', 'figs', 'kiwis', 'limes', 'dates']),
          ).join('; ')}`;
  return simple('formatting', system.formatter, content);
}

function arithmetic(random: Random): Template {
  const variant = between(random, 0, 2);
  const content =
    variant === 0
      ? `What is ${pick(random, [3, 5, 12, 15, 17.5, 20])}% of ${between(random, 2, 40) * 250}?`
      : variant === 1
        ? `What is ${between(random, 12, 99)} × ${between(random, 3, 19)}?`
        : `A bill of $${between(random, 20, 180)} is split between ${between(random, 2, 6)} people. How much does each pay, to the cent?`;
  return simple('arithmetic', system.assistant, content);
}

function reasoning(random: Random): Template {
  const workers = between(random, 3, 9);
  const hours = between(random, 4, 12);
  const variants = [
    `A warehouse has ${workers} packers. Each packs ${between(random, 11, 30)} boxes an hour for the first ${hours} hours of a shift and 20% fewer after that; a shift is ${hours + between(random, 1, 4)} hours. Orders arrive at ${between(random, 600, 1500)} boxes per shift and unpacked boxes carry over. After ${between(random, 3, 7)} shifts, how many boxes are waiting, and how many packers would keep the backlog at zero?`,
    `Three services call each other: A calls B ${between(random, 2, 4)} times per request, B calls C ${between(random, 2, 5)} times per call, and each call to C fails independently with probability ${pick(random, ['1%', '0.5%', '2%'])}. With up to 2 retries at each hop, what fraction of requests to A fail? Explain each step.`,
    `Plan a ${between(random, 3, 6)}-city rail trip starting and ending in ${pick(random, ['Lyon', 'Vienna', 'Milan', 'Munich'])}, at most ${between(random, 4, 6)} hours of travel a day, with one rest day after every two travel days, within ${between(random, 9, 14)} days. List a feasible itinerary and justify why no shorter one exists.`,
    `A loan of $${between(random, 10, 90) * 1000} at ${pick(random, ['4.5', '5.25', '6.9'])}% a year is repaid monthly over ${pick(random, [3, 5, 7])} years. Work out the monthly payment, then how much interest is saved by paying an extra $${between(random, 1, 5) * 50} a month.`,
    `An A/B test shows variant B converting ${between(random, 420, 480)} of ${between(random, 9000, 11000)} visitors and A ${between(random, 380, 440)} of ${between(random, 9000, 11000)}. Is the difference significant at the 5% level? Give the test, the statistic and your conclusion, and say what you would check before shipping B.`,
  ];
  return complex('reasoning', system.reasoner, pick(random, variants), false);
}

const documentKinds = [
  {
    title: 'Master services agreement',
    parties: ['Northwind Logistics Ltd.', 'Contoso Analytics GmbH', 'Fabrikam Health Inc.'],
    sentences: [
      'The Supplier shall deliver the Services described in Schedule {n} in accordance with the Service Levels.',
      'Either party may terminate this Agreement on {n} days written notice if the other party commits a material breach that is not remedied.',
      'Fees are payable within {n} days of the date of a valid invoice, and late payments bear interest at {n}% per year.',
      "The Supplier's total liability in any contract year shall not exceed {n} times the fees paid in that year.",
      'Each party shall keep the Confidential Information of the other party secret for {n} years after termination.',
      'The Customer may audit the Supplier once per year on {n} business days notice.',
      'Personal data shall be processed only on documented instructions and deleted within {n} days of the end of the Services.',
      'Neither party is liable for delay caused by events beyond its reasonable control lasting less than {n} days.',
    ],
  },
  {
    title: 'Incident post-mortem',
    parties: ['the payments team', 'the platform team', 'the on-call SRE'],
    sentences: [
      'At {n}:{n} UTC the error rate of the checkout API rose above {n}% and the pager fired.',
      'The root cause was a connection pool of {n} connections exhausted by a retry storm after a database failover.',
      'Mitigation began {n} minutes after the page, when traffic was shifted to the secondary region.',
      'About {n} orders failed and were retried automatically; {n} customers were charged twice and refunded.',
      'A configuration change deployed {n} hours earlier had removed the jitter from client retries.',
      'Action item {n}: add a circuit breaker in front of the ledger service and cap retries at {n}.',
      'Dashboards did not show queue depth, which delayed diagnosis by roughly {n} minutes.',
      'The incident was declared resolved at {n}:{n} UTC after {n} minutes of stable metrics.',
    ],
  },
  {
    title: 'Quarterly business review',
    parties: ['Sales', 'Customer Success', 'Finance'],
    sentences: [
      'Revenue for the quarter was ${n} million, {n}% above plan and {n}% above the same quarter last year.',
      'Net revenue retention reached {n}%, driven by expansion in the enterprise segment.',
      'Churn rose to {n}% in the small-business segment after the price change in month {n}.',
      'The sales cycle for new enterprise deals lengthened from {n} to {n} days.',
      'Gross margin improved by {n} points as inference costs fell after the model routing project.',
      'Headcount grew by {n}, below the plan of {n}, mainly because of slow hiring in engineering.',
      'The pipeline for next quarter stands at ${n} million, with {n} deals above $100k.',
      'Support tickets per customer fell {n}% after the new onboarding guide shipped.',
    ],
  },
  {
    title: 'Research paper',
    parties: ['the authors', 'the baseline', 'the ablation'],
    sentences: [
      'We evaluate on {n} benchmarks and report mean accuracy over {n} seeds.',
      'The proposed method improves accuracy by {n} points over the strongest baseline at {n}% of its cost.',
      'Removing the retrieval component lowers accuracy by {n} points, the largest effect in the ablation.',
      'Results degrade for inputs longer than {n} thousand tokens, which we attribute to position bias.',
      'Human raters preferred our outputs in {n}% of {n} pairwise comparisons.',
      'Training used {n} GPUs for {n} hours; inference runs at {n} tokens per second.',
      'A limitation is that all benchmarks are in English, and {n} of them may overlap with pre-training data.',
      'We release code and {n} thousand annotated examples under a permissive license.',
    ],
  },
];

function summarization(random: Random): Template {
  const kind = pick(random, documentKinds);
  const paragraphs: string[] = [];
  const paragraphCount = between(random, 6, 18);
  for (let p = 0; p < paragraphCount; p += 1) {
    const sentences = Array.from({ length: between(random, 4, 8) }, () =>
      pick(random, kind.sentences).replace(/\{n\}/g, () => String(between(random, 2, 98))),
    );
    paragraphs.push(`${pick(random, kind.parties)}: ${sentences.join(' ')}`);
  }
  const document = `${kind.title} (ref. ${between(random, 1000, 9999)})\n\n${paragraphs.join('\n\n')}`;
  return complex(
    'summarization',
    system.summarizer,
    `Summarize this document.\n\n<document>\n${document}\n</document>`,
    false,
  );
}

function toolUse(random: Random): Template {
  const variants = [
    `Fetch https://api.example.com/fx/latest and convert ${between(random, 100, 9000)} EUR to JPY at the rate it gives, rounded to the yen.`,
    `Fetch https://status.example.com/api/v2/incidents.json, count the incidents of the last ${between(random, 7, 30)} days by severity, and compute the mean time to resolve in minutes.`,
    `Our invoice has lines of ${Array.from({ length: between(random, 4, 9) }, () => `$${between(random, 5, 900)}.${between(random, 10, 99)}`).join(', ')}. Add ${pick(random, ['8.25', '19', '7.5', '20'])}% tax to each line, then the ${pick(random, ['2%', '5%', '$15'])} discount on the total, and give the amount due.`,
    `Fetch https://data.example.com/weather/${pick(random, ['oslo', 'lima', 'perth', 'denver'])}.json and tell me the average high for the next ${between(random, 3, 7)} days in °C and °F.`,
    `What is the compound growth rate of a metric that went from ${between(random, 1000, 5000)} to ${between(random, 6000, 20000)} over ${between(random, 3, 9)} years? Use the calculator for every step.`,
  ];
  return complex('tool_use', system.agent, pick(random, variants), true);
}

/**
 * An agent's later turn: the tools were chosen, one answered with a short result, and the model
 * reads it to answer (a simple call, whatever the run offers).
 */
function toolFollowup(random: Random): Template {
  const a = between(random, 12, 990);
  const b = between(random, 2, 99);
  const [question, call, result] = pick(random, [
    [`What is ${a} × ${b}?`, { name: 'calculator', arguments: { expression: `${a} * ${b}` } }, String(a * b)],
    [
      `How much is ${a} EUR in USD today?`,
      { name: 'http_get', arguments: { url: 'https://api.example.com/fx/latest?base=EUR' } },
      `{"base":"EUR","rates":{"USD":1.0${b}}}`,
    ],
    [
      `Is https://status.example.com up?`,
      { name: 'http_get', arguments: { url: 'https://status.example.com/api/v2/status.json' } },
      `{"status":{"indicator":"none","description":"All Systems Operational"}}`,
    ],
  ] as const);
  const id = `call_${between(random, 1000, 9999)}`;
  return {
    ...simple('tool_followup', system.agent, question),
    messages: [
      { role: 'system', content: system.agent },
      { role: 'user', content: question },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id, name: call.name, arguments: JSON.stringify(call.arguments) }],
      },
      { role: 'tool', toolCallId: id, toolName: call.name, content: result, isError: false },
    ],
    needsTools: true,
  };
}

function simple(kind: TraceKind, systemPrompt: string, content: string): Template {
  return {
    kind,
    messages: [
      { role: 'system', content: systemPrompt },
      { role: 'user', content },
    ],
    needsTools: false,
    temperature: 0,
    expectedComplexity: 'simple',
  };
}

function complex(kind: TraceKind, systemPrompt: string, content: string, needsTools: boolean): Template {
  return { ...simple(kind, systemPrompt, content), needsTools, expectedComplexity: 'complex' };
}

/** Share of traffic per kind: simple tasks dominate, as in most production LLM traffic. */
const mix: readonly [number, (random: Random) => Template][] = [
  [0.21, lookup],
  [0.16, classification],
  [0.13, formatting],
  [0.14, arithmetic],
  [0.12, reasoning],
  [0.08, summarization],
  [0.09, toolUse],
  [0.07, toolFollowup],
];

function drawTemplate(random: Random): Template {
  let roll = random();
  for (const [share, make] of mix) {
    if (roll < share) return make(random);
    roll -= share;
  }
  return mix[mix.length - 1]![1](random);
}

/**
 * Arrival gaps from a two-state process: calm (a request every ~1.2 s on average) and bursts
 * (every ~40 ms), each state lasting a geometric number of requests.
 */
function arrivals(random: Random, count: number): number[] {
  const exponential = (mean: number) => -Math.log(1 - random()) * mean;
  const times: number[] = [];
  let now = 0;
  let bursting = false;
  for (let i = 0; i < count; i += 1) {
    if (random() < (bursting ? 0.06 : 0.04)) bursting = !bursting;
    now += exponential(bursting ? 40 : 1_200);
    times.push(Math.round(now));
  }
  return times;
}

export interface TraceOptions {
  seed: number;
  count: number;
  /** Share of requests that repeat an earlier one verbatim. */
  repeatShare?: number | undefined;
}

/**
 * The trace. Each request is, with probability `repeatShare`, an exact copy of an earlier
 * request picked uniformly among all earlier ones, else a fresh draw from the mix. Copying in
 * proportion to past requests is Simon's rich-get-richer model: popularity ends up Zipf-like
 * (a few requests asked many times, a long tail asked once) while the kind mix stays as drawn.
 * About 15% of fresh requests are sampled at temperature 0.7.
 */
export function generateTrafficTrace({ seed, count, repeatShare = 0.25 }: TraceOptions): TraceRequest[] {
  const random = mulberry32(seed);
  const times = arrivals(random, count);
  const templates: Template[] = [];
  return times.map((at, index) => {
    let template: Template;
    if (templates.length > 0 && random() < repeatShare) {
      template = templates[Math.floor(random() * templates.length)]!;
    } else {
      template = drawTemplate(random);
      if (random() < 0.15) template.temperature = 0.7;
    }
    templates.push(template);
    return TraceRequestSchema.parse({
      id: `req-${String(index + 1).padStart(4, '0')}`,
      at,
      ...structuredClone(template),
    });
  });
}

/** Counts that show the trace has the shape it claims; printed after writing it. */
export function describeTrace(trace: readonly TraceRequest[]) {
  const identities = new Map<string, number>();
  for (const request of trace) {
    const identity = JSON.stringify([request.messages, request.temperature]);
    identities.set(identity, (identities.get(identity) ?? 0) + 1);
  }
  const byKind: Record<string, number> = {};
  for (const request of trace) byKind[request.kind] = (byKind[request.kind] ?? 0) + 1;
  const repeats = trace.length - identities.size;
  return {
    requests: trace.length,
    distinct: identities.size,
    exactRepeats: repeats,
    mostAsked: Math.max(...identities.values()),
    simple: trace.filter((request) => request.expectedComplexity === 'simple').length,
    complex: trace.filter((request) => request.expectedComplexity === 'complex').length,
    needsTools: trace.filter((request) => request.needsTools).length,
    temperature07: trace.filter((request) => request.temperature > 0).length,
    durationMs: trace.at(-1)?.at ?? 0,
    byKind,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '20261129' },
      count: { type: 'string', default: '1000' },
      out: { type: 'string', default: path.join(import.meta.dirname, 'traffic-trace.jsonl') },
    },
  });
  const seed = Number(values.seed);
  const count = Number(values.count);
  if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 1) {
    console.error('--seed and --count must be whole numbers, --count at least 1');
    process.exit(2);
  }
  const trace = generateTrafficTrace({ seed, count });
  writeFileSync(values.out, trace.map((request) => JSON.stringify(request)).join('\n') + '\n');
  console.log(`wrote ${values.out}`);
  console.log(JSON.stringify(describeTrace(trace), null, 2));
}
