import { describe, expect, it } from 'vitest';
import { fencedBlocks } from './fenced-blocks.js';

describe('fenced blocks', () => {
  it('take the info string apart: language, keel: kind, attributes and flags', () => {
    const markdown = 'Text\n\n```yaml keel:pipeline project=examples/omnichannel excerpt\nname: a\n```\n\n```\nplain\n```\n';
    expect(fencedBlocks(markdown)).toEqual([
      { lang: 'yaml', kind: 'pipeline', attributes: { project: 'examples/omnichannel' }, flags: ['excerpt'], body: 'name: a\n', line: 4 },
      { lang: '', kind: undefined, attributes: {}, flags: [], body: 'plain\n', line: 8 },
    ]);
  });

  it('end a block only at a fence as long as its own, and strip the fence indentation', () => {
    const markdown = '  ````md\n  ```yaml\n  inner\n  ```\n  ````\n';
    expect(fencedBlocks(markdown).map((block) => [block.lang, block.body])).toEqual([['md', '```yaml\ninner\n```\n']]);
  });
});
