export { validate, assertValid, DEFAULT_MAX_OBJECT_BYTES, type ValidateOptions } from './validate.js';
export { ValidationError, formatIssue, type ValidationIssue, type IssueType } from './issues.js';
export { MAX_ANNOTATIONS_BYTES } from './rules.js';
export { validateUpdate } from './update-rules.js';
