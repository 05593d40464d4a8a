import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fencedBlocks } from '../core/docs/fenced-blocks.js';
import { registerRoute } from './commands/route.js';

const READMES = ['../README.md', '../connectors/routing/README.md', '../examples/omnichannel/README.md'];

/** Every `keel route …` written with arguments in a README: code lines (with their continuations) and inline code. */
function routeUsages(text: string): string[] {
  const out: string[] = [];
  const code = fencedBlocks(text).map((block) => block.body.replace(/\\\n\s*/g, ' ').split('\n'));
  const inline = [...text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((match) => [match[1] ?? '']);
  for (const line of [...code.flat(), ...inline.flat()]) {
    const found = /\bkeel route (\S.*)$/.exec(line.replace(/\s+#.*$/, ''));
    if (found?.[1] !== undefined) out.push(found[1].trim());
  }
  return out;
}

/** Words of a command line, double-quoted text as one word. */
function words(line: string): string[] {
  return [...line.matchAll(/"[^"]*"|\S+/g)].map((match) => match[0]);
}

/** What is wrong with one usage: unknown subcommand or option, a required option or argument left out. */
function problemsOf(usage: string, route: Command): string[] {
  const [name = '', ...rest] = words(usage);
  // A mention by name only (`keel route plan` in a sentence) is not a usage.
  if (rest.length === 0) return [];
  return name.split('|').flatMap((alternative) => {
    const command = route.commands.find((candidate) => candidate.name() === alternative);
    if (command === undefined) return [`keel route ${alternative}: no such command`];
    const problems: string[] = [];
    const flags = rest.filter((word) => word.startsWith('--'));
    for (const flag of flags) if (!command.options.some((option) => option.long === flag)) problems.push(`keel route ${alternative}: unknown option ${flag}`);
    for (const option of command.options) {
      if (option.mandatory && !flags.includes(option.long ?? '')) problems.push(`keel route ${alternative}: ${option.long} is required`);
    }
    // Positional words come before the first option in these examples.
    const firstFlag = rest.findIndex((word) => word.startsWith('--'));
    const positional = firstFlag === -1 ? rest : rest.slice(0, firstFlag);
    const needed = command.registeredArguments.filter((argument) => argument.required).length;
    if (positional.length < needed) problems.push(`keel route ${alternative}: needs ${needed} argument(s), given ${positional.length}`);
    return problems.map((problem) => `${problem} (in "keel route ${usage}")`);
  });
}

describe('keel route in the READMEs', () => {
  it('is written with the options and arguments the command requires, and none it does not know', () => {
    const program = new Command();
    registerRoute(program, () => ({}));
    const route = program.commands.find((command) => command.name() === 'route') as Command;
    const usages = READMES.flatMap((file) => routeUsages(readFileSync(new URL(file, import.meta.url), 'utf8')).map((usage) => ({ file, usage })));
    // Each README shows some, and every subcommand appears somewhere.
    expect(new Set(usages.map((entry) => entry.file)).size).toBe(READMES.length);
    expect(new Set(usages.flatMap((entry) => (words(entry.usage)[0] ?? '').split('|')))).toEqual(new Set(route.commands.map((command) => command.name())));
    expect(usages.flatMap((entry) => problemsOf(entry.usage, route).map((problem) => `${entry.file}: ${problem}`))).toEqual([]);
  });
});
