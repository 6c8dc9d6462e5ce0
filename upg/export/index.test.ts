import { describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, parseOutputFormat, renderExport } from './index';
import { exfiltrationGraph } from './fixtures/export-graphs';

describe('export formats', () => {
  it.each([['html', 'html'], [' Prov-JSON ', 'prov-json'], ['prov-o', 'prov-o'], ['text', 'text'], ['json', 'json']])('parseOutputFormat(%j)', (value, expected) => {
    expect(parseOutputFormat(value)).toBe(expected);
  });

  it.each([['yaml'], [''], [undefined], [3]])('refuses %j, naming the accepted formats', (value) => {
    expect(() => parseOutputFormat(value)).toThrow(/use one of text, json, markdown, html, dot, prov-json, prov-o/);
  });

  it.each(EXPORT_FORMATS.map((f) => [f]))('renders %s, ending with a newline', (format) => {
    const text = renderExport(format, { graphs: [exfiltrationGraph()] });
    expect(text.length).toBeGreaterThan(100);
    expect(text.endsWith('\n')).toBe(true);
  });
});
