// Progress on stderr: a spinner with a label while the CLI waits on Berth, when stderr is a terminal;
// nothing but plain lines otherwise (CI logs keep no carriage-return animation). Output lines written
// through `line` clear the spinner first and bring it back after, so the two never mix on one line.
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CLEAR = "\r\x1b[2K";

type Stream = NodeJS.WriteStream;

export class Progress {
  private label: string | null = null;
  private since = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly animated: boolean;

  constructor(
    private readonly err: Stream = process.stderr,
    animated = Boolean(err.isTTY) && !process.env.CI,
  ) {
    this.animated = animated;
  }

  /** Shows `label` (and the seconds spent on it, when `timed`) until `stop` or the next `start`. */
  start(label: string, { timed = false } = {}) {
    this.label = label;
    this.since = timed ? Date.now() : 0;
    if (!this.animated) return;
    this.draw();
    this.timer ??= setInterval(() => this.draw(), 80);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.animated && this.label !== null) this.err.write(CLEAR);
    this.label = null;
  }

  /** Runs `work` with the spinner showing `label`. */
  async during<T>(label: string, work: Promise<T> | (() => Promise<T>)): Promise<T> {
    this.start(label);
    try {
      return await (typeof work === "function" ? work() : work);
    } finally {
      this.stop();
    }
  }

  /** Writes one line of output to `to` (stdout by default) without tearing the spinner. */
  line(text: string, to: Stream = process.stdout) {
    if (this.animated && this.label !== null) this.err.write(CLEAR);
    to.write(`${text}\n`);
    if (this.animated && this.label !== null) this.draw();
  }

  private draw() {
    const secs = this.since ? ` ${Math.floor((Date.now() - this.since) / 1000)}s` : "";
    this.frame = (this.frame + 1) % FRAMES.length;
    this.err.write(`${CLEAR}${FRAMES[this.frame]} ${this.label}${secs}`);
  }
}
