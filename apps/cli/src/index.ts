export const packageName = '@kardkit/cli';
