import { describe, expect, it } from 'vitest';
import { XmlRecordSplitter } from './xml-splitter.js';

function split(text: string, chunkSize: number): { records: string[]; lines: number[]; problems: string[] } {
  const splitter = new XmlRecordSplitter('ORDER', { maxRecordChars: 1024 });
  const records: string[] = [];
  const lines: number[] = [];
  const problems: string[] = [];
  const take = (pieces: ReturnType<XmlRecordSplitter['push']>): void => {
    for (const piece of pieces) {
      if (piece.kind === 'record') {
        records.push(piece.text);
        lines.push(piece.line);
      } else problems.push(`${piece.line}: ${piece.message}`);
    }
  };
  for (let start = 0; start < text.length; start += chunkSize) take(splitter.push(text.slice(start, start + chunkSize)));
  take(splitter.end());
  return { records, lines, problems };
}

const DOCUMENT = [
  '<?xml version="1.0"?>',
  '<ORDERS>',
  '  <!-- an <ORDER> in a comment is not a record -->',
  '  <ORDER id="1"><NOTE><![CDATA[</ORDER> inside CDATA]]></NOTE></ORDER>',
  '  <ORDERX>not a record</ORDERX>',
  '  <ORDER id="2" note="a > b"/>',
  '  <x:ORDER><ORDER_ITEM/><ORDER><ID>nested</ID></ORDER></x:ORDER>',
  '</ORDERS>',
].join('\n');

describe('XmlRecordSplitter', () => {
  it.each([1, 2, 7, 64, 100_000])('finds the same records when fed %i characters at a time', (chunkSize) => {
    const { records, lines, problems } = split(DOCUMENT, chunkSize);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      '<ORDER id="1"><NOTE><![CDATA[</ORDER> inside CDATA]]></NOTE></ORDER>',
      '<ORDER id="2" note="a > b"/>',
      '<x:ORDER><ORDER_ITEM/><ORDER><ID>nested</ID></ORDER></x:ORDER>',
    ]);
    expect(lines).toEqual([4, 6, 7]);
  });

  it('skips a record larger than the limit and goes on', () => {
    const big = `<ORDERS><ORDER>${'x'.repeat(2000)}</ORDER>\n<ORDER>ok</ORDER></ORDERS>`;
    const { records, problems } = split(big, 256);
    expect(problems).toEqual(['1: XML: record <ORDER> is larger than 1024 characters; raise xml.max_record_bytes if that is expected']);
    expect(records).toEqual(['<ORDER>ok</ORDER>']);
  });
});
