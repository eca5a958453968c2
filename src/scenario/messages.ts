/** The one catalogue of user-facing messages for loading scenarios (links, files, lessons, storage). */
export const messages = {
  notJson: (detail: string) => `The scenario is not valid JSON: ${detail}.`,
  notAnObject: () => 'The scenario must be a JSON object.',
  missingVersion: () => 'version: missing; a scenario document must say which version made it.',
  newerVersion: (v: number, supported: number) => `version: ${v} was made by a newer playground (this one reads up to version ${supported}). Update the playground to open it.`,
  unknownVersion: (v: unknown) => `version: ${JSON.stringify(v)} is not a scenario version this playground knows.`,
  linkNotScenario: () => 'The link has no scenario in it (expected #scenario=…).',
  linkBadEncoding: () => 'The link is damaged: its scenario is not valid base64url. It may have been cut short when it was copied.',
  linkBadCompression: () => 'The link is damaged: its scenario does not decompress. It may have been cut short or changed.',
  tooLarge: (limitBytes: number) => `The scenario is larger than ${Math.round(limitBytes / 1024 / 1024)} MB once decompressed; it was not opened.`,
  notUtf8: () => 'The link is damaged: its scenario is not UTF-8 text.',
} as const;
