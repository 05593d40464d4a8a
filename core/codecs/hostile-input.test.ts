import { describe, expect, it } from 'vitest';
import { CODECS } from './index.js';
import { LineSplitter } from './line-splitter.js';
import { MAX_RAW_CHARS } from './limits.js';
import { decodeBytes, decodeText } from '../../test-support/codec-input.js';

const deepArray = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('every decoder refuses a record nested too deep, alone', () => {
  it('json: the item is dead-lettered with what was read of it, the items around it are read', async () => {
    const text = `[{"id":1},{"id":2,"deep":${deepArray(200_000)}},{"id":3}]`;
    const { records, rejects } = await decodeText(CODECS.json.createDecoder({}), text);
    expect(records.map((record) => record.data)).toEqual([{ id: 1 }, { id: 3 }]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ origin: 'input#2', at: 2, reason: 'JSON: item 2 is nested deeper than 64 levels; raise max_depth if that is expected' });
    expect(rejects[0]?.raw.startsWith('{"id":2,"deep":[[[')).toBe(true);
    expect(rejects[0]?.raw.length).toBeLessThan(MAX_RAW_CHARS + 10);
  });

  it('json: max_depth raises the limit', async () => {
    const { records, rejects } = await decodeText(CODECS.json.createDecoder({ max_depth: 100 }), `[{"deep":${deepArray(80)}}]`);
    expect([records.length, rejects.length]).toEqual([1, 0]);
  });

  it('ndjson: the line is dead-lettered, the lines around it are read', async () => {
    const text = `{"id":1}\n{"deep":${deepArray(200_000)}}\n{"id":3}\n`;
    const { records, rejects } = await decodeText(CODECS.ndjson.createDecoder({}), text);
    expect(records.map((record) => [record.data, record.at])).toEqual([
      [{ id: 1 }, 1],
      [{ id: 3 }, 3],
    ]);
    expect(rejects).toEqual([expect.objectContaining({ origin: 'input:2', reason: 'NDJSON: nested deeper than 64 levels; raise max_depth if that is expected' })]);
  });

  it('xml: the record is dead-lettered, the next one is read', async () => {
    const deep = `${'<A>'.repeat(100)}x${'</A>'.repeat(100)}`;
    const text = `<ORDERS>\n<ORDER>${deep}</ORDER>\n<ORDER><ID>2</ID></ORDER>\n</ORDERS>`;
    const { records, rejects } = await decodeText(CODECS.xml.createDecoder({ record: 'ORDER' }), text, 7);
    expect(records.map((record) => [record.data, record.at])).toEqual([[{ ID: '2' }, 3]]);
    expect(rejects).toEqual([
      expect.objectContaining({ origin: 'input:2', reason: 'XML: record <ORDER> nests elements deeper than 64 levels; raise xml.max_depth if that is expected' }),
    ]);
    expect(rejects[0]?.raw.startsWith('<ORDER><A><A>')).toBe(true);
  });
});

describe('input that is not UTF-8 is refused where it is, never read as M�ller', () => {
  const latin1Row = Buffer.concat([Buffer.from('sku,name\nA,M'), Buffer.from([0xfc]), Buffer.from('ller\nB,Meyer\n')]);

  it('csv: the row is dead-lettered naming the byte offset and the encoding option; the others are read', async () => {
    for (const chunkSize of [1, 3, 64 * 1024]) {
      const { records, rejects } = await decodeBytes(CODECS.csv.createDecoder({}), latin1Row, chunkSize);
      expect(records.map((record) => [record.data, record.at])).toEqual([[{ sku: 'B', name: 'Meyer' }, 3]]);
      expect(rejects).toEqual([
        {
          raw: 'A,M\uFFFDller',
          origin: 'input:2',
          at: 2,
          reason: `CSV: the row on line 2 holds bytes that are not UTF-8 (the first at byte ${latin1Row.indexOf(0xfc)}); if the file is Latin-1 or Windows-1252, set csv: { encoding: latin1 } (or windows-1252) in the stream options`,
        },
      ]);
    }
  });

  it('csv: encoding latin1 and windows-1252 read such files right (€ is 0x80 in windows-1252)', async () => {
    const latin1 = await decodeBytes(CODECS.csv.createDecoder({ encoding: 'latin1' }), latin1Row);
    expect(latin1.records.map((record) => record.data['name'])).toEqual(['Müller', 'Meyer']);
    const cp1252 = await decodeBytes(CODECS.csv.createDecoder({ encoding: 'windows-1252' }), Buffer.from([...Buffer.from('price\n'), 0x80, ...Buffer.from('5\n')]));
    expect(cp1252.records.map((record) => record.data['price'])).toEqual(['€5']);
  });

  it('csv: a header that is not UTF-8 stops the file with one dead letter per cause, nothing silently', async () => {
    const bytes = Buffer.concat([Buffer.from('sku,Gr'), Buffer.from([0xf6]), Buffer.from('sse\nA,1\nB,2\n')]);
    const { records, rejects } = await decodeBytes(CODECS.csv.createDecoder({}), bytes);
    expect(records).toEqual([]);
    expect(rejects.map((reject) => reject.reason)).toEqual([
      expect.stringMatching(/^CSV: the header line holds bytes that are not UTF-8 \(the first at byte 6\), so no column can be trusted/),
      expect.stringMatching(/^CSV: the 2 row\(s\) after the header were not read/),
    ]);
  });

  it('reads valid multi-byte characters split across chunks, a BOM and a 4-byte character', async () => {
    const text = '\uFEFFsku,name\nA,Müller 😀 €\n';
    for (const chunkSize of [1, 2, 5]) {
      const { records, rejects } = await decodeText(CODECS.csv.createDecoder({}), text, chunkSize);
      expect(rejects).toEqual([]);
      expect(records.map((record) => record.data)).toEqual([{ sku: 'A', name: 'Müller 😀 €' }]);
    }
  });

  it('ndjson: the line is dead-lettered with the offset; a character cut off by the end of the file too', async () => {
    const bytes = Buffer.concat([Buffer.from('{"n":"a"}\n{"n":"M'), Buffer.from([0xfc]), Buffer.from('ller"}\n{"n":"b"}\n{"n":"'), Buffer.from([0xc3])]);
    const { records, rejects } = await decodeBytes(CODECS.ndjson.createDecoder({}), bytes, 4);
    expect(records.map((record) => record.data['n'])).toEqual(['a', 'b']);
    expect(rejects.map((reject) => [reject.origin, reject.reason])).toEqual([
      ['input:2', `NDJSON: invalid UTF-8 at byte ${bytes.indexOf(0xfc)}; if the file is Latin-1 or Windows-1252, set ndjson: { encoding: latin1 } (or windows-1252) in the stream options`],
      ['input:4', `NDJSON: invalid UTF-8 at byte ${bytes.length - 1}; if the file is Latin-1 or Windows-1252, set ndjson: { encoding: latin1 } (or windows-1252) in the stream options`],
    ]);
  });

  it('xml: the record is dead-lettered; a declared ISO-8859-1 document is read as such', async () => {
    const body = (declaration: string): Buffer =>
      Buffer.concat([Buffer.from(`${declaration}<ORDERS>\n<ORDER><NAME>M`), Buffer.from([0xfc]), Buffer.from('ller</NAME></ORDER>\n<ORDER><NAME>Meyer</NAME></ORDER>\n</ORDERS>')]);
    const plain = await decodeBytes(CODECS.xml.createDecoder({ record: 'ORDER' }), body('<?xml version="1.0"?>\n'), 16);
    expect(plain.records.map((record) => record.data)).toEqual([{ NAME: 'Meyer' }]);
    expect(plain.rejects).toEqual([expect.objectContaining({ origin: 'input:3', reason: expect.stringMatching(/^XML: the record holds bytes that are not UTF-8 \(the first at byte 45\)/) as unknown as string })]);
    const declared = await decodeBytes(CODECS.xml.createDecoder({ record: 'ORDER' }), body('<?xml version="1.0" encoding="ISO-8859-1"?>\n'), 16);
    expect(declared.records.map((record) => record.data)).toEqual([{ NAME: 'Müller' }, { NAME: 'Meyer' }]);
    expect(declared.rejects).toEqual([]);
  });

  it('json: the document ends at the first invalid byte, as one dead letter with the text before it', async () => {
    const bytes = Buffer.concat([Buffer.from('[{"n":"a"},{"n":"M'), Buffer.from([0xfc]), Buffer.from('ller"}]')]);
    const { records, rejects } = await decodeBytes(CODECS.json.createDecoder({}), bytes);
    expect(records.map((record) => record.data)).toEqual([{ n: 'a' }]);
    // Fed in small chunks, the tokens read before the bad byte are still all read.
    const chunked = await decodeBytes(CODECS.json.createDecoder({}), bytes, 5);
    expect(chunked.records.map((record) => record.data)).toEqual([{ n: 'a' }]);
    expect(chunked.rejects[0]?.raw.endsWith('{"n":"M')).toBe(true);
    expect(rejects).toEqual([
      {
        raw: '[{"n":"a"},{"n":"M',
        origin: 'input#2',
        reason: 'JSON: the rest of the document after item 1 cannot be read: invalid UTF-8 at byte 18; if the file is Latin-1 or Windows-1252, set json: { encoding: latin1 } (or windows-1252) in the stream options',
      },
    ]);
  });
});

describe('a JSON document that breaks off', () => {
  it('keeps the items before the break and dead-letters the rest with the text around it', async () => {
    const { records, rejects } = await decodeText(CODECS.json.createDecoder({ path: 'orders' }), '{"orders":[{"id":1},{"id":2,}]}', 3);
    expect(records.map((record) => record.data)).toEqual([{ id: 1 }]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]?.reason).toMatch(/^JSON: the rest of the document after item 1 cannot be read: not valid JSON: /);
    expect(rejects[0]?.raw).not.toBe('');
  });
});

describe('integers beyond 2^53 stay exact', () => {
  it('json and ndjson read 9007199254740993 as the exact string; smaller numbers stay numbers', async () => {
    const record = '{"id":9007199254740993,"negative":-9007199254740995,"qty":12,"price":19.99,"big_float":1e300,"text":"12345678901234567890"}';
    const expected = { id: '9007199254740993', negative: '-9007199254740995', qty: 12, price: 19.99, big_float: 1e300, text: '12345678901234567890' };
    expect((await decodeText(CODECS.json.createDecoder({}), `[${record}]`, 7)).records[0]?.data).toEqual(expected);
    expect((await decodeText(CODECS.ndjson.createDecoder({}), `${record}\n`)).records[0]?.data).toEqual(expected);
  });
});

describe('every decoder refuses a record larger than max_record_bytes, alone', () => {
  it('ndjson: a long line is cut to a prefix as it arrives and dead-lettered; the next line is read', async () => {
    const long = `{"blob":"${'x'.repeat(300_000)}"}`;
    const { records, rejects } = await decodeText(CODECS.ndjson.createDecoder({ max_record_bytes: 100_000 }), `${long}\n{"id":2}\n`, 4096);
    expect(records.map((record) => [record.data, record.at])).toEqual([[{ id: 2 }, 2]]);
    expect(rejects).toEqual([
      expect.objectContaining({ origin: 'input:1', reason: `NDJSON: the line has ${long.length} characters, more than max_record_bytes (100000); raise ndjson.max_record_bytes if that is expected` }),
    ]);
    expect(rejects[0]?.raw.startsWith(long.slice(0, MAX_RAW_CHARS))).toBe(true);
  });

  it('the line splitter holds no more than a dead letter of a line past the limit', () => {
    const splitter = new LineSplitter(100_000);
    const piece = 'y'.repeat(50_000);
    let most = 0;
    for (let index = 0; index < 400; index += 1) {
      expect(splitter.push({ data: piece, invalid: [] })).toEqual([]);
      most = Math.max(most, splitter.bufferedChars);
    }
    expect(most).toBeLessThanOrEqual(100_001);
    expect(splitter.bufferedChars).toBe(MAX_RAW_CHARS);
    expect(splitter.push({ data: '\n', invalid: [] })).toEqual([{ text: 'y'.repeat(MAX_RAW_CHARS), line: 1, tooLong: 20_000_000 }]);
  });

  it('csv: a row past the limit is dead-lettered, also when its line is still arriving; the rows after it are read', async () => {
    const text = `sku,note\nA,${'z'.repeat(5000)}\nB,ok\nC,"${'q'.repeat(5000)}"\nD,ok\n`;
    for (const chunkSize of [100, 64 * 1024]) {
      const { records, rejects } = await decodeText(CODECS.csv.createDecoder({ max_record_bytes: 2048 }), text, chunkSize);
      expect(records.map((record) => [record.data['sku'], record.at])).toEqual([
        ['B', 3],
        ['D', 5],
      ]);
      expect(rejects.map((reject) => [reject.origin, reject.reason])).toEqual([
        ['input:2', 'CSV: the row on line 2 is larger than max_record_bytes (2048 characters); raise csv.max_record_bytes if that is expected'],
        ['input:4', 'CSV: the row on line 4 is larger than max_record_bytes (2048 characters); raise csv.max_record_bytes if that is expected'],
      ]);
    }
  });

  it('json: an item past the limit is dead-lettered; the next item is read', async () => {
    const text = `[{"blob":[${Array.from({ length: 2000 }, () => '"abcdefghij"').join(',')}]},{"id":2}]`;
    const { records, rejects } = await decodeText(CODECS.json.createDecoder({ max_record_bytes: 4096 }), text, 1000);
    expect(records.map((record) => record.data)).toEqual([{ id: 2 }]);
    expect(rejects).toEqual([
      expect.objectContaining({ origin: 'input#1', reason: 'JSON: item 1 is larger than max_record_bytes (4096 characters); raise max_record_bytes if that is expected' }),
    ]);
  });
});

describe('decode dead letters keep the text that was refused and its first line, and lose no valid row', () => {
  it('csv: an unclosed quote is refused on the line it starts; the rows after it are read', async () => {
    for (const chunkSize of [1, 6, 64 * 1024]) {
      const { records, rejects } = await decodeText(CODECS.csv.createDecoder({}), 'id,name\n1,ok\n2,"unclosed\n3,good\n', chunkSize);
      expect(records.map((record) => [record.data, record.at])).toEqual([
        [{ id: '1', name: 'ok' }, 2],
        [{ id: '3', name: 'good' }, 4],
      ]);
      expect(rejects).toEqual([
        { raw: '2,"unclosed', origin: 'input:3', at: 3, reason: 'CSV: the quoted field of the row on line 3 is never closed; the row is refused and reading goes on at the next line' },
      ]);
    }
  });

  it('csv: an open quote that a later quote seems to close is refused on its first line; every row after it is read', async () => {
    const text = 'id,name\n1,ok\n2,"unclosed\n3,good\n4,"quoted, fine"\n';
    for (const chunkSize of [1, 6, 64 * 1024]) {
      const { records, rejects } = await decodeText(CODECS.csv.createDecoder({}), text, chunkSize);
      expect(records.map((record) => [record.data, record.at])).toEqual([
        [{ id: '1', name: 'ok' }, 2],
        [{ id: '3', name: 'good' }, 4],
        [{ id: '4', name: 'quoted, fine' }, 5],
      ]);
      expect(rejects).toEqual([{ raw: '2,"unclosed', origin: 'input:3', at: 3, reason: 'CSV: the row on line 3 is broken (Invalid Closing Quote: got "q")' }]);
    }
  });

  it('csv: a stray quote after a closing quote is refused alone, and multi-line fields keep their first line', async () => {
    const text = 'id,name\n1,"two\nlines"\n2,"ab"c\n\n3,good\n';
    const { records, rejects } = await decodeText(CODECS.csv.createDecoder({}), text, 3);
    expect(records.map((record) => [record.data, record.at])).toEqual([
      [{ id: '1', name: 'two\nlines' }, 2],
      [{ id: '3', name: 'good' }, 6],
    ]);
    expect(rejects.map((reject) => [reject.origin, reject.raw])).toEqual([['input:4', '2,"ab"c']]);
    expect(rejects[0]?.reason).toMatch(/^CSV: the row on line 4 is broken \(Invalid Closing Quote/);
  });
});
