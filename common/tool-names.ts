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
