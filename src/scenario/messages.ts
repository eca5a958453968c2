/**
 * The one catalogue of user-facing messages for the scenario load paths (share link, file,
 * IndexedDB, lesson, headless runner). Every message is ONE line: the UI shows it in a toast
 * and the runner prints it on stderr, where a second line would read as a second error.
 *
 * Wording rules: say what is wrong in the user's terms, name the field by its JSON path when
 * there is one (`timeline[3].broker: ...`), and say what to do when there is something to do.
 * Tests match on fragments of these strings, so change them here and only here.
 */

/** Collapses whitespace so an embedded detail (an exception message) cannot break the one-line rule. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A user's string as a message shows it: JSON-quoted, and with every invisible character
 * JSON leaves raw (format characters such as a right-to-left override, line and paragraph
 * separators) written as \uXXXX too, so a message shows exactly what the input holds.
 */
export function quote(text: string): string {
  return JSON.stringify(text).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** "2 MB", "512 KB": the limits as users read them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

/** A field-level problem: `path: problem`, or just the problem at the document's root. */
export function invalidField(path: string, problem: string): string {
  return oneLine(path ? `${path}: ${problem}` : problem);
}

export function notAnObject(got: string): string {
  return oneLine(`This is not a playground scenario: expected a JSON object, got ${got}.`);
}

export function notJson(line: number, column: number, detail: string): string {
  return oneLine(`This is not a playground scenario: it is not valid JSON (line ${line}, column ${column}: ${detail}).`);
}

export function tooDeep(path: string, limit: number): string {
  return oneLine(
    `This scenario nests too deeply: ${path ? `${path} is` : 'it is'} more than ${limit} levels of objects and arrays deep, the most the playground opens.`,
  );
}

export function notPlainData(detail: string): string {
  return oneLine(`This is not a playground scenario: it is not plain JSON data (${detail}).`);
}

export function missingVersion(): string {
  return 'version: missing; this is not a playground scenario, or it was damaged.';
}

export function badVersion(got: string): string {
  return oneLine(`version: expected a whole number such as 1, got ${got}.`);
}

export function newerVersion(version: number, supported: number): string {
  return (
    `version: this scenario was made by a newer version of the playground (scenario version ${version}; ` +
    `this one opens up to version ${supported}). Reload the page to get the latest playground.`
  );
}

export function unknownOldVersion(version: number, oldest: number): string {
  return `version: ${version} is not a scenario version this playground can open (the oldest it opens is ${oldest}).`;
}

export function migrationFailed(from: number, to: number, detail: string): string {
  return oneLine(`version: could not upgrade this scenario from version ${from} to ${to}: ${detail}`);
}

export function linkMissingScenario(): string {
  return 'This link has no scenario in it (its address should end in "#scenario=...").';
}

export function linkBroken(detail: string): string {
  return oneLine(
    `This link is broken (${detail}): it was probably cut off or changed when it was copied. Ask for the link again.`,
  );
}

export function tooLarge(limitBytes: number): string {
  return `This scenario is too large: it unpacks to more than ${formatBytes(limitBytes)}, the most the playground opens.`;
}

export function unknownLesson(id: string): string {
  return oneLine(`There is no built-in lesson ${JSON.stringify(id)}.`);
}
