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

/**
 * Where a sentence starts: the text's start, after `.`, `!`, `?`, `:` or `;`, a line break or a
 * `|` (which joins an e-mail's header fields), then an opening quote or a bullet, and words that
 * may come before an imperative ("please", "also", "subtly").
 */
const sentenceStart =
  '(?:^|[.!?:;|\\n])\\s*(?:["\'(\\[*>-]\\s*)?(?:(?:please|also|now|then|and|kindly|always|additionally|finally|lastly|moreover|furthermore|just|simply|subtly|discreetly|quietly|casually|naturally|seamlessly|briefly),?\\s+)*';
/** What an assistant produces: the object of an instruction about its answer. */
const replies = '(?:response|reply|answer|output|message|summary|completion)s?';
/** A character inside a sentence: a `.`, `!` or `?` only where no space follows (`example.com`). */
const inSentence = '(?:[^.!?\\n|]|[.!?](?=[^\\s|]))';
/** Verbs that remake an answer: "Modify your answer to ...", "End your reply with ...". */
const reshapingVerbs =
  'modify|alter|enhance|augment|rewrite|rephrase|adjust|edit|begin|start|end|conclude|format|structure|translate|encode|encrypt|scramble|jumble|reverse';
/** Verbs that, first in a sentence, tell the reader what to do with their answer. */
const imperativeVerbs = [
  'add|include|insert|append|prepend|integrate|incorporate|embed|mention|put|place|sprinkle',
  'intersperse|weave|slip|inject|infuse|plug|feature|showcase|cite|quote',
  'modify|change|alter|edit|rewrite|rephrase|enhance|augment|adjust|expand|extend|update|enrich',
  'begin|start|end|finish|conclude|close|open|sign off|format|structure|present|frame|wrap',
  'write|compose|provide|give|use|render|express|make|keep|craft|deliver|return|output',
  'replace|substitute|convert|translate|encode|encrypt|transform|swap|turn|invert|mirror|flip',
  'remove|delete|omit|drop|strip|group|combine|merge|join|split|separate|break up|divide',
  'rearrange|reverse|scramble|jumble|shuffle|introduce|misspell|anagram|spell|capitali[sz]e',
  'uppercase|lowercase|abbreviate|shorten|repeat|duplicate|alternate|number|sort|arrange',
  'respond|reply|answer|suggest|recommend|promote|advertise|endorse|tease|hint|urge|encourage',
  'invite|remind|direct|redirect|refer|link|point|insist|stress|emphasi[sz]e|highlight|offer',
  'advise|warn|claim|argue|advocate|ensure|try|remember|avoid|refrain from|eliminate|exclude',
  'leave out|cut out|mix|pepper|tack on|throw in|work in|hide|conceal|disguise|garble|transpose',
].join('|');
/**
 * What a letter asks its reader to put in their reply, not an instruction to an assistant:
 * "include the reference number in your reply".
 */
const askedForDetails =
  '(?:(?:your|us|me)\\b|(?:(?:the|a|an|our|any|all)\\s+(?:[\\w-]+\\s+){0,2})?(?:number|ids?|references?|codes?|names?|address(?:es)?|details|information|info|photos?|pictures?|screenshots?|receipts?|cop(?:y|ies)|documents?|files?|attachments?|invoices?|dates?|availability|phone|e-?mail|contact|questions?|feedback|comments?|thoughts|opinions?)\\b)';
/** Programming languages, and what is asked of them: a question for an assistant, not a reader. */
const programming =
  '(?:python|javascript|typescript|java|php|c\\+\\+|c#|ruby|golang|rust|kotlin|swift|perl|haskell|bash|powershell|sql|html|css)';
const code =
  '(?:functions?|code|scripts?|snippets?|programs?|examples?|class(?:es)?|methods?|quer(?:y|ies)|regex|regular expressions?|algorithms?|loops?)';
/** How a letter asks for its reply to be sent: "provide your answer using the form below". */
const meansOfSending =
  '(?:the|this|that|our|a|an)\\s+(?:[\\w-]+\\s+)?(?:form|link|portal|button|template|page|website|site|app|system|tool|address|e-?mail|envelope)\\b';
/** Forms an answer is asked to take: "respond only in emojis". */
const answerForms =
  '(?:all )?(?:caps|capitals|capital letters|upper ?case|lower ?case)|pig latin|emojis?|base64|binary|hex(?:adecimal)?|morse code|reverse(?: order)?|backwards|rhymes?|verse|anagrams?|riddles?|numbers only|only numbers|symbols|code words|one word|a single word|haikus?|iambic pentameter|the style of|the voice of';

/** Pieces of creative writing a reader is seldom asked for in a letter, a contract or a page. */
const creativeWork =
  'poems?|(?:short )?stor(?:y|ies)|essays?|speech(?:es)?|songs?|lyrics|haikus?|limericks?|sonnets?|jokes?|riddles?|fables?|fairy tales?|screenplays?|raps?|ballads?|odes?';
const languages =
  '(?:english|french|spanish|german|italian|portuguese|russian|japanese|chinese|mandarin|cantonese|korean|arabic|hindi|dutch|swedish|norwegian|danish|finnish|polish|turkish|greek|latin|hebrew|vietnamese|thai|indonesian|swahili)';

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
    // Indirect injection: a document the assistant reads tells it what to put in its answer
    // ("Add ... to your reply", "In your response, suggest ..."). A letter may ask its reader to
    // write back, but seldom dictates the content or the form of "your response".
    reason: 'directs the reply',
    pattern: new RegExp(
      [
        // Each of these first in a sentence.
        `${sentenceStart}(?:${[
          // "Add ... to your reply", not "include your account number in your reply".
          `(?:${imperativeVerbs})\\b(?!\\s+${askedForDetails})${inSentence}{0,100}\\b(?:in|to|into|within|throughout|from|of) your ${replies}\\b`,
          `(?:in|within|throughout|at the (?:end|start|beginning|top|bottom) of) your ${replies}\\b,?\\s*(?:please\\s+|also\\s+|always\\s+)?(?:${imperativeVerbs})\\b(?!\\s+${askedForDetails})`,
          `(?:${imperativeVerbs})\\b${inSentence}{0,60}\\byour ${replies}\\b${inSentence}{0,40}\\b(?:with|without|using|by [a-z]+ing|so that)\\b(?!\\s+${meansOfSending})`,
          `(?:${reshapingVerbs}) your (?:${replies}|${replies}'s \\w+)\\b`,
          `(?:make sure|ensure|be sure|remember|don't forget|do not forget)\\b${inSentence}{0,100}\\b(?:in|to|into|within|throughout) your ${replies}\\b`,
          `(?:respond|reply|answer|write)(?: only| exclusively| entirely)? (?:in|using|with|through) (?:only )?(?:${languages}|${answerForms})\\b`,
          // Spelling mistakes on purpose: no document asks its reader for them.
          `(?:introduce|include|add|make|use|insert|sprinkle|put|create|leave|respond with|reply with|answer with|write with)\\b${inSentence}{0,30}\\b(?:deliberate|intentional|purposeful|random|occasional|obvious)(?:ly)?\\b${inSentence}{0,20}\\b(?:typos|misspell(?:ings|ed words)|spelling (?:mistakes|errors)|grammatical (?:mistakes|errors)|grammar (?:mistakes|errors))\\b`,
        ].join('|')})`,
        `\\byour ${replies} (?:should|must|needs? to|has to|shall|is to) (?:always |also )?(?:include|contain|mention|end|begin|start|feature|incorporate|promote|encourage|remind|highlight|emphasi[sz]e|stress|be written|use|avoid|omit)\\b`,
      ].join('|'),
    ),
    weight: 0.5,
  },
  {
    // A task for an assistant, out of place in a document: a piece of creative writing, or a
    // translation. Weaker alone than an instruction about the reply: it needs the classifier's
    // agreement to reach the default threshold.
    reason: 'task for an assistant',
    pattern: new RegExp(
      [
        // Each of these first in a sentence.
        `${sentenceStart}(?:${[
          `(?:write|compose|draft|create|generate|produce|craft|develop|provide|give me|prepare|tell me|make up|come up with)\\b${inSentence}{0,40}\\b(?:${creativeWork})\\b`,
          `translate\\b${inSentence}{0,80}\\b(?:in|into|to) ${languages}\\b`,
          `what(?:'s| is| are)(?: the)?(?: ${languages})?(?: for| word for)? ['"][^'"\\n]{1,60}['"] in ${languages}\\b`,
          `provide the ${languages} (?:equivalent|translation|word)s? (?:for|of)\\b`,
          // A piece of code asked for, or a question about a programming language.
          `(?:(?:can|could|would|will) you )?(?:show|give|write|provide|explain|create|generate|share|teach)(?: me| us)?\\b${inSentence}{0,60}\\b(?:${programming}\\b${inSentence}{0,40}\\b${code}|${code}\\b${inSentence}{0,60}\\b(?:in|with|using) ${programming})\\b`,
          `(?:what(?:'s| is| are)|explain|describe) the (?:main |key |primary )?differences? between (?:${programming}\\b|${inSentence}{0,80}\\b(?:in|of) ${programming}\\b)`,
          `how (?:do|can|would|should) (?:i|you|we|one)\\b${inSentence}{0,80}\\b(?:in|with|using) ${programming}\\b`,
          // The assistant's readers, told what to do.
          `(?:encourage|urge|invite|remind|tell|ask|advise|prompt|direct|persuade|convince|motivate|inspire|warn) (?:the |your |all |our )?(?:users?|readers?|viewers?|audiences?|visitors?|followers?) to\\b`,
          // Spelling games that hide what an answer says.
          `(?:remove|eliminate|omit|delete|strip|drop|leave out|take out|get rid of)\\b${inSentence}{0,20}\\b(?:all |every |the )?(?:spaces|whitespace|punctuation|vowels)\\b(?!${inSentence}{0,30}\\b(?:number|code|password|id|name|address|field)s?\\b)`,
          `(?:use|write|put|type)\\b${inSentence}{0,20}\\b(?:numbers?|digits?|symbols?|emojis?)\\b (?:instead of|in place of|for) (?:the |all |every |each )?(?:letters|vowels|consonants|characters|words)\\b`,
          `(?:replace|substitute|swap|convert|change)\\b${inSentence}{0,30}\\b(?:letters?|vowels?|consonants?|characters?)\\b${inSentence}{0,40}\\b(?:with|for|into|to|by) (?:(?:the|their|its|corresponding|following|matching|keyboard|random)\\s+)*(?:numbers?|digits?|symbols?|emojis?|position numbers?)\\b`,
        ].join('|')})`,
        `\\bhow (?:do|would|can) (?:you|i|we) say\\b${inSentence}{0,60}\\bin ${languages}\\b`,
      ].join('|'),
    ),
    weight: 0.4,
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
