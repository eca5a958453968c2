/** Renders parseMarkdown's blocks as React elements (text nodes only; see markdown.ts). */
import { Fragment } from 'react';
import { parseMarkdown, type Inline } from './markdown';

function Inlines({ inlines }: { inlines: Inline[] }) {
  return (
    <>
      {inlines.map((x, i) =>
        x.kind === 'code' ? (
          <code key={i}>{x.text}</code>
        ) : x.kind === 'strong' ? (
          <strong key={i}>{x.text}</strong>
        ) : x.kind === 'em' ? (
          <em key={i}>{x.text}</em>
        ) : (
          <Fragment key={i}>{x.text}</Fragment>
        ),
      )}
    </>
  );
}

/**
 * headingOffset: a description's "# Title" sits under the panel's own heading, so heading
 * levels are shifted down (level 1 becomes h3 with the default offset of 2).
 */
export function Markdown({ text, headingOffset = 2, skipHeading }: { text: string; headingOffset?: number; skipHeading?: string }) {
  const blocks = parseMarkdown(text).filter(
    // The title is shown already: a first heading that repeats it is left out.
    (b, i) => !(i === 0 && skipHeading !== undefined && b.kind === 'heading' && b.inlines.map((x) => x.text).join('') === skipHeading),
  );
  return (
    <div className="markdown">
      {blocks.map((b, i) => {
        if (b.kind === 'heading') {
          const level = Math.min(6, b.level + headingOffset);
          const H = `h${level}` as 'h3' | 'h4' | 'h5' | 'h6';
          return (
            <H key={i}>
              <Inlines inlines={b.inlines} />
            </H>
          );
        }
        if (b.kind === 'list') {
          const L = b.ordered ? 'ol' : 'ul';
          return (
            <L key={i}>
              {b.items.map((item, j) => (
                <li key={j}>
                  <Inlines inlines={item} />
                </li>
              ))}
            </L>
          );
        }
        return (
          <p key={i} className="description">
            <Inlines inlines={b.inlines} />
          </p>
        );
      })}
    </div>
  );
}
