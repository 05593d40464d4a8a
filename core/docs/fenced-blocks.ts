/**
 * The fenced code blocks of a Markdown file, with their info string taken apart: the language,
 * then words that say what a block is an example of. GitHub colours by the first word and ignores
 * the rest, so ```` ```yaml keel:pipeline project=examples/omnichannel ```` renders as YAML.
 */
export interface FencedBlock {
  /** First word of the info string (`yaml`, `sh`, `text`); empty when the fence has none. */
  lang: string;
  /** The word after `keel:` (`keel:pipeline` → `pipeline`). */
  kind: string | undefined;
  /** `name=value` words. */
  attributes: Record<string, string>;
  /** Other words (`excerpt`). */
  flags: string[];
  body: string;
  /** Line of the first body line in the file, from 1. */
  line: number;
}

const OPENING = /^( {0,3})(`{3,}|~{3,})([^`]*)$/;

export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const opening = OPENING.exec(lines[index] as string);
    if (opening === null) continue;
    const [, indent = '', fence = '', info = ''] = opening;
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length && !closing.test(lines[end] as string); end += 1) {
      const line = lines[end] as string;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    const [lang = '', ...words] = info.trim().split(/\s+/).filter((word) => word !== '');
    const block: FencedBlock = { lang, kind: undefined, attributes: {}, flags: [], body: body.length > 0 ? `${body.join('\n')}\n` : '', line: index + 2 };
    for (const word of words) {
      if (word.startsWith('keel:')) block.kind = word.slice('keel:'.length);
      else if (word.includes('=')) block.attributes[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
      else block.flags.push(word);
    }
    blocks.push(block);
    index = end;
  }
  return blocks;
}
