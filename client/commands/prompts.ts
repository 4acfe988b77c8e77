import { InvalidArgumentError, type Command } from 'commander';
import type { PromptTemplate } from '../../common/prompt-template.js';

/** `--var name=value`, repeatable; the value may be empty or contain `=`. */
function collectVariable(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`"${value}" is not name=value.`);
  return { ...previous, [value.slice(0, equals)]: value.slice(equals + 1) };
}

/** The library a worker started with this environment would load. */
async function loadLibrary() {
  const { workerPromptLibrary } = await import('../../workers/local-tools/prompts.js');
  return workerPromptLibrary();
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
  );
}

export function registerPromptsCommands(program: Command): void {
  const prompts = program
    .command('prompts')
    .description('List the prompt templates a worker started here would load, or render one');

  prompts
    .command('list', { isDefault: true })
    .description('List every template (ref, system message tokens, variables, description) and the warnings')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const [library, { templateVariables }, { countSystemPromptTokens }] = await Promise.all([
        loadLibrary(),
        import('../../common/render-prompt.js'),
        import('../../workers/local-tools/prompts.js'),
      ]);
      const describe = (template: PromptTemplate) => ({
        ref: `${template.id}@${template.version}`,
        systemTokens: countSystemPromptTokens(template),
        variables: templateVariables(template),
        description: template.description,
      });
      const templates = library.list().map(describe);
      if (flags.json) return console.log(JSON.stringify({ templates, warnings: library.warnings }, null, 2));
      const rows = templates.map((template) => [
        template.ref,
        String(template.systemTokens),
        template.variables.join(', ') || '-',
        template.description,
      ]);
      for (const line of table([['TEMPLATE', 'SYSTEM TOKENS', 'VARIABLES', 'DESCRIPTION'], ...rows]))
        console.log(line.trimEnd());
      if (library.warnings.length > 0) {
        console.log('\nWarnings:');
        for (const warning of library.warnings) console.log(`  ${warning}`);
      }
    });

  prompts
    .command('show')
    .description('Print the messages a template renders to')
    .argument('<ref>', 'the template as id@version, e.g. agent.system@v1')
    .option('--var <name=value>', 'a variable to fill in (repeatable)', collectVariable)
    .option('--json', 'print as JSON')
    .action(async (text: string, flags: { var?: Record<string, string>; json?: boolean }) => {
      const [{ parsePromptRef }, { renderPrompt, templateVariables }] = await Promise.all([
        import('../../common/prompt-template.js'),
        import('../../common/render-prompt.js'),
      ]);
      const variables = flags.var ?? {};
      const ref = parsePromptRef(text);
      const template = (await loadLibrary()).get(ref);
      const missing = templateVariables(template).filter((name) => !Object.hasOwn(variables, name));
      if (missing.length > 0)
        throw new Error(
          `${text} needs ${missing.map((name) => `--var ${name}=...`).join(' ')} (its variables: ${templateVariables(template).join(', ')})`,
        );
      const rendered = renderPrompt(template, variables);
      if (flags.json) return console.log(JSON.stringify(rendered, null, 2));
      console.log(`${text}: ${template.description}`);
      for (const message of rendered.messages) console.log(`\n--- ${message.role}\n${message.content}`);
    });
}
