import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../scenario/lessons';
import { parseInline, parseMarkdown } from './markdown';

describe('lesson markdown', () => {
  it('parses headings, paragraphs and lists, joining wrapped lines', () => {
    const blocks = parseMarkdown('# Title\n\nA paragraph\nthat wraps.\n\n1. first\n   goes on\n2. second\n\n- a\n- b');
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, inlines: [{ kind: 'text', text: 'Title' }] },
      { kind: 'paragraph', inlines: [{ kind: 'text', text: 'A paragraph that wraps.' }] },
      { kind: 'list', ordered: true, items: [[{ kind: 'text', text: 'first goes on' }], [{ kind: 'text', text: 'second' }]] },
      { kind: 'list', ordered: false, items: [[{ kind: 'text', text: 'a' }], [{ kind: 'text', text: 'b' }]] },
    ]);
  });

  it('marks code, strong and emphasis, and keeps everything else as text', () => {
    expect(parseInline('With `acks=1` the **leader** acks *at once*; 2 * 3 stays')).toEqual([
      { kind: 'text', text: 'With ' },
      { kind: 'code', text: 'acks=1' },
      { kind: 'text', text: ' the ' },
      { kind: 'strong', text: 'leader' },
      { kind: 'text', text: ' acks ' },
      { kind: 'em', text: 'at once' },
      { kind: 'text', text: '; 2 * 3 stays' },
    ]);
  });

  it('leaves underscores inside a name alone (NOT_ENOUGH_REPLICAS is not emphasis)', () => {
    expect(parseInline('refuses with NOT_ENOUGH_REPLICAS and _warns_ of log_start_offset')).toEqual([
      { kind: 'text', text: 'refuses with NOT_ENOUGH_REPLICAS and ' },
      { kind: 'em', text: 'warns' },
      { kind: 'text', text: ' of log_start_offset' },
    ]);
  });

  it('never produces markup from HTML in the source: it stays text', () => {
    const blocks = parseMarkdown('<img src=x onerror=alert(1)> **<b>hi</b>**');
    expect(blocks).toEqual([
      { kind: 'paragraph', inlines: [{ kind: 'text', text: '<img src=x onerror=alert(1)> ' }, { kind: 'strong', text: '<b>hi</b>' }] },
    ]);
  });

  it('reads every built-in lesson into headings, paragraphs and lists', () => {
    for (const l of LESSONS) {
      const doc = l.document as { description?: string };
      const blocks = parseMarkdown(doc.description ?? '');
      expect(blocks.length).toBeGreaterThan(1);
      expect(blocks.some((b) => b.kind === 'paragraph')).toBe(true);
    }
  });
});
