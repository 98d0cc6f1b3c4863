export const packageName = '@kardkit/sdk';
