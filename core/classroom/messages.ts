/**
 * What a classroom session itself says (as notice events, never on the wire).
 * Protocol wording lives in the catalogue; lesson wording in core/lessons/messages.ts.
 */
export const CLASSROOM_TEXT = {
  sandboxOpened: (server: string, users: string) => `sandbox ${server} server, in process (no network); demo users ${users}`,
  remoteOpened: (url: string) => `connected to ${url}`,
  closed: (reason: string) => `connection closed: ${reason}; /connect URL (or /connect pop3|smtp|submission) opens another`,
  lessonStepOnly: 'this lesson plays by itself: press the next-step key (or /next); type /lesson ID --practice to type it yourself',
  unknownLesson: (id: string, folder: string) => `no lesson "${id}" in ${folder}; \`maillab lesson list\` shows the ids`,
  lessonWatchOnlyPractice: 'a watch-only lesson cannot be practised (no server to type to); use watch or step',
  sessionClosed: 'the session is closed: /connect pop3|smtp|submission|URL opens another',
  notSupportedHere: (name: string) => `/${name} is not available in this front end`,
  notInLesson: (name: string) => `/${name} only works while practising a lesson`,
};
