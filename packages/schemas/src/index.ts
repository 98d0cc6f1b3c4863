export const packageName = '@kardkit/schemas';
