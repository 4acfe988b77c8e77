/**
 * Keywords OpenAI's strict mode refuses with a 400 although they are valid JSON Schema (zod emits
 * `oneOf` for discriminated unions, `allOf` for intersections and `default` for defaults).
 */
const strictUnsupportedKeywords = [
  'allOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'dependentRequired',
  'dependentSchemas',
  'default',
];

/** Keywords whose value is one subschema, or an array of them. */
const subschemaKeywords = ['items', 'prefixItems', 'anyOf'];
/** Keywords whose value maps names to subschemas. */
const subschemaMapKeywords = ['properties', '$defs', 'definitions'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isObjectSchema(node: Record<string, unknown>): boolean {
  const { type } = node;
  return type === 'object' || (Array.isArray(type) && type.includes('object')) || isRecord(node.properties);
}

/** Strict mode's rule for objects: no extra keys, and every property listed as required. */
function isClosedObject(node: Record<string, unknown>): boolean {
  if (node.additionalProperties !== false) return false;
  const properties = isRecord(node.properties) ? Object.keys(node.properties) : [];
  const required = Array.isArray(node.required) ? node.required : [];
  return properties.every((name) => required.includes(name));
}

function childSchemas(node: Record<string, unknown>): unknown[] {
  const children: unknown[] = [];
  for (const key of subschemaKeywords) {
    const value = node[key];
    if (Array.isArray(value)) children.push(...(value as unknown[]));
    else if (isRecord(value)) children.push(value);
  }
  for (const key of subschemaMapKeywords) {
    const value = node[key];
    if (isRecord(value)) children.push(...Object.values(value));
  }
  return children;
}

function isStrictNode(node: unknown): boolean {
  // `true`, `false` and anything unexpected: not worth the risk of a rejected request.
  if (!isRecord(node)) return false;
  if (strictUnsupportedKeywords.some((keyword) => keyword in node)) return false;
  if (isObjectSchema(node) && !isClosedObject(node)) return false;
  return childSchemas(node).every(isStrictNode);
}

/**
 * Whether OpenAI accepts `schema` with `strict: true`: the root is an object, and every object
 * schema in it (nested in properties, items, anyOf or $defs) is closed with
 * `additionalProperties: false` and requires all its properties, with none of the keywords strict
 * mode rejects. A schema that fails this is still sent, with `strict: false`: OpenAI would
 * answer `strict: true` with a 400 for the whole request, whereas a loose schema only makes the
 * caller's own validation (and repair) do the enforcing.
 */
export function isStrictCompatibleSchema(schema: Record<string, unknown>): boolean {
  return schema.type === 'object' && isStrictNode(schema);
}
