/**
 * The terminal player of `maillab lesson play`: watch (timed, space pauses,
 * +/- change the speed), step (one part of the transcript per key press) and
 * practice (the learner types the client lines; hints, /reveal, /hint). The
 * lesson engine in core/lessons does the work; this file only paces and prints.
 * Without a terminal, watch prints the whole annotated transcript at once, and
 * practice reads the learner's lines from stdin.
 */
import { createInterface } from 'node:readline';
import type { Lesson } from '../core/lessons/lesson.js';
import { LessonRun } from '../core/lessons/lesson-run.js';
import { MESSAGES } from '../core/lessons/messages.js';
import { LessonPractice, type StepIntro } from '../core/lessons/practice.js';
import type { PlayedStep } from '../core/lessons/replay.js';
import { createLessonStepRenderer, type RenderedChunk } from '../core/render/lesson-step.js';
import { fail } from './fail.js';
import type { LessonPlayOptions } from './cli-options.js';

const print = (text: string) => process.stdout.write(`${text}\n`);
/** On a terminal a long message is folded after this many lines; without one every line is printed. */
const FOLD_AFTER = 20;

/** Plays a lesson in the chosen mode, on a terminal or not (see the file comment). */
export async function playLesson(lesson: Lesson, options: LessonPlayOptions): Promise<void> {
  // `maillab lesson play x | head`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const terminal = process.stdout.isTTY === true && process.stdin.isTTY === true;
  if (options.mode === 'step' && !terminal) fail(MESSAGES.noTty);
  if (options.mode === 'practice' && lesson.mode !== 'replay') fail(MESSAGES.practiceWatchOnly);
  print(MESSAGES.lessonHeading(lesson.id, lesson.title, lesson.rfc));
  if (lesson.reason !== undefined) print(MESSAGES.watchOnly(lesson.reason));
  print('');
  if (options.mode === 'practice') await practise(lesson, terminal, options);
  else if (options.mode === 'step') await stepThrough(lesson, options);
  else if (process.stdout.isTTY === true) await watchTimed(lesson, options.speed, options);
  else await watchAtOnce(lesson, options);
}

/** The steps a learner sees (hidden ones run out of sight), and those among them where the learner types. */
function stepCounts(lesson: Lesson): { shown: number; typed: number } {
  const steps = lesson.sessions.flatMap((session) => session.steps).filter((step) => !step.hidden);
  return { shown: steps.length, typed: steps.filter((step) => step.client.length > 0).length };
}

/** Ctrl-C: a clean line, the exit status a shell expects (128 + SIGINT). */
function interrupted(): void {
  process.stdout.write('\n');
  process.exitCode = 130;
}

/** No terminal: every step, printed at once. A step that does not replay as written makes the exit status 1. */
async function watchAtOnce(lesson: Lesson, options: LessonPlayOptions): Promise<void> {
  const run = await LessonRun.open(lesson);
  const renderer = createLessonStepRenderer({ annotations: options.annotations });
  for (let step = await run.next(); step; step = await run.next()) {
    for (const line of renderer.lines(step)) print(line);
    print('');
    if (step.difference) process.exitCode = 1;
  }
  print(MESSAGES.lessonEnd);
}

/** Reads single key presses from a terminal; returns a function that stops reading. */
function onKeys(handle: (key: string) => void): () => void {
  if (process.stdin.isTTY !== true) return () => {};
  process.stdin.setRawMode(true);
  process.stdin.resume();
  const listener = (data: Buffer) => handle(data.toString('utf8'));
  process.stdin.on('data', listener);
  return () => {
    process.stdin.off('data', listener);
    process.stdin.setRawMode(false);
    process.stdin.pause();
  };
}

/** Watch on a terminal: `speed` lines a second; space pauses, + and - double or halve the speed, q quits. */
async function watchTimed(lesson: Lesson, speed: number, options: LessonPlayOptions): Promise<void> {
  let paused = false;
  let quit = false;
  let wake = () => {};
  const stop = onKeys((key) => {
    if (key === ' ') {
      paused = !paused;
      if (paused) print(MESSAGES.paused);
    } else if (key === '+' || key === '=') {
      speed = Math.min(speed * 2, 64);
      print(MESSAGES.speed(speed));
    } else if (key === '-') {
      speed = Math.max(speed / 2, 0.125);
      print(MESSAGES.speed(speed));
    } else if (key === 'q' || key === '\x03') {
      if (key === '\x03') interrupted();
      quit = true;
    }
    wake();
  });
  // Waits one line's time, or while paused; any key wakes it (a paused wait has no timer, so quitting leaves none behind).
  const tick = async () => {
    do await new Promise<void>((resolve) => {
      const timer = paused ? undefined : setTimeout(resolve, 1000 / speed);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    while (paused && !quit);
  };
  if (process.stdin.isTTY === true) print(MESSAGES.watchKeys);
  const run = await LessonRun.open(lesson);
  const renderer = createLessonStepRenderer({ annotations: options.annotations });
  try {
    for (let step = await run.next(); step && !quit; step = await run.next()) {
      for (const line of renderer.lines(step, { foldAfter: FOLD_AFTER })) {
        if (quit) break;
        print(line);
        if (line !== '') await tick();
      }
      print('');
    }
    if (!quit) print(MESSAGES.lessonEnd);
  } finally {
    stop();
    await run.close();
  }
}

/** Step: one part of a step per key press (the client side, then the server side). */
async function stepThrough(lesson: Lesson, options: LessonPlayOptions): Promise<void> {
  const pending: RenderedChunk[] = [];
  const run = await LessonRun.open(lesson);
  const renderer = createLessonStepRenderer({ annotations: options.annotations });
  let next: (key: string) => void = () => {};
  const stop = onKeys((key) => next(key));
  const key = () => new Promise<string>((resolve) => (next = resolve));
  print(MESSAGES.stepKeys);
  const steps = stepCounts(lesson).shown;
  let loaded = 0;
  /** The step whose part was printed last, for the summary. */
  let shown = 0;
  const numbers: number[] = [];
  try {
    for (;;) {
      if (pending.length === 0) {
        const step = await run.next();
        if (!step) break;
        loaded = Math.min(loaded + 1, steps);
        const chunks = renderer.chunks(step, { foldAfter: FOLD_AFTER });
        pending.push(...chunks.map((chunk, index) => (index === 0 ? { lines: [MESSAGES.stepProgress(loaded, steps), ...chunk.lines] } : chunk)));
        numbers.push(...chunks.map(() => loaded));
      }
      const pressed = await key();
      if (pressed === 'q' || pressed === '\x03') {
        if (pressed === '\x03') interrupted();
        print(MESSAGES.stoppedAt(lesson.id, Math.max(shown, 1), steps));
        return;
      }
      shown = numbers.shift() ?? shown;
      for (const line of pending.shift()!.lines) print(line);
    }
    print('');
    print(MESSAGES.lessonEnd);
  } finally {
    stop();
    await run.close();
  }
}

/** Practice: the learner types; every line goes to the lab and is judged by what it did; predictions are asked before replies. */
async function practise(lesson: Lesson, terminal: boolean, playOptions: LessonPlayOptions): Promise<void> {
  const renderer = createLessonStepRenderer({ annotations: playOptions.annotations });
  const options = { typedClientLines: !terminal, differencesAsNotes: true, predictions: false } as const;
  const show = (steps: readonly PlayedStep[]) => {
    for (const step of steps) {
      for (const line of renderer.lines(step, options)) print(line);
      print('');
    }
  };
  const introduce = (next: StepIntro | undefined) => {
    const lines = next ? renderer.intro(next) : [];
    for (const line of lines) print(line);
    if (lines.length > 0) print('');
  };
  const { practice, played, next } = await LessonPractice.start(lesson);
  print(MESSAGES.practiceIntro);
  print('');
  show(played);
  introduce(next);
  const reader = createInterface({ input: process.stdin, output: terminal ? process.stdout : undefined, terminal, crlfDelay: Infinity });
  // Progress: the steps where the learner types, counted as they are done.
  const steps = stepCounts(lesson).typed;
  let done = 0;
  const count = (list: readonly PlayedStep[]) => (done += list.filter((step) => step.sent.length > 0 && !step.step.hidden).length);
  const current = () => Math.min(done + 1, steps);
  const summary = () => {
    print(MESSAGES.stoppedAt(lesson.id, current(), steps));
    print(MESSAGES.practiceScore(practice.score));
  };
  let stop = false;
  reader.on('SIGINT', () => {
    interrupted();
    summary();
    stop = true;
    reader.close();
  });
  const prompt = () => {
    reader.setPrompt(practice.predicting ? MESSAGES.predictPrompt : MESSAGES.practicePromptProgress(practice.state, current(), steps));
    if (terminal) reader.prompt();
  };
  prompt();
  try {
    for await (const line of reader) {
      if (stop) break;
      if (line === '/quit') {
        summary();
        break;
      }
      const predicting = practice.predicting;
      if (predicting && /^\/[a-z]+$/.test(line)) print(MESSAGES.predictPending(predicting.question));
      else if (line === '/reveal') print(MESSAGES.revealed(practice.reveal() ?? ''));
      else if (line === '/hint') print(practice.explainNext() ?? MESSAGES.lessonEnd);
      else if (/^\/[a-z]+$/.test(line)) print(MESSAGES.unknownMeta(line));
      else {
        const result = await practice.submit(line);
        if (result.kind === 'hint') print(`${result.hint.text} ${MESSAGES.hintReveal}`);
        else if (result.kind === 'refused') {
          show([result.shown]);
          print(`${result.hint.text} ${MESSAGES.hintReveal}`);
        } else if (result.kind === 'predict') print(result.question);
        else if (result.kind === 'sent' && result.shown) {
          show([result.shown]);
          if (result.note) print(result.note);
        } else if (result.kind === 'accepted') {
          if (result.note) print(result.note);
          if (result.prediction) print(result.prediction.right ? MESSAGES.predictRight(result.prediction.answer) : MESSAGES.predictWrong(result.prediction.typed, result.prediction.answer));
          count(result.played);
          show(result.played);
          introduce(result.next);
        }
      }
      if (practice.finished) {
        print(MESSAGES.practiceDone);
        print(MESSAGES.practiceScore(practice.score));
        break;
      }
      prompt();
    }
  } finally {
    reader.close();
    await practice.close();
  }
}
