/** The tools every llmos worker built by `createActivitiesFromConfig` offers. */
export const builtInToolNames = [
  'calculator',
  'http_get',
  'retrieve',
  'create_ticket',
  'send_email',
  'order_status',
  'check_warranty',
  'escalate_to_human',
] as const;

/**
 * Joins an MCP server's name and one of its tools' into the name a model sees (`files__read_file`):
 * providers allow letters, digits, `_` and `-` only, so no other character could mark the join.
 * Neither a server's name nor an llmos tool's may hold it.
 */
export const mcpToolSeparator = '__';
