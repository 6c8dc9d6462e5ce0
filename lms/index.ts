// Public API of the log-message-string analysis. The plugin calls analyzeAction at
// package time; the correlator calls createMatcher, checkSequence and assignUnits at run time.
export { analyzeAction, type AnalyzeOptions } from './analyze';
export { createMatcher, type LmsMatcher } from './matcher';
export { checkSequence, assignUnits, type SequenceOptions, type TemplateSequence } from './sequence';
export { formatProfileText, formatProfileDot } from './render-profile';
export * from './types';
export { profileHash } from './profile-hash';
