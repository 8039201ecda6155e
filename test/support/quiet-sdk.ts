/**
 * Jest setup: the AWS SDK prints one NodeVersionSupportWarning per process on Node 20 (its releases
 * after January 2027 need Node 22; the function runs on Node 24). Every Jest worker is a process, so
 * the same paragraph repeated through the test output. It is switched off here with the SDK's own
 * switch for that one warning — every other warning still shows — as lambda/cli/index.ts does for the CLI.
 */
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
