/**
 * A lesson's chapters in the lesson panel: the chapter the run has reached (the latest
 * checkpoint at or before the current moment) with its caption, *Next* to play on to the
 * following one (playback pauses at each, src/worker/host.ts), and the list of chapters,
 * each a button that goes to its moment.
 */
import { useClusterStore } from '../../state/cluster-store';
import { getWorkerClient } from '../../state/worker-client';
import { formatTime } from '../events/phrase';
import { Markdown } from '../markdown/Markdown';

export function LessonChapters() {
  const chapters = useClusterStore((s) => s.chapters);
  const time = useClusterStore((s) => s.snapshot?.time ?? 0);
  const playing = useClusterStore((s) => s.status.playing);
  if (chapters.length === 0) return null;
  let current = -1;
  chapters.forEach((c, i) => {
    if (c.at <= time) current = i;
  });
  const chapter = current >= 0 ? chapters[current]! : null;
  const last = current === chapters.length - 1;
  return (
    <section className="lesson-chapters" aria-label="Lesson chapters" data-testid="lesson-chapters">
      <div className="chapter-now" data-testid="chapter-now" data-index={current}>
        {chapter ? (
          <>
            <div className="chapter-head">
              Chapter {current + 1} of {chapters.length} · {formatTime(chapter.at)}
            </div>
            <Markdown text={chapter.caption} />
          </>
        ) : (
          <p>The lesson pauses at {chapters.length} moments to show what happens. Press Play, or Next.</p>
        )}
        <button
          type="button"
          className="btn btn-primary"
          disabled={playing}
          data-testid="chapter-next"
          onClick={() => getWorkerClient()?.play()}
        >
          {playing ? 'Playing…' : last ? 'Play on ▶' : 'Next ▶'}
        </button>
      </div>
      <ol className="chapter-list">
        {chapters.map((c, i) => (
          <li key={`${c.at}-${i}`} className={i === current ? 'current' : undefined}>
            <button type="button" className="link" onClick={() => getWorkerClient()?.seek(c.at)} title="Go to this moment">
              {formatTime(c.at)}
            </button>{' '}
            <span className="muted">{firstSentence(c.caption)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The caption's first sentence without Markdown marks (the list stays short). */
function firstSentence(md: string): string {
  const plain = md.replace(/[`*_]/g, '');
  const end = plain.search(/[.:](\s|$)/);
  return end > 0 ? plain.slice(0, end + 1) : plain;
}
