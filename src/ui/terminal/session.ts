/**
 * The terminal's line editor and job control, over anything that can write text and
 * report key input (xterm.js in the page): a `$ ` prompt, editing (Left/Right, Home/End,
 * Backspace, Ctrl+U), history (Up/Down), Tab completion, Ctrl+C (stops the running tool or
 * drops the line), Ctrl+D (ends the console producer's input), Ctrl+L / `clear`. No DOM.
 *
 * Everything shown is also kept as plain text (`transcript`) for a screen reader's log.
 */
import type { CliContext, ToolIO } from '../../cli-tools/context';
import { complete, runLine } from '../../cli-tools/shell';

export interface TerminalLike {
  write(data: string): void;
  clear(): void;
  readonly cols: number;
}

const PROMPT = '$ ';
const TRANSCRIPT_LIMIT = 200_000;

export class TerminalSession {
  private buffer = '';
  private cursor = 0;
  private prompt = PROMPT;
  private readonly history: string[] = [];
  private historyIndex = 0;
  private running = false;
  /** Keys typed while a tool runs and reads nothing: kept, as a terminal keeps typeahead, for its next read or the next prompt. */
  private typeahead = '';
  private pendingRead: ((line: string | null) => void) | null = null;
  private abort = new AbortController();
  /** Where the cursor is, counted from the start of the prompt (for redraws over several rows). */
  private cursorPos = 0;
  transcript = '';
  onTranscript: ((text: string) => void) | null = null;
  /** Command lines finished so far (a page test waits on it). */
  completed = 0;
  onCompleted: ((n: number) => void) | null = null;

  constructor(
    private readonly term: TerminalLike,
    private readonly ctx: CliContext,
  ) {}

  start(): void {
    this.print("Kafka 4.x command line on the playground cluster. Type 'help', or press Tab.\n");
    this.showPrompt(PROMPT);
  }

  /** Text the tools print: \n becomes \r\n for the terminal. */
  private print(text: string): void {
    this.term.write(text.replace(/\r?\n/g, '\r\n'));
    this.log(text);
  }

  private log(text: string): void {
    this.transcript += text;
    if (this.transcript.length > TRANSCRIPT_LIMIT) this.transcript = this.transcript.slice(-TRANSCRIPT_LIMIT);
    this.onTranscript?.(this.transcript);
  }

  private showPrompt(prompt: string): void {
    this.prompt = prompt;
    this.buffer = '';
    this.cursor = 0;
    this.cursorPos = 0;
    this.render();
  }

  /** Redraws the prompt and the line, over as many rows as it takes, and puts the cursor back. */
  private render(): void {
    const cols = Math.max(1, this.term.cols);
    let out = '';
    const up = Math.floor(this.cursorPos / cols);
    if (up > 0) out += `\x1b[${up}A`;
    out += `\r\x1b[J${this.prompt}${this.buffer}`;
    const end = this.prompt.length + this.buffer.length;
    // At the right edge the cursor waits to wrap: move it to the next row's start, as typing would.
    if (end > 0 && end % cols === 0) out += ' \b';
    const target = this.prompt.length + this.cursor;
    const endRow = Math.floor(end / cols);
    const targetRow = Math.floor(target / cols);
    if (endRow > targetRow) out += `\x1b[${endRow - targetRow}A`;
    out += '\r';
    if (target % cols > 0) out += `\x1b[${target % cols}C`;
    this.cursorPos = target;
    this.term.write(out);
  }

  /** Ends the line being edited (the cursor goes below it). */
  private endLine(): void {
    this.cursor = this.buffer.length;
    this.render();
    this.term.write('\r\n');
    this.log(`${this.prompt}${this.buffer}\n`);
    this.cursorPos = 0;
  }

  private io(): ToolIO {
    const self = this;
    return {
      out: (t) => this.printAbove(t),
      err: (t) => this.printAbove(t),
      readLine: (prompt) =>
        new Promise((resolve) => {
          self.pendingRead = resolve;
          self.showPrompt(prompt);
          self.drainTypeahead();
        }),
      get signal() {
        return self.abort.signal;
      },
    };
  }

  /** Output while a tool may be reading a line: the line being typed moves below the output. */
  private printAbove(text: string): void {
    if (this.pendingRead) {
      const cols = Math.max(1, this.term.cols);
      const up = Math.floor(this.cursorPos / cols);
      this.term.write(`${up > 0 ? `\x1b[${up}A` : ''}\r\x1b[J`);
      this.print(text);
      this.cursorPos = 0;
      this.render();
    } else this.print(text);
  }

  private async execute(line: string): Promise<void> {
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) this.history.push(line);
    this.historyIndex = this.history.length;
    if (line.trim() === 'clear') {
      this.term.clear();
      this.showPrompt(PROMPT);
      this.onCompleted?.(++this.completed);
      return;
    }
    this.running = true;
    this.abort = new AbortController();
    try {
      await runLine(line, this.ctx, this.io());
    } catch (e) {
      this.print(`Exception in thread "main" ${e instanceof Error ? e.message : String(e)}\n`);
    } finally {
      this.running = false;
      this.pendingRead = null;
      this.showPrompt(PROMPT);
      this.onCompleted?.(++this.completed);
      this.drainTypeahead();
    }
  }

  private drainTypeahead(): void {
    const keys = this.typeahead;
    this.typeahead = '';
    if (keys !== '') this.input(keys);
  }

  /** Input from the keyboard (xterm's onData): keys, escape sequences or pasted text. */
  input(data: string): void {
    let i = 0;
    while (i < data.length) {
      const rest = data.slice(i);
      const seq = /^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(rest);
      if (seq) {
        this.key(seq[0]);
        i += seq[0].length;
      } else {
        this.key(data[i]!);
        i++;
      }
    }
  }

  private key(k: string): void {
    if (this.running && !this.pendingRead) {
      if (k === '\x03') {
        this.typeahead = '';
        this.interrupt();
      } else this.typeahead += k;
      return;
    }
    switch (k) {
      case '\r':
      case '\n': {
        const line = this.buffer;
        this.endLine();
        if (this.pendingRead) {
          const r = this.pendingRead;
          this.pendingRead = null;
          r(line);
        } else void this.execute(line);
        return;
      }
      case '\x7f':
      case '\b':
        if (this.cursor > 0) {
          this.buffer = this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor);
          this.cursor--;
          this.render();
        }
        return;
      case '\x1b[3~':
        if (this.cursor < this.buffer.length) {
          this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1);
          this.render();
        }
        return;
      case '\x1b[D':
        if (this.cursor > 0) this.cursor--;
        this.render();
        return;
      case '\x1b[C':
        if (this.cursor < this.buffer.length) this.cursor++;
        this.render();
        return;
      case '\x1b[H':
      case '\x1bOH':
      case '\x01':
        this.cursor = 0;
        this.render();
        return;
      case '\x1b[F':
      case '\x1bOF':
      case '\x05':
        this.cursor = this.buffer.length;
        this.render();
        return;
      case '\x15':
        this.buffer = this.buffer.slice(this.cursor);
        this.cursor = 0;
        this.render();
        return;
      case '\x1b[A':
      case '\x1b[B':
        if (this.pendingRead) return;
        this.recall(k === '\x1b[A' ? -1 : 1);
        return;
      case '\t':
        if (!this.pendingRead) this.tab();
        return;
      case '\x03':
        this.cursor = this.buffer.length;
        this.render();
        this.term.write('^C\r\n');
        this.log(`${this.prompt}${this.buffer}^C\n`);
        this.cursorPos = 0;
        if (this.running) this.interrupt();
        else this.showPrompt(PROMPT);
        return;
      case '\x04':
        if (this.pendingRead && this.buffer === '') {
          const r = this.pendingRead;
          this.pendingRead = null;
          this.term.write('\r\n');
          r(null);
        }
        return;
      case '\x0c':
        this.term.clear();
        this.cursorPos = 0;
        this.render();
        return;
      default:
        if (k.length === 1 && k >= ' ') {
          this.buffer = this.buffer.slice(0, this.cursor) + k + this.buffer.slice(this.cursor);
          this.cursor++;
          this.render();
        }
    }
  }

  /** Ctrl+C while a tool runs: its signal aborts (a new one follows, for a second Ctrl+C). */
  private interrupt(): void {
    const read = this.pendingRead;
    this.pendingRead = null;
    this.abort.abort();
    this.abort = new AbortController();
    read?.(null);
  }

  private recall(dir: -1 | 1): void {
    if (this.history.length === 0) return;
    this.historyIndex = Math.max(0, Math.min(this.history.length, this.historyIndex + dir));
    this.buffer = this.history[this.historyIndex] ?? '';
    this.cursor = this.buffer.length;
    this.render();
  }

  private tab(): void {
    const head = this.buffer.slice(0, this.cursor);
    const tail = this.buffer.slice(this.cursor);
    const c = complete(head, this.ctx.snapshot());
    if (c.candidates.length > 1 && c.line === head) {
      this.endLine();
      this.print(`${c.candidates.join('  ')}\n`);
      this.buffer = head + tail;
      this.cursor = head.length;
      this.cursorPos = 0;
      this.render();
      return;
    }
    this.buffer = c.line + tail;
    this.cursor = c.line.length;
    this.render();
  }

  /** Stops whatever runs (the panel is going away for good). */
  dispose(): void {
    this.interrupt();
  }
}
